//! How a targeted server's month ends.

use std::fmt;

/// The outcome of one targeted server: exactly one of five.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Outcome {
    /// The sequence completed at or before its window's end.
    CompletedInWindow = 0,
    /// The sequence completed after its window's end.
    Overran = 1,
    /// The sequence failed (a failure reached the top, or a restart hung).
    Failed = 2,
    /// The sequence was stopped at its maximum run time.
    Stopped = 3,
    /// The sequence never started: offline, expired, or the max run time did not fit.
    NotStarted = 4,
}

impl Outcome {
    /// Every outcome, in the order of `summary.json`.
    pub const ALL: [Self; 5] = [Self::CompletedInWindow, Self::Overran, Self::Failed, Self::Stopped, Self::NotStarted];

    /// The outcome's key in `summary.json` and the CSV exports.
    pub const fn key(self) -> &'static str {
        match self {
            Self::CompletedInWindow => "completed_in_window",
            Self::Overran => "overran",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::NotStarted => "not_started",
        }
    }

    /// A label for tables: `completed in window`.
    pub fn label(self) -> String {
        self.key().replace('_', " ")
    }

    /// Parses an outcome key (`overran`, `not_started`, …; spaces or dashes allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let norm = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|o| o.key() == norm)
    }

    /// Whether the sequence started.
    pub const fn started(self) -> bool {
        !matches!(self, Self::NotStarted)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
