//! # patchsim
//!
//! A discrete-event simulator and capacity planner for monthly server patching through the
//! Configuration Manager (ConfigMgr, SCCM) task sequence engine.
//!
//! Every server of a fleet sits in one maintenance window. In its window it runs the task
//! sequence: a random sleep, owner scripts, update passes, hotfixes, software installs, agent
//! upkeep, restarts. Steps fail, restarts hang, exit code 3010 restarts the machine unless a
//! wrapper catches it, and every step and group sends status messages to the site. patchsim
//! runs the whole fleet many times over (replications) and reports how many servers finish late
//! (overrun), fail, are stopped or never start, how many restarts they take, and how much
//! status-message load reaches Status Manager.
//!
//! ## The pipeline
//!
//! ```text
//! scenario file ─▶ scenario::Scenario ─▶ sequence::Program ─▶ engine (one replication)
//!     ─▶ messages (site queue) ─▶ montecarlo (replications, statistics) ─▶ report (JSON, text)
//! ```
//!
//! - [`input`]: reading users' files; errors name file, line, column and key.
//! - [`scenario`]: the scenario format, read and checked once.
//! - [`import`]: real inputs — an inventory export, a console task sequence export, execution
//!   history — turned into scenario parts.
//! - [`sequence`]: the task sequence compiled to a flat program with jump targets.
//! - [`engine`]: one server's run, exactly per the engine's rules; one replication of the fleet.
//! - [`messages`]: who sent which status message when, and the queue at the site.
//! - [`montecarlo`]: replications in parallel, bit-identical whatever the thread count; the
//!   figures and the `summary.json` contract.
//! - [`planner`]: compare, plan and sweep over the pipeline.
//! - [`report`]: every exporter and chart, as bytes.
//! - [`output`]: report folders and files written without harm.
//! - [`random`], [`special`], [`histogram`], [`digest`], [`configmgr`]: the leaves.
//!
//! `ARCHITECTURE.md` has the modules' one-way order and where to add things.
//!
//! ```
//! use patchsim::scenario::Scenario;
//! use patchsim::sequence::Program;
//! use patchsim::montecarlo::{RunOptions, run, summarize};
//!
//! let scenario = Scenario::from_toml(r#"
//!     name = "one-window"
//!     [fleet]
//!     servers = 100
//!     [windows]
//!     days = ["Mon"]
//!     starts = ["00:00"]
//!     length = "2h"
//!     [deployment]
//!     max_run_time = "0s"
//!     [infrastructure]
//!     status_manager_rate = 50
//!     [[step]]
//!     name = "Patch"
//!     type = "command"
//!     duration = "30m"
//! "#, "example.toml").unwrap();
//! let program = Program::compile(&scenario);
//! let result = run(&scenario, &program, &RunOptions::new(1, 3, 1)).unwrap();
//! let summary = summarize(&scenario, 1, &result);
//! assert_eq!(summary.outcomes.completed_in_window.mean, 1.0);
//! ```

pub mod cli;
pub mod configmgr;
pub mod digest;
pub mod engine;
pub mod histogram;
pub mod import;
pub mod input;
pub mod messages;
pub mod montecarlo;
pub mod output;
pub mod planner;
pub mod random;
pub mod report;
pub mod scenario;
pub mod sequence;
pub mod special;
