//! `patchsim run`: simulate a scenario and write its report.

use std::path::PathBuf;

use clap::Args;

use super::output::{Destination, default_folder, write_folder};
use super::progress::Progress;
use super::{CsvArgs, SimArgs, Status};
use crate::engine::Simulator;
use crate::montecarlo::memory::{self, Extras, MemoryEstimate};
use crate::montecarlo::precision::{Precision, run_to_precision};
use crate::montecarlo::shard::{ShardSpec, ShardState};
use crate::montecarlo::summary::ShardFigures;
use crate::montecarlo::{Hooks, RunOptions, RunResult, run_with, summarize};
use crate::output::OutputKind;
use crate::report::bundle::{ReportFile, report_files};
use crate::report::data::ReportData;
use crate::report::first_replication::{PerServerFiles, first_replication_files};
use crate::report::json::summary_json;
use crate::report::table::summary_table;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim run`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim run my-month.toml                      the report in reports/<scenario name>/\n  \
    patchsim run my-month.toml -r 500 --seed 7 --out month-7\n  \
    patchsim run my-month.toml --out - > summary.json\n  \
    patchsim run my-month.toml --precision 0.001    until overran is known to ±0.1 point\n  \
    patchsim run my-month.toml --servers-csv --csv-style excel-de   CSV files for a German Excel (; and 1,5)\n  \
    patchsim run my-month.toml -r 10000 --shard 3/16 --out study/shard-3")]
pub struct RunArgs {
    /// The scenario file (TOML), e.g. scenarios/monthly-server-patching.toml
    pub scenario: PathBuf,

    #[command(flatten)]
    pub sim: SimArgs,

    /// Keep adding replications until the overran share's 95% confidence interval is at most ±X
    /// (a share: 0.001 is ±0.1 percentage point), starting with --replications
    #[arg(long, value_name = "X", value_parser = parse_precision)]
    pub precision: Option<f64>,

    /// With --precision: the most replications to run (default 10,000)
    #[arg(long, value_name = "N", requires = "precision", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_replications: Option<u64>,

    /// Run one shard of a study split over machines: K/M runs replications K-1, K-1+M, … of the
    /// --replications; `patchsim merge` combines the shards' folders
    #[arg(long, value_name = "K/M", value_parser = ShardSpec::parse, conflicts_with = "precision")]
    pub shard: Option<ShardSpec>,

    /// Also write servers.csv: every server of the first replication (window, class, outcome,
    /// start, end, restarts, messages)
    #[arg(long)]
    pub servers_csv: bool,

    /// Also write history.csv: the first replication as the execution-history view
    /// (vSMS_TaskSequenceExecutionStatus) would show it, the file `patchsim calibrate` reads
    #[arg(long)]
    pub history_csv: bool,

    #[command(flatten)]
    pub csv: CsvArgs,
}

fn parse_precision(text: &str) -> Result<f64, String> {
    let x: f64 = text.trim().parse().map_err(|_| format!("\"{text}\" is not a number"))?;
    if !(x > 0.0 && x < 1.0) {
        return Err(format!("{x} is not a half-width between 0 and 1 (a share: 0.001 is ±0.1 percentage point)"));
    }
    Ok(x)
}

/// Default most replications of a `--precision` run.
const DEFAULT_MAX_REPLICATIONS: u64 = 10_000;

/// Runs `patchsim run`.
pub fn execute(args: &RunArgs) -> anyhow::Result<Status> {
    let sim = &args.sim;
    if sim.to_stdout() && args.shard.is_some() {
        usage!("a shard writes shard.json for `patchsim merge`: give --out a folder, not \"-\"");
    }
    if sim.to_stdout() && (args.servers_csv || args.history_csv) {
        let flag = if args.servers_csv { "--servers-csv" } else { "--history-csv" };
        usage!(
            "{flag} writes a file into the report folder: give --out a folder, not \"-\" (which prints only summary.json)"
        );
    }
    let (scenario, text) = Scenario::load_with(&args.scenario, &sim.set)?;
    super::validate::print_warnings(&scenario);
    let program = Program::compile(&scenario);
    let (seed, replications) = (sim.seed(&scenario), sim.replications(&scenario));
    if let Some(shard) = args.shard
        && shard.of > replications
    {
        usage!(
            "--shard {}/{}: the study has {replications} replications, so it splits into at most {replications} shards",
            shard.index,
            shard.of
        );
    }
    if args.shard.is_some() && !scenario.resources.is_empty() {
        usage!(
            "--shard: a shard's state does not carry the figures of shared resources yet, so a scenario with [[resource]] runs whole: leave out --shard"
        );
    }
    let style = args.csv.csv_style;
    let per_server = PerServerFiles { servers: args.servers_csv, history: args.history_csv, style };
    if per_server.servers || per_server.history {
        // The first replication's rows are kept whole for servers.csv and history.csv.
        let extras = Extras { servers_csv: per_server.servers, history_csv: per_server.history };
        MemoryEstimate::of(&scenario, &program, extras).threads_within(1, memory::budget())?;
    }
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(scenario.input_files());
    let default = default_folder(&scenario.name, &sim.set);
    let destination = Destination::claim(sim.out.as_deref(), default, OutputKind::Run, &inputs)?;

    let mut options = RunOptions::new(seed, replications, sim.threads());
    if let Some(shard) = args.shard {
        options =
            RunOptions { replications: shard.count(replications), first: shard.index - 1, stride: shard.of, ..options };
    }
    let progress = Progress::start(options.replications, sim.quiet);
    let hooks = Hooks { done: Some(progress.counter()), each: None };
    let (result, precision): (RunResult, _) = match args.precision {
        Some(half_width) => {
            let max_replications = args.max_replications.unwrap_or(DEFAULT_MAX_REPLICATIONS);
            let precision = Precision { half_width, max_replications };
            let (result, figures) =
                run_to_precision(&scenario, &program, &options, precision, hooks, &|n| progress.extend_to(n))?;
            (result, Some(figures))
        }
        None => (run_with(&scenario, &program, &options, hooks)?, None),
    };
    progress.finish();
    let mut summary = summarize(&scenario, seed, &result);
    summary.overrides = sim.overrides();
    summary.precision = precision;
    summary.shard = args.shard.map(|s| ShardFigures { index: s.index, of: s.of, study_replications: replications });

    let met = summary.precision.as_ref().is_none_or(|p| p.met);
    let table = summary_table(&summary);
    match destination {
        Destination::Stdout => {
            super::output::to_stdout(&summary_json(&summary))?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            // The resources' load over the week, from the first replication run once more.
            let loads = Simulator::new(&scenario, &program).resource_load(seed, options.first);
            let data = ReportData::of(&scenario, summary, &result).with_resources(&scenario, &loads);
            let mut files = report_files(&data, style)?;
            files.extend(first_replication_files(&scenario, &program, seed, options.first, per_server));
            if let Some(shard) = args.shard {
                let state = ShardState::new(&scenario, &text, &sim.set, seed, replications, shard, &result)?;
                files.push(ReportFile::new("shard.json", state.to_bytes()));
            }
            let shown = folder.path().display().to_string();
            write_folder(folder, &files)?;
            say!("{table}");
            sayln!("\nWrote the report ({} files: report.html, summary.json, …) in {shown}", files.len());
        }
    }
    if !met {
        eprintln!("warning: the precision asked for was not reached within --max-replications (exit status 3)");
    }
    Ok(if met { Status::Done } else { Status::TargetNotMet })
}
