//! One figure's values over replications, summed exactly.
//!
//! Invariants:
//! - an [`Accumulator`] keeps exact sums of the values and of their squares
//!   ([`ExactSum`]), so a mean and its interval are bit-identical whatever order the
//!   replications were added or merged in: any thread count, any split into shards;
//! - the variance is computed exactly (`n·Σx² − (Σx)²` before one rounding): a figure that is the
//!   same in every replication has the interval `[mean, mean]`, never `[mean ± 1e-17]`;
//! - with one value the interval is `[mean, mean]`; with none, the mean is 0 and so is the
//!   interval (a figure with no data, e.g. the overran share when no server was targeted).

use serde::{Deserialize, Serialize};

use super::estimate::Estimate;
use super::exact_sum::ExactSum;
use crate::special::student_t_quantile;

/// Values of one figure over replications, summed exactly; mergeable in any order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    /// Number of values.
    pub n: u64,
    sum: ExactSum,
    sum_of_squares: ExactSum,
    /// Largest value (`None` before the first).
    pub max: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
}

impl Accumulator {
    /// Adds one replication's value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        self.sum_of_squares.add_square(x);
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
    }

    /// Adds every value of another accumulator.
    pub fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.sum_of_squares.merge(&other.sum_of_squares);
        for (mine, theirs, pick) in [
            (&mut self.max, other.max, f64::max as fn(f64, f64) -> f64),
            (&mut self.min, other.min, f64::min as fn(f64, f64) -> f64),
        ] {
            *mine = match (*mine, theirs) {
                (Some(a), Some(b)) => Some(pick(a, b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// The mean and its Student-t 95% confidence interval.
    pub fn estimate(&self) -> Estimate {
        let n = self.n;
        if n == 0 {
            return Estimate { mean: 0.0, low: 0.0, high: 0.0, sd: 0.0, n: 0 };
        }
        let mean = self.sum.value() / n as f64;
        if n == 1 {
            return Estimate { mean, low: mean, high: mean, sd: 0.0, n: 1 };
        }
        // n·Σx² − (Σx)², exactly, then one rounding: n(n−1) times the sample variance.
        let spread = self.sum_of_squares.times(n).minus(&self.sum.squared()).value().max(0.0);
        let sd = (spread / (n as f64 * (n - 1) as f64)).sqrt();
        let half = student_t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt();
        Estimate { mean, low: mean - half, high: mean + half, sd, n: n as usize }
    }

    /// The largest value, 0 when there is none.
    pub fn max_or_zero(&self) -> f64 {
        self.max.unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulators_merge_to_the_same_estimate_in_any_order() {
        let values: Vec<f64> = (0..101).map(|i| (i as f64 * 0.37).sin() * 3.0 + 0.1).collect();
        let whole = Estimate::of(&values);
        let (mut odd, mut even) = (Accumulator::default(), Accumulator::default());
        for (i, v) in values.iter().enumerate().rev() {
            if i % 2 == 1 { odd.add(*v) } else { even.add(*v) }
        }
        even.merge(&odd);
        let merged = even.estimate();
        assert_eq!(
            (whole.mean.to_bits(), whole.low.to_bits(), whole.high.to_bits()),
            (merged.mean.to_bits(), merged.low.to_bits(), merged.high.to_bits())
        );
        assert_eq!(even.max, values.iter().copied().reduce(f64::max));
    }
}
