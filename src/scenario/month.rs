//! The month: how many weeks the window grid repeats, and where each run of a server falls.
//!
//! A weekly grid (`days = ["Mon", …]`) is a collection's recurring maintenance window: with
//! `[month] weeks = N` every window opens once a week for `N` weeks, and a server whose run
//! did not start, or failed with rerun on, runs again at its window's next opening. Windows
//! given relative to Patch Tuesday (`"PT+3"`) open once a month: the month then spans the weeks
//! they reach, and no window opens twice.

use super::duration::{Millis, WEEK};
use super::reader::{ReadResult, Table};
use super::windows::{Window, Windows};

/// The most weeks a month spans.
pub const MAX_WEEKS: u32 = 5;

/// The `[month]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    /// How many weeks the weekly grid repeats (1 to [`MAX_WEEKS`], default 1); 1 with windows
    /// relative to Patch Tuesday.
    pub weeks: u32,
    /// Whether each window opens once a week (a weekly grid) or once a month (Patch Tuesday).
    pub weekly: bool,
    /// The weeks the month's windows reach (each window's weeks of opening), at least 1.
    pub span: u32,
}

impl Default for Month {
    fn default() -> Self {
        Self { weeks: 1, weekly: true, span: 1 }
    }
}

impl Month {
    /// The keys `[month]` accepts.
    pub const KEYS: &'static [&'static str] = &["weeks"];

    /// Reads `[month]` (absent: one week) for these windows.
    pub fn read(table: Option<&Table<'_, '_>>, windows: &Windows) -> ReadResult<Self> {
        let weekly = !windows.patch_tuesday;
        let weeks_v = table.and_then(|t| t.get("weeks"));
        let weeks = match &weeks_v {
            None => 1,
            Some(v) => v.integer_in(1, i64::from(MAX_WEEKS))? as u32,
        };
        if let Some(v) = weeks_v
            && !weekly
            && weeks > 1
        {
            return Err(v.error(
                "windows given relative to Patch Tuesday open once a month: leave `weeks` out (the month spans the weeks its windows reach) or give the windows as days of the week",
            ));
        }
        let last_open = windows.list.iter().map(|w| w.start).max().unwrap_or(0);
        let span = if weekly { weeks } else { (last_open / WEEK) as u32 + 1 };
        Ok(Self { weeks, weekly, span })
    }

    /// How many times each window opens in the month.
    pub fn openings(&self) -> u32 {
        if self.weekly { self.weeks } else { 1 }
    }

    /// When `window` opens for the `opening`-th time (0 first) and when it then closes.
    pub fn opening(&self, window: &Window, opening: u32) -> (Millis, Millis) {
        let shift = Millis::from(opening) * WEEK;
        (window.start + shift, window.end + shift)
    }

    /// The week (0 first) in which `window` opens for the `opening`-th time.
    pub fn week_of(&self, window: &Window, opening: u32) -> u32 {
        (self.opening(window, opening).0 / WEEK) as u32
    }

    /// Whether the month has more than one week (and figures per week).
    pub fn has_weeks(&self) -> bool {
        self.span > 1
    }

    /// How many weeks have figures of their own: the span, or 0 for a month of one week.
    pub fn figure_weeks(&self) -> usize {
        if self.has_weeks() { self.span as usize } else { 0 }
    }

    /// When the month's last window closes.
    pub fn last_close(&self, windows: &Windows) -> Millis {
        let shift = Millis::from(self.openings() - 1) * WEEK;
        windows.last_close() + shift
    }
}
