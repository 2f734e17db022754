//! `patchsim plan`: answer a planner's question directly — the widest random sleep, the slowest
//! Status Manager, the most servers, the shortest max run time that keep a figure within bounds.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{claim_folder, default_folder, write_folder};
use super::{SimArgs, Status};
use crate::output::OutputKind;
use crate::planner::plan::{
    Bound, Evaluation, PlanKind, ServersScope, plan_infra, plan_max_run_time, plan_servers, plan_sleep,
};
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
    /// The widest uniform random sleep that keeps the overran share within a bound
    Sleep {
        /// The scenario file (TOML)
        scenario: PathBuf,
        /// The sleep step whose uniform duration's maximum to search (e.g. "Inject Random Sleep")
        #[arg(long, value_name = "NAME")]
        step: String,
        /// The largest acceptable overran share (0.03 or 3%)
        #[arg(long, value_name = "P", value_parser = parse_share)]
        max_overran: f64,
        /// Also keep the busiest minute's messages at the site within this (mean over replications)
        #[arg(long, value_name = "N")]
        max_peak_per_minute: Option<f64>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// The slowest Status Manager (messages a second per worker) that meets every bound given
    Infra {
        /// The scenario file (TOML)
        scenario: PathBuf,
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
    let folder = claim_folder(sim.out.as_deref().unwrap_or(&default), OutputKind::Plan, &inputs)?;
    let plan = match &args.question {
        Question::Sleep { step, max_overran, max_peak_per_minute, .. } => {
            plan_sleep(&scenario, step, *max_overran, *max_peak_per_minute, eval)?
        }
        Question::Infra { bounds, .. } => plan_infra(&scenario, &bounds.bounds(), eval)?,
        Question::Servers { window, bounds, .. } => {
            let scope = match window {
                Some(name) => ServersScope::Window(name.clone()),
                None => ServersScope::PerWindow,
            };
            plan_servers(&scenario, &scope, &bounds.bounds(), eval)?
        }
        Question::MaxRunTime { max_stopped, max_not_started, .. } => {
            plan_max_run_time(&scenario, *max_stopped, *max_not_started, eval)?
        }
    };
    say!("{}", plan_table(&plan));
    let files = plan_files(&plan)?;
    let shown = folder.path().display().to_string();
    write_folder(folder, &files)?;
    sayln!("\nWrote plan.json, plan.svg and plan.png in {shown}");
    Ok(if plan.answer.is_some() { Status::Done } else { Status::TargetNotMet })
}
