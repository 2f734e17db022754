//! `patchsim compare`: which design is better, with paired confidence intervals.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::output::{claim_folder, default_folder, safe_file_name, write_folder};
use super::progress::Progress;
use crate::montecarlo::Summary;
use crate::montecarlo::{RunOptions, summarize};
use crate::output::OutputKind;
use crate::planner::compare::{Comparison, compare_markdown, compare_table};
use crate::planner::paired::run_paired;
use crate::report::bundle::{ReportFile, chart_files};
use crate::report::charts::differences::Differences;
use crate::report::json::summary_json;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;
use crate::sequence::Program;

/// Arguments of `patchsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline design (a scenario file)
    pub baseline: PathBuf,

    /// The designs to compare with it
    #[arg(required = true, value_name = "VARIANT")]
    pub variants: Vec<PathBuf>,

    /// Replications of every design (default: the baseline's [run] replications)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(2..=10_000_000))]
    pub replications: Option<u64>,

    /// Seed of every design (default: the baseline's [run] seed)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core)
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,

    /// Change one field of every design, e.g. --set fleet.servers=20000 (repeat for more)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,

    /// Folder for compare.json, compare.md and the chart (default: reports/compare-<baseline name>/)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// No progress bar
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs `patchsim compare`.
pub fn execute(args: &CompareArgs) -> anyhow::Result<()> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    for path in std::iter::once(&args.baseline).chain(&args.variants) {
        scenarios.push(Scenario::load_with(path, &args.set)?.0);
    }
    let mut inputs: Vec<PathBuf> = std::iter::once(&args.baseline).chain(&args.variants).cloned().collect();
    inputs.extend(scenarios.iter().flat_map(Scenario::input_files));
    let default = default_folder(&format!("compare-{}", scenarios[0].name), &args.set);
    let folder = claim_folder(args.out.as_deref().unwrap_or(&default), OutputKind::Compare, &inputs)?;
    let programs: Vec<Program> = scenarios.iter().map(Program::compile).collect();
    let seed = args.seed.unwrap_or(scenarios[0].run.seed);
    let replications = args.replications.unwrap_or(u64::from(scenarios[0].run.replications));
    if replications < 2 {
        bail!("a comparison needs at least 2 replications for its confidence intervals (use --replications)");
    }
    // Designs with the same name are told apart by their place on the command line.
    let mut names: Vec<String> = Vec::new();
    for s in &scenarios {
        let mut name = s.name.clone();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{} #{k}", s.name);
            k += 1;
        }
        names.push(name);
    }
    let designs: Vec<(&Scenario, &Program)> = scenarios.iter().zip(&programs).collect();
    let options = RunOptions::new(seed, replications, args.threads.unwrap_or(0) as usize);
    let progress = Progress::start(replications, args.quiet);
    let paired = run_paired(&designs, &options, Some(progress.counter()))?;
    progress.finish();

    let comparison = Comparison::new(&names, seed, replications, &paired);
    let overrides: Vec<String> = args.set.iter().map(|o| format!("{}={}", o.key, o.value)).collect();
    let summaries: Vec<_> = scenarios
        .iter()
        .zip(&paired.results)
        .map(|(s, r)| Summary { overrides: overrides.clone(), ..summarize(s, seed, r) })
        .collect();
    say!("{}", compare_table(&comparison));

    let mut json = serde_json::to_vec_pretty(&comparison).context("cannot encode the comparison")?;
    json.push(b'\n');
    let (svg, png) = chart_files(&Differences(&comparison))?;
    let mut files = vec![
        ReportFile::new("compare.json", json),
        ReportFile::new("compare.md", compare_markdown(&comparison, &summaries)),
        ReportFile::new("differences.svg", svg.into_bytes()),
        ReportFile::new("differences.png", png),
    ];
    let mut taken: Vec<String> = Vec::new();
    for (name, summary) in names.iter().zip(&summaries) {
        // Designs whose names differ only in characters a file name cannot hold stay apart.
        let mut file = format!("{}.summary.json", safe_file_name(name));
        let mut k = 2;
        while taken.contains(&file) {
            file = format!("{}-{k}.summary.json", safe_file_name(name));
            k += 1;
        }
        taken.push(file.clone());
        files.push(ReportFile::new(file, summary_json(summary)));
    }
    let shown = folder.path().display().to_string();
    write_folder(folder, &files)?;
    sayln!("\nWrote compare.json, compare.md and differences.svg/png in {shown}");
    Ok(())
}
