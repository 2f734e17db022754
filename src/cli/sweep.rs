//! `patchsim sweep`: the headline figures across values of one field.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::output::{claim_folder, default_folder, write_folder};
use crate::output::OutputKind;
use crate::planner::compare::show;
use crate::planner::sweep::{SweepRuns, SweepSpec, run_sweep, sweep_csv};
use crate::report::bundle::{ReportFile, chart_files};
use crate::report::charts::sweep::SweepChart;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;

/// Arguments of `patchsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,

    /// The field to sweep and its values: KEY=V1,V2,… or KEY=FROM..TO:STEP (numbers or
    /// durations), e.g. --set step.0.duration.max=0m..40m:10m; more --set KEY=VALUE fix other
    /// fields for every value
    #[arg(long = "set", value_name = "KEY=VALUES", required = true)]
    pub set: Vec<String>,

    /// Replications of each value (default: the scenario's [run] replications)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,

    /// Seed of every value (default: the scenario's [run] seed)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core)
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,

    /// Folder for sweep.csv and the chart (default: reports/sweep-<scenario name>/)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `patchsim sweep`.
pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    let (_, text) = Scenario::load_with(&args.scenario, &[])?;
    let mut swept: Vec<SweepSpec> = Vec::new();
    let mut fixed: Vec<Override> = Vec::new();
    for s in &args.set {
        let spec = SweepSpec::parse(s).map_err(anyhow::Error::msg)?;
        if spec.values.len() > 1 {
            swept.push(spec);
        } else {
            fixed.push(Override::parse(s).map_err(anyhow::Error::msg)?);
        }
    }
    let spec = match swept.len() {
        1 => swept.remove(0),
        0 => bail!("give one --set KEY=V1,V2,… or --set KEY=FROM..TO:STEP with more than one value to sweep"),
        _ => bail!("sweep one field at a time: {} --set options have several values", swept.len()),
    };
    let (base, _) = Scenario::load_with(&args.scenario, &fixed)?;
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(base.input_files());
    let default = default_folder(&format!("sweep-{}", base.name), &fixed);
    let folder = claim_folder(args.out.as_deref().unwrap_or(&default), OutputKind::Sweep, &inputs)?;
    let file = args.scenario.display().to_string();
    let keys =
        ["outcomes.overran", "overrun_minutes.mean", "status_messages.peak_per_minute", "status_messages.backlog_peak"];
    sayln!("{:<20}{}", spec.key, keys.iter().map(|k| format!("{k:>34}")).collect::<String>());
    let sweep = run_sweep(
        &text,
        &file,
        &fixed,
        &spec,
        SweepRuns { seed: args.seed, replications: args.replications, threads: args.threads.unwrap_or(0) as usize },
        |row| {
            let cells: String = keys
                .iter()
                .map(|k| {
                    let cell = row
                        .figures
                        .iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, f)| format!("{} [{}, {}]", show(k, f.mean), show(k, f.ci95[0]), show(k, f.ci95[1])))
                        .unwrap_or_default();
                    format!("{cell:>34}")
                })
                .collect();
            sayln!("{:<20}{cells}", row.value);
        },
    )?;
    let (svg, png) = chart_files(&SweepChart(&sweep))?;
    let files = vec![
        ReportFile::new("sweep.csv", sweep_csv(&sweep)),
        ReportFile::new("sweep.svg", svg.into_bytes()),
        ReportFile::new("sweep.png", png),
    ];
    let shown = folder.path().display().to_string();
    write_folder(folder, &files)?;
    sayln!("\nWrote sweep.csv, sweep.svg and sweep.png in {shown}");
    Ok(())
}
