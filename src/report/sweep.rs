//! A sweep as a reader sees it: a table row by row as the values finish, `sweep.csv` with every
//! figure, and the chart.

use std::fmt::Write;

use super::bundle::{ReportError, ReportFile, chart_files};
use super::charts::sweep::{SWEEP_FIGURES, SweepChart};
use super::comparison::show;
use super::csv_style::CsvStyle;
use super::csv_writer::CsvWriter;
use super::escape::is_number;
use crate::montecarlo::statistics::HEADLINE;
use crate::planner::sweep::{Sweep, SweepRow};

/// The table's header: the swept field, then the figures a sweep shows first.
pub fn sweep_header(key: &str) -> String {
    format!("{key:<20}{}", SWEEP_FIGURES.iter().map(|(f, _)| format!("{:>34}", f.key())).collect::<String>())
}

/// One value's row of the table.
pub fn sweep_row(row: &SweepRow) -> String {
    let cells: String = SWEEP_FIGURES
        .iter()
        .map(|(figure, _)| {
            let cell = row
                .figures
                .iter()
                .find(|(f, _)| f == figure)
                .map(|(_, e)| {
                    format!("{} [{}, {}]", show(*figure, e.mean), show(*figure, e.ci95[0]), show(*figure, e.ci95[1]))
                })
                .unwrap_or_default();
            format!("{cell:>34}")
        })
        .collect();
    format!("{:<20}{cells}", row.value)
}

/// Every file of a sweep: `sweep.csv` (in `style`) and its chart.
pub fn sweep_files(sweep: &Sweep, style: CsvStyle) -> Result<Vec<ReportFile>, ReportError> {
    let (svg, png) = chart_files(&SweepChart(sweep))?;
    Ok(vec![
        ReportFile::new("sweep.csv", sweep_csv(sweep, style)),
        ReportFile::new("sweep.svg", svg.into_bytes()),
        ReportFile::new("sweep.png", png),
    ])
}

/// `sweep.csv`: one row per value; for every headline figure its mean and 95% interval. A value
/// that is a number (`0.5`, `12000`) is written as one, in the style's decimal mark; any other
/// (`30m`, a list) as text.
pub fn sweep_csv(sweep: &Sweep, style: CsvStyle) -> Vec<u8> {
    let mut header = String::from("value");
    for k in HEADLINE {
        let _ = write!(header, ",{k},{k}.ci95_low,{k}.ci95_high");
    }
    let mut out = CsvWriter::new(style, &header, sweep.rows.len() * 512);
    for row in &sweep.rows {
        let mut cells = out.row();
        if is_number(&row.value, '.') {
            cells.number(&row.value);
        } else {
            cells.text(&row.value);
        }
        for (_, f) in &row.figures {
            cells.full(f.mean).full(f.ci95[0]).full(f.ci95[1]);
        }
        cells.end();
    }
    out.finish()
}
