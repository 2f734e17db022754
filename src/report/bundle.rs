//! Every file of a run's report, as bytes: `summary.json`, `load.csv`, `summary.md`,
//! `windows.csv`, each chart as SVG and PNG, and `report.html`.

use thiserror::Error;

use crate::digest::sha256_hex;

use super::charts::{Chart, report_charts};
use super::csv_style::CsvStyle;
use super::data::ReportData;
use super::html::report_html;
use super::json::summary_json;
use super::load_csv::load_csv;
use super::markdown::summary_markdown;
use super::windows_csv::windows_csv;

/// A file of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// Its name in the report folder.
    pub name: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

impl ReportFile {
    /// A report file.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self { name: name.into(), bytes }
    }
}

/// A report that could not be made.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A chart could not be drawn.
    #[error("cannot draw the chart {name}: {message}")]
    Chart {
        /// The chart.
        name: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// Renders one chart to SVG and PNG.
pub fn chart_files(chart: &dyn Chart) -> Result<(String, Vec<u8>), ReportError> {
    let fail = |message: String| ReportError::Chart { name: chart.name(), message };
    let svg = chart.svg().map_err(fail)?;
    let png = chart.png().map_err(fail)?;
    Ok((svg, png))
}

/// Every file of the report of a run, its CSV files in `style`.
pub fn report_files(data: &ReportData, style: CsvStyle) -> Result<Vec<ReportFile>, ReportError> {
    let mut files = vec![
        ReportFile::new("summary.json", summary_json(&data.summary)),
        ReportFile::new("load.csv", load_csv(&data.load, style)),
        ReportFile::new("summary.md", summary_markdown(&data.summary)),
        ReportFile::new("windows.csv", windows_csv(&data.summary, style)),
    ];
    let charts = report_charts(data);
    let mut rendered: Vec<(&dyn Chart, String)> = Vec::new();
    for chart in &charts {
        let (svg, png) = chart_files(chart.as_ref())?;
        files.push(ReportFile::new(format!("{}.svg", chart.name()), svg.clone().into_bytes()));
        files.push(ReportFile::new(format!("{}.png", chart.name()), png));
        rendered.push((chart.as_ref(), svg));
    }
    files.push(ReportFile::new("report.html", report_html(data, &rendered)));
    Ok(files)
}

/// `text` as a file or folder name every system accepts: the characters Windows refuses
/// (`< > : " / \ | ? *` and control characters) become `_`; no trailing dot or space, no Windows
/// device name (`CON`, `NUL`, `COM1`, …); a long name is cut and told apart by a digest of the
/// whole.
pub fn safe_file_name(text: &str) -> String {
    let mut safe: String =
        text.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    if safe.chars().count() > 96 {
        let digest = sha256_hex(text.as_bytes());
        safe = safe.chars().take(80).collect::<String>() + "+" + &digest[..12];
    }
    while safe.ends_with(['.', ' ']) {
        safe.pop();
        safe.push('_');
    }
    let stem = safe.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device || safe.is_empty() {
        safe.insert(0, '_');
    }
    safe
}
