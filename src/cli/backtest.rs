//! `patchsim backtest`: the scenario's projection set beside what last month's execution history
//! shows happened, figure by figure, overall and per window, with one month's interval and a
//! verdict; and the coupling check of the same history.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::calibrate::{TIME_FORMATS, time_format};
use super::output::{Destination, default_folder, deliver};
use super::{CsvArgs, SimArgs, Status};
use crate::import::History;
use crate::import::coupling::CouplingCheck;
use crate::output::OutputKind;
use crate::planner::backtest::{BacktestOptions, backtest};
use crate::report::backtest::{backtest_files, backtest_table};
use crate::report::calibration::coupling_table;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim backtest`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim backtest my-month.toml history.csv                  report in reports/backtest-<scenario name>/\n  \
    patchsim backtest my-month.toml history.csv --targeted 2400  also compare the not-started share\n  \
    patchsim backtest my-month.toml history.csv --fail-outside   exit status 3 when a figure is outside\n\n\
    Each figure of the history (overran, failed, completed shares; run duration p50, p90, p95; restarts per\n\
    run) is set beside the interval that holds 95% of the projection's months of the history's size:\n\
    inside, above or below. docs/import.md (\"Back-test\") says what to revisit when a figure is outside.")]
pub struct BacktestArgs {
    /// The scenario file (TOML) whose projection is tested
    pub scenario: PathBuf,

    /// An export of the vSMS_TaskSequenceExecutionStatus view (CSV; what `patchsim calibrate`
    /// reads) of the month to test against
    pub history: PathBuf,

    #[command(flatten)]
    pub sim: SimArgs,

    /// How the history writes its times (as `patchsim calibrate --time-format`)
    #[arg(long, value_name = "FORMAT", default_value = "auto", ignore_case = true,
          value_parser = clap::builder::PossibleValuesParser::new(TIME_FORMATS))]
    pub time_format: String,

    /// The servers the deployment targeted last month: the history lists only servers that ran,
    /// so the not-started share is compared only with it
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub targeted: Option<u64>,

    /// Exit with status 3 when any comparison (overall or per window) is outside its interval
    /// (for CI); without it the verdicts are information and the exit status is 0
    #[arg(long)]
    pub fail_outside: bool,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// Runs `patchsim backtest`.
pub fn execute(args: &BacktestArgs) -> anyhow::Result<Status> {
    let sim = &args.sim;
    let (scenario, _) = Scenario::load_with(&args.scenario, &sim.set)?;
    super::validate::print_warnings(&scenario);
    let shown = args.history.display().to_string();
    let history = History::read(&args.history, &shown, time_format(&args.time_format)?)?;
    let (seed, replications) = (sim.seed(&scenario), sim.replications_for_intervals(&scenario)?);
    let mut inputs = vec![args.scenario.clone(), args.history.clone()];
    inputs.extend(scenario.input_files());
    let default = default_folder(&format!("backtest-{}", scenario.name), &sim.set);
    let destination = Destination::claim(sim.out.as_deref(), default, OutputKind::Backtest, &inputs)?;

    for b in &history.bad {
        eprintln!("warning: {shown}: {} row{} not used: {}", b.count, if b.count == 1 { "" } else { "s" }, b.reason);
    }
    let program = Program::compile(&scenario);
    let coupling = CouplingCheck::of(history.actions.iter().map(|a| (a.name.as_str(), a.spans.as_slice())));
    let source = args.history.file_name().map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
    let options = BacktestOptions { seed, replications, threads: sim.threads(), targeted: args.targeted };
    let mut result = backtest(&scenario, &program, &history, &source, &coupling, options)
        .with_context(|| format!("cannot back-test {} against {shown}", args.scenario.display()))?;
    result.overrides = sim.overrides();

    let files = backtest_files(&result, args.csv.csv_style)?;
    let table = format!("{}\n{}", backtest_table(&result), coupling_table(&coupling));
    deliver(destination, &files, "backtest.json", &table)?;
    Ok(if args.fail_outside && !result.all_inside() { Status::TargetNotMet } else { Status::Done })
}
