//! Every file of a run's report, as bytes: `summary.json`, `load.csv`, `summary.md`,
//! `windows.csv`, each chart as SVG and PNG, and `report.html`.

use thiserror::Error;

use super::charts::{Chart, report_charts};
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

/// Every file of the report of a run.
pub fn report_files(data: &ReportData) -> Result<Vec<ReportFile>, ReportError> {
    let mut files = vec![
        ReportFile::new("summary.json", summary_json(&data.summary)),
        ReportFile::new("load.csv", load_csv(&data.load)),
        ReportFile::new("summary.md", summary_markdown(&data.summary)),
        ReportFile::new("windows.csv", windows_csv(&data.summary)),
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
