//! The event queue of a coupled replication: events in time order, ties in the order they
//! were scheduled (FORMAT 1.1's tie rule).
//!
//! Many events are known before anything runs (every server's start): [`Agenda::schedule_all`]
//! keeps them in a sorted list beside the heap instead of in it, so the heap holds only what is
//! pending now and stays small; `pop` takes the earlier of the two heads, in the same order as if
//! every event had been pushed.
//!
//! Some events stand for "the next one of its kind" and are replaced by a later schedule (a
//! shared instance's next completion, an activity's expiry): [`Agenda::schedule_keyed`] keeps
//! at most one event a key, in an indexed heap of its own, so a replaced or cancelled event
//! leaves the queue instead of waiting in it — an install's 8-hour time-out would otherwise sit
//! in the heap for 8 simulated hours after the install ended. The order is the same as if every
//! event had been pushed and the replaced ones dropped when they came up.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::scenario::Millis;

/// Events of type `E` waiting for their time.
#[derive(Debug, Clone)]
pub struct Agenda<E> {
    heap: BinaryHeap<Entry<E>>,
    /// Events scheduled all at once, sorted by (time, order), and how many were taken.
    sorted: Vec<Entry<E>>,
    taken: usize,
    /// At most one event a key.
    keyed: KeyedHeap<E>,
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
        Self { heap: BinaryHeap::new(), sorted: Vec::new(), taken: 0, keyed: KeyedHeap::default(), scheduled: 0 }
    }
}

impl<E> Agenda<E> {
    /// An empty agenda.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `at`; it runs after every event scheduled before it for the same
    /// millisecond.
    pub fn schedule(&mut self, at: Millis, event: E) {
        self.heap.push(Entry { at, seq: self.scheduled, event });
        self.scheduled += 1;
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

    /// Where the next event comes from: the lane whose head has the least (time, order); the
    /// orders are unique, so there is never a tie.
    #[inline]
    fn first(&self) -> Option<Lane> {
        const NONE: (Millis, u64) = (Millis::MAX, u64::MAX);
        let sorted = self.sorted.get(self.taken).map_or(NONE, |e| (e.at, e.seq));
        let heap = self.heap.peek().map_or(NONE, |e| (e.at, e.seq));
        let keyed = self.keyed.peek().unwrap_or(NONE);
        let (best, lane) = if heap < sorted { (heap, Lane::Heap) } else { (sorted, Lane::Sorted) };
        let (best, lane) = if keyed < best { (keyed, Lane::Keyed) } else { (best, lane) };
        (best != NONE).then_some(lane)
    }

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        match self.first()? {
            Lane::Sorted => {
                let e = &self.sorted[self.taken];
                self.taken += 1;
                Some((e.at, e.event.clone()))
            }
            Lane::Heap => self.heap.pop().map(|e| (e.at, e.event)),
            Lane::Keyed => self.keyed.pop().map(|e| (e.at, e.event)),
        }
    }

    /// When the next event is due.
    pub fn next_time(&self) -> Option<Millis> {
        match self.first()? {
            Lane::Sorted => self.sorted.get(self.taken).map(|e| e.at),
            Lane::Heap => self.heap.peek().map(|e| e.at),
            Lane::Keyed => self.keyed.peek().map(|(at, _)| at),
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len() + self.sorted.len() - self.taken + self.keyed.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The three places an event waits in.
#[derive(Debug, Clone, Copy)]
enum Lane {
    Sorted,
    Heap,
    Keyed,
}

/// A binary min-heap of entries, at most one a key, that knows where each key's entry is.
///
/// The heap itself holds only each entry's (time, order, key), 24 bytes that copy; the events
/// wait by key beside it. Sifting moves a hole instead of swapping, so each step writes one
/// node and one place.
#[derive(Debug, Clone)]
struct KeyedHeap<E> {
    /// (time, order, key), earliest first at the root.
    nodes: Vec<Node>,
    /// Per key: its node's place in `nodes`, or `NOWHERE`.
    place: Vec<u32>,
    /// Per key: its event while it has one.
    events: Vec<Option<E>>,
}

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
        Self { nodes: Vec::new(), place: Vec::new(), events: Vec::new() }
    }
}

impl<E> KeyedHeap<E> {
    fn reserve_keys(&mut self, count: usize) {
        if self.place.len() < count {
            self.place.resize(count, NOWHERE);
            self.events.resize_with(count, || None);
        }
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The earliest entry's (time, order).
    fn peek(&self) -> Option<(Millis, u64)> {
        self.nodes.first().map(|n| (n.at, n.seq))
    }

    /// `key`'s entry: its time and event.
    fn get(&self, key: usize) -> Option<(Millis, &E)> {
        let at = *self.place.get(key)?;
        let node = self.nodes.get(at as usize)?;
        self.events[key].as_ref().map(|e| (node.at, e))
    }

    /// Puts `node` at `i`, recording its place.
    #[inline(always)]
    fn put(&mut self, i: usize, node: Node) {
        self.nodes[i] = node;
        self.place[node.key as usize] = i as u32;
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

    /// Puts `entry` in as `key`'s, replacing the one it had.
    fn set(&mut self, key: usize, entry: Entry<E>) {
        self.reserve_keys(key + 1);
        let node = Node { at: entry.at, seq: entry.seq, key: key as u32 };
        self.events[key] = Some(entry.event);
        match self.place[key] {
            NOWHERE => {
                self.nodes.push(node);
                let i = self.nodes.len() - 1;
                self.up(i, node);
            }
            at => self.mend(at as usize, node),
        }
    }

    /// Takes `key`'s entry out.
    fn remove(&mut self, key: usize) -> Option<Entry<E>> {
        let at = *self.place.get(key)?;
        if at == NOWHERE {
            return None;
        }
        Some(self.take(at as usize))
    }

    /// Takes the earliest entry out.
    fn pop(&mut self) -> Option<Entry<E>> {
        if self.nodes.is_empty() { None } else { Some(self.take(0)) }
    }

    /// Takes the entry at `i` out, mending the heap.
    fn take(&mut self, i: usize) -> Entry<E> {
        let node = self.nodes[i];
        let last = self.nodes.pop().expect("an entry at i");
        if i < self.nodes.len() {
            self.mend(i, last);
        }
        self.place[node.key as usize] = NOWHERE;
        let event = self.events[node.key as usize].take().expect("a keyed node has its event");
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
    }
}
