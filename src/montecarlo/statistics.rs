//! The per-replication figures of a run, accumulated exactly: every headline figure's mean and
//! confidence interval, without keeping the replications.
//!
//! Each replication adds one value per figure to an [`Accumulator`] (exact sums, so the order of
//! additions does not matter); runs, batches and shards merge by adding accumulators. Memory does
//! not grow with the number of replications.

use serde::{Deserialize, Serialize};

use super::stats::Accumulator;
use super::tally::ReplicationFigures;
use crate::engine::Outcome;
use crate::messages::ComponentStats;
use crate::scenario::duration::MINUTE;

macro_rules! headline_figures {
    ($( $field:ident => $key:literal : $doc:literal ),* $(,)?) => {
        /// Accumulators of every headline figure, one value per replication.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct Statistics {
            $(
                #[doc = $doc]
                pub $field: Accumulator,
            )*
            /// Status Manager's figures.
            pub status_manager: ComponentAccumulators,
            /// Each management point's figures.
            pub management_points: Vec<ComponentAccumulators>,
        }

        impl Statistics {
            /// Every headline figure: its key (a dotted path into `summary.json`) and accumulator.
            pub fn figures(&self) -> Vec<(&'static str, &Accumulator)> {
                vec![$( ($key, &self.$field) ),*]
            }

            fn merge_figures(&mut self, other: &Self) {
                $( self.$field.merge(&other.$field); )*
            }
        }
    };
}

headline_figures! {
    completed_in_window => "outcomes.completed_in_window": "Share of targeted servers completed in their window.",
    overran => "outcomes.overran": "Share of targeted servers that overran.",
    failed => "outcomes.failed": "Share of targeted servers that failed.",
    stopped => "outcomes.stopped": "Share of targeted servers stopped at the maximum run time.",
    not_started => "outcomes.not_started": "Share of targeted servers that did not start.",
    targeted => "fleet.targeted_mean": "Targeted servers.",
    excluded => "fleet.excluded_mean": "Excluded servers.",
    started => "fleet.started_mean": "Runs that started.",
    overrun_mean_minutes => "overrun_minutes.mean": "Mean overrun of the servers that overran, minutes.",
    duration_mean_minutes => "duration_minutes.mean": "Mean run duration of the runs that started, minutes.",
    restarts_per_server => "restarts.per_server_mean": "Restarts per targeted server.",
    restarts_outside_per_server => "restarts.outside_window_per_server_mean": "Restarts after the window closed, per targeted server.",
    messages_per_run => "status_messages.per_run_mean": "Status messages per started run.",
    messages => "status_messages.total_mean": "Status messages sent.",
    peak_per_minute => "status_messages.peak_per_minute": "Most messages arriving at the site in one minute.",
    peak_per_second => "status_messages.peak_per_second": "Most messages arriving at the site in one second.",
    backlog_peak => "status_messages.backlog_peak": "Most messages waiting at Status Manager.",
    latency_mean_seconds => "status_messages.latency_seconds.mean": "Mean status-message latency, seconds.",
    drain_minutes => "status_messages.drain_minutes_after_last_window": "Minutes from the last window's close to the last message processed.",
    state_messages => "state_messages.total_mean": "State messages sent.",
    state_latency_mean_seconds => "state_messages.latency_seconds.mean": "Mean state-message latency, seconds.",
}

/// Accumulators of one component's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentAccumulators {
    /// Messages through the component.
    pub messages: Accumulator,
    /// Busy time over the time it had work, per worker.
    pub utilisation: Accumulator,
    /// Busy time in the busiest clock hour, per worker.
    pub peak_hour_utilisation: Accumulator,
    /// Most messages in the component at once.
    pub backlog_peak: Accumulator,
    /// Time messages spent in the component, milliseconds (summed within a replication).
    pub sojourn_ms: Accumulator,
}

impl ComponentAccumulators {
    fn add(&mut self, c: &ComponentStats, workers: u32) {
        self.messages.add(c.messages as f64);
        self.utilisation.add(c.utilisation(workers));
        self.peak_hour_utilisation.add(c.peak_hour_utilisation(workers));
        self.backlog_peak.add(c.backlog_peak as f64);
        self.sojourn_ms.add(c.sojourn_ms);
    }

    fn merge(&mut self, other: &Self) {
        self.messages.merge(&other.messages);
        self.utilisation.merge(&other.utilisation);
        self.peak_hour_utilisation.merge(&other.peak_hour_utilisation);
        self.backlog_peak.merge(&other.backlog_peak);
        self.sojourn_ms.merge(&other.sojourn_ms);
    }
}

/// What the statistics need to know about the scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatisticsContext {
    /// When the last window closes, milliseconds since Monday 00:00.
    pub last_close: f64,
    /// Status Manager workers.
    pub workers: u32,
    /// Management points.
    pub management_points: usize,
}

impl Statistics {
    /// Empty statistics for a site with `management_points` MPs.
    pub fn new(management_points: usize) -> Self {
        Self { management_points: vec![ComponentAccumulators::default(); management_points], ..Self::default() }
    }

    /// Number of replications added.
    pub fn replications(&self) -> u64 {
        self.targeted.n
    }

    /// Adds one replication's figures.
    pub fn add(&mut self, f: &ReplicationFigures, ctx: &StatisticsContext) {
        if f.targeted > 0 {
            let share = |o: Outcome| f.outcomes[o as usize] as f64 / f.targeted as f64;
            self.completed_in_window.add(share(Outcome::CompletedInWindow));
            self.overran.add(share(Outcome::Overran));
            self.failed.add(share(Outcome::Failed));
            self.stopped.add(share(Outcome::Stopped));
            self.not_started.add(share(Outcome::NotStarted));
            self.restarts_per_server.add(f.restarts as f64 / f.targeted as f64);
            self.restarts_outside_per_server.add(f.restarts_outside as f64 / f.targeted as f64);
        }
        self.targeted.add(f.targeted as f64);
        self.excluded.add(f.excluded as f64);
        self.started.add(f.started as f64);
        let overran = f.outcomes[Outcome::Overran as usize];
        if overran > 0 {
            self.overrun_mean_minutes.add(f.overrun_sum_ms as f64 / overran as f64 / MINUTE as f64);
        }
        if f.started > 0 {
            self.duration_mean_minutes.add(f.duration_sum_ms as f64 / f.started as f64 / MINUTE as f64);
            self.messages_per_run.add(f.messages as f64 / f.started as f64);
        }
        self.messages.add(f.messages as f64);
        self.state_messages.add(f.state_messages as f64);
        let site = &f.site;
        self.peak_per_minute.add(site.peak_per_minute as f64);
        self.peak_per_second.add(site.peak_per_second as f64);
        self.backlog_peak.add(site.backlog_peak as f64);
        self.drain_minutes.add(site.last_processed.map_or(0.0, |t| ((t - ctx.last_close) / MINUTE as f64).max(0.0)));
        if site.status_messages > 0 {
            self.latency_mean_seconds.add(site.status_latency_sum_us as f64 / site.status_messages as f64 / 1.0e6);
        }
        if site.state_messages > 0 {
            self.state_latency_mean_seconds.add(site.state_latency_sum_us as f64 / site.state_messages as f64 / 1.0e6);
        }
        self.status_manager.add(&site.status_manager, ctx.workers);
        for (acc, c) in self.management_points.iter_mut().zip(&site.management_points) {
            acc.add(c, 1);
        }
    }

    /// Adds every replication of another run of the same scenario.
    pub fn merge(&mut self, other: &Self) {
        self.merge_figures(other);
        self.status_manager.merge(&other.status_manager);
        if self.management_points.len() < other.management_points.len() {
            self.management_points.resize(other.management_points.len(), ComponentAccumulators::default());
        }
        for (a, b) in self.management_points.iter_mut().zip(&other.management_points) {
            a.merge(b);
        }
    }

    /// The accumulator of a headline figure by its key.
    pub fn figure(&self, key: &str) -> Option<&Accumulator> {
        self.figures().into_iter().find(|(k, _)| *k == key).map(|(_, a)| a)
    }
}
