//! Monte Carlo: many replications of the fleet, run in parallel, turned into statistics.
//!
//! [`runner::run_designs`] runs replications of one design, or several in lockstep, on a thread
//! pool; [`aggregate::summarize`] turns the raw results into a [`Summary`] (the `summary.json`
//! contract, in [`summary`]). Every figure is a [`Figure`]. Results are bit-identical for a seed
//! whatever the thread count (see `runner` for why).

pub mod accumulator;
pub mod aggregate;
pub mod estimate;
pub mod exact_sum;
pub mod figure;
pub mod memory;
pub mod precision;
pub mod runner;
pub mod shard;
pub mod statistics;
pub mod summary;
pub mod tally;

pub use aggregate::summarize;
pub use figure::Figure;
pub use runner::{Hooks, RunError, RunOptions, RunResult, Runs, run, run_designs, run_with, worker_pool};
pub use summary::Summary;
