//! `patchsim plan`: the design value that keeps a figure within a bound, found by a monotone
//! search over common random numbers.
//!
//! Every evaluation runs the same replications with the same seed, so the figure is a monotone
//! function of the searched value (a wider uniform sleep draws `u × max` for the same `u`: every
//! server ends no earlier; a faster Status Manager serves every message no later; more servers
//! only add messages; a longer max run time stops no run that a shorter one let finish).
//! Bisection then finds where the sampled figure crosses the bound exactly; the answer's 95%
//! interval over replications is stated beside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::montecarlo::runner::{RunError, RunOptions, RunResult, run};
use crate::montecarlo::summarize;
use crate::montecarlo::summary::EstimateFigures;
use crate::scenario::duration::{DurationDisplay, MINUTE, Millis, SECOND};
use crate::scenario::{Action, Assign, DurationDist, NodeKind, Scenario, Window};
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
    /// The figure's key in `summary.json`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::MaxOverran(_) => "outcomes.overran",
            Self::MaxPeakPerMinute(_) => "status_messages.peak_per_minute",
            Self::MaxMeanLatency(_) => "status_messages.latency_seconds.mean",
            Self::MaxP99Latency(_) => "status_messages.latency_seconds.p99",
            Self::MaxBacklog(_) => "status_messages.backlog_peak",
            Self::MaxDrain(_) => "status_messages.drain_minutes_after_last_window",
            Self::MaxStopped(_) => "outcomes.stopped",
            Self::MaxNotStarted(_) => "outcomes.not_started",
        }
    }

    /// The largest value allowed.
    pub fn limit(&self) -> f64 {
        match *self {
            Self::MaxOverran(x)
            | Self::MaxPeakPerMinute(x)
            | Self::MaxMeanLatency(x)
            | Self::MaxP99Latency(x)
            | Self::MaxBacklog(x)
            | Self::MaxDrain(x)
            | Self::MaxStopped(x)
            | Self::MaxNotStarted(x) => x,
        }
    }

    /// The bound as a reader says it.
    pub fn describe(&self) -> String {
        match *self {
            Self::MaxOverran(x) => format!("overran share ≤ {:.3}%", x * 100.0),
            Self::MaxPeakPerMinute(x) => format!("busiest minute ≤ {x} messages"),
            Self::MaxMeanLatency(x) => format!("mean latency ≤ {}", DurationDisplay((x * 1_000.0).round() as u64)),
            Self::MaxP99Latency(x) => format!("p99 latency ≤ {}", DurationDisplay((x * 1_000.0).round() as u64)),
            Self::MaxBacklog(x) => format!("backlog peak ≤ {x} messages"),
            Self::MaxDrain(x) => format!("drain ≤ {}", DurationDisplay((x * 60_000.0).round() as u64)),
            Self::MaxStopped(x) => format!("stopped share ≤ {:.3}%", x * 100.0),
            Self::MaxNotStarted(x) => format!("not-started share ≤ {:.3}%", x * 100.0),
        }
    }
}

/// One evaluated design value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The searched value, in the question's unit (seconds, messages a second, servers a
    /// window, minutes).
    pub value: f64,
    /// The value as the search counts it (whole steps).
    #[serde(skip)]
    raw: f64,
    /// The value as a reader writes it (`26m40s`, `120 msg/s`, `350 servers`).
    pub label: String,
    /// The bounded figures (and any the question reports beside them), by key.
    pub figures: BTreeMap<String, EstimateFigures>,
    /// Whether every bound is met at the upper end of its figure's 95% confidence interval.
    pub meets: bool,
}

/// A plan's answer and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`PLAN_SCHEMA`].
    pub schema: String,
    /// What was asked.
    pub question: serde_json::Value,
    /// The answer (empty when no value meets the bounds).
    pub answer: serde_json::Value,
    /// Every value evaluated, in increasing order.
    pub evidence: Vec<Evidence>,
    /// The answer in a sentence.
    pub conclusion: String,
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

/// Runs one design and reads the figures of `keys`.
fn evaluate(
    scenario: &Scenario,
    eval: &Evaluation,
    keys: &[&str],
) -> Result<BTreeMap<String, EstimateFigures>, PlanError> {
    let program = Program::compile(scenario);
    let result: RunResult = run(scenario, &program, &RunOptions::new(eval.seed, eval.replications, eval.threads))?;
    let summary = summarize(scenario, eval.seed, &result);
    let mut out = BTreeMap::new();
    for key in keys {
        let figure = match summary.estimates.get(*key) {
            Some(e) => *e,
            // Pooled percentiles have no per-replication interval: the point value.
            None if *key == "status_messages.latency_seconds.p99" => {
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
            None => return Err(PlanError::Question(format!("no figure {key}"))),
        };
        out.insert((*key).to_owned(), figure);
    }
    Ok(out)
}

/// Whether every bound holds at the upper end of its figure's 95% confidence interval: a value
/// meets a bound only when the replications show it does, not when it merely might.
fn meets(figures: &BTreeMap<String, EstimateFigures>, bounds: &[Bound]) -> bool {
    bounds.iter().all(|b| figures.get(b.key()).is_some_and(|f| f.ci95[1] <= b.limit()))
}

/// Which way an answer may be rounded without losing its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toward {
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
trait Knob {
    fn apply(&self, scenario: &Scenario, value: f64) -> Result<Scenario, PlanError>;
    fn label(&self, value: f64) -> String;
    /// The searched value in the question's unit (the search counts whole steps).
    fn natural(&self, value: f64) -> f64 {
        value
    }
}

/// Evaluates a value, recording it as evidence (each value once).
struct Search<'a, K: Knob> {
    base: &'a Scenario,
    knob: K,
    eval: Evaluation,
    bounds: Vec<Bound>,
    keys: Vec<&'static str>,
    evidence: Vec<Evidence>,
}

impl<K: Knob> Search<'_, K> {
    fn at(&mut self, value: f64) -> Result<bool, PlanError> {
        if let Some(e) = self.evidence.iter().find(|e| e.raw == value) {
            return Ok(e.meets);
        }
        let scenario = self.knob.apply(self.base, value)?;
        let figures = evaluate(&scenario, &self.eval, &self.keys)?;
        let ok = meets(&figures, &self.bounds);
        self.evidence.push(Evidence {
            value: self.knob.natural(value),
            raw: value,
            label: self.knob.label(value),
            figures,
            meets: ok,
        });
        Ok(ok)
    }

    /// The largest integer value in `[lo, hi]` that meets the bounds, when meeting them gets
    /// harder as the value grows (`lo` must meet, `hi` must not).
    fn largest(&mut self, mut lo: f64, mut hi: f64) -> Result<f64, PlanError> {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if self.at(mid)? { lo = mid } else { hi = mid }
        }
        Ok(lo)
    }

    /// The smallest integer value in `[lo, hi]` that meets the bounds, when meeting them gets
    /// easier as the value grows (`hi` must meet, `lo` must not).
    fn smallest(&mut self, mut lo: f64, mut hi: f64) -> Result<f64, PlanError> {
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
    fn resolved(&mut self, answer: f64, toward: Toward) -> Result<f64, PlanError> {
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
            let differs = self.bounds.iter().any(|b| match (at.get(b.key()), e.figures.get(b.key())) {
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
        if candidate == answer || candidate < 0.0 {
            return Ok(answer);
        }
        Ok(if self.at(candidate)? { candidate } else { answer })
    }

    fn figures_at(&self, value: f64) -> BTreeMap<String, EstimateFigures> {
        self.evidence.iter().find(|e| e.raw == value).map(|e| e.figures.clone()).unwrap_or_default()
    }

    fn finish(mut self, question: serde_json::Value, answer: serde_json::Value, conclusion: String) -> Plan {
        self.evidence.sort_by(|a, b| a.value.total_cmp(&b.value));
        Plan { schema: PLAN_SCHEMA.to_owned(), question, answer, evidence: self.evidence, conclusion }
    }
}

fn stated(figures: &BTreeMap<String, EstimateFigures>, bound: &Bound) -> String {
    match figures.get(bound.key()) {
        Some(f) if f.ci95[0] != f.ci95[1] => {
            format!(
                "{} {} (95% CI {} to {})",
                bound.key(),
                fmt_value(bound, f.mean),
                fmt_value(bound, f.ci95[0]),
                fmt_value(bound, f.ci95[1])
            )
        }
        Some(f) => format!("{} {}", bound.key(), fmt_value(bound, f.mean)),
        None => String::new(),
    }
}

fn fmt_value(bound: &Bound, x: f64) -> String {
    match bound {
        Bound::MaxOverran(_) | Bound::MaxStopped(_) | Bound::MaxNotStarted(_) => format!("{:.3}%", x * 100.0),
        Bound::MaxMeanLatency(_) | Bound::MaxP99Latency(_) => format!("{x:.3} s"),
        Bound::MaxDrain(_) => format!("{x:.1} min"),
        _ => format!("{x:.1}"),
    }
}

fn question(
    kind: &str,
    scenario: &Scenario,
    eval: &Evaluation,
    bounds: &[Bound],
    extra: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "kind": kind,
        "scenario": scenario.name,
        "bounds": bounds.iter().map(|b| serde_json::json!({ "figure": b.key(), "at_most": b.limit() })).collect::<Vec<_>>(),
        "seed": eval.seed,
        "replications": eval.replications,
        "detail": extra,
    })
}

// ---------------------------------------------------------------------------------------------
// plan sleep

struct SleepMax {
    step: String,
}

impl Knob for SleepMax {
    fn apply(&self, scenario: &Scenario, seconds: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        let max = (seconds.max(0.0) as Millis) * SECOND;
        let mut found = false;
        for node in &mut s.steps {
            set_sleep(node, &self.step, max, &mut found);
        }
        if !found {
            return Err(PlanError::Question(format!("the scenario has no sleep step named \"{}\"", self.step)));
        }
        Ok(s)
    }

    fn label(&self, seconds: f64) -> String {
        DurationDisplay((seconds as Millis) * SECOND).to_string()
    }
}

fn set_sleep(node: &mut crate::scenario::Node, name: &str, max: Millis, found: &mut bool) {
    match &mut node.kind {
        NodeKind::Group(children) => children.iter_mut().for_each(|c| set_sleep(c, name, max, found)),
        NodeKind::Step(step) => {
            if node.name == name
                && let Action::Sleep { duration } = &mut step.action
            {
                let min = match duration {
                    DurationDist::Uniform { min, .. } => *min,
                    _ => 0,
                };
                *duration = DurationDist::Uniform { min: min.min(max), max };
                *found = true;
            }
        }
    }
}

/// The widest uniform random sleep (the `max` of the named sleep step) whose overran share stays
/// within `max_overran`; with `max_peak`, also the narrowest whose busiest minute stays within it.
pub fn plan_sleep(
    scenario: &Scenario,
    step: &str,
    max_overran: f64,
    max_peak: Option<f64>,
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    let has_step = scenario.steps.iter().any(|n| {
        let mut found = false;
        n.walk(0, &mut |m, _| {
            found |= m.name == step && matches!(&m.kind, NodeKind::Step(s) if matches!(s.action, Action::Sleep { .. }))
        });
        found
    });
    if !has_step {
        return Err(PlanError::Question(format!(
            "the scenario has no sleep step named \"{step}\" (name the step whose uniform duration to widen)"
        )));
    }
    let window = scenario.windows.length / SECOND;
    let mut bounds = vec![Bound::MaxOverran(max_overran)];
    if let Some(p) = max_peak {
        bounds.push(Bound::MaxPeakPerMinute(p));
    }
    let q = question(
        "sleep",
        scenario,
        &eval,
        &bounds,
        serde_json::json!({ "step": step, "searched": "seconds, 0 to the window's length" }),
    );
    let mut overran = Search {
        base: scenario,
        knob: SleepMax { step: step.to_owned() },
        eval,
        bounds: vec![Bound::MaxOverran(max_overran)],
        keys: vec!["outcomes.overran", "status_messages.peak_per_minute"],
        evidence: Vec::new(),
    };
    let (lo, hi) = (0.0, window as f64);
    if !overran.at(lo)? {
        let figures = overran.figures_at(lo);
        let text = format!(
            "No sleep keeps the overran share within {:.3}%: even without one it is {}.",
            max_overran * 100.0,
            stated(&figures, &Bound::MaxOverran(max_overran))
        );
        return Ok(overran.finish(q, serde_json::json!({}), text));
    }
    let widest =
        if overran.at(hi)? { hi } else { overran.largest(lo, hi).and_then(|w| overran.resolved(w, Toward::Down))? };
    let capped = widest == hi;
    let figures = overran.figures_at(widest);
    let mut answer = serde_json::json!({ "seconds": widest, "value": overran.knob.label(widest) });
    let mut text = format!(
        "The widest sleep is {}{}: {}.",
        overran.knob.label(widest),
        if capped { " (the whole window: any sleep up to the window's length keeps the bound)" } else { "" },
        stated(&figures, &Bound::MaxOverran(max_overran))
    );
    if let Some(peak) = max_peak {
        let bound = Bound::MaxPeakPerMinute(peak);
        overran.bounds = vec![bound];
        // The busiest minute falls as the sleep widens: the narrowest sleep that meets it.
        if !overran.at(widest)? {
            answer = serde_json::json!({});
            text = format!(
                "No sleep meets both bounds: the widest that keeps the overran share ({}) still has {}.",
                overran.knob.label(widest),
                stated(&overran.figures_at(widest), &bound)
            );
        } else {
            let narrowest = if overran.at(lo)? {
                lo
            } else {
                overran.smallest(lo, widest).and_then(|n| overran.resolved(n, Toward::Up))?
            };
            answer = serde_json::json!({
                "seconds": widest,
                "value": overran.knob.label(widest),
                "range": { "from_seconds": narrowest, "from": overran.knob.label(narrowest), "to_seconds": widest, "to": overran.knob.label(widest) },
            });
            text = format!(
                "Sleeps from {} to {} meet both bounds: at {} {}; at {} {}.",
                overran.knob.label(narrowest),
                overran.knob.label(widest),
                overran.knob.label(widest),
                stated(&overran.figures_at(widest), &Bound::MaxOverran(max_overran)),
                overran.knob.label(narrowest),
                stated(&overran.figures_at(narrowest), &bound)
            );
        }
        overran.bounds = bounds;
    }
    // Re-judge the evidence against every bound.
    for e in &mut overran.evidence {
        e.meets = meets(&e.figures, &overran.bounds);
    }
    Ok(overran.finish(q, answer, text))
}

// ---------------------------------------------------------------------------------------------
// plan infra

struct Rate {
    /// Rates are searched as integers in thousandths of a message a second.
    per: f64,
}

impl Knob for Rate {
    fn apply(&self, scenario: &Scenario, value: f64) -> Result<Scenario, PlanError> {
        let mut s = scenario.clone();
        s.infrastructure.status_manager_rate = Some(value / self.per);
        Ok(s)
    }

    fn label(&self, value: f64) -> String {
        format!("{} msg/s", crate::report::load_csv::number(value / self.per))
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

/// The slowest Status Manager (messages a second per worker) that meets every bound.
pub fn plan_infra(scenario: &Scenario, bounds: &[Bound], eval: Evaluation) -> Result<Plan, PlanError> {
    infra_bounds_check(bounds)?;
    if !scenario.sends_messages() {
        return Err(PlanError::Question("the scenario sends no status message: there is nothing to size".to_owned()));
    }
    let q = question(
        "infra",
        scenario,
        &eval,
        bounds,
        serde_json::json!({ "searched": "status_manager_rate, messages a second per worker" }),
    );
    let per = 1_000.0;
    let keys: Vec<&'static str> = bounds.iter().map(Bound::key).collect();
    let mut search =
        Search { base: scenario, knob: Rate { per }, eval, bounds: bounds.to_vec(), keys, evidence: Vec::new() };
    // Bracket the answer by doubling and halving from the scenario's own rate.
    let start = (scenario.infrastructure.status_manager_rate.unwrap_or(100.0) * per).round().max(1.0);
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
                let text = "No Status Manager rate meets the bounds: even 10,000,000 messages a second does not (the management points or an outage set a floor).".to_owned();
                return Ok(search.finish(q, serde_json::json!({}), text));
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
    let rate = hi / per;
    let figures = search.figures_at(hi);
    let text = format!(
        "The slowest Status Manager that meets {} processes {} messages a second per worker{}: {}.",
        bounds.iter().map(Bound::describe).collect::<Vec<_>>().join(" and "),
        crate::report::load_csv::number(rate),
        if scenario.infrastructure.status_manager_workers > 1 {
            format!(" ({} workers)", scenario.infrastructure.status_manager_workers)
        } else {
            String::new()
        },
        bounds.iter().map(|b| stated(&figures, b)).collect::<Vec<_>>().join("; ")
    );
    Ok(search.finish(q, serde_json::json!({ "status_manager_rate": rate }), text))
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

/// The most servers the windows can take while the site meets every bound.
pub fn plan_servers(
    scenario: &Scenario,
    scope: &ServersScope,
    bounds: &[Bound],
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    infra_bounds_check(bounds)?;
    if !scenario.sends_messages() {
        return Err(PlanError::Question(
            "the scenario sends no status message: the site puts no limit on servers".to_owned(),
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
            base.windows.assign = Assign::Even;
            1
        }
    };
    base.windows.assign = Assign::Even;
    let extra = match scope {
        ServersScope::PerWindow => serde_json::json!({ "scope": "every window", "windows": windows }),
        ServersScope::Window(name) => serde_json::json!({ "scope": "one window", "window": name }),
    };
    let q = question("servers", scenario, &eval, bounds, extra);
    let keys: Vec<&'static str> = bounds.iter().map(Bound::key).collect();
    let mut search =
        Search { base: &base, knob: Servers { windows }, eval, bounds: bounds.to_vec(), keys, evidence: Vec::new() };
    let start = (scenario.fleet.servers as f64 / scenario.windows.list.len() as f64).ceil().max(1.0);
    let limit = (crate::scenario::fleet::MAX_SERVERS as f64 / windows as f64).floor();
    if !search.at(1.0)? {
        let text =
            "Not even one server a window meets the bounds: the bounds are below what a single run's messages cost."
                .to_owned();
        return Ok(search.finish(q, serde_json::json!({}), text));
    }
    let (mut lo, mut hi) = (1.0, start.min(limit));
    if search.at(hi)? {
        loop {
            lo = hi;
            hi = (hi * 2.0).min(limit);
            if lo >= limit {
                let text = format!(
                    "Every fleet size up to the limit of {} servers meets the bounds.",
                    crate::scenario::fleet::MAX_SERVERS
                );
                return Ok(search.finish(
                    q,
                    serde_json::json!({ "servers_per_window": lo, "servers": lo * windows as f64 }),
                    text,
                ));
            }
            if !search.at(hi)? {
                break;
            }
        }
    }
    let most = search.largest(lo, hi).and_then(|m| search.resolved(m, Toward::Down))?;
    let figures = search.figures_at(most);
    let text = format!(
        "{} can take {} servers{} while meeting {}: {}.",
        match scope {
            ServersScope::PerWindow => "Every window".to_owned(),
            ServersScope::Window(name) => format!("Window {name} on its own"),
        },
        most as u64,
        match scope {
            ServersScope::PerWindow => format!(" each ({} in all)", most as u64 * windows as u64),
            ServersScope::Window(_) => String::new(),
        },
        bounds.iter().map(Bound::describe).collect::<Vec<_>>().join(" and "),
        bounds.iter().map(|b| stated(&figures, b)).collect::<Vec<_>>().join("; ")
    );
    let answer = serde_json::json!({ "servers_per_window": most, "servers": most * windows as f64 });
    Ok(search.finish(q, answer, text))
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
    let asked = question(
        "max-run-time",
        scenario,
        &eval,
        &bounds,
        serde_json::json!({ "searched": "whole minutes, 1 to the window's length" }),
    );
    // The stopped share falls as the max run time grows: search for it alone first.
    let mut search = Search {
        base: scenario,
        knob: MaxRunTime,
        eval,
        bounds: vec![stop],
        keys: vec!["outcomes.stopped", "outcomes.not_started"],
        evidence: Vec::new(),
    };
    let window = (scenario.windows.length / MINUTE).max(1) as f64;
    if !search.at(window)? {
        let text = format!(
            "No max run time up to the window's length ({}) stops at most {:.3}%: {}. Use 0s (no limit) or advertisement times without a maintenance-window check.",
            DurationDisplay(scenario.windows.length),
            max_stopped * 100.0,
            stated(&search.figures_at(window), &stop)
        );
        return Ok(search.finish(asked, serde_json::json!({}), text));
    }
    let shortest = if search.at(1.0)? {
        1.0
    } else {
        search.smallest(1.0, window).and_then(|s| search.resolved(s, Toward::Up))?
    };
    let figures = search.figures_at(shortest);
    let not_started = figures.get("outcomes.not_started").map_or(0.0, |f| f.mean);
    let not_started_high = figures.get("outcomes.not_started").map_or(0.0, |f| f.ci95[1]);
    let label = search.knob.label(shortest);
    search.bounds = bounds.clone();
    for e in &mut search.evidence {
        e.meets = meets(&e.figures, &bounds);
    }
    let trap = format!(
        "{:.3}% of targeted servers do not start (the max run time must fit in what is left of the window)",
        not_started * 100.0
    );
    match max_not_started {
        Some(q) if not_started_high > q => {
            let text = format!(
                "No max run time meets both bounds: the shortest that stops at most {:.3}% is {label}, and at it {trap}, more than {:.3}%. Use 0s (no limit) or advertisement times without a maintenance-window check.",
                max_stopped * 100.0,
                q * 100.0
            );
            Ok(search.finish(asked, serde_json::json!({}), text))
        }
        _ => {
            let mut text = format!("The shortest max run time is {label}: {}; at it {trap}.", stated(&figures, &stop));
            if max_not_started.is_none() && not_started > 0.5 {
                text.push_str(" That is the max-run-time trap: add --max-not-started to require that servers start.");
            }
            let answer = serde_json::json!({ "minutes": shortest, "value": label });
            Ok(search.finish(asked, answer, text))
        }
    }
}
