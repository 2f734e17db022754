//! The event queue of a coupled replication: events in time order, ties in the order they
//! were scheduled (FORMAT 1.1's tie rule).
//!
//! Many events are known before anything runs (every server's start): [`Agenda::schedule_all`]
//! keeps them in a sorted list beside the heap instead of in it, so the heap holds only what is
//! pending now and stays small; `pop` takes the earlier of the two heads, in the same order as if
//! every event had been pushed.

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
        Self { heap: BinaryHeap::new(), sorted: Vec::new(), taken: 0, scheduled: 0 }
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
        // Earliest first: the reverse of the heap's order.
        sorted.sort_by(|a, b| b.cmp(a));
        self.sorted = sorted;
        self.taken = 0;
    }

    /// Whether the next event comes from the sorted list rather than the heap.
    fn sorted_first(&self) -> bool {
        match (self.sorted.get(self.taken), self.heap.peek()) {
            (Some(s), Some(h)) => (s.at, s.seq) < (h.at, h.seq),
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(Millis, E)>
    where
        E: Clone,
    {
        if self.sorted_first() {
            let e = &self.sorted[self.taken];
            self.taken += 1;
            Some((e.at, e.event.clone()))
        } else {
            self.heap.pop().map(|e| (e.at, e.event))
        }
    }

    /// When the next event is due.
    pub fn next_time(&self) -> Option<Millis> {
        if self.sorted_first() { self.sorted.get(self.taken).map(|e| e.at) } else { self.heap.peek().map(|e| e.at) }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len() + self.sorted.len() - self.taken
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
}
