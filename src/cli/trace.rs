//! `patchsim trace`: the timeline of one server, step by step — how a planner understands a
//! surprising figure, and how a developer checks a rule.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::output::{claim_folder, write_folder};
use crate::engine::{Outcome, Simulator, TraceEvent};
use crate::messages::Emissions;
use crate::montecarlo::memory::{self, Extras, MemoryEstimate};
use crate::output::OutputKind;
use crate::report::bundle::{ReportFile, chart_files};
use crate::report::charts::gantt::Gantt;
use crate::report::timeline::{Timeline, outcome_matches};
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Arguments of `patchsim trace`.
#[derive(Debug, Args)]
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
    #[arg(long, short = 'r', value_name = "R", default_value_t = 0)]
    pub replication: u64,

    /// Seed (default: the scenario's [run] seed, else 1)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,

    /// Also write trace.csv and the Gantt chart (trace.svg, trace.png) into this folder
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
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
    let scenario = Scenario::load(&args.scenario)?;
    let mut inputs = vec![args.scenario.clone()];
    inputs.extend(scenario.input_files());
    let folder = args.out.as_deref().map(|out| claim_folder(out, OutputKind::Trace, &inputs)).transpose()?;
    let program = Program::compile(&scenario);
    // A trace holds a replication's messages (to find a server), or at least one server's.
    MemoryEstimate::of(&scenario, &program, Extras::default()).threads_within(1, memory::budget())?;
    let seed = args.seed.unwrap_or(scenario.run.seed);
    let sim = Simulator::new(&scenario, &program);
    let server = match (&args.server, args.filter) {
        (Some(wanted), _) => {
            let by_name = scenario.windows.inventory().and_then(|inv| inv.find(wanted));
            let n = match (by_name, wanted.trim().parse::<u64>()) {
                (Some(index), _) => index as u64,
                (None, Ok(n)) => n,
                (None, Err(_)) if scenario.windows.inventory().is_some() => {
                    bail!("--server {wanted}: no server of that name in the inventory, and not a server number")
                }
                (None, Err(_)) => {
                    bail!("--server {wanted}: give the server's number, 0 to {}", scenario.fleet.servers - 1)
                }
            };
            if n >= scenario.fleet.servers {
                bail!(
                    "--server {n}: the fleet has {} servers, numbered 0 to {}",
                    scenario.fleet.servers,
                    scenario.fleet.servers - 1
                );
            }
            n
        }
        (None, Some(wanted)) => {
            let mut scratch = sim.scratch();
            let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
            let mut found = None;
            sim.run_replication(seed, args.replication, &mut scratch, &mut emissions, |r| {
                if found.is_none() && outcome_matches(r, wanted) {
                    found = Some(r.index);
                }
            });
            found.with_context(|| {
                format!("no server is {} in replication {} (seed {seed})", wanted.label(), args.replication)
            })?
        }
        (None, None) => bail!("name a server with --server N, or pick one with --where outcome=…"),
    };
    let mut events: Vec<TraceEvent> = Vec::new();
    let record = sim.trace(seed, args.replication, server, &mut events).context("no such server")?;
    let timeline = Timeline::build(&scenario, &program, seed, args.replication, record, &events);
    say!("{}", timeline.table());
    if let Some(folder) = folder {
        let (svg, png) = chart_files(&Gantt(&timeline))?;
        let files = vec![
            ReportFile::new("trace.csv", timeline.csv()),
            ReportFile::new("trace.svg", svg.into_bytes()),
            ReportFile::new("trace.png", png),
        ];
        let shown = folder.path().display().to_string();
        write_folder(folder, &files)?;
        sayln!("\nWrote trace.csv, trace.svg and trace.png in {shown}");
    }
    Ok(())
}
