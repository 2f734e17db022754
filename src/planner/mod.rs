//! The planner: loops over the pipeline that answer a planner's questions with evidence.
//!
//! - [`compare`]: which design is better, with paired confidence intervals (designs run in
//!   lockstep by [`crate::montecarlo::run_designs`] on common random numbers: replication r of
//!   every design shares its random numbers);
//! - [`plan`]: the widest sleep, the slowest Status Manager, the most servers, the shortest max
//!   run time that keep a figure within a bound — monotone searches over common random numbers;
//! - [`sweep`]: a figure across values of one field.
//!
//! Results are plain types; `report` writes them for readers.

pub mod compare;
pub mod plan;
pub mod sweep;
