//! The back-test as a reader sees it: `backtest.json`, `backtest.csv` (one row per comparison),
//! the chart, and the table `patchsim backtest` prints.

use std::fmt::Write;

use super::bundle::{ReportError, ReportFile, chart_files};
use super::charts::backtest::BacktestChart;
use super::csv_style::CsvStyle;
use super::csv_writer::CsvWriter;
use crate::planner::backtest::{Backtest, BacktestFigure, BacktestRow, Verdict};

/// The columns of `backtest.csv`.
pub const BACKTEST_HEADER: &str = "scope,figure,observed,projected,low,high,verdict,runs";

/// Every file of a back-test: `backtest.json`, `backtest.csv` (in `style`), `backtest.svg`,
/// `backtest.png`.
pub fn backtest_files(backtest: &Backtest, style: CsvStyle) -> Result<Vec<ReportFile>, ReportError> {
    let (svg, png) = chart_files(&BacktestChart(backtest))?;
    Ok(vec![
        ReportFile::new("backtest.json", backtest_json(backtest)),
        ReportFile::new("backtest.csv", backtest_csv(backtest, style)),
        ReportFile::new("backtest.svg", svg.into_bytes()),
        ReportFile::new("backtest.png", png),
    ])
}

/// `backtest.json`: the [`Backtest`] document, pretty-printed.
pub fn backtest_json(backtest: &Backtest) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(backtest).unwrap_or_default();
    json.push(b'\n');
    json
}

/// `backtest.csv`: one row per comparison, overall first; values as fractions (shares),
/// minutes or restarts, to six decimals.
pub fn backtest_csv(backtest: &Backtest, style: CsvStyle) -> Vec<u8> {
    let mut out = CsvWriter::new(style, BACKTEST_HEADER, backtest.comparisons.len() * 80);
    for r in &backtest.comparisons {
        let mut row = out.row();
        row.text(&r.scope).whole(r.figure.key());
        row.fixed(r.observed, 6).fixed(r.projected, 6).fixed(r.low, 6).fixed(r.high, 6);
        row.whole(r.verdict.key()).whole(r.runs).end();
    }
    out.finish()
}

/// A value of a figure as the table writes it.
pub fn show_value(figure: BacktestFigure, value: f64) -> String {
    if figure.is_share() {
        format!("{:.2}%", value * 100.0)
    } else if figure == BacktestFigure::RestartsPerRun {
        format!("{value:.3}")
    } else {
        format!("{value:.1} min")
    }
}

/// The table `patchsim backtest` prints: the overall rows, then the windows outside their band,
/// the notes and the verdict.
pub fn backtest_table(b: &Backtest) -> String {
    let mut out = String::new();
    let o = &b.observed;
    let _ = writeln!(
        out,
        "Back-test of {} against {}: {} servers' runs in the scenario's windows ({} runs read, {} outside every window), {} replications, seed {}.",
        b.scenario, b.history, o.runs_in_windows, o.runs, o.runs_outside_windows, b.replications, b.seed
    );
    let _ = writeln!(
        out,
        "Each interval holds 95% of the months of {} runs the projection makes (not the precision of its mean).\n",
        o.runs_in_windows
    );
    let _ = writeln!(
        out,
        "{:<22} {:>11} {:>11}   {:<27} verdict",
        "figure", "observed", "projected", "95% interval for one month"
    );
    for r in b.overall() {
        let interval = format!("[{}, {}]", show_value(r.figure, r.low), show_value(r.figure, r.high));
        let _ = writeln!(
            out,
            "{:<22} {:>11} {:>11}   {:<27} {}",
            r.figure.label(),
            show_value(r.figure, r.observed),
            show_value(r.figure, r.projected),
            interval,
            r.verdict.key()
        );
    }
    let windows: Vec<&BacktestRow> = b.windows().collect();
    let outside: Vec<&&BacktestRow> = windows.iter().filter(|r| r.verdict != Verdict::Inside).collect();
    let _ = writeln!(
        out,
        "\nWindows: {} comparisons (overran and failed share of each window's runs, binomial 95% band); {} outside, about {:.0} expected by chance.",
        windows.len(),
        outside.len(),
        windows.len() as f64 * 0.05
    );
    for r in &outside {
        let _ = writeln!(
            out,
            "  {:<12} {:<8} {:>8} ({} runs)  projected {:>7} [{}, {}]  {}",
            r.scope,
            r.figure.label(),
            show_value(r.figure, r.observed),
            r.runs,
            show_value(r.figure, r.projected),
            show_value(r.figure, r.low),
            show_value(r.figure, r.high),
            r.verdict.key()
        );
    }
    for note in &b.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let off: Vec<String> = b
        .overall()
        .filter(|r| r.verdict != Verdict::Inside)
        .map(|r| format!("{} {}", r.figure.label(), r.verdict.key()))
        .collect();
    let _ = if off.is_empty() {
        writeln!(
            out,
            "\nVerdict: every overall figure is inside its interval: the history is a month the projection expects."
        )
    } else {
        writeln!(
            out,
            "\nVerdict: {} outside: revisit the inputs behind {} (docs/import.md, \"Back-test\").",
            off.join(", "),
            if off.len() == 1 { "it" } else { "them" }
        )
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_their_units() {
        assert_eq!(show_value(BacktestFigure::Overran, 0.0373), "3.73%");
        assert_eq!(show_value(BacktestFigure::DurationP90Minutes, 102.345), "102.3 min");
        assert_eq!(show_value(BacktestFigure::RestartsPerRun, 1.4789), "1.479");
    }
}
