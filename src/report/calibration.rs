//! The table `patchsim calibrate` prints: what the history held, and per step the samples, the
//! fitted median and 95th percentile, the fit's Kolmogorov–Smirnov distance and the exit codes;
//! then the coupling check, step by step, and its verdict.

use std::fmt::Write;

use crate::import::coupling::CouplingCheck;
use crate::import::{Calibration, History};
use crate::input::TimeFormat;
use crate::scenario::distribution::tidy;
use crate::scenario::duration::DurationDisplay;

/// Step names longer than this are cut (with `…`) to keep the columns.
const NAME_WIDTH: usize = 48;

/// The calibration as a text table for a terminal; `shown` names the history file.
pub fn calibration_table(history: &History, calibration: &Calibration, shown: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{shown}: {} rows, {} runs on {} servers{}{}.",
        history.rows,
        history.runs,
        history.servers,
        history.span.as_ref().map(|(a, b)| format!(", {a} to {b}")).unwrap_or_default(),
        if history.bad_rows() > 0 { format!("; {} rows not used (above)", history.bad_rows()) } else { String::new() }
    );
    if let Some(format) = history.time_format.filter(|f| *f != TimeFormat::Iso) {
        let _ = writeln!(
            out,
            "Times read as --time-format {} ({}), {}.",
            format.name(),
            format.describe(),
            if history.time_format_detected { "told from the values" } else { "as named" }
        );
    }
    let _ = writeln!(
        out,
        "\n{:<48} {:>7} {:>9} {:>9} {:>7}  {:<5}  exit codes",
        "step", "samples", "median", "p95", "KS", "fit"
    );
    let secs = |s: f64| DurationDisplay((s * 1000.0).round() as u64).to_string();
    if let Some(f) = &calibration.restart {
        let _ = writeln!(
            out,
            "{:<48} {:>7} {:>9} {:>9} {:>7.3}  {:<5}",
            "(restarts)",
            f.n,
            secs(f.median()),
            secs(f.p95()),
            f.ks,
            if f.acceptable() { "good" } else { "POOR" }
        );
    }
    for s in &calibration.steps {
        let codes: Vec<String> = s.exit_codes.iter().map(|(c, p)| format!("{c}: {}%", tidy(p * 100.0))).collect();
        let name = cut(&s.name);
        let _ = match &s.fit {
            Some(f) => writeln!(
                out,
                "{:<48} {:>7} {:>9} {:>9} {:>7.3}  {:<5}  {}",
                name,
                f.n,
                secs(f.median()),
                secs(f.p95()),
                f.ks,
                if f.sigma == 0.0 {
                    "fixed"
                } else if f.acceptable() {
                    "good"
                } else {
                    "POOR"
                },
                codes.join(", ")
            ),
            None => {
                writeln!(
                    out,
                    "{:<48} {:>7} {:>9} {:>9} {:>7}  {:<5}  {}",
                    name,
                    0,
                    "-",
                    "-",
                    "-",
                    "-",
                    codes.join(", ")
                )
            }
        };
    }
    let _ = writeln!(
        out,
        "\nKS: the largest gap between the data and the fitted lognormal; POOR means above 1.36/sqrt(samples)."
    );
    out.push_str(&coupling_table(&calibration.coupling));
    out
}

/// The coupling check as a table: per step the runs, the others in the step when a run entered
/// it, the slope per other server with its 95% interval, the slope as a share of the median,
/// and the verdict.
pub fn coupling_table(check: &CouplingCheck) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nCoupling check: does a step take longer when more servers are in it at once?");
    let _ = writeln!(
        out,
        "{:<48} {:>7} {:>11} {:>10} {:>22} {:>9}  finding",
        "step", "runs", "others", "slope", "95% interval", "of median"
    );
    for step in &check.steps {
        let name = cut(&step.name);
        match (step.slope(), step.shortfall_text()) {
            (Some(b), _) => {
                let finding = if b.contention() {
                    "SLOWER with company"
                } else if b.significant() {
                    "faster with company"
                } else {
                    "no effect shown"
                };
                let _ = writeln!(
                    out,
                    "{:<48} {:>7} {:>11} {:>10} {:>22} {:>9}  {finding}",
                    name,
                    step.runs,
                    format!("{:.1} (≤{})", b.mean_others, b.max_others),
                    format!("{:+.1}s", b.seconds_per_server),
                    format!("[{:+.1}s, {:+.1}s]", b.low, b.high),
                    format!("{:+.1}%", b.percent_of_median()),
                );
            }
            (None, why) => {
                let _ = writeln!(
                    out,
                    "{:<48} {:>7} {:>11} {:>10} {:>22} {:>9}  not enough data: {}",
                    name,
                    step.runs,
                    "-",
                    "-",
                    "-",
                    "-",
                    why.unwrap_or_default()
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\nothers: other servers in the step when a run entered it, mean (and most); slope: seconds more per other server."
    );
    let _ = writeln!(out, "Verdict: {}.", check.verdict_sentence());
    let faster = check.faster_with_company();
    if !faster.is_empty() {
        let _ = writeln!(
            out,
            "Faster with more company: {} — more likely a confounder (server size, window) than sharing; docs/import.md.",
            faster.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        );
    }
    out
}

/// A step name cut to the table's column (with `…`).
fn cut(name: &str) -> String {
    if name.chars().count() > NAME_WIDTH {
        name.chars().take(NAME_WIDTH - 1).chain(std::iter::once('…')).collect()
    } else {
        name.to_owned()
    }
}
