//! The site's message pipeline for one replication: management points, then Status Manager
//! for status messages and the State System for state messages, computed exactly from the send
//! times after the servers ran.
//!
//! ```text
//! server i ──send──▶ MP (i mod k) ──FIFO at mp_rate──┬─▶ statmgr.box  ──FIFO, c workers at rate──▶ database
//!                                                    └─▶ statesys.box ──FIFO, c′ workers at rate′─▶ database
//! ```
//!
//! - Each MP is a single FIFO server (Lindley's recursion: `d_n = max(a_n, d_{n−1}) + s_n`), or
//!   forwards instantly when `mp_rate` is absent. Its departures are in order, so the k MPs'
//!   outputs merge into Status Manager's arrival order without sorting.
//! - Status Manager and the State System are each a FIFO queue with its own workers: each message starts on the earliest-free
//!   worker, no earlier than it arrived (a heap of worker free times; one worker is a plain
//!   Lindley recursion).
//! - Service takes `1/rate` seconds (fixed) or an exponential time with that mean, drawn in
//!   queue order from the site's own stream (one generator per component and replication).
//! - Outages defer service starts and pause services in progress ([`Downtime`]); nothing is lost.
//!
//! Send times are radix-sorted; buffers are reused; no allocation happens per message.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use hdrhistogram::Histogram;
use rand_distr::{Distribution, Exp1};

use super::downtime::Downtime;
use super::emissions::{Emissions, is_state, sent_at};
use super::radix;
use crate::random::stream::{combine, mix64};
use crate::random::{DrawRng, Stream};
use crate::scenario::duration::{HOUR, MINUTE, SECOND};
use crate::scenario::{Component, Infrastructure, Service};

/// Figures of one component (an MP or Status Manager) in one replication.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ComponentStats {
    /// Messages that went through.
    pub messages: u64,
    /// Total service time, milliseconds (outage pauses excluded).
    pub busy_ms: f64,
    /// First arrival, milliseconds since Monday 00:00.
    pub first_arrival: Option<f64>,
    /// Last departure.
    pub last_departure: Option<f64>,
    /// Most messages in the component at once (waiting or in service).
    pub backlog_peak: u64,
    /// Total time messages spent in the component (waiting and in service), milliseconds.
    pub sojourn_ms: f64,
    /// Service time that started in the busiest clock hour (from Monday 00:00), milliseconds.
    pub peak_hour_busy_ms: f64,
}

impl ComponentStats {
    /// Busy time over the time the component had work (first arrival to last departure),
    /// per worker; 0 when it saw no message or forwards instantly.
    pub fn utilisation(&self, workers: u32) -> f64 {
        match (self.first_arrival, self.last_departure) {
            (Some(a), Some(d)) if d > a => (self.busy_ms / ((d - a) * f64::from(workers.max(1)))).min(1.0),
            _ => 0.0,
        }
    }

    /// Busy time in the busiest clock hour over the hour, per worker.
    pub fn peak_hour_utilisation(&self, workers: u32) -> f64 {
        (self.peak_hour_busy_ms / (HOUR as f64 * f64::from(workers.max(1)))).min(1.0)
    }
}

/// Figures of the site in one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteStats {
    /// Status messages processed.
    pub status_messages: u64,
    /// State messages processed.
    pub state_messages: u64,
    /// Most messages arriving at Status Manager in one minute (minutes from Monday 00:00).
    pub peak_per_minute: u64,
    /// Most messages arriving at Status Manager in one second.
    pub peak_per_second: u64,
    /// Most messages waiting at Status Manager at once (arrived, not yet processed).
    pub backlog_peak: u64,
    /// When the last message was processed, milliseconds since Monday 00:00.
    pub last_processed: Option<f64>,
    /// Sum of status-message latencies, microseconds.
    pub status_latency_sum_us: u128,
    /// Sum of state-message latencies, microseconds.
    pub state_latency_sum_us: u128,
    /// Status Manager.
    pub status_manager: ComponentStats,
    /// The State System (software-update state messages).
    pub state_system: ComponentStats,
    /// Each management point.
    pub management_points: Vec<ComponentStats>,
}

/// How far the per-minute series reach: 8 weeks from Monday 00:00. A site so slow that it is
/// still working after that (a backlog of weeks) is not drawn minute by minute past it; its
/// drain time and latencies are still exact.
pub const SERIES_MINUTES: usize = 8 * 7 * 24 * 60;

/// Messages per minute (from Monday 00:00, for at most [`SERIES_MINUTES`]), summed over
/// replications.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadSeries {
    /// Sent by servers.
    pub sent: Vec<u64>,
    /// Arrived at Status Manager.
    pub arrived: Vec<u64>,
    /// Processed by Status Manager.
    pub processed: Vec<u64>,
    /// State messages arrived at the State System.
    pub state_arrived: Vec<u64>,
    /// State messages processed by the State System.
    pub state_processed: Vec<u64>,
}

impl LoadSeries {
    /// Adds another series (element-wise; exact).
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in [
            (&mut self.sent, &other.sent),
            (&mut self.arrived, &other.arrived),
            (&mut self.processed, &other.processed),
            (&mut self.state_arrived, &other.state_arrived),
            (&mut self.state_processed, &other.state_processed),
        ] {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Minutes covered by the status messages (what `load.csv` lists): up to the last minute with
    /// any, and at least `at_least`.
    pub fn minutes(&self, at_least: usize) -> usize {
        self.sent.len().max(self.arrived.len()).max(self.processed.len()).max(at_least)
    }
}

/// Where the site records what it saw: latencies (microseconds) and the per-minute series.
pub struct Recorders<'a> {
    /// Status-message latencies.
    pub status_latency: &'a mut Histogram<u64>,
    /// State-message latencies.
    pub state_latency: &'a mut Histogram<u64>,
    /// Per-minute counts.
    pub series: &'a mut LoadSeries,
}

/// A float with a total order, for heaps of times.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Time(f64);

impl Eq for Time {}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Stream tag of Status Manager's service times.
const SM_TAG: u64 = 0x534D;
/// Stream tag of the management points' service times.
const MP_TAG: u64 = 0x4D50;
/// Stream tag of the State System's service times.
const SS_TAG: u64 = 0x5353;

/// Counts a non-decreasing sequence of times per calendar bucket (a minute, a second), adds
/// the counts to a series, and keeps the busiest bucket: one division per new bucket.
///
/// Times that go backwards are counted correctly too (in their own bucket), just less cheaply.
#[derive(Debug, Clone, Copy)]
struct BucketCounter {
    width: u64,
    bucket: u64,
    start: u64,
    end: u64,
    count: u64,
    peak: u64,
}

impl BucketCounter {
    fn new(width: u64) -> Self {
        Self { width, bucket: 0, start: 0, end: 0, count: 0, peak: 0 }
    }

    #[inline(always)]
    fn add(&mut self, t: u64, series: Option<&mut Vec<u64>>) {
        if t >= self.end || t < self.start {
            self.flush(series);
            self.bucket = t / self.width;
            self.start = self.bucket * self.width;
            self.end = self.start + self.width;
        }
        self.count += 1;
    }

    fn flush(&mut self, series: Option<&mut Vec<u64>>) {
        if self.count == 0 {
            return;
        }
        if let Some(series) = series
            && self.bucket < SERIES_MINUTES as u64 * MINUTE / self.width
        {
            let i = self.bucket as usize;
            if i >= series.len() {
                series.resize(i + 1, 0);
            }
            series[i] += self.count;
        }
        self.peak = self.peak.max(self.count);
        self.count = 0;
    }
}

/// Busy time per clock hour of a component whose service starts never go backwards (per
/// component: with several workers, services overlap); keeps the busiest hour. A service that
/// runs past the end of its hour counts in each hour for the part spent in it, so an hour is
/// never busier than its workers can be.
#[derive(Debug, Clone, Default)]
struct HourlyBusy {
    /// End of the current clock hour (the hour of the latest service start).
    end: f64,
    /// Busy time in the current hour.
    busy: f64,
    /// Busy time in the hours after it that services already reach into.
    later: VecDeque<f64>,
    /// The busiest hour that is over.
    peak: f64,
}

impl HourlyBusy {
    #[inline(always)]
    fn add(&mut self, start: f64, service: f64) {
        if start >= self.end {
            self.move_to(start);
        }
        if start + service <= self.end {
            self.busy += service;
            return;
        }
        // Into the next hours: the current one's part, then an hour at a time.
        let hour = HOUR as f64;
        self.busy += self.end - start;
        let mut left = service - (self.end - start);
        let mut i = 0;
        while left > 0.0 {
            if i == self.later.len() {
                self.later.push_back(0.0);
            }
            let part = left.min(hour);
            self.later[i] += part;
            left -= part;
            i += 1;
        }
    }

    /// Makes the hour holding `start` the current one, retiring those before it.
    #[cold]
    fn move_to(&mut self, start: f64) {
        let hour = HOUR as f64;
        while start >= self.end {
            self.peak = self.peak.max(self.busy);
            match self.later.pop_front() {
                Some(next) => {
                    self.busy = next;
                    self.end += hour;
                }
                None => {
                    self.busy = 0.0;
                    self.end = ((start / hour).floor() + 1.0) * hour;
                }
            }
        }
    }

    fn peak(&self) -> f64 {
        self.later.iter().copied().fold(self.peak.max(self.busy), f64::max)
    }
}

/// The messages in a FIFO component at each arrival.
///
/// With one worker, departures never go backwards: a queue of departures, dropped from the
/// front once past. With several, service starts still never go backwards: messages not yet
/// started are waiting; of those started, at most one per worker is still in service.
#[derive(Debug, Clone, Default)]
struct InSystem {
    /// Departures of the messages in a one-worker component.
    departures: VecDeque<f64>,
    /// (start, departure) of messages whose service had not started at the last arrival.
    waiting: VecDeque<(f64, f64)>,
    /// Departures of messages in service at the last arrival (at most one per worker).
    serving: Vec<f64>,
    arrived: u64,
    done: u64,
}

impl InSystem {
    fn clear(&mut self) {
        self.departures.clear();
        self.waiting.clear();
        self.serving.clear();
        self.arrived = 0;
        self.done = 0;
    }

    /// A message arrives at `a` at a one-worker component and leaves at `departure`; returns
    /// how many are in the component just after.
    #[inline(always)]
    fn arrive_single(&mut self, a: f64, departure: f64) -> u64 {
        while self.departures.front().is_some_and(|d| *d <= a) {
            self.departures.pop_front();
        }
        self.departures.push_back(departure);
        self.departures.len() as u64
    }

    /// A message arrives at `a`, to start at `start` and leave at `departure`; returns how many
    /// are in the component just after.
    #[inline(always)]
    fn arrive(&mut self, a: f64, start: f64, departure: f64) -> u64 {
        self.arrived += 1;
        if start <= a && self.waiting.is_empty() {
            // No queue: it goes straight into service.
            self.serving.push(departure);
        } else {
            self.waiting.push_back((start, departure));
            while let Some(&(s, d)) = self.waiting.front() {
                if s > a {
                    break;
                }
                self.serving.push(d);
                self.waiting.pop_front();
            }
        }
        let mut j = 0;
        while j < self.serving.len() {
            if self.serving[j] <= a {
                self.serving.swap_remove(j);
                self.done += 1;
            } else {
                j += 1;
            }
        }
        self.arrived - self.done
    }
}

/// When each Status Manager worker is next free: a scanned array for a few workers, a heap
/// for many.
#[derive(Debug, Clone, Default)]
struct Workers {
    free: Vec<f64>,
    earliest: usize,
    heap: BinaryHeap<Reverse<Time>>,
    use_heap: bool,
}

impl Workers {
    /// Every worker free; returns whether there is only one (the caller's fast path).
    fn reset(&mut self, workers: u32) -> bool {
        self.use_heap = workers > 16;
        self.free.clear();
        self.heap.clear();
        self.earliest = 0;
        if self.use_heap {
            self.heap.extend((0..workers).map(|_| Reverse(Time(f64::NEG_INFINITY))));
        } else {
            self.free.resize(workers as usize, f64::NEG_INFINITY);
        }
        workers == 1
    }

    /// When the earliest-free worker is free.
    #[inline(always)]
    fn earliest(&self) -> f64 {
        if self.use_heap {
            self.heap.peek().map_or(f64::NEG_INFINITY, |Reverse(Time(t))| *t)
        } else {
            self.free[self.earliest]
        }
    }

    /// The earliest-free worker takes a message and is next free at `until`.
    #[inline(always)]
    fn occupy_earliest(&mut self, until: f64) {
        if self.use_heap {
            self.heap.pop();
            self.heap.push(Reverse(Time(until)));
        } else {
            self.free[self.earliest] = until;
            self.earliest = argmin(&self.free);
        }
    }
}

/// The site's pipeline, with buffers reused across replications.
#[derive(Debug, Clone)]
pub struct Site {
    mp_rate: Option<f64>,
    sm_rate: f64,
    worker_count: u32,
    service: Service,
    mp_down: Vec<Downtime>,
    sm_down: Downtime,
    gathered: Vec<u64>,
    sort_buffer: Vec<u64>,
    mp_in_system: Vec<InSystem>,
    sm_in_system: InSystem,
    workers: Workers,
    /// The State System's inbox and its buffers.
    state: StateSystemParts,
}

/// The State System's settings and the buffers its queue reuses.
#[derive(Debug, Clone)]
struct StateSystemParts {
    rate: f64,
    workers: u32,
    down: Downtime,
    free: Workers,
    in_system: InSystem,
}

impl Site {
    /// The site of a scenario's `[infrastructure]`; `None` when it has no Status Manager rate
    /// (then no message is ever sent).
    pub fn new(infra: &Infrastructure) -> Option<Self> {
        let sm_rate = infra.status_manager_rate?;
        let mps = infra.management_points as usize;
        let mp_down = (0..mps)
            .map(|k| {
                Downtime::new(&infra.outages, |c| {
                    matches!(c, Component::AllManagementPoints) || c == Component::ManagementPoint(k as u32)
                })
            })
            .collect();
        Some(Self {
            mp_rate: infra.mp_rate,
            sm_rate,
            worker_count: infra.status_manager_workers,
            service: infra.service,
            mp_down,
            sm_down: Downtime::new(&infra.outages, |c| c == Component::StatusManager),
            gathered: Vec::new(),
            sort_buffer: Vec::new(),
            mp_in_system: vec![InSystem::default(); mps],
            sm_in_system: InSystem::default(),
            workers: Workers::default(),
            state: StateSystemParts {
                rate: infra.state_system_rate().unwrap_or(sm_rate),
                workers: infra.state_system_workers(),
                down: Downtime::new(&infra.outages, |c| c == Component::StateSystem),
                free: Workers::default(),
                in_system: InSystem::default(),
            },
        })
    }

    /// Queues one replication's messages through the MPs and Status Manager. `stream` is the
    /// replication's site stream. The messages in `emissions` are sorted in place.
    pub fn process(&mut self, emissions: &mut Emissions, stream: Stream, rec: Recorders<'_>) -> SiteStats {
        let mps = emissions.management_points();
        let mut stats = SiteStats { management_points: vec![ComponentStats::default(); mps], ..SiteStats::default() };
        let instant = self.mp_rate.is_none() && self.mp_down.iter().all(Downtime::is_empty);
        // Without state messages the State System sees nothing: Status Manager takes every one.
        let any_state = emissions.state_total() > 0;
        let LoadSeries { sent: sent_series, arrived, processed, state_arrived, state_processed } = rec.series;
        let mut sm = StatusManager::new(
            1_000.0 / self.sm_rate,
            self.service,
            stream.child(mix64(SM_TAG)).draw(0),
            &mut self.sm_down,
            &mut self.workers,
            self.worker_count,
            &mut self.sm_in_system,
            SmRecorders { status_latency: Some(rec.status_latency), state_latency: None, arrived, processed },
        );
        let state = &mut self.state;
        let mut ss = StatusManager::new(
            1_000.0 / state.rate,
            self.service,
            stream.child(mix64(SS_TAG)).draw(0),
            &mut state.down,
            &mut state.free,
            state.workers,
            &mut state.in_system,
            SmRecorders {
                status_latency: None,
                state_latency: Some(rec.state_latency),
                arrived: state_arrived,
                processed: state_processed,
            },
        );
        if instant {
            // Every message reaches Status Manager the moment it is sent.
            self.gathered.clear();
            for (k, mp) in stats.management_points.iter_mut().enumerate() {
                let sent = emissions.sent_to(k);
                mp.messages = sent.len() as u64;
                self.gathered.extend_from_slice(sent);
            }
            radix::sort(&mut self.gathered, &mut self.sort_buffer);
            count_sent(&self.gathered, sent_series);
            if any_state {
                for &m in &self.gathered {
                    let inbox = if is_state(m) { &mut ss } else { &mut sm };
                    inbox.serve(sent_at(m) as f64, m);
                }
            } else {
                for &m in &self.gathered {
                    sm.serve(sent_at(m) as f64, m);
                }
            }
        } else {
            // Each MP's departures, in order, merge into Status Manager's arrivals as they come.
            for k in 0..mps {
                radix::sort(emissions.sent_to_mut(k), &mut self.sort_buffer);
                count_sent(emissions.sent_to(k), sent_series);
            }
            let mean = self.mp_rate.map_or(0.0, |r| 1_000.0 / r);
            let mut queues: Vec<MpQueue<'_>> = self
                .mp_down
                .iter_mut()
                .zip(self.mp_in_system.iter_mut())
                .enumerate()
                .map(|(k, (down, in_system))| {
                    let draws = stream.child(combine(MP_TAG, k as u64)).draw(0);
                    MpQueue::new(emissions.sent_to(k), mean, self.service, draws, down, in_system)
                })
                .collect();
            let mut heads: Vec<f64> = queues.iter().map(|q| q.departure).collect();
            loop {
                let k = argmin(&heads);
                let departure = heads[k];
                if departure == f64::INFINITY {
                    break;
                }
                // Advance the MP first: the next choice depends on it, Status Manager's work
                // does not, so the processor can overlap the two.
                let message = queues[k].message();
                heads[k] = queues[k].advance();
                if any_state && is_state(message) {
                    ss.serve(departure, message);
                } else {
                    sm.serve(departure, message);
                }
            }
            for (k, q) in queues.into_iter().enumerate() {
                stats.management_points[k] = q.finish();
            }
        }
        sm.finish(&mut stats);
        ss.finish_state(&mut stats);
        stats
    }
}

/// Adds a sorted run of messages to the per-minute `sent` series.
fn count_sent(sorted: &[u64], series: &mut Vec<u64>) {
    let mut per_minute = BucketCounter::new(MINUTE);
    for &m in sorted {
        per_minute.add(sent_at(m), Some(series));
    }
    per_minute.flush(Some(series));
}

/// One management point: a single FIFO server over its sorted messages, computed one departure
/// ahead so that Status Manager can take the earliest across MPs.
struct MpQueue<'a> {
    sent: &'a [u64],
    next: usize,
    /// Departure of message `next` (`+∞` when all have gone).
    departure: f64,
    mean: f64,
    service: Service,
    draws: DrawRng,
    down: &'a mut Downtime,
    in_system: &'a mut InSystem,
    free: f64,
    hourly: HourlyBusy,
    stats: ComponentStats,
}

impl<'a> MpQueue<'a> {
    fn new(
        sent: &'a [u64],
        mean: f64,
        service: Service,
        draws: DrawRng,
        down: &'a mut Downtime,
        in_system: &'a mut InSystem,
    ) -> Self {
        down.rewind();
        in_system.clear();
        let mut q = Self {
            sent,
            next: 0,
            departure: f64::INFINITY,
            mean,
            service,
            draws,
            down,
            in_system,
            free: f64::NEG_INFINITY,
            hourly: HourlyBusy::default(),
            stats: ComponentStats {
                messages: sent.len() as u64,
                first_arrival: sent.first().map(|&m| sent_at(m) as f64),
                ..ComponentStats::default()
            },
        };
        q.compute();
        q
    }

    /// The message that departs next.
    #[inline(always)]
    fn message(&self) -> u64 {
        self.sent[self.next]
    }

    /// Moves to the next message; returns its departure (`+∞` when none is left).
    #[inline(always)]
    fn advance(&mut self) -> f64 {
        self.next += 1;
        self.compute();
        self.departure
    }

    /// Lindley's recursion for message `next`.
    #[inline(always)]
    fn compute(&mut self) {
        let Some(&m) = self.sent.get(self.next) else {
            self.departure = f64::INFINITY;
            return;
        };
        let a = sent_at(m) as f64;
        let d = service_time(self.service, self.mean, &mut self.draws);
        let (start, end) = self.down.serve(self.free.max(a), d);
        self.free = end;
        self.departure = end;
        self.stats.backlog_peak = self.stats.backlog_peak.max(self.in_system.arrive_single(a, end));
        self.stats.busy_ms += d;
        self.stats.sojourn_ms += end - a;
        self.hourly.add(start, d);
    }

    fn finish(mut self) -> ComponentStats {
        self.stats.last_departure = (self.stats.messages > 0).then_some(self.free);
        self.stats.peak_hour_busy_ms = self.hourly.peak();
        self.stats
    }
}

/// Records values into a histogram, a run of equal values at a time: queues that are not
/// waiting give every message the same latency, and one `record_n` is cheaper than many.
#[derive(Debug, Clone, Copy, Default)]
struct RunRecorder {
    value: u64,
    count: u64,
}

impl RunRecorder {
    #[inline(always)]
    fn record(&mut self, histogram: &mut Histogram<u64>, value: u64) {
        if value != self.value {
            self.flush(histogram);
            self.value = value;
        }
        self.count += 1;
    }

    fn flush(&mut self, histogram: &mut Histogram<u64>) {
        if self.count > 0 {
            crate::histogram::record_n(histogram, self.value, self.count);
            self.count = 0;
        }
    }
}

/// Where Status Manager records what it saw.
struct SmRecorders<'a> {
    /// Status-message latencies (Status Manager's queue).
    status_latency: Option<&'a mut Histogram<u64>>,
    /// State-message latencies (the State System's queue).
    state_latency: Option<&'a mut Histogram<u64>>,
    arrived: &'a mut Vec<u64>,
    processed: &'a mut Vec<u64>,
}

/// Status Manager or the State System: a FIFO queue with one or more workers, fed messages in
/// arrival order.
struct StatusManager<'a> {
    mean: f64,
    service: Service,
    draws: DrawRng,
    down: &'a mut Downtime,
    workers: &'a mut Workers,
    single: bool,
    free: f64,
    in_system: &'a mut InSystem,
    rec: SmRecorders<'a>,
    per_minute: BucketCounter,
    per_second: BucketCounter,
    processed: BucketCounter,
    hourly: HourlyBusy,
    component: ComponentStats,
    backlog_peak: u64,
    status: (u64, u128),
    state: (u64, u128),
    status_runs: RunRecorder,
    state_runs: RunRecorder,
}

impl<'a> StatusManager<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        mean: f64,
        service: Service,
        draws: DrawRng,
        down: &'a mut Downtime,
        workers: &'a mut Workers,
        worker_count: u32,
        in_system: &'a mut InSystem,
        rec: SmRecorders<'a>,
    ) -> Self {
        down.rewind();
        in_system.clear();
        let single = workers.reset(worker_count);
        Self {
            mean,
            service,
            draws,
            down,
            workers,
            single,
            free: f64::NEG_INFINITY,
            in_system,
            rec,
            per_minute: BucketCounter::new(MINUTE),
            per_second: BucketCounter::new(SECOND),
            processed: BucketCounter::new(MINUTE),
            hourly: HourlyBusy::default(),
            component: ComponentStats::default(),
            backlog_peak: 0,
            status: (0, 0),
            state: (0, 0),
            status_runs: RunRecorder::default(),
            state_runs: RunRecorder::default(),
        }
    }

    /// Message `m` arrives at `a` (milliseconds; arrivals never go backwards).
    #[inline(always)]
    fn serve(&mut self, a: f64, m: u64) {
        let a_ms = a as u64;
        self.per_minute.add(a_ms, Some(self.rec.arrived));
        self.per_second.add(a_ms, None);
        if self.component.messages == 0 {
            self.component.first_arrival = Some(a);
        }
        self.component.messages += 1;
        let d = service_time(self.service, self.mean, &mut self.draws);
        let earliest = if self.single { self.free } else { self.workers.earliest() };
        let (start, end) = self.down.serve(earliest.max(a), d);
        let backlog = if self.single {
            self.free = end;
            self.in_system.arrive_single(a, end)
        } else {
            self.workers.occupy_earliest(end);
            self.in_system.arrive(a, start, end)
        };
        self.backlog_peak = self.backlog_peak.max(backlog);
        self.processed.add(end as u64, Some(self.rec.processed));
        self.component.busy_ms += d;
        self.component.sojourn_ms += end - a;
        self.component.last_departure = Some(self.component.last_departure.map_or(end, |l: f64| l.max(end)));
        self.hourly.add(start, d);
        // Latency: from sending to processed, in whole microseconds (never negative).
        let latency_us = ((end - sent_at(m) as f64) * 1_000.0 + 0.5) as u64;
        if is_state(m) {
            self.state.0 += 1;
            self.state.1 += u128::from(latency_us);
            if let Some(h) = self.rec.state_latency.as_deref_mut() {
                self.state_runs.record(h, latency_us);
            }
        } else {
            self.status.0 += 1;
            self.status.1 += u128::from(latency_us);
            if let Some(h) = self.rec.status_latency.as_deref_mut() {
                self.status_runs.record(h, latency_us);
            }
        }
    }

    /// Flushes the latency runs and the per-minute counters.
    fn flush(&mut self) {
        if let Some(h) = self.rec.status_latency.as_deref_mut() {
            self.status_runs.flush(h);
        }
        if let Some(h) = self.rec.state_latency.as_deref_mut() {
            self.state_runs.flush(h);
        }
        self.per_minute.flush(Some(self.rec.arrived));
        self.per_second.flush(None);
        self.processed.flush(Some(self.rec.processed));
        self.component.backlog_peak = self.backlog_peak;
        self.component.peak_hour_busy_ms = self.hourly.peak();
    }

    /// The State System's figures: its component and the state messages' latencies.
    fn finish_state(mut self, stats: &mut SiteStats) {
        self.flush();
        (stats.state_messages, stats.state_latency_sum_us) = self.state;
        if let Some(last) = self.component.last_departure {
            stats.last_processed = Some(stats.last_processed.map_or(last, |l| l.max(last)));
        }
        stats.state_system = self.component;
    }

    /// Status Manager's figures: the site's arrivals and backlog, and the status messages'.
    fn finish(mut self, stats: &mut SiteStats) {
        self.flush();
        stats.peak_per_minute = self.per_minute.peak;
        stats.peak_per_second = self.per_second.peak;
        stats.backlog_peak = self.backlog_peak;
        (stats.status_messages, stats.status_latency_sum_us) = self.status;
        stats.last_processed = self.component.last_departure;
        stats.status_manager = self.component;
    }
}

/// The index of the smallest value (the first of equals), without data-dependent branches: the
/// comparisons are as good as random, and a mispredicted branch costs more than a select.
#[inline(always)]
fn argmin(values: &[f64]) -> usize {
    let mut best = values[0];
    let mut index = 0;
    for (j, &v) in values.iter().enumerate().skip(1) {
        let less = v < best;
        best = if less { v } else { best };
        index = if less { j } else { index };
    }
    index
}

/// The next message's service time in milliseconds: `mean`, or exponential with that mean.
///
/// Exponential times are the ziggurat's standard exponential (no logarithm on almost every
/// draw) scaled by the mean, drawn in queue order from one generator per component and
/// replication: the n-th message gets the same multiple of the mean whatever the rate.
#[inline(always)]
fn service_time(service: Service, mean: f64, draws: &mut DrawRng) -> f64 {
    match service {
        Service::Fixed => mean,
        Service::Exponential => {
            let e: f64 = Exp1.sample(draws);
            mean * e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::latency_histogram;
    use crate::scenario::{MessageKind, Outage};

    fn infra(mps: u32, mp_rate: Option<f64>, rate: f64, workers: u32, outages: Vec<Outage>) -> Infrastructure {
        Infrastructure {
            management_points: mps,
            mp_rate,
            status_manager_rate: Some(rate),
            status_manager_workers: workers,
            state_system_rate: None,
            state_system_workers: None,
            service: Service::Fixed,
            outages,
        }
    }

    /// Runs the site on messages `(mp, sent at ms)` and returns the stats, the latencies in ms
    /// (sorted) and the series.
    fn run(infra: &Infrastructure, messages: &[(usize, u64)]) -> (SiteStats, Vec<u64>, LoadSeries) {
        let mut site = Site::new(infra).unwrap();
        let mut emissions = Emissions::new(infra.management_points as usize);
        for &(mp, at) in messages {
            emissions.push(mp, at, MessageKind::StepSucceeded, 1);
        }
        let (mut status, mut state, mut series) = (latency_histogram(), latency_histogram(), LoadSeries::default());
        let recorders = Recorders { status_latency: &mut status, state_latency: &mut state, series: &mut series };
        let stats = site.process(&mut emissions, Stream::from_key(1), recorders);
        let latencies: Vec<u64> = status.iter_recorded().map(|v| v.value_iterated_to() / 1_000).collect();
        (stats, latencies, series)
    }

    #[test]
    fn one_worker_is_lindleys_recursion() {
        // 1 message a second; arrivals 0, 0, 500, 5000 ms → departures 1000, 2000, 3000, 6000.
        let (stats, latencies, series) = run(&infra(1, None, 1.0, 1, vec![]), &[(0, 0), (0, 0), (0, 500), (0, 5_000)]);
        assert_eq!(stats.status_messages, 4);
        assert_eq!(stats.status_latency_sum_us, (1_000 + 2_000 + 2_500 + 1_000) * 1_000);
        assert_eq!(latencies, vec![1_000, 2_000, 2_500]);
        assert_eq!(stats.backlog_peak, 3);
        assert_eq!(stats.last_processed, Some(6_000.0));
        assert_eq!(stats.peak_per_second, 3);
        assert_eq!(stats.status_manager.busy_ms, 4_000.0);
        assert_eq!(series.sent, vec![4]);
        assert_eq!(series.processed, vec![4]);
    }

    #[test]
    fn two_workers_take_the_earliest_free() {
        // Departures 1000, 1000, 2000 (waits for the first free worker), 6000.
        let (stats, _, _) = run(&infra(1, None, 1.0, 2, vec![]), &[(0, 0), (0, 0), (0, 500), (0, 5_000)]);
        assert_eq!(stats.status_latency_sum_us, (1_000 + 1_000 + 1_500 + 1_000) * 1_000);
        assert_eq!(stats.backlog_peak, 3);
        assert_eq!(stats.status_manager.utilisation(2), 4_000.0 / (6_000.0 * 2.0));
    }

    #[test]
    fn management_points_queue_then_merge_in_departure_order() {
        // MPs forward 2 a second (500 ms each); Status Manager 10 a second (100 ms).
        // MP 1: sends 0, 0 → departs 500, 1000.  MP 2: sends 200 → departs 700.
        // Status Manager: arrivals 500, 700, 1000 → departures 600, 800, 1100.
        let (stats, _, series) = run(&infra(2, Some(2.0), 10.0, 1, vec![]), &[(0, 0), (0, 0), (1, 200)]);
        assert_eq!(stats.management_points[0].messages, 2);
        assert_eq!(stats.management_points[0].backlog_peak, 2);
        assert_eq!(stats.management_points[1].messages, 1);
        assert_eq!(stats.status_latency_sum_us, (600 + 1_100 + 600) * 1_000);
        assert_eq!(stats.last_processed, Some(1_100.0));
        assert_eq!(series.arrived, vec![3]);
    }

    #[test]
    fn an_outage_holds_messages_and_loses_none() {
        let outage = Outage { component: Component::StatusManager, at: 10_000, length: 30_000 };
        // Messages at 5 s, 12 s, 20 s, 39 s; 10 a second; down from 10 s to 40 s.
        let (stats, _, series) =
            run(&infra(1, None, 10.0, 1, vec![outage]), &[(0, 5_000), (0, 12_000), (0, 20_000), (0, 39_000)]);
        assert_eq!(stats.status_messages, 4);
        // The three that arrived during the outage all wait: the backlog peak is three.
        assert_eq!(stats.backlog_peak, 3);
        // They are processed from 40 s on: 40.1, 40.2, 40.3 s.
        assert_eq!(stats.last_processed, Some(40_300.0));
        assert_eq!(stats.status_latency_sum_us, (100 + 28_100 + 20_200 + 1_300) * 1_000);
        assert_eq!(series.processed.iter().sum::<u64>(), 4);
    }

    #[test]
    fn a_service_in_progress_pauses_during_an_outage() {
        // One message a second; the message sent at 9.5 s is in service when the outage begins
        // at 10 s and finishes 0.5 s after it ends (at 40.5 s).
        let outage = Outage { component: Component::AllManagementPoints, at: 10_000, length: 30_000 };
        let (stats, _, _) = run(&infra(1, Some(1.0), 1_000.0, 1, vec![outage]), &[(0, 9_500)]);
        assert_eq!(stats.management_points[0].last_departure, Some(40_500.0));
        assert_eq!(stats.management_points[0].busy_ms, 1_000.0);
    }

    #[test]
    fn a_service_past_its_hour_counts_in_each_hour_for_its_part() {
        let h = HOUR as f64;
        let mut busy = HourlyBusy::default();
        // 90 minutes from 0:30: half an hour in the first hour, a whole one in the second.
        busy.add(0.5 * h, 1.5 * h);
        assert_eq!(busy.peak(), h);
        // Two workers overlapping in hour 2: at most two hours of work in it.
        busy.add(2.0 * h, 0.75 * h);
        busy.add(2.1 * h, 0.9 * h);
        assert!((busy.peak() - 1.65 * h).abs() < 1e-6, "{}", busy.peak() / h);
        // A jump of days, then a short service.
        busy.add(100.0 * h + 10.0, 5.0);
        assert!((busy.peak() - 1.65 * h).abs() < 1e-6);
        // Never more than an hour a worker: a day-long service fills each hour exactly once.
        let mut long = HourlyBusy::default();
        long.add(0.25 * h, 24.0 * h);
        assert_eq!(long.peak(), h);
    }
}
