//! `windows.csv`: one row per maintenance window, for a spreadsheet or Power BI.

use std::fmt::Write;

use super::escape::csv_field;
use crate::montecarlo::summary::Summary;
use crate::scenario::overrides::number_text;

/// The columns of `windows.csv`.
pub const WINDOWS_HEADER: &str = "window,day,start,targeted_mean,completed_in_window,overran,failed,stopped,not_started,overrun_p95_minutes,messages_mean";

/// One row per window: shares are fractions of the window's targeted servers.
pub fn windows_csv(s: &Summary) -> Vec<u8> {
    let mut out = String::from(WINDOWS_HEADER);
    out.push('\n');
    for w in &s.windows {
        let share = |x: f64| format!("{x:.6}");
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&w.name),
            csv_field(&w.day),
            csv_field(&w.start),
            number_text(w.targeted_mean),
            share(w.completed_in_window.mean),
            share(w.overran.mean),
            share(w.failed.mean),
            share(w.stopped.mean),
            share(w.not_started.mean),
            number_text(w.overrun_p95_minutes),
            number_text(w.messages_mean)
        );
    }
    out.into_bytes()
}
