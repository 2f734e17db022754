//! `compare.json`: which design is better, figure by figure, with paired confidence intervals.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::paired::Paired;
use crate::montecarlo::Summary;
use crate::montecarlo::statistics::HEADLINE_KEYS;
use crate::montecarlo::stats::Bounds;
use crate::report::escape::markdown;
use crate::report::table::grouped;

/// The schema identifier of `compare.json`.
pub const COMPARE_SCHEMA: &str = "patchsim/compare/v1";

/// A comparison of designs with a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Always [`COMPARE_SCHEMA`].
    pub schema: String,
    /// The baseline scenario's name.
    pub baseline: String,
    /// The seed every design ran with.
    pub seed: u64,
    /// Replications of every design.
    pub replications: u64,
    /// One entry per other design.
    pub variants: Vec<VariantComparison>,
}

/// One design against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantComparison {
    /// The design's scenario name.
    pub scenario: String,
    /// Every headline figure, keyed by its dotted path in `summary.json`.
    pub metrics: BTreeMap<String, MetricComparison>,
}

/// One figure of one design against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    /// The baseline's mean.
    pub baseline: f64,
    /// The design's mean.
    pub variant: f64,
    /// `variant − baseline`.
    pub difference: f64,
    /// 95% confidence interval of the difference: Student t over per-replication differences.
    pub ci95: [f64; 2],
    /// Replications in which both designs have the figure.
    pub replications: u64,
}

impl MetricComparison {
    /// Whether the interval excludes zero: the designs differ beyond the noise.
    pub fn significant(&self) -> bool {
        self.ci95[0] > 0.0 || self.ci95[1] < 0.0
    }
}

impl Comparison {
    /// Builds the comparison of paired runs; `names` are the designs' scenario names, the
    /// baseline first.
    pub fn new(names: &[String], seed: u64, replications: u64, paired: &Paired) -> Self {
        let base = &paired.results[0].statistics;
        let variants = paired.results[1..]
            .iter()
            .zip(&paired.differences)
            .zip(&names[1..])
            .map(|((result, diffs), name)| {
                let metrics = HEADLINE_KEYS
                    .iter()
                    .zip(base.figures())
                    .zip(result.statistics.figures())
                    .zip(diffs)
                    .map(|(((key, (_, b)), (_, v)), d)| {
                        let bounds = if key.starts_with("outcomes.") { Bounds::ShareDifference } else { Bounds::Any };
                        let (b, v, e) = (b.estimate().mean, v.estimate().mean, d.estimate().within(bounds));
                        (
                            (*key).to_owned(),
                            MetricComparison {
                                baseline: b,
                                variant: v,
                                difference: v - b,
                                ci95: [e.low, e.high],
                                replications: d.n,
                            },
                        )
                    })
                    .collect();
                VariantComparison { scenario: name.clone(), metrics }
            })
            .collect();
        Self { schema: COMPARE_SCHEMA.to_owned(), baseline: names[0].clone(), seed, replications, variants }
    }
}

/// The figures a reader looks at first, in the order the table shows them.
pub const KEY_METRICS: &[&str] = &[
    "outcomes.completed_in_window",
    "outcomes.overran",
    "outcomes.failed",
    "outcomes.stopped",
    "outcomes.not_started",
    "overrun_minutes.mean",
    "duration_minutes.mean",
    "restarts.per_server_mean",
    "restarts.outside_window_per_server_mean",
    "status_messages.per_run_mean",
    "status_messages.peak_per_minute",
    "status_messages.backlog_peak",
    "status_messages.latency_seconds.mean",
    "status_messages.drain_minutes_after_last_window",
];

/// A figure's value for a reader: shares as percentages, the rest with sensible decimals.
pub fn show(key: &str, value: f64) -> String {
    if key.starts_with("outcomes.") {
        format!("{:.3}%", value * 100.0)
    } else if key.contains("latency") {
        format!("{value:.4}")
    } else if value.abs() >= 100.0 {
        grouped(value, 0)
    } else {
        format!("{value:.3}")
    }
}

/// A difference for a reader, signed: shares in percentage points.
pub fn show_difference(key: &str, value: f64) -> String {
    if key.starts_with("outcomes.") {
        format!("{:+.3} pt", value * 100.0)
    } else if key.contains("latency") {
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
        for key in KEY_METRICS {
            let Some(m) = v.metrics.get(*key) else { continue };
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
        for (key, m) in &v.metrics {
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
