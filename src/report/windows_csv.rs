//! `windows.csv`: one row per maintenance window, for a spreadsheet or Power BI.

use super::csv_style::CsvStyle;
use super::csv_writer::CsvWriter;
use crate::montecarlo::summary::Summary;

/// The columns of `windows.csv`.
pub const WINDOWS_HEADER: &str = "window,day,start,targeted_mean,completed_in_window,overran,failed,stopped,not_started,overrun_p95_minutes,messages_mean";

/// One row per window: shares are fractions of the window's targeted servers.
pub fn windows_csv(s: &Summary, style: CsvStyle) -> Vec<u8> {
    let mut out = CsvWriter::new(style, WINDOWS_HEADER, s.windows.len() * 96);
    for w in &s.windows {
        let mut row = out.row();
        row.text(&w.name).text(&w.day).text(&w.start).short(w.targeted_mean);
        for share in [&w.completed_in_window, &w.overran, &w.failed, &w.stopped, &w.not_started] {
            row.fixed(share.mean, 6);
        }
        row.short(w.overrun_p95_minutes).short(w.messages_mean).end();
    }
    out.finish()
}
