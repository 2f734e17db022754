//! Counting what happened: per-replication figures and the pooled totals of a run.
//!
//! Everything here is an integer count or an integer histogram, so pooled totals merge exactly
//! in any order (across threads, and later across shards from other machines). Floating-point
//! arithmetic happens only in `aggregate`, over the per-replication figures in replication order.

use hdrhistogram::Histogram;

use crate::histogram::{growing, record};

use super::accumulator::Accumulator;
use super::exact_sum::ExactSum;
use crate::engine::coupled::ResourceReplication;
use crate::engine::{Outcome, ServerRecord};
use crate::messages::{LoadSeries, SiteStats, latency_histogram};
use crate::scenario::duration::WEEK;
use crate::scenario::{MessageKind, Millis, Window};

/// The duration the run-time histograms start out covering: 1,000 days in milliseconds. They
/// grow when a longer one comes (any duration a run can take), so no value is ever clamped.
pub const MAX_DURATION_MS: u64 = 1_000 * 86_400 * 1_000;

/// A new, empty histogram of durations in milliseconds (3 significant figures).
pub fn duration_histogram() -> Histogram<u64> {
    growing(MAX_DURATION_MS, 3)
}

/// A new, empty, compact histogram of one window's overruns in seconds (2 significant figures:
/// a per-window p95 to within 1%).
pub fn window_overrun_histogram() -> Histogram<u64> {
    growing(MAX_DURATION_MS / 1_000, 2)
}

/// The figures of one replication.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplicationFigures {
    /// The replication's index.
    pub replication: u64,
    /// Targeted servers.
    pub targeted: u64,
    /// Excluded servers.
    pub excluded: u64,
    /// Servers whose run started.
    pub started: u64,
    /// Targeted servers by outcome, in [`Outcome::ALL`] order.
    pub outcomes: [u64; 5],
    /// Restarts of targeted servers.
    pub restarts: u64,
    /// Restarts that began after the server's window closed.
    pub restarts_outside: u64,
    /// Sum of overruns, milliseconds.
    pub overrun_sum_ms: u64,
    /// Sum of run durations, milliseconds.
    pub duration_sum_ms: u64,
    /// Status messages sent.
    pub messages: u64,
    /// Software-update state messages sent.
    pub state_messages: u64,
    /// The site's figures (management points and Status Manager).
    pub site: SiteStats,
    /// Engine events.
    pub events: u64,
}

impl ReplicationFigures {
    /// The share of targeted servers that ended with `outcome` (none when nothing was targeted).
    pub fn share(&self, outcome: Outcome) -> Option<f64> {
        (self.targeted > 0).then(|| self.outcomes[outcome as usize] as f64 / self.targeted as f64)
    }
}

/// Totals of one window over replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowTotals {
    /// Targeted servers.
    pub targeted: u64,
    /// Targeted servers by outcome.
    pub outcomes: [u64; 5],
    /// Messages sent by the window's servers.
    pub messages: u64,
    /// Time the window's servers waited for or were slowed by shared resources, milliseconds.
    pub resource_wait_ms: u64,
}

/// One shared resource's totals over replications (format 1.1); exact in any order.
#[derive(Debug, Clone)]
pub struct ResourceTotals {
    /// Each replication's busy share of capacity.
    pub utilisation: Accumulator,
    /// Each replication's most activities on one instance.
    pub peak: Accumulator,
    /// Stretch of each completed shared activity, in thousandths.
    pub stretch_milli: Histogram<u64>,
    /// Exact sum of the stretches.
    pub stretch_sum: ExactSum,
    /// Work delivered (bytes where work is bytes).
    pub work: ExactSum,
    /// Each served request's wait for a slot, milliseconds.
    pub wait_ms: Histogram<u64>,
    /// Exact sum of the waits, milliseconds.
    pub wait_sum_ms: u128,
    /// Refusals.
    pub refused: u64,
    /// Activities failed after their last refusal.
    pub failed: u64,
}

impl Default for ResourceTotals {
    fn default() -> Self {
        Self {
            utilisation: Accumulator::default(),
            peak: Accumulator::default(),
            stretch_milli: growing(1_000_000, 3),
            stretch_sum: ExactSum::default(),
            work: ExactSum::default(),
            wait_ms: duration_histogram(),
            wait_sum_ms: 0,
            refused: 0,
            failed: 0,
        }
    }
}

impl ResourceTotals {
    /// Adds what one replication measured.
    pub fn add(&mut self, m: &ResourceReplication) {
        self.utilisation.add(m.utilisation);
        self.peak.add(f64::from(m.peak));
        for s in &m.stretch {
            record(&mut self.stretch_milli, (s * 1_000.0).round() as u64);
            self.stretch_sum.add(*s);
        }
        self.work.add(m.work);
        for w in &m.waits {
            record(&mut self.wait_ms, *w);
            self.wait_sum_ms += u128::from(*w);
        }
        self.refused += m.refused;
        self.failed += m.failed;
    }

    /// Adds another run's totals.
    pub fn merge(&mut self, other: &Self) {
        self.utilisation.merge(&other.utilisation);
        self.peak.merge(&other.peak);
        self.stretch_milli.add(&other.stretch_milli).expect("histograms grow to fit");
        self.stretch_sum.merge(&other.stretch_sum);
        self.work.merge(&other.work);
        self.wait_ms.add(&other.wait_ms).expect("histograms grow to fit");
        self.wait_sum_ms += other.wait_sum_ms;
        self.refused += other.refused;
        self.failed += other.failed;
    }
}

/// Totals pooled over replications: histograms and counts that merge exactly.
#[derive(Debug, Clone)]
pub struct Pooled {
    /// Overruns of servers that overran, milliseconds.
    pub overrun_ms: Histogram<u64>,
    /// Durations of runs that started, milliseconds.
    pub duration_ms: Histogram<u64>,
    /// When runs that started ended, from their window's start, milliseconds.
    pub end_in_window_ms: Histogram<u64>,
    /// Each window's overruns, seconds (rounded up).
    pub window_overrun_s: Vec<Histogram<u64>>,
    /// Status-message latencies, microseconds.
    pub latency_us: Histogram<u64>,
    /// State-message latencies, microseconds.
    pub state_latency_us: Histogram<u64>,
    /// Exact sum of overruns, milliseconds.
    pub overrun_sum_ms: u128,
    /// Exact sum of durations, milliseconds.
    pub duration_sum_ms: u128,
    /// Exact sum of status-message latencies, microseconds.
    pub latency_sum_us: u128,
    /// Exact sum of state-message latencies, microseconds.
    pub state_latency_sum_us: u128,
    /// Messages per minute, summed over replications.
    pub series: LoadSeries,
    /// Per-window totals, in window order.
    pub windows: Vec<WindowTotals>,
    /// Per week of a month of several weeks, the outcomes of the runs due that week (empty for
    /// a month of one week).
    pub weeks: Vec<[u64; 5]>,
    /// Status messages by event kind.
    pub by_kind: [u64; MessageKind::ALL.len()],
    /// State messages.
    pub state_messages: u64,
    /// Status messages lost (inline delivery).
    pub lost_messages: u64,
    /// Server runs simulated.
    pub server_runs: u64,
    /// Engine events plus messages.
    pub events: u64,
    /// Per shared resource, in declaration order (empty without resources).
    pub resources: Vec<ResourceTotals>,
}

impl Pooled {
    /// Empty totals for `windows` windows and `weeks` weeks of figures (0 for a month of one).
    pub fn new(windows: usize, weeks: usize) -> Self {
        Self {
            overrun_ms: duration_histogram(),
            duration_ms: duration_histogram(),
            end_in_window_ms: duration_histogram(),
            window_overrun_s: vec![window_overrun_histogram(); windows],
            latency_us: latency_histogram(),
            state_latency_us: latency_histogram(),
            overrun_sum_ms: 0,
            duration_sum_ms: 0,
            latency_sum_us: 0,
            state_latency_sum_us: 0,
            series: LoadSeries::default(),
            windows: vec![WindowTotals::default(); windows],
            weeks: vec![[0; 5]; weeks],
            by_kind: [0; MessageKind::ALL.len()],
            state_messages: 0,
            lost_messages: 0,
            server_runs: 0,
            events: 0,
            resources: Vec::new(),
        }
    }

    /// Adds what one replication measured at each resource.
    pub fn add_resources(&mut self, measured: &[ResourceReplication]) {
        if self.resources.len() < measured.len() {
            self.resources.resize_with(measured.len(), ResourceTotals::default);
        }
        for (t, m) in self.resources.iter_mut().zip(measured) {
            t.add(m);
        }
    }

    /// Adds another run's totals (exact, order-independent).
    pub fn merge(&mut self, other: &Self) {
        // Same bounds on both sides: addition cannot fail.
        self.overrun_ms.add(&other.overrun_ms).expect("histograms share bounds");
        self.duration_ms.add(&other.duration_ms).expect("histograms share bounds");
        self.end_in_window_ms.add(&other.end_in_window_ms).expect("histograms share bounds");
        for (a, b) in self.window_overrun_s.iter_mut().zip(&other.window_overrun_s) {
            a.add(b).expect("histograms share bounds");
        }
        self.latency_us.add(&other.latency_us).expect("histograms share bounds");
        self.state_latency_us.add(&other.state_latency_us).expect("histograms share bounds");
        self.overrun_sum_ms += other.overrun_sum_ms;
        self.duration_sum_ms += other.duration_sum_ms;
        self.latency_sum_us += other.latency_sum_us;
        self.state_latency_sum_us += other.state_latency_sum_us;
        self.series.merge(&other.series);
        self.state_messages += other.state_messages;
        self.lost_messages += other.lost_messages;
        for (a, b) in self.windows.iter_mut().zip(&other.windows) {
            a.targeted += b.targeted;
            a.messages += b.messages;
            a.resource_wait_ms += b.resource_wait_ms;
            for (x, y) in a.outcomes.iter_mut().zip(&b.outcomes) {
                *x += y;
            }
        }
        for (a, b) in self.weeks.iter_mut().zip(&other.weeks) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.by_kind.iter_mut().zip(&other.by_kind) {
            *a += b;
        }
        self.server_runs += other.server_runs;
        self.events += other.events;
        if self.resources.len() < other.resources.len() {
            self.resources.resize_with(other.resources.len(), ResourceTotals::default);
        }
        for (a, b) in self.resources.iter_mut().zip(&other.resources) {
            a.merge(b);
        }
    }

    /// Counts one server of replication `figures`.
    #[inline]
    pub fn record(&mut self, figures: &mut ReplicationFigures, windows: &[Window], server: &ServerRecord) {
        self.server_runs += 1;
        if server.excluded {
            figures.excluded += 1;
            return;
        }
        let o = server.outcome as usize;
        self.lost_messages += u64::from(server.lost);
        figures.targeted += 1;
        figures.outcomes[o] += 1;
        figures.restarts += u64::from(server.restarts);
        figures.restarts_outside += u64::from(server.restarts_outside);
        figures.messages += u64::from(server.messages);
        figures.state_messages += u64::from(server.state_messages);
        figures.events += u64::from(server.events) + u64::from(server.messages) + u64::from(server.state_messages);
        let w = &mut self.windows[server.window as usize];
        w.targeted += 1;
        w.outcomes[o] += 1;
        w.messages += u64::from(server.messages);
        w.resource_wait_ms += server.resource_wait;
        for (week, outcome) in server.weeks.iter() {
            if let Some(w) = self.weeks.get_mut(week as usize) {
                w[outcome as usize] += 1;
            }
        }
        // The opening of its window its last run was due in.
        let window = &windows[server.window as usize];
        let shift = Millis::from(server.opening) * WEEK;
        if server.outcome.started() {
            figures.started += 1;
            let duration: Millis = server.end - server.start;
            record(&mut self.duration_ms, duration);
            record(&mut self.end_in_window_ms, server.end - (window.start + shift));
            figures.duration_sum_ms += duration;
        }
        if server.outcome == Outcome::Overran {
            let overrun = server.end - (window.end + shift);
            record(&mut self.overrun_ms, overrun);
            record(&mut self.window_overrun_s[server.window as usize], overrun.div_ceil(1_000));
            figures.overrun_sum_ms += overrun;
        }
    }

    /// Folds a finished replication's sums into the totals.
    pub fn finish_replication(&mut self, figures: &ReplicationFigures, by_kind: &[u64; MessageKind::ALL.len()]) {
        self.overrun_sum_ms += u128::from(figures.overrun_sum_ms);
        self.duration_sum_ms += u128::from(figures.duration_sum_ms);
        self.latency_sum_us += figures.site.status_latency_sum_us;
        self.state_latency_sum_us += figures.site.state_latency_sum_us;
        self.state_messages += figures.state_messages;
        self.events += figures.events;
        for (a, b) in self.by_kind.iter_mut().zip(by_kind) {
            *a += b;
        }
    }
}
