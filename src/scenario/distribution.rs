//! Duration distributions: how long a step, an item, a restart or a start delay takes.
//!
//! Written in a scenario as a duration string (fixed) or a table with `dist`. Sampling returns
//! whole milliseconds, rounded to the nearest. Where a closed-form inverse exists (uniform,
//! triangular, exponential, Weibull) a draw uses exactly one uniform number, so that two designs
//! that differ in a parameter get monotonically coupled draws under common random numbers.

use std::fmt;

use rand_distr::{Distribution, Gamma, StandardNormal};

use super::duration::{DurationDisplay, MAX_DURATION, Millis};
use super::reader::{ReadResult, Value};
use crate::random::DrawRng;
use crate::special::{normal_cdf, normal_pdf};

/// The 95th percentile of the standard normal distribution.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution of durations.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationDist {
    /// Always the same duration.
    Fixed(Millis),
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: Millis,
        /// Upper bound.
        max: Millis,
    },
    /// Triangular on `[min, max]` peaking at `mode`.
    Triangular {
        /// Lower bound.
        min: Millis,
        /// Most likely value.
        mode: Millis,
        /// Upper bound.
        max: Millis,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: Millis,
    },
    /// Normal, truncated at zero (negative draws are drawn again).
    Normal {
        /// Mean before truncation.
        mean: Millis,
        /// Standard deviation before truncation.
        sd: Millis,
    },
    /// Lognormal: `exp(mu + sigma·Z)` milliseconds, given by median and p95 or by mean and sd.
    LogNormal {
        /// How the user wrote it (for display).
        form: LogNormalForm,
        /// Mean of the logarithm (of milliseconds).
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Gamma with a shape (a number) and a scale (a duration).
    Gamma {
        /// Shape parameter k.
        shape: f64,
        /// Scale parameter θ.
        scale: Millis,
    },
    /// Weibull with a shape (a number) and a scale (a duration).
    Weibull {
        /// Shape parameter k.
        shape: f64,
        /// Scale parameter λ.
        scale: Millis,
    },
    /// One of the listed values, with optional relative weights (default: equal).
    Empirical {
        /// The values.
        values: Vec<Millis>,
        /// Cumulative probabilities, the last one exactly 1.
        cumulative: Vec<f64>,
    },
}

/// How a lognormal was specified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogNormalForm {
    /// By median and 95th percentile.
    MedianP95 {
        /// Median.
        median: Millis,
        /// 95th percentile.
        p95: Millis,
    },
    /// By mean and standard deviation.
    MeanSd {
        /// Mean.
        mean: Millis,
        /// Standard deviation.
        sd: Millis,
    },
}

/// The distribution names a duration table may use.
pub const DURATION_DISTS: &[&str] =
    &["fixed", "uniform", "triangular", "exponential", "normal", "lognormal", "gamma", "weibull", "empirical"];

/// The unit a distribution's values are written in: durations for a [`DurationDist`], sizes for
/// a size distribution ([`super::resource::SizeDist`]). The forms, their keys and their checks are
/// the same; only how one value is read and shown differs.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    /// Reads one value (a duration string, a size string) into whole units.
    pub read: fn(&Value<'_, '_>) -> ReadResult<u64>,
    /// Shows one value as the scenario writes it (`"1h30m"`, `"650MB"`).
    pub show: fn(u64) -> String,
    /// What a value is, for messages: `"duration"`.
    pub noun: &'static str,
    /// Zero as written: `"0s"`.
    pub zero: &'static str,
    /// What a value or a distribution looks like, for the message about something else:
    /// `a duration such as "10m" or a table such as { … }`.
    pub expected: &'static str,
}

/// Durations: the unit of a [`DurationDist`].
pub const DURATION: Unit = Unit {
    read: |v| v.duration(),
    show: |ms| DurationDisplay(ms).to_string(),
    noun: "duration",
    zero: "0s",
    expected: "a duration such as \"10m\" or a table such as { dist = \"uniform\", min = \"0m\", max = \"20m\" }",
};

impl DurationDist {
    /// Reads a duration distribution: a duration string, or a table with `dist`.
    pub fn read(value: &Value<'_, '_>) -> ReadResult<Self> {
        Self::read_in(value, &DURATION)
    }

    /// Reads a distribution whose values are in `unit`: a value (fixed), or a table with `dist`
    /// whose value keys (`min`, `mean`, `scale`, …) are in `unit`.
    pub fn read_in(value: &Value<'_, '_>, unit: &Unit) -> ReadResult<Self> {
        let read = unit.read;
        let d = unit.show;
        if !value.is_table() {
            return match value.raw() {
                toml::de::DeValue::String(_) | toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_) => {
                    Ok(Self::Fixed(read(value)?))
                }
                _ => Err(value.error(format!("expected {}, found {}", unit.expected, value.type_name()))),
            };
        }
        let any = value.table(&[
            "dist", "value", "min", "max", "mode", "mean", "sd", "median", "p95", "shape", "scale", "values", "weights",
        ])?;
        let dist_value = any.req("dist")?;
        let dist = dist_value.str()?;
        let zero = unit.zero;
        let dist = match dist {
            "fixed" => {
                let t = value.table(&["dist", "value"])?;
                Self::Fixed(read(&t.req("value")?)?)
            }
            "uniform" => {
                let t = value.table(&["dist", "min", "max"])?;
                let min = read(&t.req("min")?)?;
                let max_v = t.req("max")?;
                let max = read(&max_v)?;
                if min > max {
                    return Err(max_v.error(format!("min ({}) is greater than max ({})", d(min), d(max))));
                }
                Self::Uniform { min, max }
            }
            "triangular" => {
                let t = value.table(&["dist", "min", "mode", "max"])?;
                let min = read(&t.req("min")?)?;
                let mode_v = t.req("mode")?;
                let mode = read(&mode_v)?;
                let max_v = t.req("max")?;
                let max = read(&max_v)?;
                if min > max {
                    return Err(max_v.error(format!("min ({}) is greater than max ({})", d(min), d(max))));
                }
                if mode < min || mode > max {
                    return Err(mode_v.error(format!(
                        "mode ({}) is outside [min, max] = [{}, {}]",
                        d(mode),
                        d(min),
                        d(max)
                    )));
                }
                Self::Triangular { min, mode, max }
            }
            "exponential" => {
                let t = value.table(&["dist", "mean"])?;
                let mean_v = t.req("mean")?;
                let mean = read(&mean_v)?;
                if mean == 0 {
                    return Err(mean_v.error(format!("the mean of an exponential must be more than {zero}")));
                }
                Self::Exponential { mean }
            }
            "normal" => {
                let t = value.table(&["dist", "mean", "sd"])?;
                let mean = read(&t.req("mean")?)?;
                let sd = read(&t.req("sd")?)?;
                Self::Normal { mean, sd }
            }
            "lognormal" => Self::read_lognormal(value, unit)?,
            "gamma" | "weibull" => {
                let t = value.table(&["dist", "shape", "scale"])?;
                let shape = t.req("shape")?.positive(1.0e6)?;
                let scale_v = t.req("scale")?;
                let scale = read(&scale_v)?;
                if scale == 0 {
                    return Err(scale_v.error(format!("scale must be more than {zero}")));
                }
                if dist == "gamma" { Self::Gamma { shape, scale } } else { Self::Weibull { shape, scale } }
            }
            "empirical" => {
                let t = value.table(&["dist", "values", "weights"])?;
                let values_v = t.req("values")?;
                let values = values_v.array()?.iter().map(read).collect::<ReadResult<Vec<_>>>()?;
                let cumulative = read_weights(&values_v, values.len(), t.get("weights").as_ref())?;
                Self::Empirical { values, cumulative }
            }
            other => {
                return Err(dist_value.error(format!(
                    "unknown {} distribution \"{other}\"; expected one of: {}",
                    unit.noun,
                    DURATION_DISTS.join(", ")
                )));
            }
        };
        Ok(dist)
    }

    fn read_lognormal(value: &Value<'_, '_>, unit: &Unit) -> ReadResult<Self> {
        let (read, d, zero) = (unit.read, unit.show, unit.zero);
        let t = value.table(&["dist", "median", "p95", "mean", "sd"])?;
        let by_median = t.get("median").is_some() || t.get("p95").is_some();
        let by_mean = t.get("mean").is_some() || t.get("sd").is_some();
        if by_median && by_mean {
            return Err(value.error("a lognormal is given either by median and p95 or by mean and sd, not both"));
        }
        if by_mean {
            let mean_v = t.req("mean")?;
            let mean = read(&mean_v)?;
            let sd = read(&t.req("sd")?)?;
            if mean == 0 {
                return Err(mean_v.error(format!("the mean of a lognormal must be more than {zero}")));
            }
            let ratio = sd as f64 / mean as f64;
            let sigma2 = (1.0 + ratio * ratio).ln();
            let mu = (mean as f64).ln() - sigma2 / 2.0;
            return Ok(Self::LogNormal { form: LogNormalForm::MeanSd { mean, sd }, mu, sigma: sigma2.sqrt() });
        }
        if !by_median {
            return Err(value.error("a lognormal needs `median` and `p95` (or `mean` and `sd`)"));
        }
        let median_v = t.req("median")?;
        let median = read(&median_v)?;
        let p95_v = t.req("p95")?;
        let p95 = read(&p95_v)?;
        if median == 0 {
            return Err(median_v.error(format!("the median of a lognormal must be more than {zero}")));
        }
        if p95 < median {
            return Err(p95_v.error(format!(
                "p95 ({}) is below the median ({}); the 95th percentile is at least the median",
                d(p95),
                d(median)
            )));
        }
        let mu = (median as f64).ln();
        let sigma = ((p95 as f64).ln() - mu) / Z95;
        Ok(Self::LogNormal { form: LogNormalForm::MedianP95 { median, p95 }, mu, sigma })
    }

    /// Draws one duration in milliseconds.
    #[inline]
    pub fn sample(&self, rng: &mut DrawRng) -> Millis {
        let x = match self {
            Self::Fixed(v) => return *v,
            Self::Uniform { min, max } => *min as f64 + rng.next_f64() * (*max - *min) as f64,
            Self::Triangular { min, mode, max } => {
                let (a, c, b) = (*min as f64, *mode as f64, *max as f64);
                if b <= a {
                    return *min;
                }
                let u = rng.next_f64();
                let fc = (c - a) / (b - a);
                if u < fc { a + (u * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - c)).sqrt() }
            }
            Self::Exponential { mean } => -(*mean as f64) * (1.0 - rng.next_f64()).ln(),
            Self::Normal { mean, sd } => {
                if *sd == 0 {
                    return *mean;
                }
                loop {
                    let z: f64 = StandardNormal.sample(rng);
                    let x = *mean as f64 + *sd as f64 * z;
                    if x >= 0.0 {
                        break x;
                    }
                }
            }
            Self::LogNormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Self::Gamma { shape, scale } => match Gamma::new(*shape, *scale as f64) {
                Ok(g) => g.sample(rng),
                Err(_) => 0.0,
            },
            Self::Weibull { shape, scale } => *scale as f64 * (-(1.0 - rng.next_f64()).ln()).powf(1.0 / shape),
            Self::Empirical { values, cumulative } => return values[pick(cumulative, rng.next_f64())],
        };
        to_millis(x)
    }

    /// The distribution's mean in milliseconds (truncation of the normal included).
    pub fn mean(&self) -> f64 {
        match self {
            Self::Fixed(v) => *v as f64,
            Self::Uniform { min, max } => (*min + *max) as f64 / 2.0,
            Self::Triangular { min, mode, max } => (*min + *mode + *max) as f64 / 3.0,
            Self::Exponential { mean } => *mean as f64,
            Self::Normal { mean, sd } => {
                if *sd == 0 {
                    return *mean as f64;
                }
                let (m, s) = (*mean as f64, *sd as f64);
                let alpha = -m / s;
                m + s * normal_pdf(alpha) / (1.0 - normal_cdf(alpha))
            }
            Self::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Self::Gamma { shape, scale } => shape * *scale as f64,
            Self::Weibull { shape, scale } => *scale as f64 * crate::special::gamma(1.0 + 1.0 / shape),
            Self::Empirical { values, cumulative } => {
                values.iter().zip(probabilities(cumulative)).map(|(v, p)| *v as f64 * p).sum()
            }
        }
    }

    /// The distribution's variance in milliseconds squared (truncation of the normal included).
    pub fn variance(&self) -> f64 {
        let sq = |x: f64| x * x;
        match self {
            Self::Fixed(_) => 0.0,
            Self::Uniform { min, max } => sq((*max - *min) as f64) / 12.0,
            Self::Triangular { min, mode, max } => {
                let (a, c, b) = (*min as f64, *mode as f64, *max as f64);
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
            }
            Self::Exponential { mean } => sq(*mean as f64),
            Self::Normal { mean, sd } => {
                if *sd == 0 {
                    return 0.0;
                }
                let (m, s) = (*mean as f64, *sd as f64);
                let alpha = -m / s;
                let lambda = normal_pdf(alpha) / (1.0 - normal_cdf(alpha));
                s * s * (1.0 + alpha * lambda - lambda * lambda)
            }
            Self::LogNormal { mu, sigma, .. } => (sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp(),
            Self::Gamma { shape, scale } => shape * sq(*scale as f64),
            Self::Weibull { shape, scale } => {
                sq(*scale as f64)
                    * (crate::special::gamma(1.0 + 2.0 / shape) - sq(crate::special::gamma(1.0 + 1.0 / shape)))
            }
            Self::Empirical { values, cumulative } => {
                let mean = self.mean();
                values.iter().zip(probabilities(cumulative)).map(|(v, p)| sq(*v as f64 - mean) * p).sum()
            }
        }
    }

    /// Whether every draw is the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Self::Fixed(_))
    }

    /// A lognormal given by its median and 95th percentile (`p95 ≥ median > 0`), as a scenario
    /// writes `{ dist = "lognormal", median = …, p95 = … }`.
    pub fn lognormal(median: Millis, p95: Millis) -> Option<Self> {
        (median > 0 && p95 >= median).then(|| {
            let mu = (median as f64).ln();
            let sigma = ((p95 as f64).ln() - mu) / Z95;
            Self::LogNormal { form: LogNormalForm::MedianP95 { median, p95 }, mu, sigma }
        })
    }

    /// A lognormal with this mean and standard deviation (in milliseconds), written by its
    /// median and 95th percentile (rounded to whole seconds above a minute); a fixed duration
    /// when the spread is nil.
    pub fn lognormal_from_moments(mean: f64, sd: f64) -> Self {
        if mean.is_nan() || mean <= 0.0 {
            return Self::Fixed(0);
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        let median = round_for_humans(mu.exp());
        let p95 = round_for_humans((mu + Z95 * sigma2.sqrt()).exp());
        if p95 <= median {
            return Self::Fixed(median.max(1));
        }
        Self::lognormal(median.max(1), p95).unwrap_or(Self::Fixed(median))
    }

    /// The distribution as an inline TOML value a scenario accepts, e.g. `"3m"` or
    /// `{ dist = "lognormal", median = "3m", p95 = "10m" }`; reading it back gives the same
    /// distribution.
    pub fn to_toml(&self) -> String {
        let d = |ms: &Millis| format!("\"{}\"", DurationDisplay(*ms));
        match self {
            Self::Fixed(v) => d(v),
            Self::Uniform { min, max } => format!("{{ dist = \"uniform\", min = {}, max = {} }}", d(min), d(max)),
            Self::Triangular { min, mode, max } => {
                format!("{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}", d(min), d(mode), d(max))
            }
            Self::Exponential { mean } => format!("{{ dist = \"exponential\", mean = {} }}", d(mean)),
            Self::Normal { mean, sd } => format!("{{ dist = \"normal\", mean = {}, sd = {} }}", d(mean), d(sd)),
            Self::LogNormal { form: LogNormalForm::MedianP95 { median, p95 }, .. } => {
                format!("{{ dist = \"lognormal\", median = {}, p95 = {} }}", d(median), d(p95))
            }
            Self::LogNormal { form: LogNormalForm::MeanSd { mean, sd }, .. } => {
                format!("{{ dist = \"lognormal\", mean = {}, sd = {} }}", d(mean), d(sd))
            }
            Self::Gamma { shape, scale } => format!("{{ dist = \"gamma\", shape = {shape:?}, scale = {} }}", d(scale)),
            Self::Weibull { shape, scale } => {
                format!("{{ dist = \"weibull\", shape = {shape:?}, scale = {} }}", d(scale))
            }
            Self::Empirical { values, cumulative } => {
                let vals: Vec<String> = values.iter().map(d).collect();
                let weights: Vec<String> = probabilities(cumulative).map(|w| format!("{:?}", tidy(w))).collect();
                format!(
                    "{{ dist = \"empirical\", values = [{}], weights = [{}] }}",
                    vals.join(", "),
                    weights.join(", ")
                )
            }
        }
    }
}

/// Rounds milliseconds the way a person writes a fitted time: whole seconds from a minute up,
/// tenths of a second from a second up, whole milliseconds below.
fn round_for_humans(ms: f64) -> Millis {
    let ms = ms.clamp(0.0, MAX_DURATION as f64);
    let step = if ms >= 60_000.0 {
        1000.0
    } else if ms >= 1000.0 {
        100.0
    } else {
        1.0
    };
    ((ms / step).round() * step) as Millis
}

/// Rounds a sampled value to whole milliseconds, within `[0, MAX_DURATION]`.
#[inline]
fn to_millis(x: f64) -> Millis {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= MAX_DURATION as f64 {
        MAX_DURATION
    } else {
        // x is positive here: adding one half and truncating rounds half up, without a libm call.
        (x + 0.5) as Millis
    }
}

/// The index of the first cumulative probability above `u`.
#[inline]
pub fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative.iter().position(|c| u < *c).unwrap_or(cumulative.len() - 1)
}

/// Reads optional `weights` for `n` values and returns cumulative probabilities.
pub fn read_weights(values: &Value<'_, '_>, n: usize, weights: Option<&Value<'_, '_>>) -> ReadResult<Vec<f64>> {
    if n == 0 {
        return Err(values.error("needs at least one value"));
    }
    let raw: Vec<f64> = match weights {
        None => vec![1.0; n],
        Some(w) => {
            let items = w.array()?;
            if items.len() != n {
                return Err(w.error(format!(
                    "has {} weights for {} values; give one weight per value",
                    items.len(),
                    n
                )));
            }
            let mut out = Vec::with_capacity(n);
            for item in &items {
                let x = item.f64()?;
                if x < 0.0 {
                    return Err(item.error(format!("weights cannot be negative, found {x}")));
                }
                out.push(x);
            }
            out
        }
    };
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        return Err(weights.unwrap_or(values).error("the weights add up to 0; at least one must be positive"));
    }
    Ok(cumulate(&raw, total))
}

/// Each value's probability from cumulative probabilities (the inverse of [`cumulate`]).
pub fn probabilities(cumulative: &[f64]) -> impl Iterator<Item = f64> + '_ {
    cumulative.iter().scan(0.0, |prev, c| {
        let p = c - *prev;
        *prev = *c;
        Some(p)
    })
}

/// Cumulative probabilities of weights with the given total; the last is exactly 1.
pub fn cumulate(weights: &[f64], total: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w;
            acc / total
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last = 1.0;
    }
    out
}

/// A sum of shares rounded to nine decimals, for messages (`0.9`, not `0.8999999999999999`).
pub fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

impl fmt::Display for DurationDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_in(f, DURATION.show)
    }
}

impl DurationDist {
    /// Writes the distribution as `validate` shows it (`uniform 0s..20m`, `lognormal median 3m
    /// p95 10m`), each value shown by `show` (a duration, a size).
    pub fn write_in(&self, f: &mut fmt::Formatter<'_>, show: fn(u64) -> String) -> fmt::Result {
        let d = show;
        match self {
            Self::Fixed(v) => write!(f, "{}", d(*v)),
            Self::Uniform { min, max } => write!(f, "uniform {}..{}", d(*min), d(*max)),
            Self::Triangular { min, mode, max } => write!(f, "triangular {}..{}..{}", d(*min), d(*mode), d(*max)),
            Self::Exponential { mean } => write!(f, "exponential mean {}", d(*mean)),
            Self::Normal { mean, sd } => write!(f, "normal mean {} sd {}", d(*mean), d(*sd)),
            Self::LogNormal { form: LogNormalForm::MedianP95 { median, p95 }, .. } => {
                write!(f, "lognormal median {} p95 {}", d(*median), d(*p95))
            }
            Self::LogNormal { form: LogNormalForm::MeanSd { mean, sd }, .. } => {
                write!(f, "lognormal mean {} sd {}", d(*mean), d(*sd))
            }
            Self::Gamma { shape, scale } => write!(f, "gamma shape {shape} scale {}", d(*scale)),
            Self::Weibull { shape, scale } => write!(f, "weibull shape {shape} scale {}", d(*scale)),
            Self::Empirical { values, .. } => {
                write!(f, "empirical [")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", d(*v))?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;
    use crate::scenario::duration::MINUTE;

    fn parse_dist(text: &str) -> DurationDist {
        let doc = format!(
            "name = \"x\"\n[fleet]\nservers = 1\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[infrastructure]\nstatus_manager_rate = 1\n[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = {text}\n"
        );
        let s = crate::scenario::Scenario::from_toml(&doc, "t.toml").unwrap_or_else(|e| panic!("{text}: {e}"));
        match &s.steps[0].kind {
            crate::scenario::NodeKind::Step(crate::scenario::Step {
                action: crate::scenario::Action::Sleep { duration },
                ..
            }) => duration.clone(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn to_toml_reads_back_to_the_same_distribution() {
        for text in [
            "\"90s\"",
            "{ dist = \"uniform\", min = \"0s\", max = \"20m\" }",
            "{ dist = \"triangular\", min = \"1m\", mode = \"2m\", max = \"8m\" }",
            "{ dist = \"exponential\", mean = \"5m\" }",
            "{ dist = \"normal\", mean = \"5m\", sd = \"1m30s\" }",
            "{ dist = \"lognormal\", median = \"3m\", p95 = \"10m\" }",
            "{ dist = \"lognormal\", mean = \"3m\", sd = \"2m\" }",
            "{ dist = \"gamma\", shape = 2.5, scale = \"1m\" }",
            "{ dist = \"weibull\", shape = 1.0, scale = \"1m\" }",
            "{ dist = \"empirical\", values = [\"1m\", \"2m\"], weights = [0.25, 0.75] }",
        ] {
            let d = parse_dist(text);
            assert_eq!(parse_dist(&d.to_toml()), d, "{text} → {}", d.to_toml());
        }
    }

    #[test]
    fn variances_match_sampled_variances() {
        let n = 200_000;
        for text in [
            "{ dist = \"uniform\", min = \"0s\", max = \"20m\" }",
            "{ dist = \"triangular\", min = \"1m\", mode = \"2m\", max = \"8m\" }",
            "{ dist = \"exponential\", mean = \"5m\" }",
            "{ dist = \"normal\", mean = \"2m\", sd = \"2m\" }",
            "{ dist = \"lognormal\", median = \"3m\", p95 = \"10m\" }",
            "{ dist = \"gamma\", shape = 2.5, scale = \"1m\" }",
            "{ dist = \"weibull\", shape = 1.5, scale = \"1m\" }",
            "{ dist = \"empirical\", values = [\"1m\", \"2m\"], weights = [0.25, 0.75] }",
        ] {
            let d = parse_dist(text);
            let xs = samples(&d, n);
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // The sample variance's relative standard error is about sqrt((kurtosis - 1) / n):
            // under 3% for every shape here, so 10% is a loose but failing-when-wrong bound.
            assert!((var / d.variance() - 1.0).abs() < 0.1, "{text}: sampled {var}, formula {}", d.variance());
        }
        assert_eq!(parse_dist("\"5m\"").variance(), 0.0);
    }

    #[test]
    fn lognormal_from_moments_keeps_the_mean_and_spread() {
        let d = DurationDist::lognormal_from_moments(600_000.0, 300_000.0);
        assert!((d.mean() / 600_000.0 - 1.0).abs() < 0.01, "{}", d.mean());
        assert!((d.variance().sqrt() / 300_000.0 - 1.0).abs() < 0.02, "{}", d.variance().sqrt());
        assert!(matches!(d, DurationDist::LogNormal { form: LogNormalForm::MedianP95 { .. }, .. }));
        assert_eq!(DurationDist::lognormal_from_moments(90_000.0, 0.0), DurationDist::Fixed(90_000));
    }

    fn samples(dist: &DurationDist, n: u64) -> Vec<f64> {
        let s = Stream::from_key(99);
        (0..n).map(|i| dist.sample(&mut s.draw(i)) as f64).collect()
    }

    fn mean_sd(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var.sqrt())
    }

    /// Every distribution's sample mean agrees with its analytic mean within 5 standard errors.
    #[test]
    fn sample_means_match_analytic_means() {
        let m = MINUTE;
        let dists = [
            DurationDist::Fixed(3 * m),
            DurationDist::Uniform { min: 0, max: 20 * m },
            DurationDist::Triangular { min: m, mode: 2 * m, max: 8 * m },
            DurationDist::Exponential { mean: 5 * m },
            DurationDist::Normal { mean: 2 * m, sd: 3 * m },
            DurationDist::LogNormal {
                form: LogNormalForm::MedianP95 { median: 6 * m, p95: 15 * m },
                mu: ((6 * m) as f64).ln(),
                sigma: ((15.0f64 / 6.0).ln()) / Z95,
            },
            DurationDist::Gamma { shape: 2.5, scale: 2 * m },
            DurationDist::Weibull { shape: 1.5, scale: 10 * m },
            DurationDist::Empirical { values: vec![m, 2 * m, 10 * m], cumulative: vec![0.5, 0.75, 1.0] },
        ];
        for dist in &dists {
            let xs = samples(dist, 100_000);
            let (mean, sd) = mean_sd(&xs);
            let se = sd / (xs.len() as f64).sqrt();
            let expected = dist.mean();
            assert!(
                (mean - expected).abs() <= 5.0 * se + 1.0,
                "{dist}: sample mean {mean}, analytic {expected}, se {se}"
            );
            assert!(xs.iter().all(|x| *x >= 0.0));
        }
    }

    #[test]
    fn lognormal_median_and_p95_are_where_the_user_put_them() {
        let m = MINUTE as f64;
        let dist = DurationDist::LogNormal {
            form: LogNormalForm::MedianP95 { median: 6 * MINUTE, p95: 15 * MINUTE },
            mu: (6.0 * m).ln(),
            sigma: (15.0f64 / 6.0).ln() / Z95,
        };
        let mut xs = samples(&dist, 100_000);
        xs.sort_by(f64::total_cmp);
        let median = xs[50_000] / m;
        let p95 = xs[95_000] / m;
        // Order-statistic standard errors here are about 0.02 min (median) and 0.07 min (p95).
        assert!((median - 6.0).abs() < 0.1, "median {median}");
        assert!((p95 - 15.0).abs() < 0.35, "p95 {p95}");
    }

    #[test]
    fn uniform_and_triangular_stay_inside_their_bounds() {
        let u = DurationDist::Uniform { min: 10, max: 20 };
        assert!(samples(&u, 10_000).iter().all(|x| (10.0..=20.0).contains(x)));
        let t = DurationDist::Triangular { min: 5, mode: 5, max: 9 };
        assert!(samples(&t, 10_000).iter().all(|x| (5.0..=9.0).contains(x)));
    }

    #[test]
    fn normal_cdf_and_gamma_function_are_accurate() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(Z95) - 0.95).abs() < 1e-6);
    }
}
