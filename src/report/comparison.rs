//! The comparison of designs as a reader sees it: a table for the terminal and `compare.md`,
//! and how each figure's values and differences are written.

use std::fmt::Write;

use super::bundle::{ReportError, ReportFile, chart_files, safe_file_name};
use super::charts::differences::Differences;
use super::escape::markdown;
use super::json::{pretty_ascii_json, summary_json};
use super::table::grouped;
use crate::montecarlo::{Figure, Summary};
use crate::planner::compare::Comparison;

/// Every file of a comparison: `compare.json`, `compare.md`, the differences chart, and each
/// design's own summary (`<design>.summary.json`, the designs in `summaries` in the comparison's
/// order).
pub fn compare_files(comparison: &Comparison, summaries: &[Summary]) -> Result<Vec<ReportFile>, ReportError> {
    let json = pretty_ascii_json(comparison).unwrap_or_default();
    let (svg, png) = chart_files(&Differences(comparison))?;
    let mut files = vec![
        ReportFile::new("compare.json", json),
        ReportFile::new("compare.md", compare_markdown(comparison, summaries)),
        ReportFile::new("differences.svg", svg.into_bytes()),
        ReportFile::new("differences.png", png),
    ];
    let names = std::iter::once(&comparison.baseline).chain(comparison.variants.iter().map(|v| &v.scenario));
    let mut taken: Vec<String> = Vec::new();
    for (name, summary) in names.zip(summaries) {
        // Designs whose names differ only in characters a file name cannot hold stay apart.
        let mut file = format!("{}.summary.json", safe_file_name(name));
        let mut k = 2;
        while taken.contains(&file) {
            file = format!("{}-{k}.summary.json", safe_file_name(name));
            k += 1;
        }
        taken.push(file.clone());
        files.push(ReportFile::new(file, summary_json(summary)));
    }
    Ok(files)
}

/// The figures a reader looks at first, in the order the table shows them.
pub const KEY_FIGURES: &[Figure] = &[
    Figure::CompletedInWindow,
    Figure::Overran,
    Figure::Failed,
    Figure::Stopped,
    Figure::NotStarted,
    Figure::OverrunMeanMinutes,
    Figure::DurationMeanMinutes,
    Figure::RestartsPerServer,
    Figure::RestartsOutsidePerServer,
    Figure::MessagesPerRun,
    Figure::PeakPerMinute,
    Figure::BacklogPeak,
    Figure::LatencyMeanSeconds,
    Figure::DrainMinutes,
];

/// A figure's value for a reader: shares as percentages, the rest with sensible decimals.
pub fn show(figure: Figure, value: f64) -> String {
    if figure.is_share() {
        format!("{:.3}%", value * 100.0)
    } else if figure.key().contains("latency") {
        format!("{value:.4}")
    } else if value.abs() >= 100.0 {
        grouped(value, 0)
    } else {
        format!("{value:.3}")
    }
}

/// A difference for a reader, signed: shares in percentage points.
pub fn show_difference(figure: Figure, value: f64) -> String {
    if figure.is_share() {
        format!("{:+.3} pt", value * 100.0)
    } else if figure.key().contains("latency") {
        format!("{value:+.4}")
    } else if value.abs() >= 100.0 {
        let text = grouped(value.abs(), 0);
        if value < 0.0 { format!("-{text}") } else { format!("+{text}") }
    } else {
        format!("{value:+.3}")
    }
}

/// The comparison as a table for a terminal.
pub fn compare_table(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Baseline {}; seed {}, {} replications each, common random numbers.",
        c.baseline, c.seed, c.replications
    );
    for v in &c.variants {
        let _ = writeln!(out, "\n{} against {}:", v.scenario, c.baseline);
        let _ = writeln!(
            out,
            "  {:<48}{:>14}{:>14}{:>14}  95% CI of the difference",
            "figure", "baseline", "variant", "difference"
        );
        for &key in KEY_FIGURES {
            let Some(m) = v.metrics.get(&key) else { continue };
            let _ = writeln!(
                out,
                "  {:<48}{:>14}{:>14}{:>14}  [{}, {}]{}",
                key,
                show(key, m.baseline),
                show(key, m.variant),
                show_difference(key, m.difference),
                show_difference(key, m.ci95[0]),
                show_difference(key, m.ci95[1]),
                if m.significant() { "  *" } else { "" }
            );
        }
    }
    out.push_str("\n* the interval excludes 0: the designs differ beyond the noise of the replications.\n");
    out
}

/// The comparison as Markdown.
pub fn compare_markdown(c: &Comparison, summaries: &[Summary]) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(out, "# Comparison with {}\n", markdown(&c.baseline));
    let _ = writeln!(
        out,
        "Every design ran the same {} replications with seed {}: replication r of each shares its random numbers, so a difference below is the design's, not the dice's. A 95% confidence interval that excludes 0 (marked ✱) is a difference beyond the noise.\n",
        c.replications, c.seed
    );
    for s in summaries {
        if !s.description.is_empty() {
            let _ = writeln!(out, "- **{}**: {}", markdown(&s.scenario), markdown(&s.description));
        }
    }
    for v in &c.variants {
        let _ = writeln!(out, "\n## {} against {}\n", markdown(&v.scenario), markdown(&c.baseline));
        out.push_str("| figure | baseline | variant | difference | 95% CI of the difference | |\n|---|---:|---:|---:|---:|---|\n");
        for (&key, m) in &v.metrics {
            let _ = writeln!(
                out,
                "| `{key}` | {} | {} | {} | {} – {} | {} |",
                show(key, m.baseline),
                show(key, m.variant),
                show_difference(key, m.difference),
                show_difference(key, m.ci95[0]),
                show_difference(key, m.ci95[1]),
                if m.significant() { "✱" } else { "" }
            );
        }
    }
    out.into_bytes()
}
