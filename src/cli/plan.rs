//! `patchsim plan`: answer a planner's question directly — the widest random sleep, the slowest
//! Status Manager, the most servers, the shortest max run time that keep a figure within bounds.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::Status;
use super::output::{claim_folder, default_folder, write_folder};
use crate::output::OutputKind;
use crate::planner::plan::{
    Bound, Evaluation, Plan, ServersScope, plan_infra, plan_max_run_time, plan_servers, plan_sleep,
};
use crate::report::bundle::{ReportFile, chart_files};
use crate::report::charts::plan::PlanChart;
use crate::scenario::Scenario;
use crate::scenario::duration::parse_duration;
use crate::scenario::overrides::Override;

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
        common: Common,
    },
    /// The slowest Status Manager (messages a second per worker) that meets every bound given
    Infra {
        /// The scenario file (TOML)
        scenario: PathBuf,
        #[command(flatten)]
        bounds: InfraBounds,
        #[command(flatten)]
        common: Common,
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
        common: Common,
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
        common: Common,
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

/// What every plan takes.
#[derive(Debug, Args)]
pub struct Common {
    /// Replications of each evaluated value (default: the scenario's [run] replications)
    #[arg(long, short = 'r', value_name = "N", value_parser = clap::value_parser!(u64).range(2..=10_000_000))]
    pub replications: Option<u64>,
    /// Seed of every evaluation (default: the scenario's [run] seed)
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core)
    #[arg(long, short = 't', value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Change one field of the scenario first, e.g. --set fleet.servers=20000
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,
    /// Folder for plan.json and the chart (default: reports/plan-<question>-<scenario name>/)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
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
    let (kind, scenario_path, common) = match &args.question {
        Question::Sleep { scenario, common, .. } => ("sleep", scenario, common),
        Question::Infra { scenario, common, .. } => ("infra", scenario, common),
        Question::Servers { scenario, common, .. } => ("servers", scenario, common),
        Question::MaxRunTime { scenario, common, .. } => ("max-run-time", scenario, common),
    };
    let (scenario, _) = Scenario::load_with(scenario_path, &common.set)?;
    let mut inputs = vec![scenario_path.clone()];
    inputs.extend(scenario.input_files());
    let default = default_folder(&format!("plan-{kind}-{}", scenario.name), &common.set);
    let folder = claim_folder(common.out.as_deref().unwrap_or(&default), OutputKind::Plan, &inputs)?;
    let eval = Evaluation {
        seed: common.seed.unwrap_or(scenario.run.seed),
        replications: common.replications.unwrap_or(u64::from(scenario.run.replications)).max(2),
        threads: common.threads.unwrap_or(0) as usize,
    };
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
    let mut json = serde_json::to_vec_pretty(&plan).context("cannot encode the plan")?;
    json.push(b'\n');
    let (svg, png) = chart_files(&PlanChart(&plan))?;
    let files = vec![
        ReportFile::new("plan.json", json),
        ReportFile::new("plan.svg", svg.into_bytes()),
        ReportFile::new("plan.png", png),
    ];
    let shown = folder.path().display().to_string();
    write_folder(folder, &files)?;
    sayln!("\nWrote plan.json, plan.svg and plan.png in {shown}");
    let answered = plan.answer.as_object().is_some_and(|a| !a.is_empty());
    Ok(if answered { Status::Done } else { Status::TargetNotMet })
}

/// The plan's evidence and conclusion as a table.
pub fn plan_table(plan: &Plan) -> String {
    let mut out = String::new();
    let keys: Vec<&String> = plan.evidence.first().map(|e| e.figures.keys().collect()).unwrap_or_default();
    let _ = write!(out, "{:<24}", "value");
    for k in &keys {
        let short = k.rsplit('.').next().unwrap_or(k);
        let _ = write!(out, "{:>30}", short);
    }
    let _ = writeln!(out, "  meets");
    for e in &plan.evidence {
        let _ = write!(out, "{:<24}", e.label);
        for k in &keys {
            let f = &e.figures[*k];
            let cell = if k.starts_with("outcomes.") {
                format!("{:.3}% [{:.3}, {:.3}]", f.mean * 100.0, f.ci95[0] * 100.0, f.ci95[1] * 100.0)
            } else {
                format!("{:.3} [{:.3}, {:.3}]", f.mean, f.ci95[0], f.ci95[1])
            };
            let _ = write!(out, "{cell:>30}");
        }
        let _ = writeln!(out, "  {}", if e.meets { "yes" } else { "no" });
    }
    let _ = writeln!(out, "\n{}", plan.conclusion);
    out
}
