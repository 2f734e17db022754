//! The planner: loops over the pipeline that answer a planner's questions with evidence.
//!
//! - [`compare`]: which design is better, with paired confidence intervals (designs run in
//!   lockstep by [`crate::montecarlo::run_designs`] on common random numbers: replication r of
//!   every design shares its random numbers);
//! - [`plan`]: the slowest Status Manager, the most servers, the shortest max run time that keep
//!   a figure within a bound — monotone searches over common random numbers — and the types
//!   every plan shares;
//! - [`sleep`]: the range of random sleeps that keep the overran share within a bound, or the one
//!   that overruns least — grid searches that do not assume the curve is monotone;
//! - [`resource`]: the smallest capacity, slot count or instance count of a shared resource that
//!   keeps the overran share within a bound;
//! - [`sweep`]: a figure across values of one field;
//! - [`backtest`]: a projection set beside the month a history shows, with one month's
//!   prediction intervals and verdicts; [`coupling_figures`] carries the history's coupling
//!   check into its document.
//!
//! Results are plain types; `report` writes them for readers.

pub mod backtest;
pub mod compare;
pub mod coupling_figures;
pub mod plan;
pub mod resource;
pub mod sleep;
pub mod sweep;
