//! The per-replication figures of a run, accumulated exactly: every headline figure's mean and
//! confidence interval, without keeping the replications.
//!
//! Each replication adds one value per figure to an [`Accumulator`] (exact sums, so the order of
//! additions does not matter); runs, batches and shards merge by adding accumulators. Memory does
//! not grow with the number of replications.

use serde::{Deserialize, Serialize};

use super::accumulator::Accumulator;
use super::figure::Figure;
use super::tally::ReplicationFigures;
use crate::engine::Outcome;
use crate::messages::ComponentStats;
use crate::scenario::duration::MINUTE;

macro_rules! headline_figures {
    ($( $field:ident => $figure:ident = |$f:ident, $c:ident| $value:expr ),* $(,)?) => {
        /// Accumulators of every headline figure, one value per replication.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct Statistics {
            $(
                #[doc = concat!("[`Figure::", stringify!($figure), "`].")]
                pub $field: Accumulator,
            )*
            /// Status Manager's figures.
            pub status_manager: ComponentAccumulators,
            /// The State System's figures.
            #[serde(default)]
            pub state_system: ComponentAccumulators,
            /// Each management point's figures.
            pub management_points: Vec<ComponentAccumulators>,
        }

        /// The headline figures (those with one value a replication), in order.
        pub const HEADLINE: &[Figure] = &[$(Figure::$figure),*];

        /// One replication's headline figures, in [`HEADLINE`] order; `None` where the figure
        /// does not exist for it (a share of targeted servers when none was targeted).
        pub fn headline_values(f: &ReplicationFigures, ctx: &StatisticsContext) -> Vec<Option<f64>> {
            vec![$( { let $f = f; let $c = ctx; let _ = $c; $value } ),*]
        }

        impl Statistics {
            /// Every headline figure and its accumulator.
            pub fn figures(&self) -> Vec<(Figure, &Accumulator)> {
                vec![$( (Figure::$figure, &self.$field) ),*]
            }

            /// The accumulator of a headline figure (`None` for a pooled one, such as a
            /// percentile of all replications together).
            pub fn get(&self, figure: Figure) -> Option<&Accumulator> {
                match figure {
                    $(Figure::$figure => Some(&self.$field),)*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            fn figures_mut(&mut self) -> Vec<&mut Accumulator> {
                vec![$( &mut self.$field ),*]
            }

            fn merge_figures(&mut self, other: &Self) {
                $( self.$field.merge(&other.$field); )*
            }
        }
    };
}

fn per_targeted(f: &ReplicationFigures, count: u64) -> Option<f64> {
    (f.targeted > 0).then(|| count as f64 / f.targeted as f64)
}

headline_figures! {
    completed_in_window => CompletedInWindow = |f, c| f.share(Outcome::CompletedInWindow),
    overran => Overran = |f, c| f.share(Outcome::Overran),
    failed => Failed = |f, c| f.share(Outcome::Failed),
    stopped => Stopped = |f, c| f.share(Outcome::Stopped),
    not_started => NotStarted = |f, c| f.share(Outcome::NotStarted),
    targeted => Targeted = |f, c| Some(f.targeted as f64),
    excluded => Excluded = |f, c| Some(f.excluded as f64),
    started => Started = |f, c| Some(f.started as f64),
    overrun_mean_minutes => OverrunMeanMinutes = |f, c| {
        let overran = f.outcomes[Outcome::Overran as usize];
        (overran > 0).then(|| f.overrun_sum_ms as f64 / overran as f64 / MINUTE as f64)
    },
    duration_mean_minutes => DurationMeanMinutes = |f, c| {
        (f.started > 0).then(|| f.duration_sum_ms as f64 / f.started as f64 / MINUTE as f64)
    },
    restarts_per_server => RestartsPerServer = |f, c| per_targeted(f, f.restarts),
    restarts_outside_per_server => RestartsOutsidePerServer = |f, c| per_targeted(f, f.restarts_outside),
    messages_per_run => MessagesPerRun = |f, c| {
        (f.started > 0).then(|| f.messages as f64 / f.started as f64)
    },
    messages => Messages = |f, c| Some(f.messages as f64),
    peak_per_minute => PeakPerMinute = |f, c| Some(f.site.peak_per_minute as f64),
    peak_per_second => PeakPerSecond = |f, c| Some(f.site.peak_per_second as f64),
    backlog_peak => BacklogPeak = |f, c| Some(f.site.backlog_peak as f64),
    latency_mean_seconds => LatencyMeanSeconds = |f, c| {
        (f.site.status_messages > 0).then(|| f.site.status_latency_sum_us as f64 / f.site.status_messages as f64 / 1.0e6)
    },
    drain_minutes => DrainMinutes = |f, c| {
        Some(f.site.last_processed.map_or(0.0, |t| ((t - c.last_close) / MINUTE as f64).max(0.0)))
    },
    state_messages => StateMessages = |f, c| Some(f.state_messages as f64),
    state_latency_mean_seconds => StateLatencyMeanSeconds = |f, c| {
        (f.site.state_messages > 0).then(|| f.site.state_latency_sum_us as f64 / f.site.state_messages as f64 / 1.0e6)
    },
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
    /// State System workers.
    pub state_workers: u32,
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
        for (acc, value) in self.figures_mut().into_iter().zip(headline_values(f, ctx)) {
            if let Some(v) = value {
                acc.add(v);
            }
        }
        self.status_manager.add(&f.site.status_manager, ctx.workers);
        self.state_system.add(&f.site.state_system, ctx.state_workers);
        for (acc, c) in self.management_points.iter_mut().zip(&f.site.management_points) {
            acc.add(c, 1);
        }
    }

    /// Adds every replication of another run of the same scenario.
    pub fn merge(&mut self, other: &Self) {
        self.merge_figures(other);
        self.status_manager.merge(&other.status_manager);
        self.state_system.merge(&other.state_system);
        if self.management_points.len() < other.management_points.len() {
            self.management_points.resize(other.management_points.len(), ComponentAccumulators::default());
        }
        for (a, b) in self.management_points.iter_mut().zip(&other.management_points) {
            a.merge(b);
        }
    }
}
