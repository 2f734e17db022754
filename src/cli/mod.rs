//! The command line: argument definitions (clap) and one file per subcommand.
//!
//! Subcommands parse their arguments, call the pipeline, and hand bytes to files. Errors carry
//! context (which file, which flag) and reach `main` as an `anyhow` chain.

/// Writes to standard output; a closed pipe (`patchsim run … | head`) is not an error: the
/// command goes on and still writes its files.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = std::io::stdout().lock().write_fmt(format_args!($($arg)*));
    }};
}

/// [`say!`] with a newline.
macro_rules! sayln {
    () => { say!("\n") };
    ($($arg:tt)*) => {{
        say!($($arg)*);
        say!("\n");
    }};
}

pub mod calibrate;
pub mod compare;
pub mod import;
pub mod in_place;
pub mod merge;
pub mod output;
pub mod plan;
pub mod progress;
pub mod run;
pub mod sweep;
pub mod trace;
pub mod validate;

use clap::{Parser, Subcommand};

/// patchsim: project a patch month before it happens.
#[derive(Debug, Parser)]
#[command(
    name = "patchsim",
    version,
    about = "Simulate monthly server patching through the ConfigMgr task sequence engine",
    long_about = "patchsim simulates a patch month: every server in its maintenance window runs the task \
sequence (random sleep, owner scripts, update passes, hotfixes, software, restarts), many times over. \
It projects how many servers finish late, fail, are stopped or never start, how many restarts they \
take, and how much status-message load reaches the management points and Status Manager.\n\n\
Start with `patchsim validate SCENARIO.toml` to check a scenario, then `patchsim run SCENARIO.toml`.",
    propagate_version = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate the scenario and write DIR/summary.json (overruns, failures, restarts, message load)
    Run(run::RunArgs),
    /// Check a scenario and show what it describes (servers, windows, steps), without running it
    Validate(validate::ValidateArgs),
    /// Compare designs with a baseline, figure by figure, with paired confidence intervals
    Compare(compare::CompareArgs),
    /// Answer a planning question: the widest sleep, the slowest Status Manager, the most servers,
    /// the shortest max run time that keep the figures within bounds
    Plan(plan::PlanArgs),
    /// Run the scenario across values of one field and tabulate the headline figures
    Sweep(sweep::SweepArgs),
    /// Combine the shards of a study run on several machines (`run --shard K/M`) into one report
    Merge(merge::MergeArgs),
    /// Follow one server through its window, step by step (a table, trace.csv and a Gantt chart)
    Trace(trace::TraceArgs),
    /// Turn a task sequence exported from the ConfigMgr console into a scenario
    Import(import::ImportArgs),
    /// Fit step and restart durations and exit codes from last month's execution history
    Calibrate(calibrate::CalibrateArgs),
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::execute(&args),
        Command::Validate(args) => validate::execute(&args),
        Command::Compare(args) => compare::execute(&args),
        Command::Plan(args) => plan::execute(&args),
        Command::Sweep(args) => sweep::execute(&args),
        Command::Merge(args) => merge::execute(&args),
        Command::Trace(args) => trace::execute(&args),
        Command::Import(args) => import::execute(&args),
        Command::Calibrate(args) => calibrate::execute(&args),
    }
}
