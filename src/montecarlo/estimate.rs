//! The mean of a figure over replications and its 95% confidence interval, kept among the values
//! the figure can take.

use super::accumulator::Accumulator;
use crate::special::student_t_quantile;

/// The values a figure can take: its confidence interval stays among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// Any real number (a difference of counts or times).
    Any,
    /// Zero or more (counts, minutes, latencies): the interval is cut at 0.
    NonNegative,
    /// A share of something, in [0, 1]: the Wilson score interval with the effective sample
    /// size of the replications (see [`Estimate::within`]).
    Share,
    /// The difference of two shares, in [−1, 1]: the interval is cut there.
    ShareDifference,
}

/// The mean of values and the 95% confidence interval of that mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the 95% confidence interval.
    pub low: f64,
    /// Upper end of the 95% confidence interval.
    pub high: f64,
    /// Sample standard deviation (0 with fewer than two values).
    pub sd: f64,
    /// Number of values.
    pub n: usize,
}

impl Estimate {
    /// Mean and Student-t 95% CI of `values`.
    pub fn of(values: &[f64]) -> Self {
        let mut acc = Accumulator::default();
        values.iter().for_each(|v| acc.add(*v));
        acc.estimate()
    }

    /// Half the width of the confidence interval.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }

    /// The interval kept among the values the figure can take.
    ///
    /// For a share the Student-t interval `mean ± t·se` can leave [0, 1] (a share near 0 with a
    /// few replications that saw some). The Wilson score interval cannot: with `p` the mean,
    /// `se` its standard error and `t` the same Student-t quantile, it is the Wilson interval for
    /// a proportion of `n = p(1 − p) / se²` trials — the effective sample size that gives `p` the
    /// standard error the replications show. It lies in [0, 1], holds `p`, and tends to
    /// `mean ± t·se` as the replications grow; with `se = 0` it is `[p, p]`.
    ///
    /// ```
    /// use patchsim::montecarlo::estimate::{Bounds, Estimate};
    /// let e = Estimate::of(&[0.0, 0.0, 0.0, 0.02]).within(Bounds::Share);
    /// assert!(e.low >= 0.0 && e.low < e.mean && e.mean < e.high && e.high <= 1.0);
    /// let t = Estimate::of(&[0.0, 0.0, 0.0, 0.02]);
    /// assert!(t.low < 0.0);
    /// ```
    pub fn within(self, bounds: Bounds) -> Self {
        match bounds {
            Bounds::Any => self,
            Bounds::NonNegative => Self { low: self.low.max(0.0), ..self },
            Bounds::ShareDifference => Self { low: self.low.max(-1.0), high: self.high.min(1.0), ..self },
            Bounds::Share => {
                let p = self.mean.clamp(0.0, 1.0);
                let half = self.half_width();
                if half <= 0.0 || self.n < 2 || p <= 0.0 || p >= 1.0 {
                    return Self { low: self.low.clamp(0.0, 1.0), high: self.high.clamp(0.0, 1.0), ..self };
                }
                let t = student_t_quantile(0.975, (self.n - 1) as f64);
                let se = half / t;
                let n = p * (1.0 - p) / (se * se);
                let z2n = t * t / n;
                let centre = (p + z2n / 2.0) / (1.0 + z2n);
                let spread = t / (1.0 + z2n) * (se * se + t * t / (4.0 * n * n)).sqrt();
                Self { low: (centre - spread).clamp(0.0, p), high: (centre + spread).clamp(p, 1.0), ..self }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_have_the_textbook_interval() {
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        let half = 3.182_446_305 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert!((e.half_width() - half).abs() < 1e-6);
        let one = Estimate::of(&[7.0]);
        assert_eq!((one.low, one.mean, one.high), (7.0, 7.0, 7.0));
        let none = Estimate::of(&[]);
        assert_eq!((none.low, none.mean, none.high), (0.0, 0.0, 0.0));
        let flat = Estimate::of(&[0.0; 50]);
        assert_eq!((flat.low, flat.high), (0.0, 0.0));
        // A value that is the same every time has a zero-width interval, exactly.
        let same = Estimate::of(&[0.1; 7]);
        assert_eq!((same.low, same.high, same.sd), (same.mean, same.mean, 0.0));
    }

    #[test]
    fn share_intervals_stay_within_zero_and_one_and_approach_the_t_interval() {
        // A rare event seen in few replications: the t interval dips below 0, Wilson's does not.
        let rare = [0.0, 0.0, 0.0, 0.0, 0.001, 0.0, 0.0, 0.0];
        let t = Estimate::of(&rare);
        let w = t.within(Bounds::Share);
        assert!(t.low < 0.0 && w.low >= 0.0 && w.high > t.mean && w.high <= 1.0, "{t:?} {w:?}");
        // Near 1 likewise.
        let common: Vec<f64> = rare.iter().map(|x| 1.0 - x).collect();
        let w = Estimate::of(&common).within(Bounds::Share);
        assert!(w.high <= 1.0 && w.low < w.mean, "{w:?}");
        // Mirror images: the interval of 1 − p is 1 minus the interval of p.
        let back = Estimate::of(&rare).within(Bounds::Share);
        assert!((w.low - (1.0 - back.high)).abs() < 1e-12 && (w.high - (1.0 - back.low)).abs() < 1e-12);
        // Many replications far from the bounds: within 1% of the t interval's width.
        let values: Vec<f64> = (0..400).map(|i| 0.3 + 0.05 * ((i as f64) * 0.7).sin()).collect();
        let (t, w) = (Estimate::of(&values), Estimate::of(&values).within(Bounds::Share));
        assert!((w.half_width() - t.half_width()).abs() < 0.01 * t.half_width(), "{t:?} {w:?}");
        // Equal values: no spread, no interval.
        let same = Estimate::of(&[0.25; 5]).within(Bounds::Share);
        assert_eq!((same.low, same.high), (0.25, 0.25));
        assert_eq!(Estimate::of(&[-1.0, 3.0]).within(Bounds::NonNegative).low, 0.0);
        let d = Estimate::of(&[0.99, 1.0, 0.98]).within(Bounds::ShareDifference);
        assert!(d.high <= 1.0);
    }
}
