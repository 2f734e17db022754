//! `patchsim plan`: answer a planner's question directly — the widest random sleep, the slowest
//! Status Manager, the most servers, the shortest max run time that keep a figure within bounds.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{Destination, default_folder, deliver};
use super::{SimArgs, Status};
use crate::output::OutputKind;
use crate::planner::plan::{
    Bound, Evaluation, Inbox, PlanKind, ServersScope, plan_infra, plan_max_run_time, plan_servers,
};
use crate::planner::resource::plan_resource;
use crate::planner::sleep::{plan_sleep, plan_sleep_minimum};
use crate::report::plan::{plan_files, plan_table};
use crate::scenario::Scenario;
use crate::scenario::duration::parse_duration;

/// Arguments of `patchsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The question
    #[command(subcommand)]
    pub question: Question,
}

/// What a plan asks.
#[derive(Debug, Subcommand)]
pub enum Question {
    /// The range of uniform random sleeps that keep the overran share within a bound, or the
    /// sleep that overruns least
    #[command(after_help = SLEEP_EXAMPLES)]
    Sleep {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// The sleep step whose uniform duration's maximum to search (e.g. "Inject Random Sleep")
        #[arg(long, value_name = "NAME")]
        step: String,
        /// The largest acceptable overran share (0.03 or 3%): the answer is the range of sleeps
        /// that keep it (too little sleep can fail too, where servers contend for resources)
        #[arg(long, value_name = "P", value_parser = parse_share, required_unless_present = "minimise", conflicts_with = "minimise")]
        max_overran: Option<f64>,
        /// Find the sleep with the lowest value of this figure, and the range of sleeps that
        /// cannot be told from it
        #[arg(long, value_name = "FIGURE", value_enum)]
        minimise: Option<Minimised>,
        /// Also keep the busiest minute's messages at the site within this (mean over replications)
        #[arg(long, value_name = "N", conflicts_with = "minimise")]
        max_peak_per_minute: Option<f64>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// The slowest Status Manager (messages a second per worker) that meets every bound given
    Infra {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// The inbox to size: Status Manager (status messages) or the State System
        /// (software-update state messages; bounds: --max-mean-latency, --max-drain)
        #[arg(long, value_enum, default_value = "status-manager")]
        inbox: InboxArg,
        #[command(flatten)]
        bounds: InfraBounds,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// The most servers a window (or every window) can take while the site meets every bound
    Servers {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// One window on its own, e.g. "Tue 04:00"
        #[arg(long, value_name = "NAME", required_unless_present = "per_window", conflicts_with = "per_window")]
        window: Option<String>,
        /// Every window equally (the fleet spread evenly)
        #[arg(long)]
        per_window: bool,
        /// The largest acceptable overran share (0.03 or 3%): with shared resources more servers
        /// a window contend for them
        #[arg(long, value_name = "P", value_parser = parse_share)]
        max_overran: Option<f64>,
        #[command(flatten)]
        bounds: InfraBounds,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// The shortest maximum run time that stops no more than a share of the targeted servers
    #[command(name = "max-run-time")]
    MaxRunTime {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// The largest acceptable stopped share (0.01 or 1%)
        #[arg(long, value_name = "P", value_parser = parse_share)]
        max_stopped: f64,
        /// Also the largest acceptable share that does not start because the max run time does
        /// not fit in what is left of the window (0.01 or 1%)
        #[arg(long, value_name = "P", value_parser = parse_share)]
        max_not_started: Option<f64>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// The smallest capacity, slot count or instance count of a shared resource that keeps the
    /// overran share within a bound
    #[command(after_help = RESOURCE_EXAMPLES)]
    Resource {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// The resource's name, as its [[resource]] declares it (e.g. dp)
        resource: String,
        /// The largest acceptable overran share (0.03 or 3%)
        #[arg(long, value_name = "P", value_parser = parse_share)]
        max_overran: f64,
        /// Search how many instances instead of each instance's capacity or slots
        #[arg(long)]
        instances: bool,
        #[command(flatten)]
        sim: SimArgs,
    },
}

/// A figure `plan sleep --minimise` can minimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Minimised {
    /// The overran share (outcomes.overran)
    Overran,
}

const SLEEP_EXAMPLES: &str = "Examples:
  patchsim plan sleep my-month.toml --step \"Inject Random Sleep\" --max-overran 3%
  patchsim plan sleep my-month.toml --step \"Inject Random Sleep\" --max-overran 3% --max-peak-per-minute 400
  patchsim plan sleep contention.toml --step \"Inject Random Sleep\" --minimise overran -r 40

With shared resources ([[resource]]) the overran share can fall before it rises as the sleep widens:
--max-overran then gives the range of sleeps that keep it, and --minimise the sleep that overruns
least with the range of sleeps the replications cannot tell from it (paired differences).";

const RESOURCE_EXAMPLES: &str = "Examples:
  patchsim plan resource contention.toml dp --max-overran 3%             # the slowest DP link
  patchsim plan resource contention.toml dp --max-overran 3% --instances # how many DPs
  patchsim plan resource contention.toml sup --max-overran 3%            # how many scans at once

A shared resource's capacity is searched in whole Mbps (a rate) or whole concurrent activities;
a slots resource's slots; with --instances the instance count (not for inventory assignment).";

/// The inbox `plan infra` sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InboxArg {
    /// Status Manager, `statmgr.box`
    StatusManager,
    /// The State System, `statesys.box`
    StateSystem,
}

/// Bounds on the site's figures.
#[derive(Debug, Args)]
pub struct InfraBounds {
    /// Mean latency from sending to processed at most this, e.g. 2s
    #[arg(long, value_name = "D", value_parser = parse_seconds)]
    pub max_mean_latency: Option<f64>,
    /// 99th-percentile latency at most this, e.g. 30s
    #[arg(long, value_name = "D", value_parser = parse_seconds)]
    pub max_p99_latency: Option<f64>,
    /// Backlog peak at Status Manager at most this many messages (mean over replications), e.g. 500
    #[arg(long, value_name = "N")]
    pub max_backlog: Option<f64>,
    /// Drain after the last window at most this, e.g. 30m
    #[arg(long, value_name = "D", value_parser = parse_minutes)]
    pub max_drain: Option<f64>,
}

impl InfraBounds {
    fn bounds(&self) -> Vec<Bound> {
        let mut out = Vec::new();
        if let Some(x) = self.max_mean_latency {
            out.push(Bound::MaxMeanLatency(x));
        }
        if let Some(x) = self.max_p99_latency {
            out.push(Bound::MaxP99Latency(x));
        }
        if let Some(x) = self.max_backlog {
            out.push(Bound::MaxBacklog(x));
        }
        if let Some(x) = self.max_drain {
            out.push(Bound::MaxDrain(x));
        }
        out
    }
}

fn parse_share(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("\"{text}\" is not a share: write 0.03 or 3%"))?;
    if !(0.0..=1.0).contains(&value) {
        return Err(format!("{text} is not a share between 0 and 1 (0% and 100%)"));
    }
    Ok(value)
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    parse_duration(text).map(|ms| ms as f64 / 1_000.0)
}

fn parse_minutes(text: &str) -> Result<f64, String> {
    parse_duration(text).map(|ms| ms as f64 / 60_000.0)
}

/// Runs `patchsim plan`.
pub fn execute(args: &PlanArgs) -> anyhow::Result<Status> {
    let (kind, scenario_path, sim) = match &args.question {
        Question::Sleep { scenario, sim, .. } => (PlanKind::Sleep, scenario, sim),
        Question::Infra { scenario, sim, .. } => (PlanKind::Infra, scenario, sim),
        Question::Servers { scenario, sim, .. } => (PlanKind::Servers, scenario, sim),
        Question::MaxRunTime { scenario, sim, .. } => (PlanKind::MaxRunTime, scenario, sim),
        Question::Resource { scenario, sim, .. } => (PlanKind::Resource, scenario, sim),
    };
    let (scenario, _) = Scenario::load_with(scenario_path, &sim.set)?;
    let eval = Evaluation {
        seed: sim.seed(&scenario),
        replications: sim.replications_for_intervals(&scenario)?,
        threads: sim.threads(),
    };
    let mut inputs = vec![scenario_path.clone()];
    inputs.extend(scenario.input_files());
    let default = default_folder(&format!("plan-{}-{}", kind.name(), scenario.name), &sim.set);
    let destination = Destination::claim(sim.out.as_deref(), default, OutputKind::Plan, &inputs)?;
    let plan = match &args.question {
        Question::Sleep { step, max_overran: Some(max_overran), max_peak_per_minute, .. } => {
            plan_sleep(&scenario, step, *max_overran, *max_peak_per_minute, eval)?
        }
        Question::Sleep { step, max_overran: None, .. } => plan_sleep_minimum(&scenario, step, eval)?,
        Question::Resource { resource, max_overran, instances, .. } => {
            plan_resource(&scenario, resource, *instances, *max_overran, eval)?
        }
        Question::Infra { bounds, inbox, .. } => {
            let inbox = match inbox {
                InboxArg::StatusManager => Inbox::StatusManager,
                InboxArg::StateSystem => Inbox::StateSystem,
            };
            let mut bounds = bounds.bounds();
            if inbox == Inbox::StateSystem {
                // The mean latency bounds the State System's own messages.
                for b in &mut bounds {
                    if let Bound::MaxMeanLatency(x) = *b {
                        *b = Bound::MaxStateMeanLatency(x);
                    }
                }
            }
            plan_infra(&scenario, inbox, &bounds, eval)?
        }
        Question::Servers { window, bounds, max_overran, .. } => {
            let scope = match window {
                Some(name) => ServersScope::Window(name.clone()),
                None => ServersScope::PerWindow,
            };
            let mut bounds = bounds.bounds();
            bounds.extend(max_overran.map(Bound::MaxOverran));
            plan_servers(&scenario, &scope, &bounds, eval)?
        }
        Question::MaxRunTime { max_stopped, max_not_started, .. } => {
            plan_max_run_time(&scenario, *max_stopped, *max_not_started, eval)?
        }
    };
    let files = plan_files(&plan)?;
    deliver(destination, &files, "plan.json", &plan_table(&plan))?;
    Ok(if plan.answer.is_some() { Status::Done } else { Status::TargetNotMet })
}
