//! The back-test: a scenario's projection set beside the month a history shows, figure by
//! figure, overall and per window, each with the interval one month of the projection falls in
//! and a verdict (`patchsim backtest`).
//!
//! **Both sides are measured alike.** The history's runs are laid on the scenario's windows
//! ([`ObservedMonth`]); each simulated server's record becomes the same [`MonthRun`] (its window,
//! how it ended, its duration and restarts), and the same functions ([`month_values`]) make the
//! figures of both: outcome shares of the started runs, duration percentiles of the completed
//! ones, restarts per started run, and — when the number of servers targeted is given — the
//! not-started share of them.
//!
//! **The interval is a prediction interval for one month**, not the confidence interval of the
//! projection's mean: the history is one month of a finite fleet, so it scatters around the
//! projected mean as one replication does. Each replication is cut to a month of the history's
//! size — that many of its started runs (or targeted servers), drawn without replacement from
//! the back-test's own stream — and the figure is computed on it; over the replications these
//! values have a mean `m` and standard deviation `s`, and the interval is
//! `m ± t(0.975, R−1) · s · √(1 + 1/R)`, kept within the figure's range. It does not shrink with
//! more replications (only gets surer); a month of more runs narrows it.
//!
//! **Per window** the observed share of the window's runs that overran (or failed) is set beside
//! the window's projected share `p` (all replications pooled) with the central 95% band of a
//! binomial of the window's observed runs: a window of `n` runs shows `k/n` with `k` between the
//! 2.5% and 97.5% quantiles of Binomial(n, p).

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::coupling_figures::CouplingFigures;
use crate::engine::{Outcome, ServerRecord, Simulator};
use crate::import::History;
use crate::import::coupling::CouplingCheck;
use crate::import::observed_month::{MonthRun, ObservedMonth, RunOutcome};
use crate::messages::Emissions;
use crate::montecarlo::memory::{Extras, MemoryEstimate};
use crate::montecarlo::{RunError, worker_pool};
use crate::random::layout::backtest_stream;
use crate::scenario::Scenario;
use crate::sequence::Program;
use crate::special::{ln_gamma, student_t_quantile};

/// The schema identifier of `backtest.json`.
pub const BACKTEST_SCHEMA: &str = "patchsim/backtest/v1";

/// A figure the back-test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BacktestFigure {
    /// Share of the started runs that completed in their window.
    CompletedInWindow,
    /// Share of the started runs that completed after their window closed.
    Overran,
    /// Share of the started runs that failed, were stopped or never ended.
    Failed,
    /// Share of the targeted servers with no run (only with the number targeted).
    NotStarted,
    /// Median duration of the completed runs, minutes.
    DurationP50Minutes,
    /// 90th percentile of the completed runs' durations, minutes.
    DurationP90Minutes,
    /// 95th percentile of the completed runs' durations, minutes.
    DurationP95Minutes,
    /// Restarts per started run.
    RestartsPerRun,
}

impl BacktestFigure {
    /// Every figure, in the order the tables show them.
    pub const ALL: [Self; 8] = [
        Self::CompletedInWindow,
        Self::Overran,
        Self::Failed,
        Self::NotStarted,
        Self::DurationP50Minutes,
        Self::DurationP90Minutes,
        Self::DurationP95Minutes,
        Self::RestartsPerRun,
    ];

    /// Its key in `backtest.json` and `backtest.csv`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::CompletedInWindow => "completed_in_window",
            Self::Overran => "overran",
            Self::Failed => "failed",
            Self::NotStarted => "not_started",
            Self::DurationP50Minutes => "duration_p50_minutes",
            Self::DurationP90Minutes => "duration_p90_minutes",
            Self::DurationP95Minutes => "duration_p95_minutes",
            Self::RestartsPerRun => "restarts_per_run",
        }
    }

    /// A short label for tables and charts.
    pub const fn label(self) -> &'static str {
        match self {
            Self::CompletedInWindow => "completed in window",
            Self::Overran => "overran",
            Self::Failed => "failed",
            Self::NotStarted => "not started",
            Self::DurationP50Minutes => "run duration p50",
            Self::DurationP90Minutes => "run duration p90",
            Self::DurationP95Minutes => "run duration p95",
            Self::RestartsPerRun => "restarts per run",
        }
    }

    /// Whether it is a share (shown as a percentage, kept within 0 and 1).
    pub const fn is_share(self) -> bool {
        matches!(self, Self::CompletedInWindow | Self::Overran | Self::Failed | Self::NotStarted)
    }
}

impl fmt::Display for BacktestFigure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.key())
    }
}

/// Where the observed value falls against the projection's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the interval: the history is what the projection expects of a month.
    Inside,
    /// Above the interval's high end.
    Above,
    /// Below the interval's low end.
    Below,
}

impl Verdict {
    /// The verdict for `observed` against `[low, high]`.
    pub fn of(observed: f64, low: f64, high: f64) -> Self {
        if observed > high {
            Self::Above
        } else if observed < low {
            Self::Below
        } else {
            Self::Inside
        }
    }

    /// Its word in tables and `backtest.csv`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Inside => "inside",
            Self::Above => "above",
            Self::Below => "below",
        }
    }
}

/// One comparison: a figure of one scope, observed against projected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// `overall`, or a window's name (`Tue 04:00`).
    pub scope: String,
    /// The figure.
    pub figure: BacktestFigure,
    /// The history's value.
    pub observed: f64,
    /// The projection's mean.
    pub projected: f64,
    /// The interval's low end (one month's 95% prediction interval; per window, the binomial
    /// band).
    pub low: f64,
    /// The interval's high end.
    pub high: f64,
    /// Where `observed` falls.
    pub verdict: Verdict,
    /// The history's runs (or targeted servers, for `not_started`) the figure is over.
    pub runs: u64,
}

/// What the history holds, as the back-test read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedFigures {
    /// Data rows of the file.
    pub rows: u64,
    /// Rows not used (a bad time, a missing server …), as `calibrate` counts them.
    pub rows_not_used: u64,
    /// Runs (executions) found.
    pub runs: u64,
    /// Distinct servers with a run.
    pub servers: u64,
    /// Servers whose run started in a window of the scenario: the month compared.
    pub runs_in_windows: u64,
    /// Servers whose run started outside every window (compared with nothing).
    pub runs_outside_windows: u64,
    /// Runs before a server's last (a rerun): not compared.
    pub earlier_runs: u64,
    /// The servers the deployment targeted, when given (`--targeted`).
    pub targeted: Option<u64>,
    /// The time format the history was read in (`iso`, `dmy`, `mdy`, `wmi`).
    pub time_format: Option<String>,
    /// Earliest and latest time of the history.
    pub span: Option<[String; 2]>,
}

/// The back-test of a scenario against a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// Always [`BACKTEST_SCHEMA`].
    pub schema: String,
    /// The scenario's name.
    pub scenario: String,
    /// The history's file name.
    pub history: String,
    /// The seed of the projection.
    pub seed: u64,
    /// Replications of the projection.
    pub replications: u64,
    /// Every `--set KEY=VALUE` applied to the scenario.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The history.
    pub observed: ObservedFigures,
    /// Overall rows first (in [`BacktestFigure::ALL`] order), then each window's, in window
    /// order.
    pub comparisons: Vec<BacktestRow>,
    /// The coupling check of the history's steps (as `calibrate` prints it).
    pub coupling: CouplingFigures,
    /// What limits the comparison (figures left out, runs not compared).
    pub notes: Vec<String>,
}

impl Backtest {
    /// The overall rows.
    pub fn overall(&self) -> impl Iterator<Item = &BacktestRow> {
        self.comparisons.iter().filter(|r| r.scope == OVERALL)
    }

    /// The per-window rows.
    pub fn windows(&self) -> impl Iterator<Item = &BacktestRow> {
        self.comparisons.iter().filter(|r| r.scope != OVERALL)
    }

    /// Whether every comparison is inside its interval.
    pub fn all_inside(&self) -> bool {
        self.comparisons.iter().all(|r| r.verdict == Verdict::Inside)
    }
}

/// The scope of the whole month.
pub const OVERALL: &str = "overall";

/// Why a back-test cannot be made.
#[derive(Debug, Error)]
pub enum BacktestError {
    /// No run of the history starts in any window of the scenario.
    #[error(
        "{file}: none of its {runs} runs on {servers} servers starts in a window of scenario \"{scenario}\" ({windows}): is it the history of this fleet's deployment, with the windows the scenario has?"
    )]
    NoRunInWindows {
        /// The history, as named.
        file: String,
        /// Runs found.
        runs: u64,
        /// Servers found.
        servers: u64,
        /// The scenario's name.
        scenario: String,
        /// The scenario's windows, shortly.
        windows: String,
    },
    /// Fewer servers targeted than the history has servers.
    #[error("--targeted {targeted}: the history has runs on {servers} servers, more than were targeted")]
    Targeted {
        /// The number given.
        targeted: u64,
        /// Servers in the history.
        servers: u64,
    },
    /// Too few replications for an interval.
    #[error("a back-test needs at least 2 replications for its intervals, got {0} (--replications)")]
    Replications(u64),
    /// The projection's threads could not be had (memory, or the pool).
    #[error(transparent)]
    Run(#[from] RunError),
}

/// How to project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacktestOptions {
    /// The seed.
    pub seed: u64,
    /// Replications (at least 2).
    pub replications: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// The servers the deployment targeted (the not-started share needs it).
    pub targeted: Option<u64>,
}

/// The figures of one month of runs, in [`BacktestFigure::ALL`] order (`None` where a figure
/// does not exist: no runs, no completed run, or no number targeted). `not_started` is the
/// count of targeted servers without a run, when known.
pub fn month_values(runs: &[MonthRun], not_started: Option<u64>) -> Vec<Option<f64>> {
    let n = runs.len() as f64;
    let share = |o: RunOutcome| (!runs.is_empty()).then(|| runs.iter().filter(|r| r.outcome == o).count() as f64 / n);
    let mut completed: Vec<u64> =
        runs.iter().filter(|r| r.outcome != RunOutcome::Failed).map(|r| r.duration_ms).collect();
    completed.sort_unstable();
    let percentile = |p: f64| {
        // Nearest rank: the smallest value with at least p of the values at or below it.
        let rank = ((p * completed.len() as f64).ceil() as usize).clamp(1, completed.len().max(1));
        completed.get(rank - 1).map(|ms| *ms as f64 / 60_000.0)
    };
    let not_started = not_started.map(|missing| {
        let targeted = missing + runs.len() as u64;
        if targeted == 0 { 0.0 } else { missing as f64 / targeted as f64 }
    });
    vec![
        share(RunOutcome::CompletedInWindow),
        share(RunOutcome::Overran),
        share(RunOutcome::Failed),
        not_started,
        percentile(0.50),
        percentile(0.90),
        percentile(0.95),
        (!runs.is_empty()).then(|| runs.iter().map(|r| f64::from(r.restarts)).sum::<f64>() / n),
    ]
}

/// A simulated server's record as the history would show its run (`None`: not started or
/// excluded, so the history has no run of it).
pub fn month_run(record: &ServerRecord) -> Option<MonthRun> {
    let outcome = match record.outcome {
        _ if record.excluded => return None,
        Outcome::NotStarted => return None,
        Outcome::CompletedInWindow => RunOutcome::CompletedInWindow,
        Outcome::Overran => RunOutcome::Overran,
        Outcome::Failed | Outcome::Stopped => RunOutcome::Failed,
    };
    Some(MonthRun {
        window: record.window,
        outcome,
        duration_ms: record.end.saturating_sub(record.start),
        restarts: record.restarts,
    })
}

/// What one replication leaves: its figures on a month of the history's size, and each
/// window's started, overran and failed runs over the whole fleet.
struct ReplicationSample {
    values: Vec<Option<f64>>,
    windows: Vec<[u64; 3]>,
    /// Whether the replication had fewer runs (or targeted servers) than the history's month.
    short: bool,
}

/// Back-tests `scenario` against `history` (`shown` names the history in errors and notes);
/// `coupling` is the history's coupling check, carried into the result.
pub fn backtest(
    scenario: &Scenario,
    program: &Program,
    history: &History,
    shown: &str,
    coupling: &CouplingCheck,
    options: BacktestOptions,
) -> Result<Backtest, BacktestError> {
    if options.replications < 2 {
        return Err(BacktestError::Replications(options.replications));
    }
    let month = ObservedMonth::of(history, &scenario.windows);
    if month.runs.is_empty() {
        let list = &scenario.windows.list;
        let windows = match (list.first(), list.last()) {
            (Some(a), Some(b)) if list.len() > 1 => format!("{} windows, {} … {}", list.len(), a.name, b.name),
            (Some(a), _) => format!("one window, {}", a.name),
            _ => "no window".to_owned(),
        };
        return Err(BacktestError::NoRunInWindows {
            file: shown.to_owned(),
            runs: history.executions.len() as u64,
            servers: month.servers,
            scenario: scenario.name.clone(),
            windows,
        });
    }
    if let Some(targeted) = options.targeted
        && targeted < month.servers
    {
        return Err(BacktestError::Targeted { targeted, servers: month.servers });
    }
    let not_started = options.targeted.map(|t| t - month.servers);
    let observed_values = month_values(&month.runs, not_started);
    let samples = project(scenario, program, &month, options)?;

    let mut comparisons = Vec::new();
    for (i, figure) in BacktestFigure::ALL.into_iter().enumerate() {
        let Some(observed) = observed_values[i] else { continue };
        let values: Vec<f64> = samples.iter().filter_map(|s| s.values[i]).collect();
        if values.len() < 2 {
            continue;
        }
        let k = values.len() as f64;
        let mean = values.iter().sum::<f64>() / k;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
        let half = student_t_quantile(0.975, k - 1.0) * sd * (1.0 + 1.0 / k).sqrt();
        let top = if figure.is_share() { 1.0 } else { f64::INFINITY };
        let (low, high) = ((mean - half).max(0.0), (mean + half).min(top));
        let runs =
            if figure == BacktestFigure::NotStarted { options.targeted.unwrap_or(0) } else { month.runs.len() as u64 };
        comparisons.push(BacktestRow {
            scope: OVERALL.to_owned(),
            figure,
            observed,
            projected: mean,
            low,
            high,
            verdict: Verdict::of(observed, low, high),
            runs,
        });
    }

    let mut notes = Vec::new();
    let window_count = scenario.windows.list.len();
    let mut pooled = vec![[0u64; 3]; window_count];
    for s in &samples {
        for (p, w) in pooled.iter_mut().zip(&s.windows) {
            for j in 0..3 {
                p[j] += w[j];
            }
        }
    }
    let mut observed_windows = vec![[0u64; 3]; window_count];
    for run in &month.runs {
        let w = &mut observed_windows[run.window as usize];
        w[0] += 1;
        match run.outcome {
            RunOutcome::Overran => w[1] += 1,
            RunOutcome::Failed => w[2] += 1,
            RunOutcome::CompletedInWindow => {}
        }
    }
    let mut unprojected = Vec::new();
    for (w, window) in scenario.windows.list.iter().enumerate() {
        let [n, overran, failed] = observed_windows[w];
        if n == 0 {
            continue;
        }
        let [started, p_overran, p_failed] = pooled[w];
        if started == 0 {
            unprojected.push(window.name.clone());
            continue;
        }
        for (figure, k, projected) in
            [(BacktestFigure::Overran, overran, p_overran), (BacktestFigure::Failed, failed, p_failed)]
        {
            let p = projected as f64 / started as f64;
            let (lo, hi) = binomial_band(n, p);
            let (low, high) = (lo as f64 / n as f64, hi as f64 / n as f64);
            let observed = k as f64 / n as f64;
            comparisons.push(BacktestRow {
                scope: window.name.clone(),
                figure,
                observed,
                projected: p,
                low,
                high,
                verdict: Verdict::of(observed, low, high),
                runs: n,
            });
        }
    }

    if options.targeted.is_none() {
        notes.push(
            "not started: the history lists only servers that ran, so their share is not observable; give --targeted N (the servers the deployment targeted) to compare it".to_owned(),
        );
    }
    if month.outside > 0 {
        notes.push(format!(
            "{} of the history's {} servers started their run outside every window of the scenario: they are compared with nothing",
            month.outside, month.servers
        ));
    }
    if month.earlier > 0 {
        notes.push(format!(
            "{} runs came before their server's last one (reruns): each server is compared by its last run, as a simulated server is",
            month.earlier
        ));
    }
    if month.without_start > 0 {
        notes.push(format!(
            "{} runs have no start message (11140) in the export: they are timed from their first message, so their durations are short",
            month.without_start
        ));
    }
    let short = samples.iter().filter(|s| s.short).count();
    if short > 0 {
        notes.push(format!(
            "{short} of {} replications had fewer runs than the history's month (the scenario's fleet is smaller than the history's): their figures are over all their runs, so the intervals are somewhat too narrow",
            samples.len()
        ));
    }
    if !unprojected.is_empty() {
        notes.push(format!(
            "the history has runs in {} windows where the projection starts none ({}): not compared",
            unprojected.len(),
            unprojected.join(", ")
        ));
    }
    let (time_format, span) =
        (history.time_format.map(|f| f.name().to_owned()), history.span.as_ref().map(|(a, b)| [a.clone(), b.clone()]));
    Ok(Backtest {
        schema: BACKTEST_SCHEMA.to_owned(),
        scenario: scenario.name.clone(),
        history: shown.to_owned(),
        seed: options.seed,
        replications: options.replications,
        overrides: Vec::new(),
        observed: ObservedFigures {
            rows: history.rows,
            rows_not_used: history.bad_rows(),
            runs: history.executions.len() as u64,
            servers: month.servers,
            runs_in_windows: month.runs.len() as u64,
            runs_outside_windows: month.outside,
            earlier_runs: month.earlier,
            targeted: options.targeted,
            time_format,
            span,
        },
        comparisons,
        coupling: CouplingFigures::of(coupling),
        notes,
    })
}

/// Runs the replications, each cut to a month of the history's size; in replication order
/// whatever the threads.
fn project(
    scenario: &Scenario,
    program: &Program,
    month: &ObservedMonth,
    options: BacktestOptions,
) -> Result<Vec<ReplicationSample>, BacktestError> {
    let pool = worker_pool(&MemoryEstimate::of(scenario, program, Extras::default()), options.threads)?;
    let sim = Simulator::new(scenario, program);
    let windows = scenario.windows.list.len();
    // With the number targeted, a month is that many targeted servers; else the history's runs.
    let size = options.targeted.unwrap_or(month.runs.len() as u64) as usize;
    let samples = pool.install(|| {
        (0..options.replications)
            .into_par_iter()
            .map_init(
                || (sim.scratch(), Emissions::new(scenario.infrastructure.management_points as usize)),
                |(scratch, emissions), replication| {
                    emissions.clear();
                    // Targeted servers: Some(run) when started.
                    let mut targeted: Vec<Option<MonthRun>> = Vec::new();
                    let mut per_window = vec![[0u64; 3]; windows];
                    sim.run_replication(options.seed, replication, scratch, emissions, |record| {
                        if record.excluded {
                            return;
                        }
                        let run = month_run(record);
                        if let Some(r) = run {
                            let w = &mut per_window[r.window as usize];
                            w[0] += 1;
                            match r.outcome {
                                RunOutcome::Overran => w[1] += 1,
                                RunOutcome::Failed => w[2] += 1,
                                RunOutcome::CompletedInWindow => {}
                            }
                        }
                        targeted.push(run);
                    });
                    let mut pool: Vec<Option<MonthRun>> = if options.targeted.is_some() {
                        targeted
                    } else {
                        targeted.into_iter().filter(Option::is_some).collect()
                    };
                    let short = pool.len() < size;
                    let taken = choose(&mut pool, size, options.seed, replication);
                    let runs: Vec<MonthRun> = taken.iter().flatten().copied().collect();
                    let missing = options.targeted.map(|_| taken.iter().filter(|r| r.is_none()).count() as u64);
                    ReplicationSample { values: month_values(&runs, missing), windows: per_window, short }
                },
            )
            .collect::<Vec<_>>()
    });
    Ok(samples)
}

/// The first `k` items of `items` after a partial Fisher–Yates shuffle drawn from the
/// replication's back-test stream: `k` of them without replacement (all when there are fewer).
fn choose<T>(items: &mut [T], k: usize, seed: u64, replication: u64) -> &[T] {
    let k = k.min(items.len());
    let mut rng = backtest_stream(seed, replication).draw(0);
    for i in 0..k {
        let left = (items.len() - i) as u64;
        let j = i + (rng.next_bits() % left) as usize;
        items.swap(i, j);
    }
    &items[..k]
}

/// The central 95% band of Binomial(n, p): the 2.5% and 97.5% quantiles (the smallest counts
/// whose cumulative probability reaches them).
pub fn binomial_band(n: u64, p: f64) -> (u64, u64) {
    if p <= 0.0 {
        return (0, 0);
    }
    if p >= 1.0 {
        return (n, n);
    }
    let nf = n as f64;
    let ln_choose = |k: f64| ln_gamma(nf + 1.0) - ln_gamma(k + 1.0) - ln_gamma(nf - k + 1.0);
    let (mut cumulative, mut low) = (0.0, None);
    for k in 0..=n {
        let kf = k as f64;
        cumulative += (ln_choose(kf) + kf * p.ln() + (nf - kf) * (1.0 - p).ln()).exp();
        if low.is_none() && cumulative >= 0.025 {
            low = Some(k);
        }
        if cumulative >= 0.975 - 1e-12 {
            return (low.unwrap_or(k), k);
        }
    }
    (low.unwrap_or(n), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binomial_band_holds_95_percent_in_the_middle() {
        assert_eq!(binomial_band(10, 0.0), (0, 0));
        assert_eq!(binomial_band(10, 1.0), (10, 10));
        // Binomial(100, 0.5): the 2.5% and 97.5% quantiles are 40 and 60.
        assert_eq!(binomial_band(100, 0.5), (40, 60));
        // Binomial(20, 0.05): P(0) = 0.358 ≥ 2.5%; P(≤3) = 0.984 ≥ 97.5% > P(≤2) = 0.925.
        assert_eq!(binomial_band(20, 0.05), (0, 3));
    }

    #[test]
    fn month_values_are_shares_percentiles_and_means_of_the_runs() {
        let run =
            |outcome, minutes: u64, restarts| MonthRun { window: 0, outcome, duration_ms: minutes * 60_000, restarts };
        let runs = [
            run(RunOutcome::CompletedInWindow, 10, 1),
            run(RunOutcome::CompletedInWindow, 20, 1),
            run(RunOutcome::Overran, 30, 2),
            run(RunOutcome::Failed, 99, 0),
        ];
        let v = month_values(&runs, Some(1));
        assert_eq!(v, [Some(0.5), Some(0.25), Some(0.25), Some(0.2), Some(20.0), Some(30.0), Some(30.0), Some(1.0)]);
        let none = month_values(&[], None);
        assert!(none.iter().all(Option::is_none));
        assert_eq!(Verdict::of(1.0, 0.0, 2.0), Verdict::Inside);
        assert_eq!(Verdict::of(3.0, 0.0, 2.0), Verdict::Above);
        assert_eq!(Verdict::of(-1.0, 0.0, 2.0), Verdict::Below);
    }

    #[test]
    fn choosing_takes_distinct_items_the_same_for_a_seed() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        let first = choose(&mut a, 10, 7, 3).to_vec();
        assert_eq!(first, choose(&mut b, 10, 7, 3));
        let mut sorted = first.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 10);
        assert_ne!(first, (0..10).collect::<Vec<u32>>());
        let mut few = vec![1, 2];
        assert_eq!(choose(&mut few, 5, 7, 3).len(), 2);
    }
}
