//! The command line: argument definitions (clap) and one file per subcommand.
//!
//! Subcommands parse their arguments, call the pipeline, and hand bytes to files. Errors carry
//! context (which file, which flag) and reach `main` as an `anyhow` chain.

/// Writes to standard output; a closed pipe (`patchsim run … | head`) is not an error: the
/// command goes on and still writes its files. Any other failure (a full disk) makes the
/// command fail at its end ([`output::finish_stdout`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        $crate::cli::output::write_stdout(format_args!($($arg)*));
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

/// How a command that did its work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything asked for was done.
    Done,
    /// The command ran and wrote its output, but what it was asked to reach was not reached: a
    /// `plan` found no value that meets its bounds, a `run --precision` stopped at its most
    /// replications before the precision.
    TargetNotMet,
}

/// The exit statuses of `patchsim` (docs/output.md lists them for scripts).
pub mod exit {
    /// The command did what was asked.
    pub const SUCCESS: u8 = 0;
    /// An error: a bad input, a refused output, a failed write. Nothing was written.
    pub const ERROR: u8 = 1;
    /// The command line is wrong (an unknown flag, a missing argument, flags that exclude each
    /// other). Nothing was done.
    pub const USAGE: u8 = 2;
    /// The command ran and wrote its output, but the target was not met (see [`super::Status`]).
    pub const TARGET_NOT_MET: u8 = 3;
    /// Interrupted (Ctrl+C, SIGTERM): the unfinished output was removed.
    pub const INTERRUPTED: u8 = crate::output::cleanup::INTERRUPTED;
}

/// A mistake in the command line found after parsing (flags that cannot go together).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Fails with a [`UsageError`].
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err($crate::cli::UsageError(format!($($arg)*)).into())
    };
}
pub(crate) use usage;

/// Runs a parsed command line; standard output must have taken every byte.
pub fn execute(cli: Cli) -> anyhow::Result<Status> {
    let status = match cli.command {
        Command::Run(args) => run::execute(&args)?,
        Command::Validate(args) => validate::execute(&args).map(|()| Status::Done)?,
        Command::Compare(args) => compare::execute(&args).map(|()| Status::Done)?,
        Command::Plan(args) => plan::execute(&args)?,
        Command::Sweep(args) => sweep::execute(&args).map(|()| Status::Done)?,
        Command::Merge(args) => merge::execute(&args).map(|()| Status::Done)?,
        Command::Trace(args) => trace::execute(&args).map(|()| Status::Done)?,
        Command::Import(args) => import::execute(&args).map(|()| Status::Done)?,
        Command::Calibrate(args) => calibrate::execute(&args).map(|()| Status::Done)?,
    };
    output::finish_stdout()?;
    Ok(status)
}

/// The exit status for the end of a command.
pub fn exit_status(result: &anyhow::Result<Status>) -> u8 {
    match result {
        Ok(Status::Done) => exit::SUCCESS,
        Ok(Status::TargetNotMet) => exit::TARGET_NOT_MET,
        Err(e) if e.downcast_ref::<UsageError>().is_some() => exit::USAGE,
        Err(_) => exit::ERROR,
    }
}
