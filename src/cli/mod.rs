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

/// Fails with a [`UsageError`].
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err($crate::cli::UsageError(format!($($arg)*)).into())
    };
}

pub mod backtest;
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

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::csv_style::CsvStyle;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;

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
    /// Fit step and restart durations and exit codes from last month's execution history, and
    /// check whether steps take longer with more servers in them at once (contention)
    Calibrate(calibrate::CalibrateArgs),
    /// Set the scenario's projection beside what last month's history shows happened: overran,
    /// failed, durations, restarts, overall and per window, each with a verdict
    Backtest(backtest::BacktestArgs),
}

/// The flags every command that simulates takes, the same on each.
#[derive(Debug, Clone, Default, Args)]
pub struct SimArgs {
    /// How many times to simulate the month (default: the scenario's [run] replications, else 100)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,

    /// Seed of every random draw: the same seed gives the same results (default: the scenario's [run] seed, else 1)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,

    /// Change one field of the scenario for this run, e.g. --set fleet.servers=20000 or
    /// --set step.0.duration.max=30m (a dotted path into the scenario; repeat for more)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,

    /// Folder for the output (default: a folder under reports/ named after the command, the
    /// scenario and any --set changes); "-" prints the main document to standard output
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// No progress bar
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// The flag of every command that writes CSV files (`run`, `merge`, `sweep`, `trace`,
/// `backtest`), the same on each.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct CsvArgs {
    /// How to write the CSV files: plain (comma and 1.5, for scripts), excel (for an Excel that
    /// writes 1.5), excel-de or excel-fr (for an Excel that writes 1,5)
    ///
    /// Excel opens a CSV file by double-click with Windows' regional settings: the excel styles
    /// write UTF-8 with a byte-order mark (so names keep their ä, é, €) and CRLF line ends, and
    /// excel-de and excel-fr put ; between cells and write numbers 1,5. For example
    /// `patchsim run my-month.toml --servers-csv --csv-style excel-de` writes a servers.csv that
    /// a German Excel opens with its columns and numbers right. It does not change summary.json.
    #[arg(long, value_enum, value_name = "STYLE", default_value_t = CsvStyle::Plain)]
    pub csv_style: CsvStyle,
}

impl SimArgs {
    /// The seed: the flag's, else the scenario's.
    pub fn seed(&self, scenario: &Scenario) -> u64 {
        self.seed.unwrap_or(scenario.run.seed)
    }

    /// The replications: the flag's, else the scenario's.
    pub fn replications(&self, scenario: &Scenario) -> u64 {
        self.replications.unwrap_or(u64::from(scenario.run.replications))
    }

    /// The replications, at least two (for confidence intervals): the scenario's, raised to
    /// two, or the flag's — a usage error when it asks for fewer.
    pub fn replications_for_intervals(&self, scenario: &Scenario) -> anyhow::Result<u64> {
        match self.replications {
            Some(r) if r < 2 => {
                usage!("this command needs at least 2 replications for its confidence intervals (--replications)")
            }
            Some(r) => Ok(r),
            None => Ok(u64::from(scenario.run.replications).max(2)),
        }
    }

    /// Worker threads (0: one per core).
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or(0) as usize
    }

    /// The `--set` changes as `summary.json` lists them.
    pub fn overrides(&self) -> Vec<String> {
        self.set.iter().map(|o| format!("{}={}", o.key, o.value)).collect()
    }

    /// Whether `--out -` asks for standard output.
    pub fn to_stdout(&self) -> bool {
        self.out.as_ref().is_some_and(|o| o.as_os_str() == "-")
    }
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
        Command::Backtest(args) => backtest::execute(&args)?,
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
