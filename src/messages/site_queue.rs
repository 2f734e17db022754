//! The site's status-message queue: one FIFO server (Status Manager) at `status_manager_rate`,
//! computed exactly by Lindley's recursion over the sorted arrival times.
//!
//! Departure of message `i`: `d_i = max(a_i, d_{i-1}) + s_i`, with `s_i = 1/rate` (fixed) or an
//! exponential draw with that mean. Latency is `d_i − a_i` (sending to processed); the backlog is
//! the number of messages that have arrived and are not yet processed (files in `statmgr.box`).

use std::collections::VecDeque;

use hdrhistogram::Histogram;

use crate::random::Stream;
use crate::scenario::duration::MINUTE;
use crate::scenario::{Millis, Service};

/// Figures of one replication's message queue (latencies go to a histogram the caller owns).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueStats {
    /// Messages processed.
    pub messages: u64,
    /// Most messages arriving in one minute (minutes counted from Monday 00:00).
    pub peak_per_minute: u64,
    /// Most messages waiting or in service at once.
    pub backlog_peak: u64,
    /// Sum of latencies in microseconds (for an exact mean).
    pub latency_sum_us: u128,
    /// When the last message was processed (milliseconds since Monday 00:00), if any.
    pub last_processed: Option<f64>,
}

/// Highest latency the histograms track: 1,000 days in microseconds.
pub const MAX_LATENCY_US: u64 = 1_000 * 86_400 * 1_000_000;

/// A new, empty latency histogram (3 significant figures).
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant histogram bounds are valid")
}

/// Status Manager as a single FIFO queue.
#[derive(Debug, Clone, Copy)]
pub struct SiteQueue {
    /// Messages a second.
    pub rate: f64,
    /// Fixed or exponential service times.
    pub service: Service,
    /// Stream of the exponential service times.
    pub stream: Stream,
}

impl SiteQueue {
    /// Processes messages arriving at `arrivals` (ascending milliseconds), records each latency
    /// (microseconds) in `latencies`, and returns the figures. `in_system` is a reusable buffer.
    pub fn process(
        &self,
        arrivals: &[Millis],
        in_system: &mut VecDeque<f64>,
        latencies: &mut Histogram<u64>,
    ) -> QueueStats {
        let mut stats = QueueStats::default();
        in_system.clear();
        let mean_service = 1_000.0 / self.rate;
        let mut free_at = f64::NEG_INFINITY;
        let (mut minute, mut in_minute) = (u64::MAX, 0u64);
        for (i, &a) in arrivals.iter().enumerate() {
            let m = a / MINUTE;
            if m == minute {
                in_minute += 1;
            } else {
                stats.peak_per_minute = stats.peak_per_minute.max(in_minute);
                minute = m;
                in_minute = 1;
            }
            let af = a as f64;
            let service = match self.service {
                Service::Fixed => mean_service,
                Service::Exponential => -mean_service * (1.0 - self.stream.uniform(i as u64)).ln(),
            };
            let departs = free_at.max(af) + service;
            free_at = departs;
            while in_system.front().is_some_and(|d| *d <= af) {
                in_system.pop_front();
            }
            in_system.push_back(departs);
            stats.backlog_peak = stats.backlog_peak.max(in_system.len() as u64);
            // Latency is never negative: add one half and truncate to round to whole microseconds.
            let latency_us = ((departs - af) * 1_000.0 + 0.5) as u64;
            latencies.saturating_record(latency_us);
            stats.latency_sum_us += u128::from(latency_us);
        }
        stats.peak_per_minute = stats.peak_per_minute.max(in_minute);
        stats.messages = arrivals.len() as u64;
        stats.last_processed = (!arrivals.is_empty()).then_some(free_at);
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;

    fn queue(rate: f64) -> SiteQueue {
        SiteQueue { rate, service: Service::Fixed, stream: Stream::from_key(1) }
    }

    #[test]
    fn a_burst_queues_behind_itself() {
        // Ten messages at t = 0, 10 a second: the last is processed after 1 s.
        let mut hist = latency_histogram();
        let stats = queue(10.0).process(&[0; 10], &mut VecDeque::new(), &mut hist);
        assert_eq!(stats.messages, 10);
        assert_eq!(stats.backlog_peak, 10);
        assert_eq!(stats.peak_per_minute, 10);
        assert_eq!(stats.last_processed, Some(1_000.0));
        // Latencies 100, 200, …, 1000 ms: mean 550 ms.
        assert_eq!(stats.latency_sum_us, 5_500_000);
        assert_eq!(hist.max(), hist.highest_equivalent(1_000_000));
        assert_eq!(hist.len(), 10);
    }

    #[test]
    fn spaced_arrivals_never_wait() {
        let arrivals: Vec<Millis> = (0..100).map(|i| i * 1_000).collect();
        let stats = queue(10.0).process(&arrivals, &mut VecDeque::new(), &mut latency_histogram());
        assert_eq!(stats.backlog_peak, 1);
        assert_eq!(stats.latency_sum_us, 100 * 100_000);
        assert_eq!(stats.peak_per_minute, 60);
    }
}
