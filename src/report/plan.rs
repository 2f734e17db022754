//! A plan as a reader sees it: its conclusion in a sentence, the table of evidence for the
//! terminal, and `plan.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::bundle::{ReportError, ReportFile, chart_files};
use super::charts::plan::PlanChart;
use crate::montecarlo::Figure;
use crate::montecarlo::summary::EstimateFigures;
use crate::planner::plan::{Answer, Bound, Detail, Evidence, Finding, PLAN_SCHEMA, Plan, Question};
use crate::scenario::duration::DurationDisplay;
use crate::scenario::overrides::number_text;

/// A bound as a reader says it: `overran share ≤ 2.000%`.
pub fn describe(bound: &Bound) -> String {
    match *bound {
        Bound::MaxOverran(x) => format!("overran share ≤ {:.3}%", x * 100.0),
        Bound::MaxPeakPerMinute(x) => format!("busiest minute ≤ {x} messages"),
        Bound::MaxMeanLatency(x) => format!("mean latency ≤ {}", DurationDisplay((x * 1_000.0).round() as u64)),
        Bound::MaxStateMeanLatency(x) => {
            format!("mean state-message latency ≤ {}", DurationDisplay((x * 1_000.0).round() as u64))
        }
        Bound::MaxP99Latency(x) => format!("p99 latency ≤ {}", DurationDisplay((x * 1_000.0).round() as u64)),
        Bound::MaxBacklog(x) => format!("backlog peak ≤ {x} messages"),
        Bound::MaxDrain(x) => format!("drain ≤ {}", DurationDisplay((x * 60_000.0).round() as u64)),
        Bound::MaxStopped(x) => format!("stopped share ≤ {:.3}%", x * 100.0),
        Bound::MaxNotStarted(x) => format!("not-started share ≤ {:.3}%", x * 100.0),
    }
}

/// A bounded figure's value in the bound's unit.
fn value(bound: &Bound, x: f64) -> String {
    match bound {
        Bound::MaxOverran(_) | Bound::MaxStopped(_) | Bound::MaxNotStarted(_) => format!("{:.3}%", x * 100.0),
        Bound::MaxMeanLatency(_) | Bound::MaxStateMeanLatency(_) | Bound::MaxP99Latency(_) => format!("{x:.3} s"),
        Bound::MaxDrain(_) => format!("{x:.1} min"),
        _ => format!("{x:.1}"),
    }
}

/// The bounded figure at an evaluated value, with its interval: `outcomes.overran 1.925% (95%
/// CI 1.872% to 1.980%)`.
fn stated(figures: Option<&BTreeMap<Figure, EstimateFigures>>, bound: &Bound) -> String {
    let key = bound.figure().key();
    match figures.and_then(|f| f.get(&bound.figure())) {
        Some(f) if f.ci95[0] != f.ci95[1] => format!(
            "{key} {} (95% CI {} to {})",
            value(bound, f.mean),
            value(bound, f.ci95[0]),
            value(bound, f.ci95[1])
        ),
        Some(f) => format!("{key} {}", value(bound, f.mean)),
        None => String::new(),
    }
}

/// The plan's answer in a sentence.
pub fn conclusion(plan: &Plan) -> String {
    let at = |raw: f64| plan.figures_at(raw);
    let label = |raw: f64| plan.label_at(raw);
    let first = plan.bounds.first().copied().unwrap_or(Bound::MaxOverran(0.0));
    let all = |raw: f64| plan.bounds.iter().map(|b| stated(at(raw), b)).collect::<Vec<_>>().join("; ");
    let described = plan.bounds.iter().map(describe).collect::<Vec<_>>().join(" and ");
    let escape = "Use 0s (no start check) or advertisement times without a maintenance-window check.";
    match &plan.finding {
        Finding::Minimum { best, narrowest, widest, limit } => minimum(plan, *best, *narrowest, *widest, *limit),
        Finding::NoSleep { at: lo } if *lo == 0.0 => format!(
            "No sleep keeps the overran share within {:.3}%: even without one it is {}.",
            first.limit() * 100.0,
            stated(at(*lo), &first)
        ),
        Finding::NoSleep { at: lo } => format!(
            "No sleep keeps the overran share within {:.3}%: the lowest, with a sleep of {}, is {}.",
            first.limit() * 100.0,
            label(*lo),
            stated(at(*lo), &first)
        ),
        Finding::WidestSleep { widest, capped } => format!(
            "The widest sleep is {}{}: {}.",
            label(*widest),
            if *capped { " (the whole window: any sleep up to the window's length keeps the bound)" } else { "" },
            stated(at(*widest), &first)
        ),
        Finding::NoSleepMeetsBoth { widest } => format!(
            "No sleep meets both bounds: the widest that keeps the overran share ({}) still has {}.",
            label(*widest),
            plan.bounds.get(1).map(|b| stated(at(*widest), b)).unwrap_or_default()
        ),
        Finding::SleepRange { narrowest, widest } => format!(
            "Sleeps from {} to {} meet {described}: at {} {}; at {} {}.",
            label(*narrowest),
            label(*widest),
            label(*narrowest),
            all(*narrowest),
            label(*widest),
            all(*widest)
        ),
        Finding::NoRate => "No inbox rate meets the bounds: even 10,000,000 messages a second does not (the management points or an outage set a floor).".to_owned(),
        Finding::StateRate { at: rate, workers } => format!(
            "The slowest State System that meets {described} processes {} messages a second per worker{}: {}.",
            match plan.answer {
                Answer::StateRate { state_system_rate } => number_text(state_system_rate),
                _ => String::new(),
            },
            if *workers > 1 { format!(" ({workers} workers)") } else { String::new() },
            all(*rate)
        ),
        Finding::Rate { at: rate, workers } => format!(
            "The slowest Status Manager that meets {described} processes {} messages a second per worker{}: {}.",
            match plan.answer {
                Answer::Rate { status_manager_rate } => number_text(status_manager_rate),
                _ => String::new(),
            },
            if *workers > 1 { format!(" ({workers} workers)") } else { String::new() },
            all(*rate)
        ),
        Finding::NoServers => {
            "Not even one server a window meets the bounds: the bounds are below what a single run's messages cost."
                .to_owned()
        }
        Finding::AllServers { .. } => format!(
            "Every fleet size up to the limit of {} servers meets the bounds.",
            crate::scenario::fleet::MAX_SERVERS
        ),
        Finding::Servers { most, windows } => {
            let (who, each) = match &plan.question.detail {
                Detail::Window { window, .. } => (format!("Window {window} on its own"), String::new()),
                _ => ("Every window".to_owned(), format!(" each ({} in all)", *most as u64 * *windows as u64)),
            };
            format!("{who} can take {} servers{each} while meeting {described}: {}.", *most as u64, all(*most))
        }
        Finding::NoMaxRunTime { at: window_at, window } => format!(
            "No max run time up to the window's length ({}) stops at most {:.3}%: {}. {escape}",
            DurationDisplay(*window),
            first.limit() * 100.0,
            stated(at(*window_at), &first)
        ),
        Finding::MaxRunTimeTrap { shortest } => format!(
            "No max run time meets both bounds: the shortest that stops at most {:.3}% is {}, and at it {}, more than {:.3}%. {escape}",
            first.limit() * 100.0,
            label(*shortest),
            not_started(at(*shortest)),
            plan.bounds.get(1).map_or(0.0, Bound::limit) * 100.0
        ),
        Finding::NoResource { at: largest } => format!(
            "No {} of {} meets {described}: even {} gives {}.",
            searched(plan),
            resource(plan),
            label(*largest),
            all(*largest)
        ),
        Finding::Resource { smallest, floor } => format!(
            "The smallest {} of {} that meets {described} is {}{}: {}.",
            searched(plan),
            resource(plan),
            label(*smallest),
            if *floor { " (the least the search allows: the resource is not what limits the runs)" } else { "" },
            all(*smallest)
        ),
        Finding::MaxRunTime { shortest, trap } => {
            let mut text = format!(
                "The shortest max run time is {}: {}; at it {}.",
                label(*shortest),
                stated(at(*shortest), &first),
                not_started(at(*shortest))
            );
            if *trap {
                text.push_str(" That is the max-run-time trap: add --max-not-started to require that servers start.");
            }
            text
        }
    }
}

/// `plan sleep --minimise`: the best sleep and the range that ties with it.
fn minimum(plan: &Plan, best: f64, narrowest: f64, widest: f64, limit: f64) -> String {
    let overran = Bound::MaxOverran(0.0);
    let at = |raw: f64| plan.figures_at(raw);
    let label = |raw: f64| plan.label_at(raw);
    let mut text = if best == 0.0 {
        format!("No sleep at all overruns least: {}.", stated(at(best), &overran))
    } else {
        format!("The fewest servers overrun with a sleep of {}: {}.", label(best), stated(at(best), &overran))
    };
    let points = |x: f64| format!("{:+.3} points", x * 100.0);
    if narrowest == widest {
        text.push_str(" Every other sleep evaluated overruns more, beyond the noise (paired by replication).");
    } else {
        // How flat the bottom is: the most any sleep of the range overruns beyond the best.
        let flat = plan
            .evidence
            .iter()
            .filter(|e| (narrowest..=widest).contains(&e.raw))
            .filter_map(|e| e.against_best.map(|d| d.mean))
            .fold(0.0, f64::max);
        let _ = write!(
            text,
            " How flat: sleeps from {} to {} cannot be told from it (the paired 95% interval of each one's difference from it holds zero) and overrun at most {} more on average; the narrowest, {}, costs the least window time.",
            label(narrowest),
            label(widest),
            points(flat),
            label(narrowest)
        );
    }
    // What the ends of the curve cost, paired with the best.
    let ends: Vec<String> = [0.0, limit]
        .into_iter()
        .filter(|&x| x != best)
        .filter_map(|x| {
            let d = plan.evidence.iter().find(|e| e.raw == x)?.against_best?;
            Some(format!(
                "{} {} ({} to {})",
                if x == 0.0 { "no sleep".to_owned() } else { format!("a sleep of {}", label(x)) },
                points(d.mean),
                points(d.ci95[0]),
                points(d.ci95[1])
            ))
        })
        .collect();
    if !ends.is_empty() {
        let _ = write!(text, " Against it: {}.", ends.join("; "));
    }
    if best == limit {
        text.push_str(
            " That is the whole window: the share is still falling there, so contention, not the window, sets it.",
        );
    }
    text
}

/// What `plan resource` searched: `capacity`, `slots`, `instances`.
fn searched(plan: &Plan) -> &'static str {
    match &plan.question.detail {
        Detail::Resource { searched, .. } if searched.starts_with("capacity") => "capacity",
        Detail::Resource { searched, .. } if searched == "slots" => "slot count",
        _ => "instance count",
    }
}

/// The resource `plan resource` sized.
fn resource(plan: &Plan) -> String {
    match &plan.question.detail {
        Detail::Resource { resource, .. } => format!("resource \"{resource}\""),
        _ => String::new(),
    }
}

/// How many do not start at an evaluated max run time.
fn not_started(figures: Option<&BTreeMap<Figure, EstimateFigures>>) -> String {
    let share = figures.and_then(|f| f.get(&Figure::NotStarted)).map_or(0.0, |f| f.mean);
    format!(
        "{:.3}% of targeted servers do not start (the max run time must fit in what is left of the window)",
        share * 100.0
    )
}

/// The plan's evidence and conclusion as a table for the terminal.
pub fn plan_table(plan: &Plan) -> String {
    let mut out = String::new();
    let figures: Vec<Figure> = plan.evidence.first().map(|e| e.figures.keys().copied().collect()).unwrap_or_default();
    let _ = write!(out, "{:<24}", "value");
    for f in &figures {
        let _ = write!(out, "{:>30}", f.short());
    }
    let minimise = plan.question.minimise.is_some();
    let _ = writeln!(
        out,
        "{}",
        if minimise { format!("{:>32}  ties", "against the best, paired") } else { "  meets".to_owned() }
    );
    for e in &plan.evidence {
        let _ = write!(out, "{:<24}", e.label);
        for f in &figures {
            let v = &e.figures[f];
            let cell = if f.is_share() {
                format!("{:.3}% [{:.3}, {:.3}]", v.mean * 100.0, v.ci95[0] * 100.0, v.ci95[1] * 100.0)
            } else {
                format!("{:.3} [{:.3}, {:.3}]", v.mean, v.ci95[0], v.ci95[1])
            };
            let _ = write!(out, "{cell:>30}");
        }
        if let (true, Some(d)) = (minimise, e.against_best) {
            let cell = format!("{:+.3}% [{:+.3}, {:+.3}]", d.mean * 100.0, d.ci95[0] * 100.0, d.ci95[1] * 100.0);
            let _ = write!(out, "{cell:>32}");
        }
        let _ = writeln!(out, "  {}", if e.meets { "yes" } else { "no" });
    }
    let _ = writeln!(out, "\n{}", conclusion(plan));
    out
}

/// `plan.json`: the question, the answer, the evidence and the conclusion.
pub fn plan_json(plan: &Plan) -> Vec<u8> {
    /// The document, in the order `plan.json` has it.
    #[derive(Serialize)]
    struct Document<'a> {
        schema: &'static str,
        question: &'a Question,
        answer: &'a Answer,
        evidence: &'a [Evidence],
        conclusion: String,
    }
    let document = Document {
        schema: PLAN_SCHEMA,
        question: &plan.question,
        answer: &plan.answer,
        evidence: &plan.evidence,
        conclusion: conclusion(plan),
    };
    super::json::pretty_ascii_json(&document).unwrap_or_default()
}

/// Every file of a plan: `plan.json` and its chart.
pub fn plan_files(plan: &Plan) -> Result<Vec<ReportFile>, ReportError> {
    let (svg, png) = chart_files(&PlanChart(plan))?;
    Ok(vec![
        ReportFile::new("plan.json", plan_json(plan)),
        ReportFile::new("plan.svg", svg.into_bytes()),
        ReportFile::new("plan.png", png),
    ])
}
