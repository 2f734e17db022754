//! `patchsim sweep`: the headline figures across values of one field.

use std::path::PathBuf;

use clap::Args;

use super::output::{Destination, default_folder, deliver};
use super::{CsvArgs, SimArgs, UsageError};
use crate::output::OutputKind;
use crate::planner::sweep::{SweepRuns, SweepSpec, run_sweep};
use crate::report::sweep::{sweep_files, sweep_header, sweep_row};
use crate::scenario::Scenario;

/// Arguments of `patchsim sweep`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim sweep my-month.toml --set step.0.duration.max=0m..40m:10m\n  \
    patchsim sweep my-month.toml --set fleet.servers=6000,12000,24000 --set deployment.max_run_time=0s\n  \
    patchsim sweep my-month.toml --set fleet.servers=6000,12000 --csv-style excel-fr   sweep.csv for a French Excel\n\n\
    One --set takes several values (KEY=V1,V2,… or KEY=FROM..TO:STEP, numbers or durations); any other --set \
    KEY=VALUE fixes a field for every value.")]
pub struct SweepArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,

    #[command(flatten)]
    pub sim: SimArgs,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// Runs `patchsim sweep`.
pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    let sim = &args.sim;
    let (spec, fixed) = SweepSpec::from_sets(&sim.set).map_err(UsageError)?;
    let (base, text) = Scenario::load_with(&args.scenario, &fixed)?;
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(base.input_files());
    let default = default_folder(&format!("sweep-{}", base.name), &fixed);
    let destination = Destination::claim(sim.out.as_deref(), default, OutputKind::Sweep, &inputs)?;
    let file = args.scenario.display().to_string();
    // Rows are shown as each value finishes: on standard error when the CSV goes to standard output.
    let to_stdout = matches!(destination, Destination::Stdout);
    let show = |line: String| if to_stdout { eprintln!("{line}") } else { sayln!("{line}") };
    show(sweep_header(&spec.key));
    let runs = SweepRuns { seed: sim.seed, replications: sim.replications, threads: sim.threads() };
    // `text` is the file as written: the fixed changes are applied to it again with each value.
    let sweep = run_sweep(&text, &file, &fixed, &spec, runs, |row| show(sweep_row(row)))?;
    let files = sweep_files(&sweep, args.csv.csv_style)?;
    deliver(destination, &files, "sweep.csv", "")
}
