//! From raw results to the [`Summary`]: means and confidence intervals over replications,
//! percentiles of pooled histograms, per-window shares.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::runner::RunResult;
use super::stats::Estimate;
use super::tally::ReplicationFigures;
use crate::engine::Outcome;
use crate::messages::ComponentStats;
use crate::report::summary::{
    ComponentFigures, FleetFigures, InfrastructureFigures, LatencyFigures, Mean, MeanCi, MeanMax, MessageFigures,
    OutageFigures, OutcomeShares, Performance, RestartFigures, SUMMARY_SCHEMA, Spread, StateFigures, Summary,
    WindowFigures,
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
        per_rep(&|f| f.site.last_processed.map_or(0.0, |t| ((t - last_close) / MINUTE as f64).max(0.0)));
    let by_kind: BTreeMap<String, f64> = MessageKind::ALL
        .iter()
        .map(|k| (k.key().to_owned(), safe_div(pooled.by_kind[*k as usize] as f64, reps as f64)))
        .collect();
    let kinds = |list: &[MessageKind]| -> f64 {
        safe_div(list.iter().map(|k| pooled.by_kind[*k as usize]).sum::<u64>() as f64, reps as f64)
    };
    use MessageKind as K;
    let by_event: BTreeMap<String, f64> = [
        ("run", kinds(&[K::RunStarted, K::RunCompleted, K::RunFailed])),
        ("group", kinds(&[K::GroupStarted, K::GroupCompleted, K::GroupSkipped])),
        ("step", kinds(&[K::StepSucceeded, K::StepFailed, K::StepSkipped, K::StepDisabled])),
        ("restart", kinds(&[K::Restart])),
        ("state", safe_div(pooled.state_messages as f64, reps as f64)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
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
            peak_per_minute: mean_max(&per_rep(&|f| f.site.peak_per_minute as f64)),
            peak_per_second: mean_max(&per_rep(&|f| f.site.peak_per_second as f64)),
            backlog_peak: mean_max(&per_rep(&|f| f.site.backlog_peak as f64)),
            latency_seconds: latency(&pooled.latency_us, pooled.latency_sum_us),
            drain_minutes_after_last_window: Estimate::of(&drain).mean,
            by_kind,
            by_event,
        },
        state_messages: StateFigures {
            per_update: scenario.messages.state_per_update,
            batch_minutes: scenario.messages.state_batch as f64 / MINUTE as f64,
            total_mean: Estimate::of(&per_rep(&|f| f.state_messages as f64)).mean,
            latency_seconds: latency(&pooled.state_latency_us, pooled.state_latency_sum_us),
        },
        infrastructure: infrastructure(scenario, figures),
        windows,
        performance: Performance {
            server_runs: pooled.server_runs,
            events: pooled.events,
            wall_seconds: result.wall_seconds,
            threads: result.threads,
        },
    }
}

/// Latency figures in seconds from a histogram of microseconds and its exact sum.
fn latency(h: &Histogram<u64>, sum_us: u128) -> LatencyFigures {
    let count = h.len();
    let us_to_s = |v: u64| v as f64 / 1.0e6;
    LatencyFigures {
        mean: if count == 0 { 0.0 } else { sum_us as f64 / count as f64 / 1.0e6 },
        p50: quantile(h, 0.50, us_to_s),
        p90: quantile(h, 0.90, us_to_s),
        p95: quantile(h, 0.95, us_to_s),
        p99: quantile(h, 0.99, us_to_s),
        max: if count == 0 { 0.0 } else { us_to_s(h.max()) },
    }
}

/// Per-component figures, from each replication's site statistics in replication order.
fn infrastructure(scenario: &Scenario, figures: &[ReplicationFigures]) -> InfrastructureFigures {
    let infra = &scenario.infrastructure;
    let component =
        |name: String, rate: Option<f64>, workers: u32, get: &dyn Fn(&ReplicationFigures) -> ComponentStats| {
            let stats: Vec<ComponentStats> = figures.iter().map(get).collect();
            let messages: u64 = stats.iter().map(|c| c.messages).sum();
            let sojourn: f64 = stats.iter().map(|c| c.sojourn_ms).sum();
            ComponentFigures {
                name,
                rate,
                workers,
                messages_mean: safe_div(messages as f64, stats.len() as f64),
                utilisation: mean_max(&stats.iter().map(|c| c.utilisation(workers)).collect::<Vec<_>>()),
                peak_hour_utilisation: mean_max(
                    &stats.iter().map(|c| c.peak_hour_utilisation(workers)).collect::<Vec<_>>(),
                ),
                backlog_peak: mean_max(&stats.iter().map(|c| c.backlog_peak as f64).collect::<Vec<_>>()),
                time_in_component_seconds_mean: safe_div(sojourn, messages as f64) / 1_000.0,
            }
        };
    let status_manager =
        component("status_manager".to_owned(), infra.status_manager_rate, infra.status_manager_workers, &|f| {
            f.site.status_manager
        });
    let management_points = (0..infra.management_points as usize)
        .map(|k| {
            component(format!("mp:{}", k + 1), infra.mp_rate, 1, &|f| {
                f.site.management_points.get(k).copied().unwrap_or_default()
            })
        })
        .collect();
    let outages = infra
        .outages
        .iter()
        .map(|o| OutageFigures {
            component: o.component.to_string(),
            at: crate::scenario::windows::format_week_time(o.at),
            at_minute: o.at as f64 / MINUTE as f64,
            length_minutes: o.length as f64 / MINUTE as f64,
        })
        .collect();
    InfrastructureFigures { status_manager, management_points, outages }
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
