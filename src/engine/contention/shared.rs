//! One instance of a shared resource: processor sharing, computed exactly with a virtual clock.
//!
//! With `n` activities present, each progresses at `min(per_user, capacity / n)` (0 during an
//! outage; paused activities still count in `n`). Every activity present progresses at the
//! same rate, so one number — the work each has received since the instance was made, the
//! *virtual time* `v` — describes them all: an activity that arrives when the virtual time is
//! `v₀` with work `w` is done when `v` reaches `v₀ + w`, its *finish tag*. The instance keeps
//! the tags in a heap; the next completion is the least tag, reached after
//! `(tag − v) / rate` milliseconds. No time steps: the only arithmetic is at arrivals,
//! departures and outages.
//!
//! Ends are rounded up to the next whole millisecond; at that moment every activity whose work
//! is done ends together (FORMAT 1.1, rule 7).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::scenario::Millis;

/// How far (in milliseconds) a computed end may be past a whole millisecond through rounding
/// before it counts as the next one.
const TIME_SLACK: f64 = 1e-6;

/// Relative slack when comparing a finish tag with the virtual time.
const WORK_SLACK: f64 = 1e-9;

/// An activity on a shared instance, identified by the caller.
pub type ActivityId = u32;

/// A processor-sharing instance.
#[derive(Debug, Clone)]
pub struct SharedInstance {
    /// Work the instance delivers a millisecond at full use (bytes for a rate capacity,
    /// full-speed activities for a numeric one).
    capacity: f64,
    /// The most one activity gets a millisecond (`f64::INFINITY`: no cap).
    per_user: f64,
    /// Work each present activity has received since the start.
    virtual_time: f64,
    /// The real time `virtual_time` is at.
    now: Millis,
    /// Outages in force (they may overlap).
    down: u32,
    /// The activities present, least finish tag first.
    present: BinaryHeap<Present>,
    /// Incremented whenever the next completion may have moved: a scheduled completion of an
    /// older generation is stale.
    generation: u64,
    stats: SharedStats,
}

/// An activity present, ordered by finish tag and then id.
#[derive(Debug, Clone, Copy)]
struct Present {
    tag: f64,
    id: ActivityId,
    work: f64,
    arrived: Millis,
}

impl PartialEq for Present {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Present {}
impl PartialOrd for Present {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Present {
    /// Reversed, for a min-heap: least tag first, then least id.
    fn cmp(&self, other: &Self) -> Ordering {
        other.tag.total_cmp(&self.tag).then(other.id.cmp(&self.id))
    }
}

/// What an instance measured.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SharedStats {
    /// Integral of the share of capacity in use over time, in milliseconds, within the span.
    pub busy: f64,
    /// Most activities present at once.
    pub peak: u32,
    /// Work delivered (partial work of withdrawn activities included).
    pub work_done: f64,
}

/// How an activity ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finished {
    /// Which.
    pub id: ActivityId,
    /// When it arrived.
    pub arrived: Millis,
    /// Its work.
    pub work: f64,
}

impl SharedInstance {
    /// An instance delivering `capacity` a millisecond, at most `per_user` to one activity.
    pub fn new(capacity: f64, per_user: Option<f64>) -> Self {
        Self {
            capacity,
            per_user: per_user.unwrap_or(f64::INFINITY),
            virtual_time: 0.0,
            now: 0,
            down: 0,
            present: BinaryHeap::new(),
            generation: 0,
            stats: SharedStats::default(),
        }
    }

    /// What one activity gets a millisecond now.
    pub fn rate(&self) -> f64 {
        if self.down > 0 || self.present.is_empty() {
            0.0
        } else {
            self.per_user.min(self.capacity / self.present.len() as f64)
        }
    }

    /// The time an activity of `work` takes alone: `work / min(per_user, capacity)`.
    pub fn alone(&self, work: f64) -> f64 {
        work / self.per_user.min(self.capacity)
    }

    /// Activities present (running or paused).
    pub fn len(&self) -> usize {
        self.present.len()
    }

    /// Whether no activity is present.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// The generation a completion scheduled now must carry.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// What the instance measured so far.
    pub fn stats(&self) -> SharedStats {
        self.stats
    }

    /// Moves the virtual clock to real time `t`, counting busy time inside `span`.
    fn advance(&mut self, t: Millis, span: (Millis, Millis)) {
        if t <= self.now {
            return;
        }
        let rate = self.rate();
        if rate > 0.0 {
            let n = self.present.len() as f64;
            self.virtual_time += rate * (t - self.now) as f64;
            let (from, to) = (self.now.max(span.0), t.min(span.1));
            if to > from {
                self.stats.busy += n * rate / self.capacity * (to - from) as f64;
            }
        }
        self.now = t;
    }

    /// An activity of `work` (> 0) arrives at `t`.
    pub fn arrive(&mut self, t: Millis, id: ActivityId, work: f64, span: (Millis, Millis)) {
        self.advance(t, span);
        let tag = self.virtual_time + work;
        self.present.push(Present { tag, id, work, arrived: t });
        self.stats.peak = self.stats.peak.max(self.present.len() as u32);
        self.generation += 1;
    }

    /// When the next activity will be done, with the generation to check then; `None` while
    /// nothing progresses (empty, or in an outage).
    pub fn next_completion(&self) -> Option<(Millis, u64)> {
        let rate = self.rate();
        if rate <= 0.0 {
            return None;
        }
        let tag = self.present.peek()?.tag;
        let left = ((tag - self.virtual_time) / rate).max(0.0);
        let wait = (left - TIME_SLACK).ceil().max(0.0);
        Some((self.now.saturating_add(wait as Millis), self.generation))
    }

    /// At `t`, ends every activity whose work is done (in order of finish tag, then id).
    pub fn complete(&mut self, t: Millis, span: (Millis, Millis), done: &mut Vec<Finished>) {
        self.advance(t, span);
        let reached = self.virtual_time + WORK_SLACK * self.virtual_time.abs().max(1.0);
        while let Some(p) = self.present.peek().copied() {
            if p.tag > reached {
                break;
            }
            self.present.pop();
            self.stats.work_done += p.work;
            done.push(Finished { id: p.id, arrived: p.arrived, work: p.work });
        }
        self.generation += 1;
    }

    /// Takes activity `id` away at `t` (a time-out or a stop); returns the work it had received.
    pub fn withdraw(&mut self, t: Millis, id: ActivityId, span: (Millis, Millis)) -> Option<f64> {
        self.advance(t, span);
        // Rare (a time-out or a stop): a look through the few present.
        let p = self.present.iter().find(|p| p.id == id).copied()?;
        self.present.retain(|q| q.id != id);
        let received = (p.work - (p.tag - self.virtual_time)).clamp(0.0, p.work);
        self.stats.work_done += received;
        self.generation += 1;
        Some(received)
    }

    /// Counts busy time up to `t` (at the end of a replication).
    pub fn close(&mut self, t: Millis, span: (Millis, Millis)) {
        self.advance(t, span);
    }

    /// An outage begins at `t`: nothing progresses until it ends.
    pub fn outage_starts(&mut self, t: Millis, span: (Millis, Millis)) {
        self.advance(t, span);
        self.down += 1;
        self.generation += 1;
    }

    /// An outage ends at `t`.
    pub fn outage_ends(&mut self, t: Millis, span: (Millis, Millis)) {
        self.advance(t, span);
        self.down = self.down.saturating_sub(1);
        self.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: (Millis, Millis) = (0, Millis::MAX);

    /// Runs the instance until it is empty; returns each activity's end.
    fn drain(s: &mut SharedInstance) -> Vec<(ActivityId, Millis)> {
        let mut ends = Vec::new();
        let mut done = Vec::new();
        while let Some((t, _)) = s.next_completion() {
            done.clear();
            s.complete(t, SPAN, &mut done);
            ends.extend(done.iter().map(|f| (f.id, t)));
        }
        ends
    }

    #[test]
    fn ten_downloads_of_600_mb_on_1_gbps_take_48_s_and_96_s_capped_at_50_mbps() {
        // 1 Gbps = 125,000 bytes a millisecond; 50 Mbps = 6,250.
        for (per_user, expected) in [(None, 48_000), (Some(6_250.0), 96_000)] {
            let mut s = SharedInstance::new(125_000.0, per_user);
            for id in 0..10 {
                s.arrive(0, id, 600e6, SPAN);
            }
            let ends = drain(&mut s);
            assert_eq!(ends.len(), 10);
            assert!(ends.iter().all(|(_, t)| *t == expected), "{ends:?}");
        }
    }

    #[test]
    fn a_host_of_4_running_8_ten_minute_installs_ends_them_all_at_20_minutes() {
        let mut s = SharedInstance::new(4.0, Some(1.0));
        for id in 0..8 {
            s.arrive(0, id, 600_000.0, SPAN);
        }
        assert_eq!(s.rate(), 0.5);
        assert!(drain(&mut s).iter().all(|(_, t)| *t == 1_200_000));
        // Alone, with capacity ≥ 1, time-work takes its own length.
        let mut alone = SharedInstance::new(4.0, Some(1.0));
        alone.arrive(5, 0, 600_000.0, SPAN);
        assert_eq!(drain(&mut alone), [(0, 600_005)]);
    }

    #[test]
    fn a_late_arrival_slows_the_first_and_ends_are_rounded_up() {
        // Capacity 1 (time-work): A (10 s) alone for 4 s, then B (3 s) arrives; both at half
        // speed: B done after 6 s (t = 10 s), A's remaining 3 s after that alone (t = 13 s).
        let mut s = SharedInstance::new(1.0, Some(1.0));
        s.arrive(0, 0, 10_000.0, SPAN);
        s.arrive(4_000, 1, 3_000.0, SPAN);
        assert_eq!(drain(&mut s), [(1, 10_000), (0, 13_000)]);
        // Three sharing 1 ms of work: 3 ms exactly; 1 ms of work among 3 → ends rounded up.
        let mut s = SharedInstance::new(1.0, Some(1.0));
        for id in 0..3 {
            s.arrive(0, id, 1.0, SPAN);
        }
        assert_eq!(drain(&mut s), [(0, 3), (1, 3), (2, 3)]);
        let mut s = SharedInstance::new(3.0, None);
        for id in 0..2 {
            s.arrive(0, id, 1.0, SPAN);
        }
        // Each gets 1.5 a millisecond: done after 0.67 ms, ended at 1 ms.
        assert_eq!(drain(&mut s), [(0, 1), (1, 1)]);
    }

    #[test]
    fn an_outage_delays_every_active_transfer_by_its_length() {
        let mut s = SharedInstance::new(125_000.0, None);
        for id in 0..4 {
            s.arrive(0, id, 125e6, SPAN);
        }
        // Alone-speed shared by 4: 4 s. An outage of 30 s from 1 s to 31 s: 34 s.
        s.outage_starts(1_000, SPAN);
        assert_eq!(s.next_completion(), None);
        s.outage_ends(31_000, SPAN);
        assert!(drain(&mut s).iter().all(|(_, t)| *t == 34_000));
    }

    #[test]
    fn withdrawn_activities_leave_at_once_with_their_partial_work() {
        let mut s = SharedInstance::new(1.0, Some(1.0));
        s.arrive(0, 0, 10_000.0, SPAN);
        s.arrive(0, 1, 10_000.0, SPAN);
        assert_eq!(s.withdraw(4_000, 1, SPAN), Some(2_000.0));
        // A had 2 s of work at half speed; the rest alone: 8 s more.
        assert_eq!(drain(&mut s), [(0, 12_000)]);
        assert_eq!(s.stats().work_done, 12_000.0);
        assert_eq!(s.stats().peak, 2);
        // Busy: full use for 12 s (two at half, then one at full).
        assert!((s.stats().busy - 12_000.0).abs() < 1e-6);
    }
}
