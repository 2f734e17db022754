//! The event queue of a coupled replication: events in time order, ties in the order they
//! were scheduled (FORMAT 1.1's tie rule).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::scenario::Millis;

/// Events of type `E` waiting for their time.
#[derive(Debug, Clone)]
pub struct Agenda<E> {
    heap: BinaryHeap<Entry<E>>,
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
        Self { heap: BinaryHeap::new(), scheduled: 0 }
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

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(Millis, E)> {
        self.heap.pop().map(|e| (e.at, e.event))
    }

    /// When the next event is due.
    pub fn next_time(&self) -> Option<Millis> {
        self.heap.peek().map(|e| e.at)
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
}
