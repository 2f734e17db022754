//! `patchsim trace`: the timeline of one server, step by step — how a planner understands a
//! surprising figure, and how a developer checks a rule.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::output::{claim_folder, write_folder};
use super::{CsvArgs, SimArgs};
use crate::engine::{Outcome, ServerChoice, Simulator, TraceEvent};
use crate::montecarlo::memory::{self, Extras, MemoryEstimate};
use crate::output::OutputKind;
use crate::report::timeline::{Timeline, trace_files};
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim trace`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    patchsim trace my-month.toml --server 17\n  \
    patchsim trace my-month.toml --server SQL01            (a name from the inventory)\n  \
    patchsim trace my-month.toml --where outcome=overran -r 20 --out why/\n\n\
    With --where, -r N looks in N replications from --replication-index on, and follows the first match.")]
pub struct TraceArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,

    /// The server to follow: its number (0 is the first server of the fleet) or, with an
    /// inventory, its name
    #[arg(long, value_name = "N|NAME", required_unless_present = "filter", conflicts_with = "filter")]
    pub server: Option<String>,

    /// Follow the first server that matches, e.g. outcome=overran (outcomes: completed_in_window,
    /// overran, failed, stopped, not_started)
    #[arg(long = "where", value_name = "outcome=OUTCOME", value_parser = parse_filter)]
    pub filter: Option<Outcome>,

    /// The replication to look at (default 0, the first)
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub replication_index: u64,

    /// --out writes trace.csv and the Gantt chart (trace.svg, trace.png) into a folder
    #[command(flatten)]
    pub sim: SimArgs,

    #[command(flatten)]
    pub csv: CsvArgs,
}

fn parse_filter(text: &str) -> Result<Outcome, String> {
    let (key, value) =
        text.split_once('=').ok_or_else(|| format!("\"{text}\": write outcome=OUTCOME, e.g. outcome=overran"))?;
    if key.trim() != "outcome" {
        return Err(format!("\"{}\": only `outcome` can be filtered on, e.g. outcome=failed", key.trim()));
    }
    Outcome::parse(value).ok_or_else(|| {
        format!(
            "\"{}\" is not an outcome; use completed_in_window, overran, failed, stopped or not_started",
            value.trim()
        )
    })
}

/// Runs `patchsim trace`.
pub fn execute(args: &TraceArgs) -> anyhow::Result<()> {
    let sim_args = &args.sim;
    if sim_args.to_stdout() {
        usage!("trace prints its table; give --out a folder for trace.csv and the chart, not \"-\"");
    }
    let (scenario, _) = Scenario::load_with(&args.scenario, &sim_args.set)?;
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(scenario.input_files());
    let folder = sim_args.out.as_deref().map(|out| claim_folder(out, OutputKind::Trace, &inputs)).transpose()?;
    let program = Program::compile(&scenario);
    // A trace holds a replication's messages (to find a server), or at least one server's.
    MemoryEstimate::of(&scenario, &program, Extras::default()).threads_within(1, memory::budget())?;
    let seed = sim_args.seed(&scenario);
    let choice = match (&args.server, args.filter) {
        (Some(wanted), _) => ServerChoice::Named(wanted.clone()),
        (None, Some(outcome)) => ServerChoice::First(outcome),
        (None, None) => usage!("name a server with --server N, or pick one with --where outcome=…"),
    };
    let sim = Simulator::new(&scenario, &program);
    let looked = sim_args.replications.unwrap_or(1);
    let (replication, server) = sim.choose(seed, args.replication_index, looked, &choice)?;
    let mut events: Vec<TraceEvent> = Vec::new();
    let record = sim.trace(seed, replication, server, &mut events).context("no such server")?;
    let timeline = Timeline::build(&scenario, &program, seed, replication, record, &events);
    say!("{}", timeline.table());
    if let Some(folder) = folder {
        let files = trace_files(&timeline, args.csv.csv_style)?;
        let shown = folder.path().display().to_string();
        write_folder(folder, &files)?;
        sayln!("\nWrote trace.csv, trace.svg and trace.png in {shown}");
    }
    Ok(())
}
