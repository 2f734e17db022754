//! The month a history shows, laid on a scenario's windows: each server's run with the window it
//! started in, how it ended and what it took — the observed side of `patchsim backtest`.
//!
//! A history's times are real dates; a scenario's windows are a weekly grid (a day and a time of
//! day). A run belongs to the window whose weekly span holds its start's weekday and time of
//! day. It **overran** when it completed after that window's close, counted from the opening it
//! started in; it **failed** when it ended with a failure message (11141, 11170) or sent no end
//! message at all (a server that did not come back from a restart). A run that starts outside
//! every window is counted apart and compared with nothing.
//!
//! Like a simulated server's record, each server counts once: with its last run (by start) of
//! the history; its earlier runs (a rerun after a failure) are counted apart. Its restarts are
//! those of all its runs, as a record counts them.

use std::collections::BTreeMap;

use super::execution::{Execution, RunEnd};
use super::history::History;
use crate::scenario::Windows;
use crate::scenario::duration::{DAY, WEEK};

/// How a run of the month ended, as the back-test compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Completed at or before its window's close.
    CompletedInWindow,
    /// Completed after its window's close.
    Overran,
    /// Failed, was stopped, or never ended.
    Failed,
}

/// One server's run in the month, the same for a history and a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRun {
    /// The scenario window it started in (its index).
    pub window: u32,
    /// How it ended.
    pub outcome: RunOutcome,
    /// From its start to its end, milliseconds.
    pub duration_ms: u64,
    /// Restarts the server took.
    pub restarts: u32,
}

/// The history's month on the scenario's windows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObservedMonth {
    /// Each server's last run that started in a window, ordered by server.
    pub runs: Vec<MonthRun>,
    /// Servers whose last run started outside every window of the scenario.
    pub outside: u64,
    /// Runs before a server's last one (not compared).
    pub earlier: u64,
    /// Runs whose start message (11140) is not in the export: timed from their first message.
    pub without_start: u64,
    /// Distinct servers with a run.
    pub servers: u64,
}

/// 1970-01-01 was a Thursday: days since then plus this, modulo 7, count from Monday.
const THURSDAY: i64 = 3;

/// Milliseconds since Monday 00:00 of a time read from a history (ms since 1970-01-01).
pub fn week_time(ms: i64) -> u64 {
    let day = DAY as i64;
    let weekday = (ms.div_euclid(day) + THURSDAY).rem_euclid(7);
    (weekday * day + ms.rem_euclid(day)) as u64
}

/// The window whose weekly span holds `at` (ms since Monday 00:00) and how long after its
/// opening `at` is; the first of the scenario's order when several do.
pub fn window_at(windows: &Windows, at: u64) -> Option<(u32, u64)> {
    windows.list.iter().enumerate().find_map(|(i, w)| {
        let length = w.end - w.start;
        let opening = w.start % WEEK;
        let since = (at + WEEK - opening) % WEEK;
        (since < length).then_some((i as u32, since))
    })
}

impl ObservedMonth {
    /// Lays the history's runs on `windows`.
    pub fn of(history: &History, windows: &Windows) -> Self {
        let mut by_server: BTreeMap<&str, Vec<&Execution>> = BTreeMap::new();
        for e in &history.executions {
            by_server.entry(e.resource.as_str()).or_default().push(e);
        }
        let mut month = Self { servers: by_server.len() as u64, ..Self::default() };
        month.without_start = history.executions.iter().filter(|e| !e.has_start).count() as u64;
        for runs in by_server.values() {
            let Some(last) = runs.iter().max_by_key(|e| (e.start_ms, e.end_ms)) else { continue };
            month.earlier += runs.len() as u64 - 1;
            let restarts = runs.iter().map(|e| e.restarts).sum();
            let Some((window, since)) = window_at(windows, week_time(last.start_ms)) else {
                month.outside += 1;
                continue;
            };
            let duration_ms = (last.end_ms - last.start_ms).max(0) as u64;
            let length = windows.list[window as usize].end - windows.list[window as usize].start;
            let outcome = match last.end {
                RunEnd::Completed if since + duration_ms > length => RunOutcome::Overran,
                RunEnd::Completed => RunOutcome::CompletedInWindow,
                RunEnd::Failed | RunEnd::Unfinished => RunOutcome::Failed,
            };
            month.runs.push(MonthRun { window, outcome, duration_ms, restarts });
        }
        month
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    const HEADER: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput";

    #[test]
    fn runs_are_laid_on_the_weekly_windows_by_weekday_and_time_of_day() {
        // 2026-11-03 is a Tuesday. Windows: Tue 04:00 and Wed 04:00, two hours long.
        let scenario = Scenario::from_toml(
            r#"
name = "w"
[fleet]
servers = 10
[windows]
days = ["Tue", "Wed"]
starts = ["04:00"]
length = "2h"
[infrastructure]
status_manager_rate = 100
[[step]]
name = "Patch"
type = "command"
duration = "10m"
"#,
            "w.toml",
        )
        .unwrap();
        let csv = format!(
            "{HEADER}
A,1,2026-11-03 04:00:00,0,,,11140,,,
A,1,2026-11-03 04:30:00,1,Patch,,11142,,,
A,1,2026-11-03 05:00:00,1,Patch,,11134,,0,
A,1,2026-11-03 05:00:00,0,,,11143,,,
A,2,2026-11-04 05:00:00,0,,,11140,,,
A,2,2026-11-04 06:30:00,1,Patch,,11134,,0,
A,2,2026-11-04 06:30:00,0,,,11143,,,
A,3,2026-11-03 04:10:00,0,,,11140,,,
A,3,2026-11-03 04:20:00,1,Patch,,11135,,1,
A,3,2026-11-03 04:20:00,0,,,11141,,,
A,4,2026-11-03 10:00:00,0,,,11140,,,
A,4,2026-11-03 10:20:00,1,Patch,,11134,,0,
A,5,2026-11-10 04:00:00,0,,,11140,,,
A,5,2026-11-10 04:20:00,1,Patch,,11142,,,
"
        );
        let history = History::parse(csv.as_bytes(), "h.csv").unwrap();
        assert_eq!(history.executions.len(), 5);
        assert_eq!(history.executions[0].restarts, 1);
        let month = ObservedMonth::of(&history, &scenario.windows);
        let got: Vec<(u32, RunOutcome, u64, u32)> =
            month.runs.iter().map(|r| (r.window, r.outcome, r.duration_ms / 60_000, r.restarts)).collect();
        assert_eq!(
            got,
            [
                (0, RunOutcome::CompletedInWindow, 60, 1),
                (1, RunOutcome::Overran, 90, 0),
                (0, RunOutcome::Failed, 10, 0),
                // A week later, the same window; no end message: failed.
                (0, RunOutcome::Failed, 20, 1),
            ]
        );
        assert_eq!((month.outside, month.servers, month.earlier), (1, 5, 0));
    }
}
