//! The table `patchsim calibrate` prints: what the history held, and per step the samples, the
//! fitted median and 95th percentile, the fit's Kolmogorov–Smirnov distance and the exit codes.

use std::fmt::Write;

use crate::import::{Calibration, History};
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
        let name: String = if s.name.chars().count() > NAME_WIDTH {
            s.name.chars().take(NAME_WIDTH - 1).chain(std::iter::once('…')).collect()
        } else {
            s.name.clone()
        };
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
    out
}
