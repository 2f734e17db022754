//! Fitting a lognormal to observed durations, and how well it fits.
//!
//! The maximum-likelihood lognormal of samples `x₁…xₙ` has `μ = mean(ln x)` and
//! `σ² = mean((ln x − μ)²)`; it is written as its median `e^μ` and 95th percentile
//! `e^(μ + 1.645σ)`. The goodness of fit is the Kolmogorov–Smirnov distance `D`, the largest gap
//! between the samples' empirical distribution and the fitted one. With parameters estimated
//! from the same data, `D` runs smaller than the textbook table suggests, so the table's 5%
//! value `1.36/√n` is a lenient yardstick: above it the lognormal is a poor description.

use crate::scenario::distribution::{DurationDist, Z95};
use crate::special::normal_cdf;

/// A fitted lognormal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LognormalFit {
    /// Samples fitted.
    pub n: usize,
    /// Mean of the logarithm of the samples (in seconds).
    pub mu: f64,
    /// Standard deviation of the logarithm.
    pub sigma: f64,
    /// Kolmogorov–Smirnov distance between the samples and the fit (0 when `sigma` is 0).
    pub ks: f64,
}

impl LognormalFit {
    /// The median, in seconds.
    pub fn median(&self) -> f64 {
        self.mu.exp()
    }

    /// The 95th percentile, in seconds.
    pub fn p95(&self) -> f64 {
        (self.mu + Z95 * self.sigma).exp()
    }

    /// The textbook 5% critical value of the KS distance for this many samples, `1.36/√n`.
    pub fn ks_critical(&self) -> f64 {
        ks_critical(self.n)
    }

    /// Whether the KS distance is within the 5% critical value.
    pub fn acceptable(&self) -> bool {
        self.ks <= self.ks_critical()
    }

    /// The fit as a duration distribution a scenario accepts: a lognormal by median and p95
    /// (milliseconds rounded), or a fixed duration when every sample was the same.
    pub fn to_dist(&self) -> DurationDist {
        let median = (self.median() * 1000.0).round().max(1.0) as u64;
        let p95 = (self.p95() * 1000.0).round() as u64;
        if self.sigma == 0.0 || p95 <= median {
            return DurationDist::Fixed(median);
        }
        DurationDist::lognormal(median, p95).unwrap_or(DurationDist::Fixed(median))
    }
}

/// The 5% critical value of the Kolmogorov–Smirnov distance for `n` samples (asymptotic).
pub fn ks_critical(n: usize) -> f64 {
    if n == 0 { f64::INFINITY } else { 1.36 / (n as f64).sqrt() }
}

/// Fits a lognormal to positive samples (in seconds). `None` without any positive sample.
/// The samples are summed in ascending order, so the fit is the same, to the last bit, for any
/// order of the same samples.
pub fn fit_lognormal(samples: &[f64]) -> Option<LognormalFit> {
    let mut logs: Vec<f64> = samples.iter().filter(|x| **x > 0.0 && x.is_finite()).map(|x| x.ln()).collect();
    let n = logs.len();
    if n == 0 {
        return None;
    }
    logs.sort_by(f64::total_cmp);
    let mu = logs.iter().sum::<f64>() / n as f64;
    let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n as f64).sqrt();
    let ks = if sigma > 0.0 {
        logs.iter()
            .enumerate()
            .map(|(i, l)| {
                let f = normal_cdf((l - mu) / sigma);
                (f - i as f64 / n as f64).max((i + 1) as f64 / n as f64 - f)
            })
            .fold(0.0, f64::max)
    } else {
        0.0
    };
    Some(LognormalFit { n, mu, sigma, ks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn recovers_a_known_lognormal_within_sampling_error() {
        // Median 300 s, p95 900 s: σ = ln 3 / 1.645 ≈ 0.668.
        let (mu, sigma) = (300f64.ln(), 3f64.ln() / Z95);
        let n = 5_000;
        let s = Stream::from_key(7);
        let xs: Vec<f64> = (0..n)
            .map(|i| {
                let z: f64 = StandardNormal.sample(&mut s.draw(i));
                (mu + sigma * z).exp()
            })
            .collect();
        let fit = fit_lognormal(&xs).unwrap();
        // Standard errors: σ/√n ≈ 0.0094 for μ, σ/√(2n) ≈ 0.0067 for σ; allow four of each.
        assert!((fit.mu - mu).abs() < 4.0 * sigma / (n as f64).sqrt(), "{} vs {mu}", fit.mu);
        assert!((fit.sigma - sigma).abs() < 4.0 * sigma / (2.0 * n as f64).sqrt(), "{} vs {sigma}", fit.sigma);
        assert!(fit.acceptable(), "KS {} above {}", fit.ks, fit.ks_critical());
        assert!((fit.median() / 300.0 - 1.0).abs() < 0.04 && (fit.p95() / 900.0 - 1.0).abs() < 0.06);
    }

    #[test]
    fn flags_data_that_is_not_lognormal() {
        // Two far-apart clumps: no lognormal describes them.
        let xs: Vec<f64> =
            (0..2000).map(|i| if i % 2 == 0 { 10.0 + (i % 7) as f64 } else { 1000.0 + (i % 11) as f64 }).collect();
        let fit = fit_lognormal(&xs).unwrap();
        assert!(!fit.acceptable(), "KS {}", fit.ks);
    }

    #[test]
    fn the_fit_does_not_depend_on_the_order_of_the_samples() {
        // Values whose floating-point sum depends on the order they are added in.
        let xs: Vec<f64> = (0..1000).map(|i| 1.0 + (i as f64 * 0.618_034).fract() * 1e6).collect();
        let mut reversed = xs.clone();
        reversed.reverse();
        let mut shuffled = xs.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, (i * 7919) % (i + 1));
        }
        let fit = fit_lognormal(&xs).unwrap();
        assert_eq!(fit, fit_lognormal(&reversed).unwrap());
        assert_eq!(fit, fit_lognormal(&shuffled).unwrap());
    }

    #[test]
    fn degenerate_samples_give_a_fixed_duration() {
        let fit = fit_lognormal(&[60.0, 60.0, 0.0, -1.0]).unwrap();
        assert_eq!((fit.n, fit.sigma, fit.ks), (2, 0.0, 0.0));
        assert_eq!(fit.to_dist(), DurationDist::Fixed(60_000));
        assert!(fit_lognormal(&[0.0]).is_none());
    }
}
