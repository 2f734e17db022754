//! One instance of a slots resource: a multi-server FIFO queue with a bounded waiting line.
//!
//! A request takes a free slot at once, or waits in arrival order; a request that cannot start
//! while `queue` requests already wait is refused (the caller retries it later or fails the
//! activity). During an outage holders keep their slots to the end but nothing starts; at its
//! end the queue takes the free slots in order (FORMAT 1.1, rules 2 and 4).

use std::collections::VecDeque;

use crate::scenario::Millis;

/// A request on a slots instance, identified by the caller.
pub type RequestId = u32;

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// It holds a slot from now.
    Started,
    /// It waits in line.
    Queued,
    /// It was refused: the line is full.
    Refused,
}

/// A slots instance.
#[derive(Debug, Clone)]
pub struct SlotsInstance {
    slots: u32,
    queue: Option<u32>,
    holding: Vec<RequestId>,
    waiting: VecDeque<RequestId>,
    down: u32,
    /// The real time the busy integral is at.
    now: Millis,
    stats: SlotsStats,
}

/// What a slots instance measured.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SlotsStats {
    /// Integral of the share of slots busy over time, in milliseconds, within the span.
    pub busy: f64,
    /// Most requests present at once (holding and waiting).
    pub peak: u32,
    /// Requests refused.
    pub refused: u64,
}

impl SlotsInstance {
    /// `slots` slots (≥ 1) and at most `queue` waiting (`None`: unbounded).
    pub fn new(slots: u32, queue: Option<u32>) -> Self {
        Self {
            slots: slots.max(1),
            queue,
            holding: Vec::new(),
            waiting: VecDeque::new(),
            down: 0,
            now: 0,
            stats: SlotsStats::default(),
        }
    }

    /// What the instance measured so far.
    pub fn stats(&self) -> SlotsStats {
        self.stats
    }

    /// Requests holding a slot.
    pub fn holding(&self) -> usize {
        self.holding.len()
    }

    /// Requests waiting.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn advance(&mut self, t: Millis, span: (Millis, Millis)) {
        if t <= self.now {
            return;
        }
        let (from, to) = (self.now.max(span.0), t.min(span.1));
        if to > from {
            self.stats.busy += self.holding.len() as f64 / f64::from(self.slots) * (to - from) as f64;
        }
        self.now = t;
    }

    fn can_start(&self) -> bool {
        self.down == 0 && (self.holding.len() as u32) < self.slots
    }

    /// Request `id` arrives at `t`.
    pub fn request(&mut self, t: Millis, id: RequestId, span: (Millis, Millis)) -> Admission {
        self.advance(t, span);
        let admission = if self.can_start() && self.waiting.is_empty() {
            self.holding.push(id);
            Admission::Started
        } else if self.queue.is_none_or(|q| (self.waiting.len() as u32) < q) {
            self.waiting.push_back(id);
            Admission::Queued
        } else {
            self.stats.refused += 1;
            Admission::Refused
        };
        self.stats.peak = self.stats.peak.max((self.holding.len() + self.waiting.len()) as u32);
        admission
    }

    /// Request `id` gives its slot back (its hold ended) or leaves the line (a time-out, a
    /// stop) at `t`; the requests that take the freed slots are added to `started`, in order.
    pub fn leave(&mut self, t: Millis, id: RequestId, span: (Millis, Millis), started: &mut Vec<RequestId>) {
        self.advance(t, span);
        if let Some(at) = self.holding.iter().position(|h| *h == id) {
            self.holding.swap_remove(at);
        } else if let Some(at) = self.waiting.iter().position(|w| *w == id) {
            self.waiting.remove(at);
        }
        self.start_waiting(started);
    }

    fn start_waiting(&mut self, started: &mut Vec<RequestId>) {
        while self.can_start() {
            let Some(next) = self.waiting.pop_front() else { break };
            self.holding.push(next);
            started.push(next);
        }
    }

    /// An outage begins at `t`: holders keep their slots, nothing starts.
    pub fn outage_starts(&mut self, t: Millis, span: (Millis, Millis)) {
        self.advance(t, span);
        self.down += 1;
    }

    /// An outage ends at `t`; the line takes the free slots.
    pub fn outage_ends(&mut self, t: Millis, span: (Millis, Millis), started: &mut Vec<RequestId>) {
        self.advance(t, span);
        self.down = self.down.saturating_sub(1);
        self.start_waiting(started);
    }

    /// Counts busy time up to `t` (at the end of a replication).
    pub fn close(&mut self, t: Millis, span: (Millis, Millis)) {
        self.advance(t, span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::contention::agenda::Agenda;

    const SPAN: (Millis, Millis) = (0, Millis::MAX);

    #[test]
    fn two_slots_and_six_ten_minute_scans_end_at_10_10_20_20_30_30() {
        let hold = 600_000;
        let mut s = SlotsInstance::new(2, None);
        let mut agenda = Agenda::new();
        for id in 0..6 {
            if s.request(0, id, SPAN) == Admission::Started {
                agenda.schedule(hold, id);
            }
        }
        assert_eq!((s.holding(), s.waiting()), (2, 4));
        let mut ends = Vec::new();
        let mut started = Vec::new();
        while let Some((t, id)) = agenda.pop() {
            ends.push((id, t / 60_000));
            started.clear();
            s.leave(t, id, SPAN, &mut started);
            for next in &started {
                agenda.schedule(t + hold, *next);
            }
        }
        assert_eq!(ends, [(0, 10), (1, 10), (2, 20), (3, 20), (4, 30), (5, 30)]);
        assert_eq!(s.stats().peak, 6);
        assert!((s.stats().busy - 1_800_000.0).abs() < 1e-6);
    }

    #[test]
    fn a_full_line_refuses_and_queue_zero_refuses_whenever_it_cannot_start() {
        let mut s = SlotsInstance::new(1, Some(1));
        assert_eq!(s.request(0, 0, SPAN), Admission::Started);
        assert_eq!(s.request(0, 1, SPAN), Admission::Queued);
        assert_eq!(s.request(0, 2, SPAN), Admission::Refused);
        let mut zero = SlotsInstance::new(1, Some(0));
        assert_eq!(zero.request(0, 0, SPAN), Admission::Started);
        assert_eq!(zero.request(0, 1, SPAN), Admission::Refused);
        assert_eq!(zero.stats().refused, 1);
    }

    #[test]
    fn in_an_outage_holders_keep_their_slots_and_nothing_starts_until_it_ends() {
        let mut s = SlotsInstance::new(2, None);
        assert_eq!(s.request(0, 0, SPAN), Admission::Started);
        s.outage_starts(10, SPAN);
        assert_eq!(s.request(20, 1, SPAN), Admission::Queued);
        let mut started = Vec::new();
        s.leave(30, 0, SPAN, &mut started);
        assert!(started.is_empty());
        s.outage_ends(50, SPAN, &mut started);
        assert_eq!(started, [1]);
    }
}
