//! The event queue of a coupled replication: events in time order, ties in the order they
//! were scheduled (FORMAT 1.1's tie rule).
//!
//! The agenda is a calendar: time is cut into spans of about a minute, and an event due in a
//! later span waits, unsorted, in that span's bucket. When the agenda reaches a span, its
//! bucket is sorted once and taken from in order; only an event scheduled for the span the
//! agenda is in goes into a heap, which stays small. Three more lanes keep that heap smaller
//! still, without changing the order:
//!
//! - Many events are known before anything runs (every server's start):
//!   [`Agenda::schedule_all`] keeps them in a sorted list of their own.
//! - An event scheduled for the very moment the agenda is at (an activity posted as its answer
//!   arrives) waits in a plain list: it is later than everything due now, so the list is
//!   already in order.
//! - Events that are most likely dead by the time they are due (an activity's time-out, hours
//!   away, when the activity almost always ends first; a shared instance's completion that a
//!   later arrival replaced) are never cancelled: when the agenda reaches their span, they join
//!   the queue only if the caller's test ([`Agenda::pop_live`]) says they still matter.
//!
//! `pop` takes the earliest of the lanes' heads, in the same order as if every event had been
//! pushed into one heap.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::scenario::Millis;

/// Events of type `E` waiting for their time.
#[derive(Debug, Clone)]
pub struct Agenda<E> {
    /// Events scheduled for the current span while the agenda is in it (and the few too far
    /// ahead for a bucket).
    heap: BinaryHeap<Entry<E>>,
    /// The current span's events from its bucket, sorted, the earliest last.
    span: Vec<Entry<E>>,
    /// Events scheduled for `now` while the agenda is at `now`, in the order scheduled.
    due: VecDeque<Entry<E>>,
    /// The time of the last event taken.
    now: Millis,
    /// Events scheduled all at once, sorted by (time, order), and how many were taken.
    sorted: Vec<Entry<E>>,
    taken: usize,
    /// Events due in later spans, and how many (dead ones counted until they are found dead).
    later: Spans<Entry<E>>,
    held: usize,
    scheduled: u64,
}

#[derive(Debug, Clone)]
struct Entry<E> {
    at: Millis,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    /// Its place in the order.
    #[inline(always)]
    fn key(&self) -> (Millis, u64) {
        (self.at, self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed: the heap's greatest is the earliest, first scheduled.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<E> Default for Agenda<E> {
    fn default() -> Self {
        Self::with_span_bits(SPAN_BITS)
    }
}

/// A span of the agenda's buckets: 2¹⁶ ms, about a minute.
const SPAN_BITS: u32 = 16;

/// The most spans ahead an event waits in a bucket (about 50 days); a later one goes straight
/// into the heap.
const MAX_SPANS_AHEAD: u64 = 1 << 16;

impl<E> Agenda<E> {
    /// An empty agenda.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty agenda whose buckets are `1 << span_bits` ms each (tests use short ones, to
    /// move events from bucket to queue often).
    fn with_span_bits(span_bits: u32) -> Self {
        Self {
            heap: BinaryHeap::new(),
            span: Vec::new(),
            due: VecDeque::new(),
            now: 0,
            sorted: Vec::new(),
            taken: 0,
            later: Spans::new(span_bits),
            held: 0,
            scheduled: 0,
        }
    }

    /// Schedules `event` at `at` (not before the last event taken); it comes after every event
    /// scheduled before it for the same millisecond. One due in a later span may be dropped
    /// unseen if it is dead when the agenda reaches that span ([`Agenda::pop_live`]).
    pub fn schedule(&mut self, at: Millis, event: E) {
        let entry = Entry { at, seq: self.scheduled, event };
        self.scheduled += 1;
        // Nothing waits before `now`, and whatever waits for `now` was scheduled earlier.
        if at == self.now {
            self.due.push_back(entry);
            return;
        }
        match self.later.hold(at, entry) {
            Ok(()) => self.held += 1,
            Err(entry) => self.heap.push(entry),
        }
    }

    /// Schedules every event of `events` in turn, as `schedule` would one by one, on an agenda
    /// that holds none yet from an earlier `schedule_all`.
    pub fn schedule_all(&mut self, events: impl IntoIterator<Item = (Millis, E)>) {
        let first = self.scheduled;
        let mut sorted: Vec<Entry<E>> =
            events.into_iter().enumerate().map(|(k, (at, event))| Entry { at, seq: first + k as u64, event }).collect();
        self.scheduled += sorted.len() as u64;
        // Earliest first. Keys are unique (each its own `seq`), so an unstable sort gives the
        // same order, faster.
        sorted.sort_unstable_by_key(Entry::key);
        self.sorted = sorted;
        self.taken = 0;
    }

    /// Where the next event comes from, with its (time, order): the lane whose head has the
    /// least; the orders are unique, so there is never a tie. Events in buckets are all due in
    /// later spans.
    #[inline]
    fn first(&self) -> Option<(Lane, (Millis, u64))> {
        let sorted = self.sorted.get(self.taken).map_or(NONE, Entry::key);
        let heap = self.heap.peek().map_or(NONE, Entry::key);
        let due = self.due.front().map_or(NONE, Entry::key);
        let span = self.span.last().map_or(NONE, Entry::key);
        let (best, lane) = if heap < sorted { (heap, Lane::Heap) } else { (sorted, Lane::Sorted) };
        let (best, lane) = if due < best { (due, Lane::Due) } else { (best, lane) };
        let (best, lane) = if span < best { (span, Lane::Span) } else { (best, lane) };
        (best != NONE).then_some((lane, best))
    }

    /// Where the next event comes from, with its (time, order), once the events of every span
    /// up to its time that are still `live` have left their buckets.
    fn next_lane(&mut self, live: impl Fn(&E) -> bool) -> Option<(Lane, (Millis, u64))> {
        loop {
            let first = self.first();
            let next = first.map_or(Millis::MAX, |(_, (at, _))| at);
            if self.held == 0 {
                // No bucket holds anything: the next event's span is the current one.
                self.later.skip_to(next);
                return first;
            }
            let Some(mut bucket) = self.later.advance(next) else { return first };
            // Nothing is left of the span before (the next event is past it).
            debug_assert!(self.span.is_empty());
            self.held -= bucket.len();
            bucket.retain(|e| live(&e.event));
            bucket.sort_unstable_by_key(|e| std::cmp::Reverse(e.key()));
            std::mem::swap(&mut self.span, &mut bucket);
            self.later.recycle(bucket);
        }
    }

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        self.pop_live(|_| true)
    }

    /// The next event and its time, dropping events that are not `live` as they leave their
    /// buckets.
    pub fn pop_live(&mut self, live: impl Fn(&E) -> bool) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        let (lane, (at, _)) = self.next_lane(live)?;
        self.now = at;
        let entry = match lane {
            Lane::Sorted => {
                let e = &self.sorted[self.taken];
                self.taken += 1;
                return Some((e.at, e.event.clone()));
            }
            Lane::Heap => self.heap.pop(),
            Lane::Due => self.due.pop_front(),
            Lane::Span => self.span.pop(),
        };
        entry.map(|e| (e.at, e.event))
    }

    /// Whether an event waits for the moment the agenda is at (events in buckets are all
    /// due in later spans).
    pub fn has_due_now(&self) -> bool {
        self.first().is_some_and(|(_, (at, _))| at <= self.now)
    }

    /// Takes the place in the order that an event scheduled now would have, for an event the
    /// caller handles at once instead: one that would be taken next ([`Agenda::has_due_now`]
    /// is false, and it is due now).
    pub fn pass(&mut self) {
        self.scheduled += 1;
    }

    /// When the next event is due.
    pub fn next_time(&mut self) -> Option<Millis> {
        self.next_lane(|_| true).map(|(_, (at, _))| at)
    }

    /// Events waiting (those in buckets counted until they are found dead).
    pub fn len(&self) -> usize {
        self.heap.len() + self.span.len() + self.due.len() + self.sorted.len() - self.taken + self.held
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// No event: later than any.
const NONE: (Millis, u64) = (Millis::MAX, u64::MAX);

/// The places an event waits in.
#[derive(Debug, Clone, Copy)]
enum Lane {
    Sorted,
    Heap,
    Due,
    Span,
}

/// Items by the span of time they are due in, for the spans after the current one: a bucket
/// a span, `1 << bits` milliseconds each.
#[derive(Debug, Clone)]
struct Spans<T> {
    /// The buckets of spans `span + 1`, `span + 2`, ….
    buckets: VecDeque<Vec<T>>,
    /// The current span: items due in it or before are not held here.
    span: u64,
    bits: u32,
}

impl<T> Spans<T> {
    fn new(bits: u32) -> Self {
        Self { buckets: VecDeque::new(), span: 0, bits }
    }

    /// Holds `item`, due at `at`, in its span's bucket; gives it back when it is due in the
    /// current span or before (or so far ahead that a bucket would not pay).
    fn hold(&mut self, at: Millis, item: T) -> Result<(), T> {
        let ahead = (at >> self.bits).saturating_sub(self.span);
        if ahead == 0 || ahead > MAX_SPANS_AHEAD {
            return Err(item);
        }
        let index = (ahead - 1) as usize;
        if self.buckets.len() <= index {
            self.buckets.resize_with(index + 1, Vec::new);
        }
        self.buckets[index].push(item);
        Ok(())
    }

    /// When `next` is past the current span, moves on one span and returns that span's bucket
    /// (give it back emptied with [`Spans::recycle`]).
    fn advance(&mut self, next: Millis) -> Option<Vec<T>> {
        if next >> self.bits <= self.span {
            return None;
        }
        self.span += 1;
        Some(self.buckets.pop_front().unwrap_or_default())
    }

    /// When every bucket is empty: the current span becomes `next`'s (if that is later).
    fn skip_to(&mut self, next: Millis) {
        if next != Millis::MAX {
            self.span = self.span.max(next >> self.bits);
        }
    }

    /// Takes an emptied bucket back: it serves the span after the others.
    fn recycle(&mut self, bucket: Vec<T>) {
        debug_assert!(bucket.is_empty());
        self.buckets.push_back(bucket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_order_then_scheduling_order() {
        let mut a = Agenda::new();
        a.schedule(20, 'c');
        a.schedule(10, 'a');
        a.schedule(20, 'd');
        a.schedule(10, 'b');
        let order: Vec<(Millis, char)> = std::iter::from_fn(|| a.pop()).collect();
        assert_eq!(order, [(10, 'a'), (10, 'b'), (20, 'c'), (20, 'd')]);
    }

    #[test]
    fn events_scheduled_all_at_once_interleave_as_if_pushed_one_by_one() {
        let mut a = Agenda::new();
        a.schedule(10, 'b'); // before the list: first among the 10s
        a.schedule_all([(10, 'c'), (5, 'a'), (20, 'e')]);
        a.schedule(10, 'd'); // after the list: last among the 10s
        a.schedule(20, 'f');
        assert_eq!(a.len(), 6);
        assert_eq!(a.next_time(), Some(5));
        let order: Vec<char> = std::iter::from_fn(|| a.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ['a', 'b', 'c', 'd', 'e', 'f']);
        assert!(a.is_empty());
    }

    #[test]
    fn events_keep_their_place_and_the_dead_ones_are_dropped_as_they_leave_their_bucket() {
        // Spans of 4 ms: everything from 4 ms on waits in buckets.
        let mut a = Agenda::with_span_bits(2);
        a.schedule(40, 'x'); // dead by the time it comes near
        a.schedule(30, 'c');
        a.schedule(30, 'd');
        a.schedule(2, 'a'); // in the current span: straight into the heap
        a.schedule(10, 'b');
        a.schedule(40, 'e');
        a.schedule(1_000, 'y'); // dead
        assert_eq!(a.len(), 7);
        let live = |e: &char| !matches!(e, 'x' | 'y');
        let order: Vec<(Millis, char)> = std::iter::from_fn(|| a.pop_live(live)).collect();
        assert_eq!(order, [(2, 'a'), (10, 'b'), (30, 'c'), (30, 'd'), (40, 'e')]);
        assert!(a.is_empty());
    }

    #[test]
    fn an_event_handled_at_once_takes_the_place_it_would_have_had() {
        let mut a = Agenda::new();
        a.schedule(10, 'a');
        assert_eq!(a.pop(), Some((10, 'a')));
        assert!(!a.has_due_now());
        a.pass(); // handled at once, instead of scheduled for 10
        a.schedule(10, 'b');
        assert!(a.has_due_now());
        assert_eq!(a.pop(), Some((10, 'b')));
        assert_eq!(a.pop(), None);
    }

    proptest::proptest! {
        /// Scheduling between pops, never into the past, with spans short enough that events
        /// wait in buckets, and a share of them dead: every live event comes, in the order of
        /// (time, order), as from one heap of everything; a dead one may come (in its place) or
        /// be dropped.
        #[test]
        fn events_scheduled_while_popping_come_in_time_then_scheduling_order(
            span_bits in 0u32..6,
            ops in proptest::collection::vec((0u8..4, 0u64..200), 0..300)
        ) {
            let mut a = Agenda::with_span_bits(span_bits);
            // Event `2 × order + dead`: the order scheduled, and whether it is dead.
            let live = |e: &u64| e.is_multiple_of(2);
            let mut scheduled: Vec<(Millis, u64)> = Vec::new();
            let (mut order, mut now) = (0u64, 0);
            let mut got: Vec<(Millis, u64)> = Vec::new();
            for (kind, ahead) in ops {
                if kind < 3 {
                    let at = now + ahead * ahead;
                    let event = order * 2 + u64::from(kind == 0);
                    a.schedule(at, event);
                    scheduled.push((at, event));
                    order += 1;
                } else if let Some((at, event)) = a.pop_live(live) {
                    now = at;
                    got.push((at, event));
                }
            }
            got.extend(std::iter::from_fn(|| a.pop_live(live)));
            proptest::prop_assert!(a.is_empty());
            // In (time, order) order.
            proptest::prop_assert!(got.windows(2).all(|w| (w[0].0, w[0].1 / 2) < (w[1].0, w[1].1 / 2)));
            // Every live event, each once; nothing that was not scheduled.
            let mut expected: Vec<(Millis, u64)> = scheduled.iter().copied().filter(|e| live(&e.1)).collect();
            expected.sort_by_key(|e| (e.0, e.1));
            let taken: Vec<(Millis, u64)> = got.iter().copied().filter(|e| live(&e.1)).collect();
            proptest::prop_assert_eq!(taken, expected);
            proptest::prop_assert!(got.iter().all(|e| scheduled.contains(e)));
        }
    }
}
