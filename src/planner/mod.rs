//! The planner: loops over the pipeline that answer a planner's questions with evidence.
//!
//! - [`paired`] and [`compare`]: which design is better, with paired confidence intervals
//!   (common random numbers: replication r of every design shares its random numbers);
//! - [`plan`]: the widest sleep, the slowest Status Manager, the most servers, the shortest max
//!   run time that keep a figure within a bound — monotone searches over common random numbers;
//! - [`sweep`]: a figure across values of one field.

pub mod compare;
pub mod plan;
pub mod sweep;
