//! The coupling check ([`CouplingCheck`]) as `backtest.json` holds it: the keys of the timings
//! file's `[coupling]` table (docs/import.md, "Reading the coupling check").

use serde::{Deserialize, Serialize};

use crate::import::coupling::{CouplingCheck, Verdict};

/// The coupling check of a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouplingFigures {
    /// `contention`, `none` or `not enough data`.
    pub verdict: String,
    /// The verdict as a sentence.
    pub sentence: String,
    /// The steps that take significantly longer with more servers in them.
    pub contended: Vec<String>,
    /// Each step, in the order the steps run.
    pub steps: Vec<StepCouplingFigures>,
}

/// One step's coupling check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepCouplingFigures {
    /// The step's name.
    pub name: String,
    /// Timed runs of the step.
    pub runs: usize,
    /// Why there is no slope, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_enough_data: Option<String>,
    /// The slope, when there is one.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub slope: Option<SlopeFigures>,
}

/// A step's fitted slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlopeFigures {
    /// Other servers in the step when a run entered it, mean.
    pub others_mean: f64,
    /// The most.
    pub others_max: u64,
    /// Seconds more per other server.
    pub slope_seconds: f64,
    /// Its 95% interval's low end.
    pub slope_low: f64,
    /// Its high end.
    pub slope_high: f64,
    /// The slope as a percentage of the step's median duration.
    pub slope_percent_of_median: f64,
    /// The interval's low end, percent of the median.
    pub percent_low: f64,
    /// Its high end.
    pub percent_high: f64,
    /// The fitted duration with no other server in the step, seconds.
    pub alone_seconds: f64,
    /// The step's median duration, seconds.
    pub median_seconds: f64,
    /// Whether the interval excludes 0.
    pub significant: bool,
}

impl CouplingFigures {
    /// The figures of a check.
    pub fn of(check: &CouplingCheck) -> Self {
        let (verdict, contended) = match check.verdict() {
            Verdict::Contention(steps) => ("contention", steps),
            Verdict::NoSign => ("none", Vec::new()),
            Verdict::NotEnoughData => ("not enough data", Vec::new()),
        };
        let steps = check
            .steps
            .iter()
            .map(|s| StepCouplingFigures {
                name: s.name.clone(),
                runs: s.runs,
                not_enough_data: s.shortfall_text(),
                slope: s.slope().map(|b| {
                    let (percent_low, percent_high) = b.percent_interval();
                    SlopeFigures {
                        others_mean: b.mean_others,
                        others_max: b.max_others,
                        slope_seconds: b.seconds_per_server,
                        slope_low: b.low,
                        slope_high: b.high,
                        slope_percent_of_median: b.percent_of_median(),
                        percent_low,
                        percent_high,
                        alone_seconds: b.alone_seconds,
                        median_seconds: b.median_seconds,
                        significant: b.significant(),
                    }
                }),
            })
            .collect();
        Self { verdict: verdict.to_owned(), sentence: check.verdict_sentence(), contended, steps }
    }
}
