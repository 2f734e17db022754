//! The figures a run reports that compare, sweep, plan and the tables look up — one type, so a
//! wrong name does not compile.
//!
//! Each figure has its key: its dotted path in `summary.json` (`outcomes.overran`), the name
//! users and files know it by. Figures are ordered by key, so maps of figures keep the order of
//! `summary.json`'s `estimates`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::estimate::Bounds;

macro_rules! figures {
    ($( $variant:ident => $key:literal, $label:literal ; )*) => {
        /// A figure of a run.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Figure {
            $(
                #[doc = $label]
                $variant,
            )*
        }

        impl Figure {
            /// Every figure, in the order the tables show them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// Its dotted path in `summary.json`.
            pub const fn key(self) -> &'static str {
                match self {
                    $(Self::$variant => $key,)*
                }
            }

            /// What it is, in a few words.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }

            /// The figure whose key this is.
            pub fn from_key(key: &str) -> Option<Self> {
                match key {
                    $($key => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

figures! {
    CompletedInWindow => "outcomes.completed_in_window", "Share of targeted servers completed in their window.";
    Overran => "outcomes.overran", "Share of targeted servers that overran.";
    Failed => "outcomes.failed", "Share of targeted servers that failed.";
    Stopped => "outcomes.stopped", "Share of targeted servers stopped at the maximum run time.";
    NotStarted => "outcomes.not_started", "Share of targeted servers that did not start.";
    Targeted => "fleet.targeted_mean", "Targeted servers.";
    Excluded => "fleet.excluded_mean", "Excluded servers.";
    Started => "fleet.started_mean", "Runs that started.";
    OverrunMeanMinutes => "overrun_minutes.mean", "Mean overrun of the servers that overran, minutes.";
    DurationMeanMinutes => "duration_minutes.mean", "Mean run duration of the runs that started, minutes.";
    RestartsPerServer => "restarts.per_server_mean", "Restarts per targeted server.";
    RestartsOutsidePerServer => "restarts.outside_window_per_server_mean", "Restarts after the window closed, per targeted server.";
    MessagesPerRun => "status_messages.per_run_mean", "Status messages per started run.";
    Messages => "status_messages.total_mean", "Status messages sent.";
    PeakPerMinute => "status_messages.peak_per_minute", "Most status messages arriving at Status Manager in one minute.";
    PeakPerSecond => "status_messages.peak_per_second", "Most status messages arriving at Status Manager in one second.";
    BacklogPeak => "status_messages.backlog_peak", "Most messages waiting at Status Manager.";
    LatencyMeanSeconds => "status_messages.latency_seconds.mean", "Mean status-message latency, seconds.";
    DrainMinutes => "status_messages.drain_minutes_after_last_window", "Minutes from the last window's close to the last message processed.";
    StateMessages => "state_messages.total_mean", "State messages sent.";
    StateLatencyMeanSeconds => "state_messages.latency_seconds.mean", "Mean state-message latency, seconds.";
    LatencyP99Seconds => "status_messages.latency_seconds.p99", "99th-percentile status-message latency, seconds (all replications pooled: no per-replication interval).";
}

impl Figure {
    /// Whether the figure is a share of targeted servers (shown as a percentage).
    pub fn is_share(self) -> bool {
        self.key().starts_with("outcomes.")
    }

    /// The values the figure can take: its confidence interval stays among them.
    pub fn bounds(self) -> Bounds {
        if self.is_share() { Bounds::Share } else { Bounds::NonNegative }
    }

    /// The last part of its key, for narrow tables (`overran`, `peak_per_minute`).
    pub fn short(self) -> &'static str {
        let key = self.key();
        key.rsplit('.').next().unwrap_or(key)
    }
}

impl PartialOrd for Figure {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Figure {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(other.key())
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that widths and alignment (`{:<48}`) apply as to the key itself.
        f.pad(self.key())
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Self::from_key(&key).ok_or_else(|| serde::de::Error::custom(format!("unknown figure \"{key}\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_read_back() {
        for f in Figure::ALL {
            assert_eq!(Figure::from_key(f.key()), Some(*f));
            assert_eq!(Figure::ALL.iter().filter(|g| g.key() == f.key()).count(), 1);
        }
        assert_eq!(Figure::from_key("outcomes.overan"), None);
        assert_eq!(serde_json::to_string(&Figure::Overran).unwrap(), "\"outcomes.overran\"");
        assert!(Figure::Overran.is_share() && !Figure::BacklogPeak.is_share());
        assert_eq!(Figure::PeakPerMinute.short(), "peak_per_minute");
    }
}
