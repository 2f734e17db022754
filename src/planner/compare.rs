//! `compare.json`: which design is better, figure by figure, with paired confidence intervals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::montecarlo::estimate::Bounds;
use crate::montecarlo::statistics::HEADLINE;
use crate::montecarlo::{Figure, Runs};

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
    /// Every headline figure (keyed in `compare.json` by its dotted path in `summary.json`).
    pub metrics: BTreeMap<Figure, MetricComparison>,
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

/// The designs' names, told apart by their place on the command line when two share one
/// (`monthly #2`).
pub fn design_names(scenarios: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in scenarios {
        let mut name = (*s).to_owned();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{s} #{k}");
            k += 1;
        }
        names.push(name);
    }
    names
}

impl Comparison {
    /// Builds the comparison of designs run in lockstep; `names` are the designs' scenario
    /// names, the baseline first.
    pub fn new(names: &[String], seed: u64, replications: u64, paired: &Runs) -> Self {
        let base = &paired.results[0].statistics;
        let variants = paired.results[1..]
            .iter()
            .zip(&paired.differences)
            .zip(&names[1..])
            .map(|((result, diffs), name)| {
                let metrics = HEADLINE
                    .iter()
                    .zip(base.figures())
                    .zip(result.statistics.figures())
                    .zip(diffs)
                    .map(|(((figure, (_, b)), (_, v)), d)| {
                        let bounds = if figure.is_share() { Bounds::ShareDifference } else { Bounds::Any };
                        let (b, v, e) = (b.estimate().mean, v.estimate().mean, d.estimate().within(bounds));
                        (
                            *figure,
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
