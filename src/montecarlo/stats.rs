//! Statistics over replications: means with Student-t 95% confidence intervals.
//!
//! Invariants:
//! - an [`Accumulator`] keeps exact sums of the values and of their squares
//!   ([`ExactSum`]), so a mean and its interval are bit-identical whatever order the
//!   replications were added or merged in: any thread count, any split into shards;
//! - the variance is computed exactly (`n·Σx² − (Σx)²` before one rounding): a figure that is the
//!   same in every replication has the interval `[mean, mean]`, never `[mean ± 1e-17]`;
//! - with one value the interval is `[mean, mean]`; with none, the mean is 0 and so is the
//!   interval (a figure with no data, e.g. the overran share when no server was targeted);
//! - the t quantile is computed, not tabulated: the regularized incomplete beta function inverted
//!   by bisection, exact to about 1e-12.

use serde::{Deserialize, Serialize};

use super::exact_sum::ExactSum;

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
    /// use patchsim::montecarlo::stats::{Bounds, Estimate};
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

/// The `p` quantile of Student's t distribution with `df` degrees of freedom (`p` in (0, 1)).
///
/// ```
/// use patchsim::montecarlo::stats::student_t_quantile;
/// assert!((student_t_quantile(0.975, 1.0) - 12.706_204_736).abs() < 1e-6);
/// assert!((student_t_quantile(0.975, 10.0) - 2.228_138_852).abs() < 1e-6);
/// ```
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    // Bracket, then bisect on the CDF.
    let mut high = 1.0;
    while student_t_cdf(high, df) < p {
        high *= 2.0;
        if high > 1e12 {
            return high;
        }
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if student_t_cdf(mid, df) < p {
            low = mid;
        } else {
            high = mid;
        }
        if high - low < 1e-13 * high.max(1.0) {
            break;
        }
    }
    0.5 * (low + high)
}

/// The CDF of Student's t distribution.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * regularized_beta(x, df / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The regularized incomplete beta function I_x(a, b).
pub fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b
    }
}

/// Lentz's evaluation of the incomplete beta continued fraction.
fn beta_continued_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The natural logarithm of the gamma function for x > 0 (Lanczos, g = 7, in log space so it
/// does not overflow for large x).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return ln_gamma(x + 1.0) - x.ln();
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables() {
        for (df, expected) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (5.0, 2.570_581_836),
            (30.0, 2.042_272_456),
            (199.0, 1.971_956_544),
            (1.0e7, 1.959_964_1),
        ] {
            let q = student_t_quantile(0.975, df);
            assert!((q - expected).abs() < 2e-6, "df {df}: {q} vs {expected}");
        }
        assert!((student_t_quantile(0.025, 5.0) + 2.570_581_836).abs() < 1e-6);
    }

    #[test]
    fn ln_gamma_is_accurate_for_small_and_huge_arguments() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        // ln Γ(1000) = 5905.220423209181 (Stirling).
        assert!((ln_gamma(1000.0) - 5_905.220_423_209_181).abs() < 1e-8);
    }

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
