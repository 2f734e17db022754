//! What a report draws on: the [`Summary`] and the distributions behind its figures, already
//! reduced to what charts plot (bins, percentiles, cumulative shares, per-minute means).
//!
//! Built once from a run's results ([`ReportData::of`]); exporters and charts only read it.

use hdrhistogram::Histogram;

use super::load_csv::WEEK_MINUTES;
use super::resource_view::ResourceView;
use crate::messages::LoadSeries;
use crate::montecarlo::RunResult;
use crate::montecarlo::summary::Summary;
use crate::scenario::Scenario;
use crate::scenario::duration::MINUTE;

/// A bar of a histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Lower edge.
    pub low: f64,
    /// Upper edge (the last bin holds everything above its lower edge).
    pub high: f64,
    /// Share of the values in the bin.
    pub share: f64,
}

/// Per-minute means over replications, from Monday 00:00.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadMeans {
    /// Messages sent by servers.
    pub sent: Vec<f64>,
    /// Messages arriving at Status Manager.
    pub arrived: Vec<f64>,
    /// Messages processed by Status Manager.
    pub processed: Vec<f64>,
    /// Messages waiting at Status Manager at the minute's end.
    pub backlog: Vec<f64>,
    /// State messages arriving at the State System.
    pub state_arrived: Vec<f64>,
    /// State messages waiting at the State System at the minute's end.
    pub state_backlog: Vec<f64>,
}

impl LoadMeans {
    /// Means of `replications` replications' summed series, over at least `minutes` minutes.
    pub fn from_series(series: &LoadSeries, replications: u64, minutes: usize) -> Self {
        let n = series.minutes(minutes);
        let reps = replications.max(1) as f64;
        let at = |v: &Vec<u64>, m: usize| v.get(m).copied().unwrap_or(0);
        let mut out = Self {
            sent: Vec::with_capacity(n),
            arrived: Vec::with_capacity(n),
            processed: Vec::with_capacity(n),
            backlog: Vec::with_capacity(n),
            state_arrived: Vec::new(),
            state_backlog: Vec::new(),
        };
        let mut backlog: u64 = 0;
        // The State System's minutes run on as long as it works, whatever Status Manager's.
        if !series.state_arrived.is_empty() {
            let state_n = n.max(series.state_arrived.len()).max(series.state_processed.len());
            let mut state_backlog: u64 = 0;
            for m in 0..state_n {
                let (arrived, processed) = (at(&series.state_arrived, m), at(&series.state_processed, m));
                state_backlog = (state_backlog + arrived).saturating_sub(processed);
                out.state_arrived.push(arrived as f64 / reps);
                out.state_backlog.push(state_backlog as f64 / reps);
            }
        }
        for m in 0..n {
            let (arrived, processed) = (at(&series.arrived, m), at(&series.processed, m));
            backlog = (backlog + arrived).saturating_sub(processed);
            out.sent.push(at(&series.sent, m) as f64 / reps);
            out.arrived.push(arrived as f64 / reps);
            out.processed.push(processed as f64 / reps);
            out.backlog.push(backlog as f64 / reps);
        }
        out
    }
}

/// The summary and the distributions a report draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// The summary (`summary.json`).
    pub summary: Summary,
    /// What the scenario assumes, as text lines (the fleet, windows, deployment, site, steps).
    pub assumptions: String,
    /// Every window as (start, end), minutes since Monday 00:00.
    pub windows: Vec<(f64, f64)>,
    /// Length of a window, minutes.
    pub window_minutes: f64,
    /// The site's load minute by minute.
    pub load: LoadMeans,
    /// Overruns of the servers that overran, minutes, as histogram bars.
    pub overrun_bins: Vec<Bin>,
    /// Status-message latency percentiles: (percentile 0–100, seconds).
    pub latency_percentiles: Vec<(f64, f64)>,
    /// State-message latency percentiles (empty when there are none).
    pub state_latency_percentiles: Vec<(f64, f64)>,
    /// When runs ended relative to their window's end: (minutes, share of started runs ended).
    pub end_cdf: Vec<(f64, f64)>,
    /// The shared resources over the first replication (empty without resources, or when the
    /// report was made without rerunning it).
    pub resources: Vec<ResourceView>,
}

/// Percentiles drawn in latency charts.
pub const PERCENTILES: [f64; 11] = [0.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99, 100.0];

/// Percentiles of a histogram of microseconds, in seconds.
pub fn percentiles_seconds(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    if h.is_empty() {
        return Vec::new();
    }
    PERCENTILES.iter().map(|p| (*p, h.value_at_percentile(*p) as f64 / 1.0e6)).collect()
}

/// A round bin width (1, 2 or 5 × a power of ten) giving about `bins` bins up to `upper`.
pub fn nice_width(upper: f64, bins: f64) -> f64 {
    let raw = (upper / bins).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().find(|s| s * magnitude >= raw).unwrap_or(10.0);
    step * magnitude
}

/// Histogram bars of a histogram of milliseconds, in minutes: about 30 round-width bins up to
/// the 99.5th percentile; the last bar holds everything above.
pub fn minute_bins(h: &Histogram<u64>) -> Vec<Bin> {
    let total = h.len();
    if total == 0 {
        return Vec::new();
    }
    let upper = (h.value_at_quantile(0.995) as f64 / 60_000.0).max(1.0);
    let width = nice_width(upper, 30.0);
    let count = (upper / width).ceil().max(1.0) as usize;
    let mut counts = vec![0u64; count + 1];
    for v in h.iter_recorded() {
        let minutes = h.median_equivalent(v.value_iterated_to()) as f64 / 60_000.0;
        let i = ((minutes / width) as usize).min(count);
        counts[i] += v.count_at_value();
    }
    if counts[count] == 0 {
        counts.pop();
    }
    let last = counts.len() - 1;
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| Bin {
            low: i as f64 * width,
            high: if i == last && i == count { f64::INFINITY } else { (i + 1) as f64 * width },
            share: *c as f64 / total as f64,
        })
        .collect()
}

/// The cumulative share of values of a histogram of milliseconds, as (minutes − `offset`, share):
/// at most about 400 points.
pub fn cdf_minutes(h: &Histogram<u64>, offset: f64) -> Vec<(f64, f64)> {
    let total = h.len();
    if total == 0 {
        return Vec::new();
    }
    let points: Vec<(f64, f64)> = {
        let mut seen = 0u64;
        h.iter_recorded()
            .map(|v| {
                seen += v.count_at_value();
                (h.median_equivalent(v.value_iterated_to()) as f64 / 60_000.0 - offset, seen as f64 / total as f64)
            })
            .collect()
    };
    let step = points.len().div_ceil(400).max(1);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(step).copied().collect();
    if let Some(last) = points.last()
        && out.last() != Some(last)
    {
        out.push(*last);
    }
    out
}

impl ReportData {
    /// The report with the shared resources' load of one replication (see
    /// [`crate::engine::Simulator::resource_load`]), in the scenario's declaration order.
    pub fn with_resources(mut self, scenario: &Scenario, loads: &[crate::engine::coupled::ResourceLoad]) -> Self {
        self.resources = scenario.resources.iter().zip(loads).map(|(r, l)| ResourceView::of(r, l)).collect();
        self
    }

    /// Everything a report of `scenario` draws: `summary` (made by
    /// [`crate::montecarlo::summarize`], possibly annotated) and the distributions of `result`
    /// behind it.
    pub fn of(scenario: &Scenario, summary: Summary, result: &RunResult) -> Self {
        let pooled = &result.pooled;
        let window_minutes = scenario.windows.length as f64 / MINUTE as f64;
        Self {
            assumptions: super::assumptions::describe(scenario),
            windows: scenario
                .windows
                .list
                .iter()
                .map(|w| (w.start as f64 / MINUTE as f64, w.end as f64 / MINUTE as f64))
                .collect(),
            window_minutes,
            load: LoadMeans::from_series(&pooled.series, result.replications, WEEK_MINUTES),
            overrun_bins: minute_bins(&pooled.overrun_ms),
            latency_percentiles: percentiles_seconds(&pooled.latency_us),
            state_latency_percentiles: percentiles_seconds(&pooled.state_latency_us),
            end_cdf: cdf_minutes(&pooled.end_in_window_ms, window_minutes),
            resources: Vec::new(),
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_round() {
        assert_eq!(nice_width(30.0, 30.0), 1.0);
        assert_eq!(nice_width(45.0, 30.0), 2.0);
        assert_eq!(nice_width(100.0, 30.0), 5.0);
        assert_eq!(nice_width(250.0, 30.0), 10.0);
    }

    #[test]
    fn bins_and_cdf_account_for_every_value() {
        let mut h = crate::montecarlo::tally::duration_histogram();
        for minutes in [1u64, 2, 2, 3, 10, 20, 600] {
            h.record(minutes * 60_000).unwrap();
        }
        let bins = minute_bins(&h);
        let total: f64 = bins.iter().map(|b| b.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(bins.windows(2).all(|w| w[0].high == w[1].low));
        let cdf = cdf_minutes(&h, 0.0);
        assert_eq!(cdf.last().unwrap().1, 1.0);
        assert!(cdf.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
    }
}
