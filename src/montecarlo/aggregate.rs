//! From raw results to the [`Summary`]: means and confidence intervals over replications,
//! percentiles of pooled histograms, per-window shares.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::runner::RunResult;
use super::stats::Estimate;
use super::tally::ReplicationFigures;
use crate::engine::Outcome;
use crate::report::summary::{
    FleetFigures, LatencyFigures, Mean, MeanCi, MeanMax, MessageFigures, OutcomeShares, Performance, RestartFigures,
    SUMMARY_SCHEMA, Spread, Summary, WindowFigures,
};
use crate::scenario::duration::{HOUR, MINUTE};
use crate::scenario::{MessageKind, Scenario};

/// Builds the summary of a run of `scenario` with `seed`.
pub fn summarize(scenario: &Scenario, seed: u64, result: &RunResult) -> Summary {
    let figures = &result.figures;
    let pooled = &result.pooled;
    let reps = figures.len();
    let per_rep = |f: &dyn Fn(&ReplicationFigures) -> f64| -> Vec<f64> { figures.iter().map(f).collect() };
    let targeted_reps: Vec<&ReplicationFigures> = figures.iter().filter(|f| f.targeted > 0).collect();
    let share_of_targeted = |f: &dyn Fn(&ReplicationFigures) -> u64| -> Estimate {
        let values: Vec<f64> = targeted_reps.iter().map(|r| f(r) as f64 / r.targeted as f64).collect();
        Estimate::of(&values)
    };
    let outcome = |o: Outcome| mean_ci(share_of_targeted(&|r| r.outcomes[o as usize]));

    let restarts = share_of_targeted(&|r| r.restarts);
    let restarts_outside = share_of_targeted(&|r| r.restarts_outside);

    let per_run: Vec<f64> =
        figures.iter().filter(|f| f.started > 0).map(|f| f.messages as f64 / f.started as f64).collect();
    let last_close = scenario.windows.last_close() as f64;
    let drain: Vec<f64> =
        per_rep(&|f| f.queue.last_processed.map_or(0.0, |t| ((t - last_close) / MINUTE as f64).max(0.0)));
    let latency = &pooled.latency_us;
    let latency_count = latency.len();
    let us_to_s = |v: u64| v as f64 / 1.0e6;
    let latency_seconds = LatencyFigures {
        mean: if latency_count == 0 { 0.0 } else { pooled.latency_sum_us as f64 / latency_count as f64 / 1.0e6 },
        p50: quantile(latency, 0.50, us_to_s),
        p90: quantile(latency, 0.90, us_to_s),
        p95: quantile(latency, 0.95, us_to_s),
        p99: quantile(latency, 0.99, us_to_s),
        max: if latency_count == 0 { 0.0 } else { us_to_s(latency.max()) },
    };
    let by_kind: BTreeMap<String, f64> = MessageKind::ALL
        .iter()
        .map(|k| (k.key().to_owned(), safe_div(pooled.by_kind[*k as usize] as f64, reps as f64)))
        .collect();

    let windows = scenario
        .windows
        .list
        .iter()
        .zip(&pooled.windows)
        .map(|(w, t)| {
            let share = |o: Outcome| Mean { mean: safe_div(t.outcomes[o as usize] as f64, t.targeted as f64) };
            WindowFigures {
                name: w.name.clone(),
                day: w.day.name().to_owned(),
                start: format!("{:02}:{:02}", w.time_of_day / HOUR, (w.time_of_day % HOUR) / MINUTE),
                targeted_mean: safe_div(t.targeted as f64, reps as f64),
                completed_in_window: share(Outcome::CompletedInWindow),
                overran: share(Outcome::Overran),
                failed: share(Outcome::Failed),
                stopped: share(Outcome::Stopped),
                not_started: share(Outcome::NotStarted),
                messages_mean: safe_div(t.messages as f64, reps as f64),
            }
        })
        .collect();

    Summary {
        schema: SUMMARY_SCHEMA.to_owned(),
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        seed,
        replications: reps as u64,
        fleet: FleetFigures {
            servers: scenario.fleet.servers,
            targeted_mean: Estimate::of(&per_rep(&|f| f.targeted as f64)).mean,
            excluded_mean: Estimate::of(&per_rep(&|f| f.excluded as f64)).mean,
            started_mean: Estimate::of(&per_rep(&|f| f.started as f64)).mean,
        },
        outcomes: OutcomeShares {
            completed_in_window: outcome(Outcome::CompletedInWindow),
            overran: outcome(Outcome::Overran),
            failed: outcome(Outcome::Failed),
            stopped: outcome(Outcome::Stopped),
            not_started: outcome(Outcome::NotStarted),
        },
        overrun_minutes: spread(&pooled.overrun_ms, pooled.overrun_sum_ms),
        duration_minutes: spread(&pooled.duration_ms, pooled.duration_sum_ms),
        restarts: RestartFigures {
            per_server_mean: restarts.mean,
            outside_window_per_server_mean: restarts_outside.mean,
            per_server_ci95: [restarts.low, restarts.high],
            outside_window_per_server_ci95: [restarts_outside.low, restarts_outside.high],
        },
        status_messages: MessageFigures {
            per_run_mean: Estimate::of(&per_run).mean,
            total_mean: Estimate::of(&per_rep(&|f| f.messages as f64)).mean,
            peak_per_minute: mean_max(&per_rep(&|f| f.queue.peak_per_minute as f64)),
            backlog_peak: mean_max(&per_rep(&|f| f.queue.backlog_peak as f64)),
            latency_seconds,
            drain_minutes_after_last_window: Estimate::of(&drain).mean,
            by_kind,
        },
        windows,
        performance: Performance {
            server_runs: pooled.server_runs,
            events: pooled.events,
            wall_seconds: result.wall_seconds,
            threads: result.threads,
        },
    }
}

fn mean_ci(e: Estimate) -> MeanCi {
    MeanCi { mean: e.mean, ci95: [e.low, e.high] }
}

fn mean_max(values: &[f64]) -> MeanMax {
    MeanMax { mean: Estimate::of(values).mean, max: values.iter().copied().fold(0.0, f64::max) }
}

fn safe_div(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn quantile(h: &Histogram<u64>, q: f64, scale: impl Fn(u64) -> f64) -> f64 {
    if h.is_empty() { 0.0 } else { scale(h.value_at_quantile(q)) }
}

/// A pooled distribution of milliseconds, reported in minutes.
fn spread(h: &Histogram<u64>, sum_ms: u128) -> Spread {
    let to_min = |ms: u64| ms as f64 / MINUTE as f64;
    let count = h.len();
    Spread {
        count,
        mean: if count == 0 { 0.0 } else { sum_ms as f64 / count as f64 / MINUTE as f64 },
        p50: quantile(h, 0.50, to_min),
        p90: quantile(h, 0.90, to_min),
        p95: quantile(h, 0.95, to_min),
        p99: quantile(h, 0.99, to_min),
        max: if count == 0 { 0.0 } else { to_min(h.max()) },
    }
}
