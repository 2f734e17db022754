//! The task-sequence engine: one server's run, step by step, and one replication of the fleet.
//!
//! Guarantees:
//! - **Exact rules.** Targeting, the max-run-time gate, runs past the window end, stops at the
//!   max run time, continue-on-error propagation, 3010 restarts and wrappers, Install Software
//!   Updates, per-item software installs, restart hangs and every status-message event follow
//!   the scenario format's run semantics (see `docs/model.md` for the rules with their tests).
//! - **Integer time.** The clock is whole milliseconds since Monday 00:00.
//! - **Determinism.** A server's run depends only on the scenario, the seed, the replication and
//!   the server's index: every draw comes from its own stream (`crate::random`).

pub mod contention;
pub mod coupled;
pub mod observer;
pub mod outcome;
pub mod selection;
mod server_run;
pub mod simulator;
pub mod week_outcomes;

pub use observer::{Observer, RestartCause, SkipReason, TraceEvent};
pub use outcome::Outcome;
pub use selection::{SelectionError, ServerChoice};
pub use simulator::{Placement, Scratch, ServerRecord, Simulator};
pub use week_outcomes::WeekOutcomes;
