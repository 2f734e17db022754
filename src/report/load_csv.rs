//! `load.csv`: the site's load minute by minute, the series a planner plots.
//!
//! One row per minute from Monday 00:00 to the end of the simulated week — and on, while runs
//! or messages are still going after Sunday midnight. Columns (means over replications):
//! `minute` (since Monday 00:00), `sent` (by servers), `arrived` (at Status Manager),
//! `processed` (by Status Manager), `backlog` (waiting at Status Manager at the minute's end).

use super::csv_style::CsvStyle;
use super::csv_writer::CsvWriter;
use super::data::LoadMeans;
use crate::scenario::duration::{MINUTE, WEEK};

/// Minutes in the simulated week.
pub const WEEK_MINUTES: usize = (WEEK / MINUTE) as usize;

/// Serializes the per-minute means.
pub fn load_csv(load: &LoadMeans, style: CsvStyle) -> Vec<u8> {
    let mut out = CsvWriter::new(style, "minute,sent,arrived,processed,backlog", load.sent.len() * 24);
    for m in 0..load.sent.len() {
        out.row()
            .whole(m)
            .short(load.sent[m])
            .short(load.arrived[m])
            .short(load.processed[m])
            .short(load.backlog[m])
            .end();
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::LoadSeries;
    use crate::scenario::overrides::number_text;

    #[test]
    fn rows_cover_the_week_and_backlog_accumulates() {
        let series = LoadSeries {
            sent: vec![4, 0, 2],
            arrived: vec![2, 2, 2],
            processed: vec![0, 1, 5],
            ..LoadSeries::default()
        };
        let text =
            String::from_utf8(load_csv(&LoadMeans::from_series(&series, 2, WEEK_MINUTES), CsvStyle::Plain)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + WEEK_MINUTES);
        assert_eq!(lines[0], "minute,sent,arrived,processed,backlog");
        assert_eq!(lines[1], "0,2,1,0,1");
        assert_eq!(lines[2], "1,0,1,0.5,1.5");
        assert_eq!(lines[3], "2,1,1,2.5,0");
        assert_eq!(lines[4], "3,0,0,0,0");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(0.5), "0.5");
        assert_eq!(number_text(4.0 / 3.0), "1.333");
        assert_eq!(number_text(0.0), "0");
        assert_eq!(number_text(-0.0001), "0");
    }
}
