//! A sweep as a reader sees it: a table row by row as the values finish, `sweep.csv` with every
//! figure, and the chart.

use std::fmt::Write;

use super::bundle::{ReportError, ReportFile, chart_files};
use super::charts::sweep::{SWEEP_FIGURES, SweepChart};
use super::comparison::show;
use super::escape::csv_field;
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

/// Every file of a sweep: `sweep.csv` and its chart.
pub fn sweep_files(sweep: &Sweep) -> Result<Vec<ReportFile>, ReportError> {
    let (svg, png) = chart_files(&SweepChart(sweep))?;
    Ok(vec![
        ReportFile::new("sweep.csv", sweep_csv(sweep)),
        ReportFile::new("sweep.svg", svg.into_bytes()),
        ReportFile::new("sweep.png", png),
    ])
}

/// `sweep.csv`: one row per value; for every headline figure its mean and 95% interval.
pub fn sweep_csv(sweep: &Sweep) -> Vec<u8> {
    let mut out = String::from("value");
    for k in HEADLINE {
        let _ = write!(out, ",{k},{k}.ci95_low,{k}.ci95_high");
    }
    out.push('\n');
    for row in &sweep.rows {
        out.push_str(&csv_field(&row.value));
        for (_, f) in &row.figures {
            let _ = write!(out, ",{},{},{}", f.mean, f.ci95[0], f.ci95[1]);
        }
        out.push('\n');
    }
    out.into_bytes()
}
