//! `patchsim compare`: which design is better, with paired confidence intervals.

use std::path::PathBuf;

use clap::Args;

use super::SimArgs;
use super::output::{Destination, default_folder, deliver};
use super::progress::Progress;
use crate::montecarlo::{Hooks, RunOptions, Summary, run_designs, summarize};
use crate::output::OutputKind;
use crate::planner::compare::{Comparison, design_names};
use crate::report::comparison::{compare_files, compare_table};
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim compare`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim compare my-month.toml wider-sleep.toml one-pass.toml\n  \
    patchsim compare my-month.toml my-month.toml --set fleet.servers=20000   (every design changed alike)")]
pub struct CompareArgs {
    /// The baseline design (a scenario file)
    pub baseline: PathBuf,

    /// The designs to compare with it
    #[arg(required = true, value_name = "VARIANT")]
    pub variants: Vec<PathBuf>,

    /// Replications and seed are the baseline's unless given; --set changes every design
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Runs `patchsim compare`.
pub fn execute(args: &CompareArgs) -> anyhow::Result<()> {
    let sim = &args.sim;
    let paths: Vec<PathBuf> = std::iter::once(&args.baseline).chain(&args.variants).cloned().collect();
    let mut scenarios: Vec<Scenario> = Vec::new();
    for path in &paths {
        scenarios.push(Scenario::load_with(path, &sim.set)?.0);
    }
    let (seed, replications) = (sim.seed(&scenarios[0]), sim.replications_for_intervals(&scenarios[0])?);
    let mut inputs = paths.clone();
    inputs.extend(scenarios.iter().flat_map(Scenario::input_files));
    let default = default_folder(&format!("compare-{}", scenarios[0].name), &sim.set);
    let destination = Destination::claim(sim.out.as_deref(), default, OutputKind::Compare, &inputs)?;

    let programs: Vec<Program> = scenarios.iter().map(Program::compile).collect();
    let designs: Vec<(&Scenario, &Program)> = scenarios.iter().zip(&programs).collect();
    let progress = Progress::start(replications, sim.quiet);
    let options = RunOptions::new(seed, replications, sim.threads());
    let runs = run_designs(&designs, &options, Hooks { done: Some(progress.counter()), each: None })?;
    progress.finish();

    let names = design_names(&scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>());
    let comparison = Comparison::new(&names, seed, replications, &runs);
    let summaries: Vec<Summary> = scenarios
        .iter()
        .zip(&runs.results)
        .map(|(s, r)| Summary { overrides: sim.overrides(), ..summarize(s, seed, r) })
        .collect();
    let files = compare_files(&comparison, &summaries)?;
    deliver(destination, &files, "compare.json", &compare_table(&comparison))
}
