//! `patchsim plan sleep`: the random sleep that keeps the overran share within a bound, or the
//! one that overruns least.
//!
//! With shared resources the overran share is not monotone in the sleep: too little and servers
//! of a window contend for their distribution point, update point and host, so every step
//! stretches; too much and window time is lost. So no search here assumes the curve only rises.
//! Every question starts from a grid of sleeps over the whole window (the same seed and
//! replications at each: common random numbers), then refines where the grid shows the answer:
//! the edges of the range that meets the bounds by bisection between a value that meets and its
//! neighbour that does not, the minimum by finer grids around the best value. The range
//! indistinguishable from the minimum is judged by paired differences, replication by
//! replication, which common random numbers make far tighter than the figures' own intervals.

use super::plan::{
    Answer, Bound, Detail, Evaluation, Evidence, Finding, Knob, PairedDifference, Plan, PlanError, PlanKind, Question,
    Search, SleepRange, Toward, question,
};
use crate::montecarlo::Figure;
use crate::scenario::duration::{DurationDisplay, Millis, SECOND};
use crate::scenario::{Action, DurationDist, Node, NodeKind, Scenario};

/// How many equal steps the first grid splits the window into.
const GRID_STEPS: u32 = 8;

/// How many finer points each side of the best value each refinement of the minimum adds.
const REFINE_POINTS: u32 = 3;

/// Each refinement's step is the previous one divided by this.
const REFINE_FACTOR: u32 = 4;

/// The searched sleep: the `max` of the named sleep step's uniform duration, whole seconds.
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

fn set_sleep(node: &mut Node, name: &str, max: Millis, found: &mut bool) {
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

/// Refuses a step name that names no sleep step.
fn check_step(scenario: &Scenario, step: &str) -> Result<(), PlanError> {
    let has_step = scenario.steps.iter().any(|n| {
        let mut found = false;
        n.walk(0, &mut |m, _| {
            found |= m.name == step && matches!(&m.kind, NodeKind::Step(s) if matches!(s.action, Action::Sleep { .. }))
        });
        found
    });
    if has_step {
        Ok(())
    } else {
        Err(PlanError::Question(format!(
            "the scenario has no sleep step named \"{step}\" (name the step whose uniform duration to widen)"
        )))
    }
}

/// The first grid: 0 to the window's length in [`GRID_STEPS`] steps, whole seconds.
fn grid(window: f64) -> Vec<f64> {
    (0..=GRID_STEPS).map(|k| (window * f64::from(k) / f64::from(GRID_STEPS)).round()).collect()
}

/// A new search of the named sleep step.
fn search<'a>(scenario: &'a Scenario, step: &str, eval: Evaluation, bounds: Vec<Bound>) -> Search<'a, SleepMax> {
    Search {
        base: scenario,
        knob: SleepMax { step: step.to_owned() },
        eval,
        bounds,
        figures: vec![Figure::Overran, Figure::PeakPerMinute],
        evidence: Vec::new(),
    }
}

/// The range of sleeps (the `max` of the named sleep step) whose overran share stays within
/// `max_overran` — and, with `max_peak`, whose busiest minute stays within it too. The answer is
/// the widest; the range is given when its narrowest end is above 0 (too little sleep also fails)
/// or a peak bound was asked.
pub fn plan_sleep(
    scenario: &Scenario,
    step: &str,
    max_overran: f64,
    max_peak: Option<f64>,
    eval: Evaluation,
) -> Result<Plan, PlanError> {
    check_step(scenario, step)?;
    let window = (scenario.windows.length / SECOND) as f64;
    let mut bounds = vec![Bound::MaxOverran(max_overran)];
    bounds.extend(max_peak.map(Bound::MaxPeakPerMinute));
    let detail = Detail::Sleep { step: step.to_owned(), searched: "seconds, 0 to the window's length".to_owned() };
    let q = question(PlanKind::Sleep, scenario, &eval, &bounds, detail);
    let mut s = search(scenario, step, eval, bounds.clone());
    let points = grid(window);
    let mut met = Vec::with_capacity(points.len());
    for &x in &points {
        met.push(s.at(x)?);
    }
    // The widest run of grid values that meet every bound, and where it ends.
    let Some(last) = met.iter().rposition(|m| *m) else {
        return Ok(nothing_meets(s, q, &bounds, max_overran));
    };
    let first = (0..=last).rev().take_while(|&k| met[k]).last().unwrap_or(last);
    // Each end found by bisection, then rounded to what its interval resolves — towards the
    // inside, but no further than the middle of the range, so a narrow range stays a range.
    let widest = if last + 1 < points.len() { s.largest(points[last], points[last + 1])? } else { points[last] };
    let narrowest = if first > 0 { s.smallest(points[first - 1], points[first])? } else { 0.0 };
    let middle = ((narrowest + widest) / 2.0).round();
    let widest = if widest < window { s.resolved_within(widest, Toward::Down, middle)? } else { widest };
    let narrowest = if narrowest > 0.0 { s.resolved_within(narrowest, Toward::Up, middle)? } else { 0.0 };
    let label = s.knob.label(widest);
    let (range, finding) = if narrowest > 0.0 || max_peak.is_some() {
        let range = SleepRange {
            from: s.knob.label(narrowest),
            from_seconds: narrowest,
            to: label.clone(),
            to_seconds: widest,
        };
        (Some(range), Finding::SleepRange { narrowest, widest })
    } else {
        (None, Finding::WidestSleep { widest, capped: widest == window })
    };
    Ok(s.finish(q, &bounds, Answer::Sleep { seconds: widest, value: label, range }, finding))
}

/// The plan when no grid value meets every bound: the overran share alone is too high
/// everywhere (evidence at its lowest), or only the peak bound breaks it.
fn nothing_meets(s: Search<'_, SleepMax>, q: Question, bounds: &[Bound], max_overran: f64) -> Plan {
    let overran = Bound::MaxOverran(max_overran);
    let keeps_overran: Vec<f64> = s.evidence.iter().filter(|e| overran.met_by(&e.figures)).map(|e| e.raw).collect();
    let finding = match keeps_overran.iter().copied().reduce(f64::max) {
        Some(widest) => Finding::NoSleepMeetsBoth { widest },
        None => Finding::NoSleep { at: lowest(&s.evidence, Figure::Overran).unwrap_or(0.0) },
    };
    s.finish(q, bounds, Answer::None {}, finding)
}

/// The evaluated value with the lowest mean of `figure` (the narrowest of ties).
fn lowest(evidence: &[Evidence], figure: Figure) -> Option<f64> {
    evidence
        .iter()
        .filter_map(|e| e.figures.get(&figure).map(|f| (e.raw, f.mean)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)))
        .map(|(raw, _)| raw)
}

/// The sleep (the `max` of the named sleep step) with the lowest overran share, and the range of
/// sleeps that cannot be told from it: those whose paired difference from the best has a 95%
/// interval holding zero, contiguous around the best.
pub fn plan_sleep_minimum(scenario: &Scenario, step: &str, eval: Evaluation) -> Result<Plan, PlanError> {
    check_step(scenario, step)?;
    let window = (scenario.windows.length / SECOND) as f64;
    let detail =
        Detail::Sleep { step: step.to_owned(), searched: "seconds, 0 to the window's length, minimising".to_owned() };
    let mut q = question(PlanKind::Sleep, scenario, &eval, &[], detail);
    q.minimise = Some(Figure::Overran);
    let mut s = search(scenario, step, eval, Vec::new());
    for x in grid(window) {
        s.at(x)?;
    }
    // Finer grids around the best so far, each REFINE_FACTOR times finer, down to whole minutes.
    let mut spacing = window / f64::from(GRID_STEPS);
    while spacing >= 2.0 * 60.0 {
        spacing /= f64::from(REFINE_FACTOR);
        let best = lowest(&s.evidence, Figure::Overran).unwrap_or(0.0);
        for k in 1..=REFINE_POINTS {
            for x in [best - f64::from(k) * spacing, best + f64::from(k) * spacing] {
                if (0.0..=window).contains(&x) {
                    s.at(x.round())?;
                }
            }
        }
    }
    let best = lowest(&s.evidence, Figure::Overran).unwrap_or(0.0);
    let best_values = s.evidence.iter().find(|e| e.raw == best).map(|e| e.overran_by_replication.clone());
    let best_values = best_values.unwrap_or_default();
    for e in &mut s.evidence {
        let d = PairedDifference::of(&e.overran_by_replication, &best_values);
        e.meets = d.indistinguishable();
        e.against_best = Some(d);
    }
    s.evidence.sort_by(|a, b| a.raw.total_cmp(&b.raw));
    let at = s.evidence.iter().position(|e| e.raw == best).unwrap_or(0);
    let low = (0..=at).rev().take_while(|&k| s.evidence[k].meets).last().unwrap_or(at);
    let high = (at..s.evidence.len()).take_while(|&k| s.evidence[k].meets).last().unwrap_or(at);
    let (narrowest, widest) = (s.evidence[low].raw, s.evidence[high].raw);
    let figure = s.figures_at(best).get(&Figure::Overran).copied();
    let Some(figure) = figure else {
        return Err(PlanError::Question("no overran share was evaluated".to_owned()));
    };
    let indistinguishable = SleepRange {
        from: s.knob.label(narrowest),
        from_seconds: narrowest,
        to: s.knob.label(widest),
        to_seconds: widest,
    };
    let answer = Answer::Minimum { seconds: best, value: s.knob.label(best), figure, indistinguishable };
    let finding = Finding::Minimum { best, narrowest, widest, limit: window };
    // No bound was asked: the evidence's `meets` says which values tie with the best.
    Ok(s.finish(q, &[], answer, finding))
}
