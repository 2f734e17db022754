//! The event queue of a coupled replication: events in time order, ties in the order they
//! were scheduled (FORMAT 1.1's tie rule).
//!
//! Many events are known before anything runs (every server's start): [`Agenda::schedule_all`]
//! keeps them in a sorted list beside the heap instead of in it, so the heap holds only what is
//! pending now and stays small; `pop` takes the earlier of the two heads, in the same order as if
//! every event had been pushed.
//!
//! Some events stand for "the next one of its kind" and are replaced by a later schedule (a
//! shared instance's next completion): [`Agenda::schedule_keyed`] keeps at most one event a
//! key, in an indexed heap of its own, so a replaced or cancelled event leaves the queue
//! instead of waiting in it. The order is the same as if every event had been pushed and the
//! replaced ones dropped when they came up.
//!
//! Three more lanes keep the heaps small without changing the order. An event scheduled for the
//! very moment the agenda is at (an activity posted as its answer arrives) waits in a plain
//! list: it is later than everything due now, so the list is already in order. A keyed event
//! past the keyed heap's span of time (about a minute) waits in that span's bucket and joins the
//! heap when the agenda reaches the span; replacing or cancelling it meanwhile costs nothing but
//! forgetting it. And an event that will most likely be dead when it is due (an activity's
//! time-out, hours away; the activity almost always ends first) is scheduled lazily
//! ([`Agenda::schedule_lazy`]): it waits in a bucket without being cancelled, and when the
//! agenda reaches its span it joins the queue only if the caller's test says it still matters.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::scenario::Millis;

/// Events of type `E` waiting for their time.
#[derive(Debug, Clone)]
pub struct Agenda<E> {
    heap: BinaryHeap<Entry<E>>,
    /// Events scheduled for `now` while the agenda is at `now`, in the order scheduled.
    due: VecDeque<Entry<E>>,
    /// The time of the last event taken.
    now: Millis,
    /// Events scheduled all at once, sorted by (time, order), and how many were taken.
    sorted: Vec<Entry<E>>,
    taken: usize,
    /// At most one event a key.
    keyed: KeyedHeap<E>,
    /// Events past the heap's span that may be dead by the time they are due
    /// ([`Agenda::schedule_lazy`]), and how many.
    lazy: Spans<Entry<E>>,
    held: usize,
    scheduled: u64,
}

#[derive(Debug, Clone)]
struct Entry<E> {
    at: Millis,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
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
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl<E> Default for Agenda<E> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            due: VecDeque::new(),
            now: 0,
            sorted: Vec::new(),
            taken: 0,
            keyed: KeyedHeap::default(),
            lazy: Spans::new(SPAN_BITS),
            held: 0,
            scheduled: 0,
        }
    }
}

impl<E> Agenda<E> {
    /// An empty agenda.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty agenda whose keyed events wait in buckets of `1 << span_bits` ms (tests use
    /// short ones, to move events from bucket to heap often).
    #[cfg(test)]
    fn with_span_bits(span_bits: u32) -> Self {
        Self { keyed: KeyedHeap::with_span_bits(span_bits), lazy: Spans::new(span_bits), ..Self::default() }
    }

    /// Schedules `event` at `at`; it runs after every event scheduled before it for the same
    /// millisecond.
    pub fn schedule(&mut self, at: Millis, event: E) {
        let entry = Entry { at, seq: self.scheduled, event };
        self.scheduled += 1;
        // Nothing waits before `now`, and whatever waits for `now` was scheduled earlier.
        if at == self.now {
            self.due.push_back(entry);
        } else {
            self.heap.push(entry);
        }
    }

    /// Schedules `event` at `at` as the one event of `key` (below the count given to
    /// [`Agenda::keys`]), dropping the one `key` had; `same` says whether the event `key` holds
    /// already stands for this one, which is then kept with its place in the order.
    pub fn schedule_keyed(&mut self, key: usize, at: Millis, event: E, same: impl Fn(&E) -> bool) {
        if let Some((held_at, held)) = self.keyed.get(key)
            && held_at == at
            && same(held)
        {
            return;
        }
        self.keyed.set(key, Entry { at, seq: self.scheduled, event });
        self.scheduled += 1;
    }

    /// Schedules `event` at `at` like [`Agenda::schedule`], for an event that will most likely
    /// be dead when it is due (a time-out whose activity ends first): one far ahead waits in a
    /// bucket, and the events of a bucket the agenda reaches join the queue only if the `live`
    /// test given to [`Agenda::pop_live`] says they still matter.
    pub fn schedule_lazy(&mut self, at: Millis, event: E) {
        let entry = Entry { at, seq: self.scheduled, event };
        match self.lazy.hold(at, entry) {
            Ok(()) => {
                self.scheduled += 1;
                self.held += 1;
            }
            Err(entry) => self.schedule(at, entry.event),
        }
    }

    /// Drops the event of `key`, if it holds one.
    pub fn cancel(&mut self, key: usize) {
        self.keyed.remove(key);
    }

    /// Makes room for keys `0..count`.
    pub fn keys(&mut self, count: usize) {
        self.keyed.reserve_keys(count);
    }

    /// Schedules every event of `events` in turn, as `schedule` would one by one, on an agenda
    /// that holds none yet from an earlier `schedule_all`.
    pub fn schedule_all(&mut self, events: impl IntoIterator<Item = (Millis, E)>)
    where
        E: Clone,
    {
        let first = self.scheduled;
        let mut sorted: Vec<Entry<E>> =
            events.into_iter().enumerate().map(|(k, (at, event))| Entry { at, seq: first + k as u64, event }).collect();
        self.scheduled += sorted.len() as u64;
        // Earliest first: the reverse of the heap's order. Keys are unique (each its own
        // `seq`), so an unstable sort gives the same order, faster.
        sorted.sort_unstable_by_key(|e| (e.at, e.seq));
        self.sorted = sorted;
        self.taken = 0;
    }

    /// Where the next event comes from, with its (time, order): the lane whose head has the
    /// least; the orders are unique, so there is never a tie. Keyed events still in their
    /// buckets are all later than the keyed heap's span ([`KeyedHeap::settle`]).
    #[inline]
    fn first(&self) -> Option<(Lane, (Millis, u64))> {
        let sorted = self.sorted.get(self.taken).map_or(NONE, |e| (e.at, e.seq));
        let heap = self.heap.peek().map_or(NONE, |e| (e.at, e.seq));
        let due = self.due.front().map_or(NONE, |e| (e.at, e.seq));
        let keyed = self.keyed.peek().unwrap_or(NONE);
        let (best, lane) = if heap < sorted { (heap, Lane::Heap) } else { (sorted, Lane::Sorted) };
        let (best, lane) = if due < best { (due, Lane::Due) } else { (best, lane) };
        let (best, lane) = if keyed < best { (keyed, Lane::Keyed) } else { (best, lane) };
        (best != NONE).then_some((lane, best))
    }

    /// Where the next event comes from, with its (time, order), once the keyed events of every
    /// span up to its time are in the keyed heap and the lazy ones that are still `live` in the
    /// heap.
    fn next_lane(&mut self, live: impl Fn(&E) -> bool) -> Option<(Lane, (Millis, u64))> {
        loop {
            let first = self.first();
            let next = first.map_or(Millis::MAX, |(_, (at, _))| at);
            if self.keyed.has_later() && self.keyed.settle(next) {
                continue;
            }
            if self.held > 0
                && let Some(mut bucket) = self.lazy.advance(next)
            {
                self.held -= bucket.len();
                self.heap.extend(bucket.drain(..).filter(|e| live(&e.event)));
                self.lazy.recycle(bucket);
                continue;
            }
            return first;
        }
    }

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        self.pop_live(|_| true)
    }

    /// The next event and its time, dropping lazily scheduled events that are not `live` as
    /// they come near.
    pub fn pop_live(&mut self, live: impl Fn(&E) -> bool) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        let (lane, (at, _)) = self.next_lane(live)?;
        self.now = at;
        match lane {
            Lane::Sorted => {
                let e = &self.sorted[self.taken];
                self.taken += 1;
                Some((e.at, e.event.clone()))
            }
            Lane::Heap => self.heap.pop().map(|e| (e.at, e.event)),
            Lane::Due => self.due.pop_front().map(|e| (e.at, e.event)),
            Lane::Keyed => self.keyed.pop().map(|e| (e.at, e.event)),
        }
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

    /// Events waiting (lazily scheduled ones counted until they are found dead).
    pub fn len(&self) -> usize {
        self.heap.len() + self.due.len() + self.sorted.len() - self.taken + self.keyed.len() + self.held
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
    Keyed,
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

    /// Takes an emptied bucket back: it serves the span after the others.
    fn recycle(&mut self, bucket: Vec<T>) {
        debug_assert!(bucket.is_empty());
        self.buckets.push_back(bucket);
    }
}

/// A binary min-heap of entries, at most one a key, that knows where each key's entry is; an
/// entry later than the heap's span waits in its span's bucket instead.
///
/// The heap itself holds only each entry's (time, order, key), 24 bytes that copy; the events
/// wait by key beside it. Sifting moves a hole instead of swapping, so each step writes one
/// node and one place.
#[derive(Debug, Clone)]
struct KeyedHeap<E> {
    /// (time, order, key), earliest first at the root.
    nodes: Vec<Node>,
    /// Per key, side by side (one cache line): where its entry is, and its event.
    slots: Vec<Slot<E>>,
    /// Entries past the heap's span; an entry a key replaced or cancelled stays in its bucket,
    /// forgotten, until the bucket is emptied.
    spans: Spans<Node>,
    /// Entries waiting in buckets (not counting forgotten ones).
    later: usize,
}

/// One key of a [`KeyedHeap`].
#[derive(Debug, Clone)]
struct Slot<E> {
    /// Its node's place in the heap's nodes, or `NOWHERE`.
    place: u32,
    /// The (time, order) of its entry while that waits in a bucket.
    waiting: Option<(Millis, u64)>,
    /// Its event while it has one.
    event: Option<E>,
}

/// A span of [`KeyedHeap`]'s buckets: 2¹⁶ ms, about a minute.
const SPAN_BITS: u32 = 16;

/// The most spans ahead an entry waits in a bucket (about 50 days); a later one goes straight
/// into the heap.
const MAX_SPANS_AHEAD: u64 = 1 << 16;

/// One keyed entry's place in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    at: Millis,
    seq: u64,
    key: u32,
}

impl Node {
    /// Whether it comes before `other`.
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        (self.at, self.seq) < (other.at, other.seq)
    }
}

const NOWHERE: u32 = u32::MAX;

impl<E> Default for KeyedHeap<E> {
    fn default() -> Self {
        Self::with_span_bits(SPAN_BITS)
    }
}

impl<E> KeyedHeap<E> {
    /// An empty heap whose buckets are `1 << span_bits` ms each.
    fn with_span_bits(span_bits: u32) -> Self {
        Self { nodes: Vec::new(), slots: Vec::new(), spans: Spans::new(span_bits), later: 0 }
    }

    fn reserve_keys(&mut self, count: usize) {
        if self.slots.len() < count {
            self.slots.resize_with(count, || Slot { place: NOWHERE, waiting: None, event: None });
        }
    }

    fn len(&self) -> usize {
        self.nodes.len() + self.later
    }

    /// The earliest entry's (time, order) in the heap (entries in buckets are later).
    fn peek(&self) -> Option<(Millis, u64)> {
        self.nodes.first().map(|n| (n.at, n.seq))
    }

    /// Whether entries wait in buckets.
    fn has_later(&self) -> bool {
        self.later > 0
    }

    /// When the next event elsewhere is at `next` and that is past the heap's span, moves the
    /// next span's entries into the heap and returns `true`.
    fn settle(&mut self, next: Millis) -> bool {
        let Some(mut bucket) = self.spans.advance(next) else { return false };
        for node in bucket.drain(..) {
            let key = node.key as usize;
            if self.slots[key].waiting == Some((node.at, node.seq)) {
                self.slots[key].waiting = None;
                self.later -= 1;
                self.insert(node);
            }
        }
        self.spans.recycle(bucket);
        true
    }

    /// `key`'s entry: its time and event.
    fn get(&self, key: usize) -> Option<(Millis, &E)> {
        let slot = self.slots.get(key)?;
        let at = match slot.place {
            NOWHERE => slot.waiting?.0,
            i => self.nodes.get(i as usize)?.at,
        };
        slot.event.as_ref().map(|e| (at, e))
    }

    /// Puts `node` at `i`, recording its place.
    #[inline(always)]
    fn put(&mut self, i: usize, node: Node) {
        self.nodes[i] = node;
        self.slots[node.key as usize].place = i as u32;
    }

    /// Moves `node`, whose place is the hole at `i`, up to where it belongs.
    fn up(&mut self, mut i: usize, node: Node) {
        while i > 0 {
            let parent = (i - 1) / 2;
            let above = self.nodes[parent];
            if !node.before(&above) {
                break;
            }
            self.put(i, above);
            i = parent;
        }
        self.put(i, node);
    }

    /// Moves `node`, whose place is the hole at `i`, down to where it belongs.
    fn down(&mut self, mut i: usize, node: Node) {
        let n = self.nodes.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let child = if r < n && self.nodes[r].before(&self.nodes[l]) { r } else { l };
            let below = self.nodes[child];
            if !below.before(&node) {
                break;
            }
            self.put(i, below);
            i = child;
        }
        self.put(i, node);
    }

    /// Moves the node at `i` to where it belongs, up or down.
    fn mend(&mut self, i: usize, node: Node) {
        if i > 0 && node.before(&self.nodes[(i - 1) / 2]) { self.up(i, node) } else { self.down(i, node) }
    }

    /// Adds `node`, whose key has no node in the heap, to the heap.
    fn insert(&mut self, node: Node) {
        self.nodes.push(node);
        let i = self.nodes.len() - 1;
        self.up(i, node);
    }

    /// Puts `entry` in as `key`'s, replacing the one it had.
    fn set(&mut self, key: usize, entry: Entry<E>) {
        self.reserve_keys(key + 1);
        let node = Node { at: entry.at, seq: entry.seq, key: key as u32 };
        self.slots[key].event = Some(entry.event);
        let Err(node) = self.spans.hold(entry.at, node) else {
            if self.slots[key].place != NOWHERE {
                self.take_node(self.slots[key].place as usize);
            }
            if self.slots[key].waiting.replace((entry.at, entry.seq)).is_none() {
                self.later += 1;
            }
            return;
        };
        if self.slots[key].waiting.take().is_some() {
            self.later -= 1;
        }
        match self.slots[key].place {
            NOWHERE => self.insert(node),
            at => self.mend(at as usize, node),
        }
    }

    /// Takes `key`'s entry out.
    fn remove(&mut self, key: usize) {
        let Some(slot) = self.slots.get_mut(key) else { return };
        if slot.place != NOWHERE {
            let at = slot.place as usize;
            self.take(at);
        } else if slot.waiting.take().is_some() {
            slot.event = None;
            self.later -= 1;
        }
    }

    /// Takes the earliest entry out.
    fn pop(&mut self) -> Option<Entry<E>> {
        if self.nodes.is_empty() { None } else { Some(self.take(0)) }
    }

    /// Takes the node at `i` out of the heap, mending it; returns the node.
    fn take_node(&mut self, i: usize) -> Node {
        let node = self.nodes[i];
        let last = self.nodes.pop().expect("an entry at i");
        if i < self.nodes.len() {
            self.mend(i, last);
        }
        self.slots[node.key as usize].place = NOWHERE;
        node
    }

    /// Takes the entry at `i` out, mending the heap.
    fn take(&mut self, i: usize) -> Entry<E> {
        let node = self.take_node(i);
        let event = self.slots[node.key as usize].event.take().expect("a keyed node has its event");
        Entry { at: node.at, seq: node.seq, event }
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
    fn a_keyed_event_replaces_its_key_s_last_and_keeps_its_place_when_the_same() {
        let mut a = Agenda::new();
        a.keys(3);
        a.schedule(10, 'a');
        a.schedule_keyed(0, 10, 'x', |_| false); // replaced below: never comes
        a.schedule_keyed(1, 10, 'b', |_| false);
        a.schedule(10, 'c');
        a.schedule_keyed(1, 10, 'b', |e| *e == 'b'); // the same: keeps its place before 'c'
        a.schedule_keyed(0, 30, 'e', |_| false);
        a.schedule_keyed(2, 20, 'z', |_| false);
        a.cancel(2);
        a.schedule(20, 'd');
        assert_eq!(a.len(), 5);
        let order: Vec<(Millis, char)> = std::iter::from_fn(|| a.pop()).collect();
        assert_eq!(order, [(10, 'a'), (10, 'b'), (10, 'c'), (20, 'd'), (30, 'e')]);
    }

    #[test]
    fn lazy_events_keep_their_place_and_the_dead_ones_are_dropped_as_they_come_near() {
        // Spans of 4 ms: everything from 4 ms on waits in buckets.
        let mut a = Agenda::with_span_bits(2);
        a.schedule_lazy(40, 'x'); // dead by the time it comes near
        a.schedule_lazy(30, 'c');
        a.schedule(30, 'd');
        a.schedule_lazy(2, 'a'); // in the current span: straight into the queue
        a.schedule(10, 'b');
        a.schedule_lazy(40, 'e');
        a.schedule_lazy(1_000, 'y'); // dead
        assert_eq!(a.len(), 7);
        let live = |e: &char| !matches!(e, 'x' | 'y');
        let order: Vec<(Millis, char)> = std::iter::from_fn(|| a.pop_live(live)).collect();
        assert_eq!(order, [(2, 'a'), (10, 'b'), (30, 'c'), (30, 'd'), (40, 'e')]);
        assert!(a.is_empty());
    }

    proptest::proptest! {
        /// Against a plain list: every event pushed, a replaced or cancelled one skipped when it
        /// comes up.
        #[test]
        fn keyed_events_come_in_the_order_of_a_list_that_skips_replaced_ones(
            ops in proptest::collection::vec((0u8..4, 0usize..5, 0u64..40), 0..200)
        ) {
            let mut a = Agenda::new();
            a.keys(5);
            let mut list: Vec<(Millis, u64, char, Option<usize>)> = Vec::new();
            let mut live: Vec<Option<u64>> = vec![None; 5];
            let mut seq = 0u64;
            for (kind, key, at) in ops {
                match kind {
                    0 => { a.schedule(at, 'p'); list.push((at, seq, 'p', None)); seq += 1; }
                    1 | 2 => {
                        a.schedule_keyed(key, at, 'k', |_| false);
                        list.push((at, seq, 'k', Some(key)));
                        live[key] = Some(seq);
                        seq += 1;
                    }
                    _ => { a.cancel(key); live[key] = None; }
                }
            }
            list.sort_by_key(|e| (e.0, e.1));
            let expected: Vec<(Millis, char)> = list
                .into_iter()
                .filter(|e| e.3.is_none_or(|k| live[k] == Some(e.1)))
                .map(|e| (e.0, e.2))
                .collect();
            let got: Vec<(Millis, char)> = std::iter::from_fn(|| a.pop()).collect();
            proptest::prop_assert_eq!(got, expected);
        }

        /// Scheduling, replacing and cancelling between pops, never into the past, with spans
        /// short enough that keyed events wait in buckets: every event comes in the order of
        /// (time, order) among those still live.
        #[test]
        fn events_scheduled_while_popping_come_in_time_then_scheduling_order(
            span_bits in 0u32..6,
            ops in proptest::collection::vec((0u8..5, 0usize..6, 0u64..200), 0..300)
        ) {
            let mut a = Agenda::with_span_bits(span_bits);
            a.keys(6);
            // The model: every live event as (time, order, key), and the time of the last pop.
            let mut live: Vec<(Millis, u64, Option<usize>)> = Vec::new();
            let (mut seq, mut now) = (0u64, 0);
            let mut got = Vec::new();
            let mut expected = Vec::new();
            for (kind, key, ahead) in ops {
                let at = now + ahead * ahead;
                match kind {
                    0 => {
                        a.schedule(at, seq);
                        live.push((at, seq, None));
                        seq += 1;
                    }
                    1 | 2 => {
                        a.schedule_keyed(key, at, seq, |_| false);
                        live.retain(|e| e.2 != Some(key));
                        live.push((at, seq, Some(key)));
                        seq += 1;
                    }
                    3 => {
                        a.cancel(key);
                        live.retain(|e| e.2 != Some(key));
                    }
                    _ => {
                        proptest::prop_assert_eq!(a.len(), live.len());
                        if let Some(i) = (0..live.len()).min_by_key(|&i| (live[i].0, live[i].1)) {
                            let (at, seq, _) = live.remove(i);
                            now = at;
                            expected.push((at, seq));
                        }
                        got.extend(a.pop());
                    }
                }
            }
            live.sort_by_key(|e| (e.0, e.1));
            expected.extend(live.iter().map(|e| (e.0, e.1)));
            got.extend(std::iter::from_fn(|| a.pop()));
            proptest::prop_assert_eq!(got, expected);
        }
    }
}
