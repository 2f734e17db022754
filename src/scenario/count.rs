//! Count distributions: how many updates, hotfixes or packages apply to one server.
//!
//! Written as a non-negative integer (fixed), the name of a count from `[fleet.counts]`, or a
//! table with `dist`. Small Poisson and binomial counts are drawn by inverting the CDF with one
//! uniform number, so a larger mean never gives a server fewer items under common random numbers.

use std::fmt;

use rand_distr::{Binomial, Distribution, Poisson};

use super::distribution::{pick, probabilities, read_weights};
use super::reader::{ReadResult, Value};
use crate::random::DrawRng;

/// The largest count patchsim accepts for one server (items of one step).
pub const MAX_COUNT: u64 = 100_000;

/// A distribution of counts.
#[derive(Debug, Clone, PartialEq)]
pub enum CountDist {
    /// Always the same count.
    Fixed(u32),
    /// Poisson with the given mean (build it with [`CountDist::poisson`]).
    Poisson {
        /// Mean count.
        mean: f64,
        /// `e^(-mean)`, the probability of 0, computed once.
        p0: f64,
    },
    /// Binomial: `n` trials with success probability `p`.
    Binomial {
        /// Trials.
        n: u32,
        /// Success probability.
        p: f64,
    },
    /// One of the listed counts, with optional relative weights.
    Empirical {
        /// The counts.
        values: Vec<u32>,
        /// Cumulative probabilities, the last one exactly 1.
        cumulative: Vec<f64>,
    },
}

/// The distribution names a count table may use.
pub const COUNT_DISTS: &[&str] = &["poisson", "binomial", "fixed", "empirical"];

/// Where a step's item count comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Items {
    /// A count of its own, drawn when the step runs.
    Dist(CountDist),
    /// A named count from `[fleet.counts]` (index into the fleet's counts), drawn once per server.
    Named {
        /// Index of the count in [`crate::scenario::Fleet::counts`].
        index: usize,
        /// The count's name.
        name: String,
    },
}

impl CountDist {
    /// A Poisson distribution with this mean (at least 0).
    pub fn poisson(mean: f64) -> Self {
        Self::Poisson { mean, p0: (-mean).exp() }
    }

    /// Reads a count given inline: an integer or a table (a name is resolved by the caller).
    pub fn read(value: &Value<'_, '_>) -> ReadResult<Self> {
        if !value.is_table() {
            return Ok(Self::Fixed(read_count(value)?));
        }
        let any = value.table(&["dist", "mean", "n", "p", "value", "values", "weights"])?;
        let dist_value = any.req("dist")?;
        match dist_value.str()? {
            "fixed" => {
                let t = value.table(&["dist", "value"])?;
                Ok(Self::Fixed(read_count(&t.req("value")?)?))
            }
            "poisson" => {
                let t = value.table(&["dist", "mean"])?;
                let mean_v = t.req("mean")?;
                let mean = mean_v.f64()?;
                if mean < 0.0 {
                    return Err(mean_v.error(format!("the mean of a count cannot be negative, found {mean}")));
                }
                if mean > MAX_COUNT as f64 / 10.0 {
                    return Err(mean_v.error(format!("{mean} items a server is absurd (at most {})", MAX_COUNT / 10)));
                }
                Ok(Self::poisson(mean))
            }
            "binomial" => {
                let t = value.table(&["dist", "n", "p"])?;
                let n = read_count(&t.req("n")?)?;
                let p = t.req("p")?.probability()?;
                Ok(Self::Binomial { n, p })
            }
            "empirical" => {
                let t = value.table(&["dist", "values", "weights"])?;
                let values_v = t.req("values")?;
                let values = values_v.array()?.iter().map(read_count).collect::<ReadResult<Vec<_>>>()?;
                let cumulative = read_weights(&values_v, values.len(), t.get("weights").as_ref())?;
                Ok(Self::Empirical { values, cumulative })
            }
            other => Err(dist_value
                .error(format!("unknown count distribution \"{other}\"; expected one of: {}", COUNT_DISTS.join(", ")))),
        }
    }

    /// Draws one count.
    #[inline]
    pub fn sample(&self, rng: &mut DrawRng) -> u32 {
        match self {
            Self::Fixed(v) => *v,
            Self::Poisson { mean, p0 } => {
                if *mean <= 0.0 {
                    0
                } else if *mean <= 30.0 {
                    poisson_inverse(*mean, *p0, rng.next_f64())
                } else {
                    match Poisson::new(*mean) {
                        Ok(p) => (p.sample(rng) as u64).min(MAX_COUNT) as u32,
                        Err(_) => 0,
                    }
                }
            }
            Self::Binomial { n, p } => {
                if *n <= 60 {
                    binomial_inverse(*n, *p, rng.next_f64())
                } else {
                    match Binomial::new(u64::from(*n), *p) {
                        Ok(b) => b.sample(rng) as u32,
                        Err(_) => 0,
                    }
                }
            }
            Self::Empirical { values, cumulative } => values[pick(cumulative, rng.next_f64())],
        }
    }

    /// The distribution as an inline TOML value a scenario accepts, e.g. `3` or
    /// `{ dist = "poisson", mean = 3.0 }`.
    pub fn to_toml(&self) -> String {
        match self {
            Self::Fixed(v) => v.to_string(),
            Self::Poisson { mean, .. } => format!("{{ dist = \"poisson\", mean = {mean:?} }}"),
            Self::Binomial { n, p } => format!("{{ dist = \"binomial\", n = {n}, p = {p:?} }}"),
            Self::Empirical { values, cumulative } => {
                let weights: Vec<String> =
                    probabilities(cumulative).map(|w| format!("{:?}", super::distribution::tidy(w))).collect();
                let values: Vec<String> = values.iter().map(u32::to_string).collect();
                format!(
                    "{{ dist = \"empirical\", values = [{}], weights = [{}] }}",
                    values.join(", "),
                    weights.join(", ")
                )
            }
        }
    }

    /// The distribution's variance.
    pub fn variance(&self) -> f64 {
        match self {
            Self::Fixed(_) => 0.0,
            Self::Poisson { mean, .. } => *mean,
            Self::Binomial { n, p } => f64::from(*n) * p * (1.0 - p),
            Self::Empirical { values, cumulative } => {
                let mean = self.mean();
                values.iter().zip(probabilities(cumulative)).map(|(v, p)| (f64::from(*v) - mean).powi(2) * p).sum()
            }
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match self {
            Self::Fixed(v) => f64::from(*v),
            Self::Poisson { mean, .. } => *mean,
            Self::Binomial { n, p } => f64::from(*n) * p,
            Self::Empirical { values, cumulative } => {
                values.iter().zip(probabilities(cumulative)).map(|(v, p)| f64::from(*v) * p).sum()
            }
        }
    }
}

/// Reads a fixed, non-negative count.
fn read_count(value: &Value<'_, '_>) -> ReadResult<u32> {
    match value.raw() {
        toml::de::DeValue::Integer(_) => Ok(value.integer_in(0, MAX_COUNT as i64)? as u32),
        _ => Err(value.error(format!(
            "expected a count (a whole number of 0 or more) or a table such as {{ dist = \"poisson\", mean = 3 }}, found {}",
            value.type_name()
        ))),
    }
}

/// Smallest k with P(X ≤ k) > u for a Poisson(mean), by summing the probabilities from
/// `p0 = e^(-mean)`.
fn poisson_inverse(mean: f64, p0: f64, u: f64) -> u32 {
    let mut p = p0;
    let mut cdf = p;
    let mut k = 0u32;
    let limit = (mean * 10.0 + 100.0) as u32;
    while u >= cdf && k < limit {
        k += 1;
        p *= mean / f64::from(k);
        cdf += p;
    }
    k
}

/// Smallest k with P(X ≤ k) > u for a Binomial(n, p).
fn binomial_inverse(n: u32, p: f64, u: f64) -> u32 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let q = 1.0 - p;
    let mut prob = q.powi(n as i32);
    let mut cdf = prob;
    let mut k = 0u32;
    while u >= cdf && k < n {
        prob *= f64::from(n - k) / f64::from(k + 1) * p / q;
        k += 1;
        cdf += prob;
    }
    k
}

impl fmt::Display for CountDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(v) => write!(f, "{v}"),
            Self::Poisson { mean, .. } => write!(f, "poisson mean {mean}"),
            Self::Binomial { n, p } => write!(f, "binomial n {n} p {p}"),
            Self::Empirical { values, .. } => write!(f, "empirical {values:?}"),
        }
    }
}

impl fmt::Display for Items {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dist(d) => d.fmt(f),
            Self::Named { name, .. } => write!(f, "count \"{name}\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;

    fn mean_of(dist: &CountDist, n: u64) -> (f64, f64) {
        let s = Stream::from_key(5);
        let xs: Vec<f64> = (0..n).map(|i| f64::from(dist.sample(&mut s.draw(i)))).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        (mean, (var / n as f64).sqrt())
    }

    #[test]
    fn sample_means_match_analytic_means() {
        for dist in [
            CountDist::Fixed(4),
            CountDist::poisson(3.0),
            CountDist::poisson(0.15),
            CountDist::poisson(80.0),
            CountDist::Binomial { n: 10, p: 0.3 },
            CountDist::Binomial { n: 500, p: 0.01 },
            CountDist::Empirical { values: vec![0, 1, 5], cumulative: vec![0.2, 0.7, 1.0] },
        ] {
            let (mean, se) = mean_of(&dist, 100_000);
            assert!((mean - dist.mean()).abs() <= 5.0 * se + 1e-9, "{dist}: {mean} vs {}", dist.mean());
        }
    }

    #[test]
    fn poisson_inverse_is_exact_at_the_boundaries() {
        // P(X = 0) = e^-3 ≈ 0.0498: u just below gives 0, just above gives 1.
        let p0 = (-3.0f64).exp();
        assert_eq!(poisson_inverse(3.0, p0, 0.0497), 0);
        assert_eq!(poisson_inverse(3.0, p0, 0.0499), 1);
        assert_eq!(binomial_inverse(4, 0.5, 0.0624), 0);
        assert_eq!(binomial_inverse(4, 0.5, 0.0626), 1);
        assert_eq!(binomial_inverse(4, 0.5, 0.9999), 4);
    }

    #[test]
    fn a_larger_mean_never_gives_fewer_items_on_the_same_draw() {
        let s = Stream::from_key(11);
        for i in 0..10_000 {
            let a = CountDist::poisson(2.0).sample(&mut s.draw(i));
            let b = CountDist::poisson(2.5).sample(&mut s.draw(i));
            assert!(b >= a);
        }
    }
}
