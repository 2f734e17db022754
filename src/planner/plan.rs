//! `patchsim plan`: the design value that keeps a figure within a bound, found by a monotone
//! search over common random numbers.
//!
//! Every evaluation runs the same replications with the same seed, so the figure is a monotone
//! function of the searched value (a wider uniform sleep draws `u × max` for the same `u`: every
//! server ends no earlier; a faster Status Manager serves every message no later; more servers
//! only add messages; a longer max run time stops no run that a shorter one let finish).
//! Bisection then finds where the figure crosses the bound: a value meets it when the upper end
//! of the figure's 95% confidence interval does. The answer is rounded to what its interval
//! resolves. A [`Plan`] holds the typed question, answer and evidence, and a [`Finding`] that
//! says why; `report::plan` writes them for readers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use std::sync::Mutex;

use crate::engine::Outcome;
use crate::montecarlo::accumulator::Accumulator;
use crate::montecarlo::estimate::Bounds;
use crate::montecarlo::runner::{Hooks, RunError, RunOptions, RunResult, run_with};
use crate::montecarlo::summary::EstimateFigures;
use crate::montecarlo::tally::ReplicationFigures;
use crate::montecarlo::{Figure, summarize};
use crate::scenario::duration::{DurationDisplay, MINUTE, Millis};
use crate::scenario::overrides::number_text;
use crate::scenario::{Assign, Scenario, Window};
use crate::sequence::Program;

/// The schema identifier of `plan.json`.
pub const PLAN_SCHEMA: &str = "patchsim/plan/v1";

/// A bound on a figure of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The overran share at most this.
    MaxOverran(f64),
    /// The busiest minute's arrivals at the site at most this (mean over replications).
    MaxPeakPerMinute(f64),
    /// Mean status-message latency at most this many seconds.
    MaxMeanLatency(f64),
    /// Mean state-message latency (at the State System) at most this many seconds.
    MaxStateMeanLatency(f64),
    /// 99th-percentile status-message latency at most this many seconds.
    MaxP99Latency(f64),
    /// Backlog peak at Status Manager at most this many messages (mean over replications).
    MaxBacklog(f64),
    /// Drain after the last window at most this many minutes.
    MaxDrain(f64),
    /// The stopped share at most this.
    MaxStopped(f64),
    /// The not-started share at most this.
    MaxNotStarted(f64),
}

impl Bound {
    /// The bounded figure.
    pub fn figure(&self) -> Figure {
        match self {
            Self::MaxOverran(_) => Figure::Overran,
            Self::MaxPeakPerMinute(_) => Figure::PeakPerMinute,
            Self::MaxMeanLatency(_) => Figure::LatencyMeanSeconds,
            Self::MaxStateMeanLatency(_) => Figure::StateLatencyMeanSeconds,
            Self::MaxP99Latency(_) => Figure::LatencyP99Seconds,
            Self::MaxBacklog(_) => Figure::BacklogPeak,
            Self::MaxDrain(_) => Figure::DrainMinutes,
            Self::MaxStopped(_) => Figure::Stopped,
            Self::MaxNotStarted(_) => Figure::NotStarted,
        }
    }

    /// The largest value allowed.
    pub fn limit(&self) -> f64 {
        match *self {
            Self::MaxOverran(x)
            | Self::MaxPeakPerMinute(x)
            | Self::MaxMeanLatency(x)
            | Self::MaxStateMeanLatency(x)
            | Self::MaxP99Latency(x)
            | Self::MaxBacklog(x)
            | Self::MaxDrain(x)
            | Self::MaxStopped(x)
            | Self::MaxNotStarted(x) => x,
        }
    }

    /// Whether `figures` meet the bound at the upper end of the figure's 95% interval.
    pub fn met_by(&self, figures: &BTreeMap<Figure, EstimateFigures>) -> bool {
        figures.get(&self.figure()).is_some_and(|f| f.ci95[1] <= self.limit())
    }
}

/// A bound as `plan.json` states it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundSpec {
    /// The largest value allowed.
    pub at_most: f64,
    /// The bounded figure.
    pub figure: Figure,
}

/// Which question a plan answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanKind {
    /// `plan sleep`.
    Sleep,
    /// `plan infra`.
    Infra,
    /// `plan servers`.
    Servers,
    /// `plan max-run-time`.
    MaxRunTime,
    /// `plan resource`.
    Resource,
}

impl PlanKind {
    /// The subcommand's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sleep => "sleep",
            Self::Infra => "infra",
            Self::Servers => "servers",
            Self::MaxRunTime => "max-run-time",
            Self::Resource => "resource",
        }
    }
}

/// What a plan searched, question by question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    /// `plan sleep`: the sleep step widened.
    Sleep {
        /// What was searched.
        searched: String,
        /// The sleep step.
        step: String,
    },
    /// `plan servers` for one window.
    Window {
        /// "one window".
        scope: String,
        /// The window.
        window: String,
    },
    /// `plan servers` for every window.
    EveryWindow {
        /// "every window".
        scope: String,
        /// How many windows.
        windows: usize,
    },
    /// `plan resource`: the resource and what of it was searched.
    Resource {
        /// The resource's name.
        resource: String,
        /// What was searched.
        searched: String,
    },
    /// `plan infra`, `plan max-run-time`: what was searched.
    Searched {
        /// What was searched.
        searched: String,
    },
}

/// What was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Every bound.
    pub bounds: Vec<BoundSpec>,
    /// What was searched.
    pub detail: Detail,
    /// The question.
    pub kind: PlanKind,
    /// The figure minimised (`plan sleep --minimise`), instead of bounds met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimise: Option<Figure>,
    /// Replications of every evaluation.
    pub replications: u64,
    /// The scenario's name.
    pub scenario: String,
    /// The seed of every evaluation.
    pub seed: u64,
}

/// A range of sleeps that meet every bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SleepRange {
    /// The narrowest, as a reader writes it.
    pub from: String,
    /// The narrowest, seconds.
    pub from_seconds: f64,
    /// The widest, as a reader writes it.
    pub to: String,
    /// The widest, seconds.
    pub to_seconds: f64,
}

/// A plan's answer (`{}` in `plan.json` when no value meets the bounds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// `plan sleep --minimise`: the sleep with the lowest figure, and the range of sleeps that
    /// cannot be told from it.
    Minimum {
        /// The best sleep, seconds.
        seconds: f64,
        /// The best sleep, as a reader writes it.
        value: String,
        /// The minimised figure at the best sleep, with its 95% interval.
        figure: EstimateFigures,
        /// The sleeps whose paired difference from the best holds zero.
        indistinguishable: SleepRange,
    },
    /// The widest sleep, and with a second bound the range that meets both.
    Sleep {
        /// The range of sleeps that meets every bound, when a peak bound was given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<SleepRange>,
        /// The widest sleep, seconds.
        seconds: f64,
        /// The widest sleep, as a reader writes it.
        value: String,
    },
    /// The slowest Status Manager.
    Rate {
        /// Messages a second per worker.
        status_manager_rate: f64,
    },
    /// The slowest State System.
    StateRate {
        /// Messages a second per worker.
        state_system_rate: f64,
    },
    /// The most servers.
    Servers {
        /// In all.
        servers: f64,
        /// In each window.
        servers_per_window: f64,
    },
    /// The shortest maximum run time.
    MaxRunTime {
        /// Whole minutes.
        minutes: f64,
        /// As a reader writes it.
        value: String,
    },
    /// The smallest capacity, slot count or instance count of a resource.
    Resource {
        /// The resource.
        resource: String,
        /// What was searched: `capacity`, `slots` or `instances`.
        searched: String,
        /// The value in its unit (capacity: bits a second or concurrent activities).
        amount: f64,
        /// As the scenario writes it (`1.5Gbps`, `12`).
        setting: String,
    },
    /// No value meets the bounds.
    None {},
}

impl Answer {
    /// Whether a value meets the bounds.
    pub fn is_some(&self) -> bool {
        !matches!(self, Self::None {})
    }
}

/// Why a plan answered as it did: what `report::plan` says in its conclusion. Values are the
/// searched values as the search counts them (see [`Evidence::raw`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The sleep with the lowest figure; `narrowest`..`widest` cannot be told from it.
    Minimum {
        /// The best.
        best: f64,
        /// The narrowest indistinguishable from it.
        narrowest: f64,
        /// The widest indistinguishable from it.
        widest: f64,
        /// The widest value searched (the window's length).
        limit: f64,
    },
    /// Even no sleep overruns too much (evidence at `at`).
    NoSleep {
        /// The value evaluated.
        at: f64,
    },
    /// The widest sleep; `capped` when it is the whole window.
    WidestSleep {
        /// The widest.
        widest: f64,
        /// Whether the whole window meets the bound.
        capped: bool,
    },
    /// The widest sleep that keeps the overran share still breaks the peak bound.
    NoSleepMeetsBoth {
        /// The widest sleep for the overran share.
        widest: f64,
    },
    /// Sleeps from `narrowest` to `widest` meet both bounds.
    SleepRange {
        /// The narrowest.
        narrowest: f64,
        /// The widest.
        widest: f64,
    },
    /// Even the fastest inbox does not meet the bounds.
    NoRate,
    /// The slowest Status Manager that meets the bounds.
    Rate {
        /// The rate, as searched.
        at: f64,
        /// Status Manager workers.
        workers: u32,
    },
    /// The slowest State System that meets the bounds.
    StateRate {
        /// The rate, as searched.
        at: f64,
        /// State System workers.
        workers: u32,
    },
    /// Not even one server a window meets the bounds.
    NoServers,
    /// Every fleet size up to the limit meets the bounds.
    AllServers {
        /// The largest evaluated.
        at: f64,
    },
    /// The most servers.
    Servers {
        /// Servers a window.
        most: f64,
        /// The windows they fill.
        windows: usize,
    },
    /// No max run time up to the window's length stops few enough.
    NoMaxRunTime {
        /// The window's length, evaluated.
        at: f64,
        /// The window's length.
        window: Millis,
    },
    /// The shortest max run time that stops few enough lets too few start.
    MaxRunTimeTrap {
        /// The shortest.
        shortest: f64,
    },
    /// The shortest max run time.
    MaxRunTime {
        /// The shortest.
        shortest: f64,
        /// Whether most servers do not start at it and no bound asked about starting.
        trap: bool,
    },
    /// Even the largest resource searched does not meet the bounds.
    NoResource {
        /// The largest evaluated.
        at: f64,
    },
    /// The smallest resource that meets the bounds (`smallest_searched`: the least the search
    /// allows, one slot or instance, already does).
    Resource {
        /// The smallest.
        smallest: f64,
        /// Whether it is the least the search allows.
        floor: bool,
    },
}

/// One evaluated design value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The searched value, in the question's unit (seconds, messages a second, servers a
    /// window, minutes).
    pub value: f64,
    /// The value as the search counts it (whole steps).
    #[serde(skip)]
    pub raw: f64,
    /// The value as a reader writes it (`26m40s`, `120 msg/s`, `350 servers a window`).
    pub label: String,
    /// The bounded figures (and any the question reports beside them).
    pub figures: BTreeMap<Figure, EstimateFigures>,
    /// Whether every bound is met at the upper end of its figure's 95% confidence interval
    /// (`plan sleep --minimise`: whether the value is indistinguishable from the best).
    pub meets: bool,
    /// `plan sleep --minimise`: this value's figure minus the best value's, paired replication
    /// by replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against_best: Option<PairedDifference>,
    /// The overran share of each replication, in replication order.
    #[serde(skip)]
    pub overran_by_replication: Vec<f64>,
}

/// A difference of two evaluated values' figure, paired by replication (common random numbers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// The mean difference.
    pub mean: f64,
    /// Its 95% confidence interval (Student t over the per-replication differences).
    pub ci95: [f64; 2],
}

impl PairedDifference {
    /// `a − b` replication by replication (shares: the interval stays within [−1, 1]).
    pub fn of(a: &[f64], b: &[f64]) -> Self {
        let mut acc = Accumulator::default();
        a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite()).for_each(|(x, y)| acc.add(x - y));
        let e = acc.estimate().within(Bounds::ShareDifference);
        Self { mean: e.mean, ci95: [e.low, e.high] }
    }

    /// Whether the interval holds zero: the two values cannot be told apart.
    pub fn indistinguishable(&self) -> bool {
        self.ci95[0] <= 0.0 && self.ci95[1] >= 0.0
    }
}

/// A plan's question, answer and the evidence for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What was asked.
    pub question: Question,
    /// The bounds, as asked.
    pub bounds: Vec<Bound>,
    /// The answer.
    pub answer: Answer,
    /// Every value evaluated, in increasing order.
    pub evidence: Vec<Evidence>,
    /// Why.
    pub finding: Finding,
}

impl Plan {
    /// The figures evaluated at a searched value (as the search counts it).
    pub fn figures_at(&self, raw: f64) -> Option<&BTreeMap<Figure, EstimateFigures>> {
        self.evidence.iter().find(|e| e.raw == raw).map(|e| &e.figures)
    }

    /// The label of a searched value.
    pub fn label_at(&self, raw: f64) -> String {
        self.evidence.iter().find(|e| e.raw == raw).map(|e| e.label.clone()).unwrap_or_default()
    }
}

/// A plan that could not be made.
#[derive(Debug, Error)]
pub enum PlanError {
    /// The question does not fit the scenario.
    #[error("{0}")]
    Question(String),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// How to run each evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    /// The seed (the same for every evaluation: common random numbers).
    pub seed: u64,
    /// Replications of each evaluation.
    pub replications: u64,
    /// Worker threads.
    pub threads: usize,
}

/// Runs one design and reads the figures of `figures`.
pub(super) fn evaluate(
    scenario: &Scenario,
    eval: &Evaluation,
    figures: &[Figure],
) -> Result<(BTreeMap<Figure, EstimateFigures>, Vec<f64>), PlanError> {
    let program = Program::compile(scenario);
    // Each replication's overran share, by replication index: two values evaluated with the same
    // seed pair replication by replication (common random numbers).
    let by_replication = Mutex::new(vec![f64::NAN; eval.replications as usize]);
    let each = |f: &ReplicationFigures| {
        if let (Ok(mut slots), Some(share)) = (by_replication.lock(), f.share(Outcome::Overran))
            && let Some(slot) = slots.get_mut(f.replication as usize)
        {
            *slot = share;
        }
    };
    let hooks = Hooks { each: Some(&each), done: None };
    let options = RunOptions::new(eval.seed, eval.replications, eval.threads);
    let result: RunResult = run_with(scenario, &program, &options, hooks)?;
    let by_replication = by_replication.into_inner().unwrap_or_default();
    let summary = summarize(scenario, eval.seed, &result);
    let mut out = BTreeMap::new();
    for &figure in figures {
        let estimate = match summary.estimates.get(&figure) {
            Some(e) => *e,
            // Pooled percentiles have no per-replication interval: the point value.
            None if figure == Figure::LatencyP99Seconds => {
                let p99 = summary.status_messages.latency_seconds.p99;
                EstimateFigures {
                    mean: p99,
                    ci95: [p99, p99],
                    sd: 0.0,
                    replications: eval.replications,
                    min: p99,
                    max: p99,
                }
            }
            None => return Err(PlanError::Question(format!("no figure {figure}"))),
        };
        out.insert(figure, estimate);
    }
    Ok((out, by_replication))
}

/// Whether every bound holds at the upper end of its figure's 95% confidence interval: a value
/// meets a bound only when the replications show it does, not when it merely might.
pub(super) fn meets(figures: &BTreeMap<Figure, EstimateFigures>, bounds: &[Bound]) -> bool {
    bounds.iter().all(|b| b.met_by(figures))
}

/// Which way an answer may be rounded without losing its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Toward {
    /// Down: the answer is the largest value that meets (larger values fail).
    Down,
    /// Up: the answer is the smallest value that meets (smaller values fail).
    Up,
}

/// The largest round step (1, 2 or 5 times a power of ten, at least 1) not above `x`.
fn round_step(x: f64) -> f64 {
    if x < 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|s| s * magnitude).find(|s| *s <= x).unwrap_or(magnitude)
}

/// The searched quantity: how to set it on a scenario and how to write it.
pub(super) trait Knob {
    fn apply(&self, scenario: &Scenario, value: f64) -> Result<Scenario, PlanError>;
    fn label(&self, value: f64) -> String;
    /// The searched value in the question's unit (the search counts whole steps).
    fn natural(&self, value: f64) -> f64 {
        value
    }
}

/// Evaluates a value, recording it as evidence (each value once).
pub(super) struct Search<'a, K: Knob> {
    pub(super) base: &'a Scenario,
    pub(super) knob: K,
    pub(super) eval: Evaluation,
    pub(super) bounds: Vec<Bound>,
    pub(super) figures: Vec<Figure>,
    pub(super) evidence: Vec<Evidence>,
}

impl<K: Knob> Search<'_, K> {
    pub(super) fn at(&mut self, value: f64) -> Result<bool, PlanError> {
        if let Some(e) = self.evidence.iter().find(|e| e.raw == value) {
            return Ok(e.meets);
        }
        let scenario = self.knob.apply(self.base, value)?;
        let (figures, overran_by_replication) = evaluate(&scenario, &self.eval, &self.figures)?;
        let ok = meets(&figures, &self.bounds);
        self.evidence.push(Evidence {
            value: self.knob.natural(value),
            raw: value,
            label: self.knob.label(value),
            figures,
            meets: ok,
            against_best: None,
            overran_by_replication,
        });
        Ok(ok)
    }

    /// The largest integer value in `[lo, hi]` that meets the bounds, when meeting them gets
    /// harder as the value grows (`lo` must meet, `hi` must not).
    pub(super) fn largest(&mut self, mut lo: f64, mut hi: f64) -> Result<f64, PlanError> {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if self.at(mid)? { lo = mid } else { hi = mid }
        }
        Ok(lo)
    }

    /// The smallest integer value in `[lo, hi]` that meets the bounds, when meeting them gets
    /// easier as the value grows (`hi` must meet, `lo` must not).
    pub(super) fn smallest(&mut self, mut lo: f64, mut hi: f64) -> Result<f64, PlanError> {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if self.at(mid)? { hi = mid } else { lo = mid }
        }
        Ok(hi)
    }

    /// `answer` rounded to the precision its evidence resolves: the nearest value evaluated on
    /// the failing side whose figure differs by the answer's own interval half-width tells how
    /// far the value must move before the replications can tell the difference; the answer is
    /// rounded (in the safe direction) to a round step within that, and kept only if it still
    /// meets the bounds.
    pub(super) fn resolved(&mut self, answer: f64, toward: Toward) -> Result<f64, PlanError> {
        let limit = match toward {
            Toward::Down => f64::NEG_INFINITY,
            Toward::Up => f64::INFINITY,
        };
        self.resolved_within(answer, toward, limit)
    }

    /// [`Self::resolved`], rounding no further than `limit` (the other end of a range).
    pub(super) fn resolved_within(&mut self, answer: f64, toward: Toward, limit: f64) -> Result<f64, PlanError> {
        let at = self.figures_at(answer);
        let half = |f: &EstimateFigures| (f.ci95[1] - f.ci95[0]) / 2.0;
        let mut failing: Vec<&Evidence> = self
            .evidence
            .iter()
            .filter(|e| match toward {
                Toward::Down => e.raw > answer,
                Toward::Up => e.raw < answer,
            })
            .collect();
        failing.sort_by(|a, b| (a.raw - answer).abs().total_cmp(&(b.raw - answer).abs()));
        let resolution = failing.iter().find_map(|e| {
            let differs = self.bounds.iter().any(|b| match (at.get(&b.figure()), e.figures.get(&b.figure())) {
                (Some(a), Some(f)) => half(a) > 0.0 && (f.ci95[1] - a.ci95[1]).abs() >= half(a),
                _ => false,
            });
            differs.then(|| (e.raw - answer).abs())
        });
        let Some(resolution) = resolution else { return Ok(answer) };
        let step = round_step(resolution);
        let candidate = match toward {
            Toward::Down => (answer / step).floor() * step,
            Toward::Up => (answer / step).ceil() * step,
        };
        let beyond = match toward {
            Toward::Down => candidate < limit,
            Toward::Up => candidate > limit,
        };
        if candidate == answer || candidate < 0.0 || beyond {
            return Ok(answer);
        }
        Ok(if self.at(candidate)? { candidate } else { answer })
    }

    pub(super) fn figures_at(&self, value: f64) -> BTreeMap<Figure, EstimateFigures> {
        self.evidence.iter().find(|e| e.raw == value).map(|e| e.figures.clone()).unwrap_or_default()
    }

    pub(super) fn finish(mut self, question: Question, bounds: &[Bound], answer: Answer, finding: Finding) -> Plan {
        self.evidence.sort_by(|a, b| a.value.total_cmp(&b.value));
        Plan { question, bounds: bounds.to_vec(), answer, evidence: self.evidence, finding }
    }
}

pub(super) fn question(
    kind: PlanKind,
    scenario: &Scenario,
    eval: &Evaluation,
    bounds: &[Bound],
    detail: Detail,
) -> Question {
    Question {
        kind,
        scenario: scenario.name.clone(),
        bounds: bounds.iter().map(|b| BoundSpec { figure: b.figure(), at_most: b.limit() }).collect(),
        seed: eval.seed,
        replications: eval.replications,
        detail,
        minimise: None,
    }
}

// ---------------------------------------------------------------------------------------------
// plan infra

/// The site's inbox `plan infra` sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// Status Manager (`statmgr.box`): status messages.
    StatusManager,
    /// The State System (`statesys.box`): software-update state messages.
    StateSystem,
}

struct Rate {
    /// Rates are searched as integers in thousandths of a message a second.
    per: f64,
    inbox: Inbox,
}

impl Knob for Rate {
    fn apply(&self, scenario: &Scenario, value: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        match self.inbox {
            Inbox::StatusManager => s.infrastructure.status_manager_rate = Some(value / self.per),
            Inbox::StateSystem => s.infrastructure.state_system_rate = Some(value / self.per),
        }
        Ok(s)
    }

    fn label(&self, value: f64) -> String {
        format!("{} msg/s", number_text(value / self.per))
    }

    fn natural(&self, value: f64) -> f64 {
        value / self.per
    }
}

fn infra_bounds_check(bounds: &[Bound]) -> Result<(), PlanError> {
    if bounds.is_empty() {
        return Err(PlanError::Question(
            "give at least one bound: --max-mean-latency, --max-p99-latency, --max-backlog or --max-drain".to_owned(),
        ));
    }
    Ok(())
}

/// The slowest inbox — Status Manager or the State System — (messages a second per worker)
/// that meets every bound.
pub fn plan_infra(scenario: &Scenario, inbox: Inbox, bounds: &[Bound], eval: Evaluation) -> Result<Plan, PlanError> {
    infra_bounds_check(bounds)?;
    let infra = &scenario.infrastructure;
    let (searched, own_rate, workers) = match inbox {
        Inbox::StatusManager => {
            if !scenario.sends_status_messages() {
                return Err(PlanError::Question(
                    "the scenario sends no status message: there is nothing to size".to_owned(),
                ));
            }
            if let Some(b) = bounds.iter().find(|b| matches!(b, Bound::MaxStateMeanLatency(_))) {
                return Err(PlanError::Question(format!(
                    "{:?} bounds the State System: ask with --inbox state-system",
                    b.figure().key()
                )));
            }
            ("status_manager_rate", infra.status_manager_rate, infra.status_manager_workers)
        }
        Inbox::StateSystem => {
            if !scenario.messages.sends_state() {
                return Err(PlanError::Question(
                    "the scenario sends no state message (set [messages] state_per_update or another state count): there is nothing to size".to_owned(),
                ));
            }
            if let Some(b) = bounds.iter().find(|b| !matches!(b, Bound::MaxStateMeanLatency(_) | Bound::MaxDrain(_))) {
                return Err(PlanError::Question(format!(
                    "the State System is sized by its mean latency and the drain (--max-mean-latency, --max-drain); {:?} is Status Manager's",
                    b.figure().key()
                )));
            }
            ("state_system_rate", infra.state_system_rate(), infra.state_system_workers())
        }
    };
    let detail = Detail::Searched { searched: format!("{searched}, messages a second per worker") };
    let q = question(PlanKind::Infra, scenario, &eval, bounds, detail);
    let per = 1_000.0;
    let figures: Vec<Figure> = bounds.iter().map(Bound::figure).collect();
    let knob = Rate { per, inbox };
    let mut search = Search { base: scenario, knob, eval, bounds: bounds.to_vec(), figures, evidence: Vec::new() };
    // Bracket the answer by doubling and halving from the scenario's own rate.
    let start = (own_rate.unwrap_or(100.0) * per).round().max(1.0);
    let (mut lo, mut hi) = (start, start);
    if search.at(start)? {
        loop {
            lo = (lo / 2.0).floor();
            if lo < 1.0 {
                lo = 0.0;
                break;
            }
            if !search.at(lo)? {
                break;
            }
            hi = lo;
        }
    } else {
        loop {
            hi *= 2.0;
            if hi > crate::scenario::infrastructure::MAX_RATE * per {
                return Ok(search.finish(q, bounds, Answer::None {}, Finding::NoRate));
            }
            if search.at(hi)? {
                break;
            }
            lo = hi;
        }
    }
    // Bisection to 0.5% of the rate.
    while hi - lo > (hi * 0.005).max(1.0) {
        let mid = ((lo + hi) / 2.0).floor();
        if search.at(mid)? { hi = mid } else { lo = mid }
    }
    let hi = search.resolved(hi, Toward::Up)?;
    Ok(match inbox {
        Inbox::StatusManager => {
            search.finish(q, bounds, Answer::Rate { status_manager_rate: hi / per }, Finding::Rate { at: hi, workers })
        }
        Inbox::StateSystem => search.finish(
            q,
            bounds,
            Answer::StateRate { state_system_rate: hi / per },
            Finding::StateRate { at: hi, workers },
        ),
    })
}

// ---------------------------------------------------------------------------------------------
// plan servers

/// Which windows take more servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServersScope {
    /// One window on its own (the site sees only its load).
    Window(String),
    /// Every window equally (the fleet spread evenly).
    PerWindow,
}

struct Servers {
    windows: usize,
}

impl Knob for Servers {
    fn apply(&self, scenario: &Scenario, per_window: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        s.fleet.servers = (per_window.max(1.0) as u64) * self.windows as u64;
        Ok(s)
    }

    fn label(&self, per_window: f64) -> String {
        format!("{} servers a window", per_window as u64)
    }
}

/// The most servers the windows can take while every bound holds: the site's (latency, backlog,
/// drain) and the overran share, which with shared resources grows as more servers contend.
pub fn plan_servers(
    scenario: &Scenario,
    scope: &ServersScope,
    bounds: &[Bound],
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    if bounds.is_empty() {
        return Err(PlanError::Question(
            "give at least one bound: --max-overran, --max-mean-latency, --max-p99-latency, --max-backlog or --max-drain"
                .to_owned(),
        ));
    }
    let site_bound = bounds.iter().any(|b| !matches!(b, Bound::MaxOverran(_)));
    if site_bound && !scenario.sends_messages() {
        return Err(PlanError::Question(
            "the scenario sends no status message: the site puts no limit on servers (bound the overran share with --max-overran instead)".to_owned(),
        ));
    }
    let mut base = scenario.clone();
    let windows = match scope {
        ServersScope::PerWindow => base.windows.list.len(),
        ServersScope::Window(name) => {
            let index = base.windows.find(name).ok_or_else(|| {
                PlanError::Question(format!(
                    "there is no window \"{name}\"; the scenario's windows are {}",
                    base.windows.list.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let window: Window = base.windows.list[index].clone();
            base.windows.list = vec![window];
            1
        }
    };
    base.windows.assign = Assign::Even;
    let detail = match scope {
        ServersScope::PerWindow => Detail::EveryWindow { scope: "every window".to_owned(), windows },
        ServersScope::Window(name) => Detail::Window { scope: "one window".to_owned(), window: name.clone() },
    };
    let q = question(PlanKind::Servers, scenario, &eval, bounds, detail);
    let figures: Vec<Figure> = bounds.iter().map(Bound::figure).collect();
    let mut search =
        Search { base: &base, knob: Servers { windows }, eval, bounds: bounds.to_vec(), figures, evidence: Vec::new() };
    let start = (scenario.fleet.servers as f64 / scenario.windows.list.len() as f64).ceil().max(1.0);
    let limit = (crate::scenario::fleet::MAX_SERVERS as f64 / windows as f64).floor();
    if !search.at(1.0)? {
        return Ok(search.finish(q, bounds, Answer::None {}, Finding::NoServers));
    }
    let (mut lo, mut hi) = (1.0, start.min(limit));
    if search.at(hi)? {
        loop {
            lo = hi;
            hi = (hi * 2.0).min(limit);
            if lo >= limit {
                let answer = Answer::Servers { servers_per_window: lo, servers: lo * windows as f64 };
                return Ok(search.finish(q, bounds, answer, Finding::AllServers { at: lo }));
            }
            if !search.at(hi)? {
                break;
            }
        }
    }
    let most = search.largest(lo, hi).and_then(|m| search.resolved(m, Toward::Down))?;
    let answer = Answer::Servers { servers_per_window: most, servers: most * windows as f64 };
    Ok(search.finish(q, bounds, answer, Finding::Servers { most, windows }))
}

// ---------------------------------------------------------------------------------------------
// plan max-run-time

struct MaxRunTime;

impl Knob for MaxRunTime {
    fn apply(&self, scenario: &Scenario, minutes: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        s.deployment.max_run_time = (minutes.max(1.0) as Millis) * MINUTE;
        Ok(s)
    }

    fn label(&self, minutes: f64) -> String {
        DurationDisplay((minutes as Millis) * MINUTE).to_string()
    }
}

/// The shortest maximum run time (whole minutes, up to the window's length) that stops no more
/// than `max_stopped` of the targeted servers — and, with `max_not_started`, lets all but that
/// share start (a max run time must fit in what is left of the window: the max-run-time trap).
pub fn plan_max_run_time(
    scenario: &Scenario,
    max_stopped: f64,
    max_not_started: Option<f64>,
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    if !scenario.deployment.stop_at_max_run_time {
        return Err(PlanError::Question(
            "the scenario sets stop_at_max_run_time = false: no run is ever stopped, so any max run time meets the bound".to_owned(),
        ));
    }
    let stop = Bound::MaxStopped(max_stopped);
    let mut bounds = vec![stop];
    if let Some(q) = max_not_started {
        bounds.push(Bound::MaxNotStarted(q));
    }
    let detail = Detail::Searched { searched: "whole minutes, 1 to the window's length".to_owned() };
    let asked = question(PlanKind::MaxRunTime, scenario, &eval, &bounds, detail);
    // The stopped share falls as the max run time grows: search for it alone first.
    let mut search = Search {
        base: scenario,
        knob: MaxRunTime,
        eval,
        bounds: vec![stop],
        figures: vec![Figure::Stopped, Figure::NotStarted],
        evidence: Vec::new(),
    };
    let window = (scenario.windows.length / MINUTE).max(1) as f64;
    if !search.at(window)? {
        let finding = Finding::NoMaxRunTime { at: window, window: scenario.windows.length };
        return Ok(search.finish(asked, &bounds, Answer::None {}, finding));
    }
    let shortest = if search.at(1.0)? {
        1.0
    } else {
        search.smallest(1.0, window).and_then(|s| search.resolved(s, Toward::Up))?
    };
    let figures = search.figures_at(shortest);
    let not_started = figures.get(&Figure::NotStarted).map_or(0.0, |f| f.mean);
    let label = search.knob.label(shortest);
    search.bounds.clone_from(&bounds);
    for e in &mut search.evidence {
        e.meets = meets(&e.figures, &bounds);
    }
    match max_not_started.map(Bound::MaxNotStarted) {
        Some(bound) if !bound.met_by(&figures) => {
            Ok(search.finish(asked, &bounds, Answer::None {}, Finding::MaxRunTimeTrap { shortest }))
        }
        _ => {
            let trap = max_not_started.is_none() && not_started > 0.5;
            let answer = Answer::MaxRunTime { minutes: shortest, value: label };
            Ok(search.finish(asked, &bounds, answer, Finding::MaxRunTime { shortest, trap }))
        }
    }
}
