//! A component's outages as sorted, merged intervals, and what they do to service.
//!
//! During an outage a component serves nothing: a message whose service would start inside an
//! outage starts when it ends; a message in service when an outage begins pauses and resumes
//! after it (its service time is unchanged, its departure later by the outage's length).
//! Nothing is lost.
//!
//! Service starts of a FIFO queue never go backwards, so a cursor walks the intervals once per
//! replication: the cost is O(messages + outages).

use crate::scenario::{Component, Outage};

/// The outages of one component, sorted and merged, with a cursor for monotone queries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downtime {
    intervals: Vec<(f64, f64)>,
    cursor: usize,
    /// Whether there is no outage at all (the common case, tested once per message).
    always_up: bool,
}

impl Downtime {
    /// The downtime of the component(s) `applies` selects, from a scenario's outages.
    pub fn new(outages: &[Outage], applies: impl Fn(Component) -> bool) -> Self {
        let mut intervals: Vec<(f64, f64)> =
            outages.iter().filter(|o| applies(o.component)).map(|o| (o.at as f64, (o.at + o.length) as f64)).collect();
        intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(intervals.len());
        for (start, end) in intervals {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let always_up = merged.is_empty();
        Self { intervals: merged, cursor: 0, always_up }
    }

    /// A service of length `d` that may start at `ready` (non-decreasing between rewinds):
    /// when it starts and when it ends.
    #[inline(always)]
    pub fn serve(&mut self, ready: f64, d: f64) -> (f64, f64) {
        if self.always_up {
            return (ready, ready + d);
        }
        let start = self.start_at(ready);
        (start, self.end_of(start, d))
    }

    /// Whether the component is never down.
    pub fn is_empty(&self) -> bool {
        self.always_up
    }

    /// The merged intervals, `(start, end)` in milliseconds.
    pub fn intervals(&self) -> &[(f64, f64)] {
        &self.intervals
    }

    /// Rewinds the cursor for a new replication.
    pub fn rewind(&mut self) {
        self.cursor = 0;
    }

    /// The earliest moment at or after `t` when the component is up. Calls must come with
    /// non-decreasing `t` (between rewinds).
    #[inline]
    pub fn start_at(&mut self, t: f64) -> f64 {
        while self.cursor < self.intervals.len() && self.intervals[self.cursor].1 <= t {
            self.cursor += 1;
        }
        match self.intervals.get(self.cursor) {
            Some(&(start, end)) if start <= t => end,
            _ => t,
        }
    }

    /// When a service of length `d` that starts at `start` (an up moment) ends: later by the
    /// length of every outage that begins before it is done.
    #[inline]
    pub fn end_of(&self, start: f64, d: f64) -> f64 {
        let mut end = start + d;
        let mut i = self.cursor;
        while let Some(&(s, e)) = self.intervals.get(i) {
            if s >= end {
                break;
            }
            if s >= start {
                end += e - s;
            }
            i += 1;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::duration::MINUTE;

    fn outage(at: u64, length: u64) -> Outage {
        Outage { component: Component::StatusManager, at: at * MINUTE, length: length * MINUTE }
    }

    #[test]
    fn overlapping_outages_merge() {
        let d = Downtime::new(&[outage(10, 5), outage(12, 10), outage(40, 1)], |_| true);
        let m = MINUTE as f64;
        assert_eq!(d.intervals(), &[(10.0 * m, 22.0 * m), (40.0 * m, 41.0 * m)]);
    }

    #[test]
    fn starts_are_deferred_and_services_paused() {
        let m = MINUTE as f64;
        let mut d = Downtime::new(&[outage(10, 30)], |c| c == Component::StatusManager);
        assert_eq!(d.start_at(5.0 * m), 5.0 * m);
        // A service from 5 to 15 minutes is paused from 10 to 40: it ends at 45.
        assert_eq!(d.end_of(5.0 * m, 10.0 * m), 45.0 * m);
        assert_eq!(d.start_at(20.0 * m), 40.0 * m);
        assert_eq!(d.end_of(40.0 * m, m), 41.0 * m);
        assert_eq!(d.start_at(50.0 * m), 50.0 * m);
        let none = Downtime::new(&[outage(10, 30)], |c| c != Component::StatusManager);
        assert!(none.is_empty());
    }
}
