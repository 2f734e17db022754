//! From a run's results to the [`Summary`]: means and confidence intervals from the
//! accumulated statistics, percentiles of pooled histograms, per-window shares.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::figure::Figure;
use super::runner::RunResult;
use super::statistics::ComponentAccumulators;
use super::summary::{
    ComponentFigures, EstimateFigures, FleetFigures, InfrastructureFigures, LatencyFigures, Mean, MeanCi, MeanMax,
    MessageFigures, OutageFigures, OutcomeShares, PATCHSIM_VERSION, Performance, ResourceFigures, RestartFigures,
    SUMMARY_SCHEMA, Spread, StateFigures, Summary, TailFigures, WarningFigures, WeekFigures, WindowFigures,
};
use super::{accumulator::Accumulator, estimate::Bounds};
use crate::scenario::duration::{HOUR, MINUTE};
use crate::scenario::{MessageKind, Scenario};

/// Builds the summary of a run of `scenario` with `seed`.
pub fn summarize(scenario: &Scenario, seed: u64, result: &RunResult) -> Summary {
    let pooled = &result.pooled;
    let st = &result.statistics;
    let reps = result.replications as f64;
    let per_rep = |count: u64| safe_div(count as f64, reps);

    let by_kind: BTreeMap<String, f64> =
        MessageKind::ALL.iter().map(|k| (k.key().to_owned(), per_rep(pooled.by_kind[*k as usize]))).collect();
    let kinds = |list: &[MessageKind]| per_rep(list.iter().map(|k| pooled.by_kind[*k as usize]).sum::<u64>());
    use MessageKind as K;
    let by_event: BTreeMap<String, f64> = [
        ("run", kinds(&[K::RunStarted, K::RunCompleted, K::RunFailed])),
        ("group", kinds(&[K::GroupStarted, K::GroupCompleted, K::GroupSkipped])),
        ("step", kinds(&[K::StepSucceeded, K::StepFailed, K::StepSkipped, K::StepDisabled])),
        ("restart", kinds(&[K::Restart])),
        ("state", per_rep(pooled.state_messages)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    let windows = scenario
        .windows
        .list
        .iter()
        .zip(&pooled.windows)
        .zip(&pooled.window_overrun_s)
        .map(|((w, t), overruns)| {
            let share =
                |o: crate::engine::Outcome| Mean { mean: safe_div(t.outcomes[o as usize] as f64, t.targeted as f64) };
            use crate::engine::Outcome as O;
            WindowFigures {
                name: w.name.clone(),
                day: w.day_label().to_owned(),
                start: format!("{:02}:{:02}", w.time_of_day / HOUR, (w.time_of_day % HOUR) / MINUTE),
                targeted_mean: per_rep(t.targeted),
                completed_in_window: share(O::CompletedInWindow),
                overran: share(O::Overran),
                failed: share(O::Failed),
                stopped: share(O::Stopped),
                not_started: share(O::NotStarted),
                messages_mean: per_rep(t.messages),
                overrun_p95_minutes: quantile(overruns, 0.95, |s| s as f64 / 60.0),
                resource_wait_minutes_mean: (!scenario.resources.is_empty()).then(|| {
                    let started = t.targeted - t.outcomes[O::NotStarted as usize];
                    safe_div(t.resource_wait_ms as f64 / MINUTE as f64, started as f64)
                }),
            }
        })
        .collect();

    let targeted: u64 = pooled.windows.iter().map(|w| w.targeted).sum();
    let mut done = 0u64;
    let weeks = pooled
        .weeks
        .iter()
        .enumerate()
        .map(|(k, outcomes)| {
            use crate::engine::Outcome as O;
            let due: u64 = outcomes.iter().sum();
            let share = |o: O| Mean { mean: safe_div(outcomes[o as usize] as f64, due as f64) };
            done += outcomes[O::CompletedInWindow as usize] + outcomes[O::Overran as usize];
            WeekFigures {
                week: k as u32 + 1,
                due_mean: per_rep(due),
                started_mean: per_rep(due - outcomes[O::NotStarted as usize]),
                completed_in_window: share(O::CompletedInWindow),
                overran: share(O::Overran),
                failed: share(O::Failed),
                stopped: share(O::Stopped),
                not_started: share(O::NotStarted),
                done_by_end: Mean { mean: safe_div(done as f64, targeted as f64) },
            }
        })
        .collect();

    let estimates: BTreeMap<Figure, EstimateFigures> =
        st.figures().into_iter().map(|(figure, acc)| (figure, estimate_figures(acc, figure.bounds()))).collect();
    let restarts = st.restarts_per_server.estimate().within(Bounds::NonNegative);
    let restarts_outside = st.restarts_outside_per_server.estimate().within(Bounds::NonNegative);

    Summary {
        schema: SUMMARY_SCHEMA.to_owned(),
        patchsim_version: PATCHSIM_VERSION.to_owned(),
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        seed,
        replications: result.replications,
        overrides: Vec::new(),
        fleet: FleetFigures {
            servers: scenario.fleet.servers,
            targeted_mean: st.targeted.estimate().mean,
            excluded_mean: st.excluded.estimate().mean,
            started_mean: st.started.estimate().mean,
        },
        outcomes: OutcomeShares {
            completed_in_window: mean_ci(&st.completed_in_window),
            overran: mean_ci(&st.overran),
            failed: mean_ci(&st.failed),
            stopped: mean_ci(&st.stopped),
            not_started: mean_ci(&st.not_started),
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
            per_run_mean: st.messages_per_run.estimate().mean,
            total_mean: st.messages.estimate().mean,
            peak_per_minute: mean_max(&st.peak_per_minute, Bounds::NonNegative),
            peak_per_second: mean_max(&st.peak_per_second, Bounds::NonNegative),
            backlog_peak: mean_max(&st.backlog_peak, Bounds::NonNegative),
            latency_seconds: latency(&pooled.latency_us, pooled.latency_sum_us),
            drain_minutes_after_last_window: st.drain_minutes.estimate().mean,
            lost_mean: scenario.messages.inline().then(|| per_rep(pooled.lost_messages)),
            by_kind,
            by_event,
        },
        state_messages: StateFigures {
            per_update: scenario.messages.state_per_update,
            batch_minutes: scenario.messages.state_batch as f64 / MINUTE as f64,
            total_mean: st.state_messages.estimate().mean,
            latency_seconds: latency(&pooled.state_latency_us, pooled.state_latency_sum_us),
        },
        infrastructure: infrastructure(scenario, result),
        windows,
        weeks,
        resources: resources(scenario, pooled, reps),
        estimates,
        precision: None,
        shard: None,
        warnings: scenario
            .warnings
            .iter()
            .map(|w| WarningFigures { key: w.key.clone(), line: w.line, column: w.column, message: w.message.clone() })
            .collect(),
        performance: Performance {
            server_runs: pooled.server_runs,
            events: pooled.events,
            wall_seconds: result.wall_seconds,
            threads: result.threads,
        },
    }
}

/// The figures of each shared resource.
fn resources(scenario: &Scenario, pooled: &super::tally::Pooled, reps: f64) -> Vec<ResourceFigures> {
    use crate::scenario::resource::ResourceKind;
    let empty = super::tally::ResourceTotals::default();
    scenario
        .resources
        .iter()
        .enumerate()
        .map(|(r, resource)| {
            let t = pooled.resources.get(r).unwrap_or(&empty);
            let tail = |h: &Histogram<u64>, sum: f64, scale: f64| TailFigures {
                mean: safe_div(sum, h.len() as f64),
                p95: quantile(h, 0.95, |v| v as f64 * scale),
                max: if h.is_empty() { 0.0 } else { h.max() as f64 * scale },
            };
            let (kind, shared) = match &resource.kind {
                ResourceKind::Shared { .. } => ("shared", true),
                ResourceKind::Slots { .. } => ("slots", false),
            };
            ResourceFigures {
                name: resource.name.clone(),
                kind: kind.to_owned(),
                instances: resource.instances,
                utilisation: t.utilisation.estimate().mean,
                peak: mean_max(&t.peak, Bounds::NonNegative),
                stretch: shared.then(|| tail(&t.stretch_milli, t.stretch_sum.value(), 1e-3)),
                bytes_total_mean: resource.works_in_bytes().then(|| safe_div(t.work.value(), reps)),
                wait_seconds: (!shared).then(|| tail(&t.wait_ms, t.wait_sum_ms as f64 / 1_000.0, 1e-3)),
                refused_mean: (!shared).then(|| safe_div(t.refused as f64, reps)),
                failed_mean: (!shared).then(|| safe_div(t.failed as f64, reps)),
            }
        })
        .collect()
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

/// Per-component figures.
fn infrastructure(scenario: &Scenario, result: &RunResult) -> InfrastructureFigures {
    let infra = &scenario.infrastructure;
    let component = |name: String, rate: Option<f64>, workers: u32, acc: &ComponentAccumulators| {
        let messages = acc.messages.estimate().mean;
        let sojourn = acc.sojourn_ms.estimate().mean;
        ComponentFigures {
            name,
            rate,
            workers,
            messages_mean: messages,
            utilisation: mean_max(&acc.utilisation, Bounds::Share),
            peak_hour_utilisation: mean_max(&acc.peak_hour_utilisation, Bounds::Share),
            backlog_peak: mean_max(&acc.backlog_peak, Bounds::NonNegative),
            time_in_component_seconds_mean: safe_div(sojourn, messages) / 1_000.0,
        }
    };
    let st = &result.statistics;
    let status_manager = component(
        "status_manager".to_owned(),
        infra.status_manager_rate,
        infra.status_manager_workers,
        &st.status_manager,
    );
    let state_system = scenario.messages.sends_state().then(|| {
        component("state_system".to_owned(), infra.state_system_rate(), infra.state_system_workers(), &st.state_system)
    });
    let management_points = st
        .management_points
        .iter()
        .enumerate()
        .map(|(k, acc)| component(format!("mp:{}", k + 1), infra.mp_rate, 1, acc))
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
    InfrastructureFigures { status_manager, state_system, management_points, outages }
}

/// A share's mean and interval.
fn mean_ci(acc: &Accumulator) -> MeanCi {
    let e = acc.estimate().within(Bounds::Share);
    MeanCi { mean: e.mean, ci95: [e.low, e.high] }
}

fn mean_max(acc: &Accumulator, bounds: Bounds) -> MeanMax {
    let e = acc.estimate().within(bounds);
    MeanMax { mean: e.mean, max: acc.max_or_zero(), ci95: [e.low, e.high] }
}

fn estimate_figures(acc: &Accumulator, bounds: Bounds) -> EstimateFigures {
    let e = acc.estimate().within(bounds);
    EstimateFigures {
        mean: e.mean,
        ci95: [e.low, e.high],
        sd: e.sd,
        replications: acc.n,
        min: acc.min.unwrap_or(0.0),
        max: acc.max_or_zero(),
    }
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
