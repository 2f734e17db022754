//! `patchsim run`: simulate a scenario and write its report.

use std::path::PathBuf;

use clap::Args;

use super::output::{Destination, default_folder, write_folder};
use super::progress::Progress;
use super::{Status, usage};
use crate::engine::{ServerRecord, Simulator, TraceEvent};
use crate::messages::Emissions;
use crate::montecarlo::Summary;
use crate::montecarlo::memory::{self, Extras, MemoryEstimate};
use crate::montecarlo::shard::{ShardSpec, ShardState};
use crate::montecarlo::stats::Bounds;
use crate::montecarlo::summary::{PrecisionFigures, ShardFigures};
use crate::montecarlo::{Hooks, RunOptions, RunResult, run_with, summarize};
use crate::output::OutputKind;
use crate::report::bundle::{ReportFile, report_files};
use crate::report::data::ReportData;
use crate::report::history_csv::HistoryCsv;
use crate::report::json::summary_json;
use crate::report::servers_csv::servers_csv;
use crate::report::table::summary_table;
use crate::scenario::Scenario;
use crate::scenario::overrides::Override;
use crate::sequence::Program;

/// Arguments of `patchsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML), e.g. scenarios/monthly-server-patching.toml
    pub scenario: PathBuf,

    /// How many times to simulate the month (default: the scenario's [run] replications, else 100)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,

    /// Seed of every random draw: the same seed gives the same results (default: the scenario's [run] seed, else 1)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,

    /// Folder for the report (default: reports/<scenario name>/); "-" prints summary.json to standard output
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

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

    /// Change one field of the scenario for this run, e.g. --set fleet.servers=20000 or
    /// --set step.0.duration.max=30m (a dotted path into the scenario; repeat for more)
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,

    /// Also write servers.csv: every server of the first replication (window, class, outcome,
    /// start, end, restarts, messages)
    #[arg(long)]
    pub servers_csv: bool,

    /// Also write history.csv: the first replication as the execution-history view
    /// (vSMS_TaskSequenceExecutionStatus) would show it, the file `patchsim calibrate` reads
    #[arg(long)]
    pub history_csv: bool,

    /// No progress bar
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
    let to_stdout = args.out.as_ref().is_some_and(|o| o.as_os_str() == "-");
    if to_stdout && args.shard.is_some() {
        usage!("a shard writes shard.json for `patchsim merge`: give --out a folder, not \"-\"");
    }
    if to_stdout && (args.servers_csv || args.history_csv) {
        let flag = if args.servers_csv { "--servers-csv" } else { "--history-csv" };
        usage!(
            "{flag} writes a file into the report folder: give --out a folder, not \"-\" (which prints only summary.json)"
        );
    }
    let (scenario, text) = Scenario::load_with(&args.scenario, &args.set)?;
    super::validate::print_warnings(&scenario);
    let program = Program::compile(&scenario);
    let seed = args.seed.unwrap_or(scenario.run.seed);
    let replications = args.replications.unwrap_or(u64::from(scenario.run.replications));
    let threads = args.threads.unwrap_or(0) as usize;
    if let Some(shard) = args.shard
        && shard.of > replications
    {
        usage!(
            "--shard {}/{}: the study has {replications} replications, so it splits into at most {replications} shards",
            shard.index,
            shard.of
        );
    }
    if args.servers_csv || args.history_csv {
        // The first replication's rows are kept whole for servers.csv and history.csv.
        let extras = Extras { servers_csv: args.servers_csv, history_csv: args.history_csv };
        MemoryEstimate::of(&scenario, &program, extras).threads_within(1, memory::budget())?;
    }
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(scenario.input_files());
    let destination =
        Destination::claim(args.out.as_deref(), default_folder(&scenario.name, &args.set), OutputKind::Run, &inputs)?;

    let (result, mut summary) = if let Some(shard) = args.shard {
        let count = shard.count(replications);
        let options = RunOptions { seed, replications: count, threads, first: shard.index - 1, stride: shard.of };
        let result = run_watched(&scenario, &program, &options, args.quiet)?;
        let mut summary = summarize(&scenario, seed, &result);
        summary.shard = Some(ShardFigures { index: shard.index, of: shard.of, study_replications: replications });
        (result, summary)
    } else if let Some(target) = args.precision {
        let max = args.max_replications.unwrap_or(DEFAULT_MAX_REPLICATIONS).max(replications);
        run_to_precision(&scenario, &program, seed, replications, threads, target, max, args.quiet)?
    } else {
        let result = run_watched(&scenario, &program, &RunOptions::new(seed, replications, threads), args.quiet)?;
        let summary = summarize(&scenario, seed, &result);
        (result, summary)
    };

    summary.overrides = args.set.iter().map(|o| format!("{}={}", o.key, o.value)).collect();
    let met = summary.precision.as_ref().is_none_or(|p| p.met);
    let table = summary_table(&summary);
    match destination {
        Destination::Stdout => {
            super::output::to_stdout(&summary_json(&summary))?;
            eprint!("{table}");
        }
        Destination::Folder(folder) => {
            let data = ReportData::of(&scenario, summary, &result);
            let mut files = report_files(&data)?;
            let first = args.shard.map_or(0, |s| s.index - 1);
            if args.servers_csv || args.history_csv {
                let (records, history) = first_replication(&scenario, &program, seed, first, args.history_csv);
                if args.servers_csv {
                    files.push(ReportFile::new("servers.csv", servers_csv(&scenario, &records)));
                }
                if let Some(history) = history {
                    files.push(ReportFile::new("history.csv", history));
                }
            }
            if let Some(shard) = args.shard {
                let state = ShardState::new(&scenario, &text, &args.set, seed, replications, shard, &result)?;
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

/// Every server's record in one replication, in server order, and with `history` its execution
/// history as the view would show it.
fn first_replication(
    scenario: &Scenario,
    program: &Program,
    seed: u64,
    replication: u64,
    history: bool,
) -> (Vec<ServerRecord>, Option<Vec<u8>>) {
    let sim = Simulator::new(scenario, program);
    let mut scratch = sim.scratch();
    let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
    let mut records = Vec::with_capacity(scenario.fleet.servers as usize);
    if !history {
        sim.run_replication(seed, replication, &mut scratch, &mut emissions, |r| records.push(*r));
        return (records, None);
    }
    let mut csv = HistoryCsv::new(program);
    let mut events: Vec<TraceEvent> = Vec::new();
    sim.run_replication_with(seed, replication, &mut scratch, &mut emissions, &mut events, |r, events| {
        records.push(*r);
        csv.add(r, events);
        events.clear();
    });
    (records, Some(csv.finish()))
}

/// Runs with a progress bar.
fn run_watched(scenario: &Scenario, program: &Program, options: &RunOptions, quiet: bool) -> anyhow::Result<RunResult> {
    let progress = Progress::start(options.replications, quiet);
    let result = run_with(scenario, program, options, Hooks { done: Some(progress.counter()), each: None });
    progress.finish();
    Ok(result?)
}

/// Adds batches of replications until the overran share's CI half-width is at most `target`.
#[allow(clippy::too_many_arguments)]
fn run_to_precision(
    scenario: &Scenario,
    program: &Program,
    seed: u64,
    first_batch: u64,
    threads: usize,
    target: f64,
    max: u64,
    quiet: bool,
) -> anyhow::Result<(RunResult, Summary)> {
    let progress = Progress::start(first_batch.min(max), quiet);
    let hooks = Hooks { done: Some(progress.counter()), each: None };
    let mut result = run_with(scenario, program, &RunOptions::new(seed, first_batch.min(max), threads), hooks)?;
    loop {
        let estimate = result.statistics.overran.estimate().within(Bounds::Share);
        let done = result.replications;
        if estimate.half_width() <= target || done >= max {
            break;
        }
        // Replications needed for the target at the spread seen so far (the half-width shrinks
        // as 1/√n), with a tenth more for luck; at least a tenth of those done.
        let needed = if estimate.sd > 0.0 {
            let t = estimate.half_width() / (estimate.sd / (done as f64).sqrt());
            ((t * estimate.sd / target).powi(2) * 1.1).ceil() as u64
        } else {
            done * 2
        };
        let batch = needed.saturating_sub(done).max(done / 10).max(2).min(max - done);
        progress.extend_to(done + batch);
        let options = RunOptions { seed, replications: batch, threads, first: done, stride: 1 };
        let more = run_with(scenario, program, &options, hooks)?;
        result.merge(&more);
    }
    progress.finish();
    let half_width = result.statistics.overran.estimate().within(Bounds::Share).half_width();
    let mut summary = summarize(scenario, seed, &result);
    summary.precision = Some(PrecisionFigures {
        target_half_width: target,
        half_width,
        met: half_width <= target,
        max_replications: max,
    });
    Ok((result, summary))
}
