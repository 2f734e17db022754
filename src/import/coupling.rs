//! The coupling check: does a step take longer when more servers run it at the same time?
//!
//! For each step of a history, every timed run of the step is one point: its duration `y` (in
//! seconds) and `x`, the number of **other** runs that were inside the same step (same
//! `ActionName`, any server, any deployment) at the moment this run entered it — a run is inside
//! a step from the run's previous status message to the step's completion, the span its
//! duration is timed over; one that enters at that same millisecond counts, one that leaves then
//! does not. Ordinary least squares fits `y = a + b·x`; `b` is the seconds a run takes longer per
//! other server already in the step, with its 95% confidence interval `b ± t(0.975, n−2)·se(b)`,
//! `se(b)² = s²/Sxx`, `s² = RSS/(n−2)`.
//!
//! Why the count at the start, and not the mean number of others during the run: the mean over
//! the run depends on the run's own length. Where servers enter a step in waves (a window opens,
//! a random sleep ends), a longer run outlasts the wave and meets fewer others on average; where
//! they keep arriving, a longer run meets more. Either way a history with no contention at all
//! can show a slope, significant with enough runs. The count at the start is fixed before the
//! run's own duration is drawn, so without contention it is independent of the duration and the
//! interval has its stated 95% coverage; with contention it is the crowd the run meets first, and
//! its slope has the same sign (smaller than the slope on the mean crowd when arrivals spread
//! over the run). `docs/import.md` ("Reading the coupling check") says how to read it.
//!
//! A step needs [`MIN_RUNS`] timed runs, at least two different counts and at least two
//! different durations; otherwise it is "not enough data", never a NaN. Every sum runs over the
//! points sorted, so the same history in any row order gives the same figures to the last bit.

use crate::special::student_t_quantile;

/// Timed runs a step needs before its slope is estimated.
pub const MIN_RUNS: usize = 10;

/// One timed run of a step: when it entered the step and when it completed, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// The run's previous status message: where the step's duration starts.
    pub start_ms: i64,
    /// The step's completion (or failure) message.
    pub end_ms: i64,
}

/// The coupling check of a whole history: one entry per step, in the order the steps run.
#[derive(Debug, Clone, PartialEq)]
pub struct CouplingCheck {
    /// Each step's result.
    pub steps: Vec<StepCoupling>,
}

/// One step's coupling check.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCoupling {
    /// The step's name (`ActionName`).
    pub name: String,
    /// Timed runs of the step (for a step that completes once per item, its items).
    pub runs: usize,
    /// The regression, or why there is none.
    pub outcome: Coupling,
}

/// What the regression of one step found.
#[derive(Debug, Clone, PartialEq)]
pub enum Coupling {
    /// The slope and its interval.
    Fitted(Slope),
    /// Too little to estimate a slope from.
    NotEnoughData(Shortfall),
}

/// Why a step has no slope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// Fewer timed runs than [`MIN_RUNS`].
    FewRuns,
    /// Every run entered the step with the same number of others (all at once, or one at a time).
    SameConcurrency {
        /// That number.
        others: u64,
    },
    /// Every run took the same time.
    SameDuration,
}

/// A fitted slope: the duration in seconds against the number of other servers in the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slope {
    /// Seconds of duration per other server already in the step (`b`).
    pub seconds_per_server: f64,
    /// The 95% confidence interval's lower end.
    pub low: f64,
    /// The 95% confidence interval's upper end.
    pub high: f64,
    /// The fitted duration with no other server in the step (`a`), in seconds.
    pub alone_seconds: f64,
    /// The median of the runs' durations, in seconds.
    pub median_seconds: f64,
    /// The mean number of other servers in the step when a run entered it.
    pub mean_others: f64,
    /// The most other servers in the step when a run entered it.
    pub max_others: u64,
}

impl Slope {
    /// The slope as a percentage of the median duration.
    pub fn percent_of_median(&self) -> f64 {
        100.0 * self.seconds_per_server / self.median_seconds
    }

    /// The interval's ends as percentages of the median duration.
    pub fn percent_interval(&self) -> (f64, f64) {
        (100.0 * self.low / self.median_seconds, 100.0 * self.high / self.median_seconds)
    }

    /// Whether the 95% interval excludes 0.
    pub fn significant(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }

    /// Significant and positive: the step is slower with more company, a sign of a shared
    /// resource.
    pub fn contention(&self) -> bool {
        self.low > 0.0
    }
}

/// What the whole history says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// These steps take significantly longer with more servers in them.
    Contention(Vec<String>),
    /// No step with a slope shows contention.
    NoSign,
    /// No step has enough data for a slope.
    NotEnoughData,
}

impl StepCoupling {
    /// The check of one step from its timed runs (in any order).
    pub fn of(name: &str, spans: &[Span]) -> Self {
        Self { name: name.to_owned(), runs: spans.len(), outcome: regress(spans) }
    }

    /// The slope, when there is one.
    pub fn slope(&self) -> Option<&Slope> {
        match &self.outcome {
            Coupling::Fitted(s) => Some(s),
            Coupling::NotEnoughData(_) => None,
        }
    }

    /// Why there is no slope, as a phrase ("5 timed runs; the check needs 10").
    pub fn shortfall_text(&self) -> Option<String> {
        match &self.outcome {
            Coupling::Fitted(_) => None,
            Coupling::NotEnoughData(Shortfall::FewRuns) => {
                Some(format!("{} timed run{}; the check needs {MIN_RUNS}", self.runs, plural(self.runs)))
            }
            Coupling::NotEnoughData(Shortfall::SameConcurrency { others }) => Some(format!(
                "every run entered the step with the same {others} other server{} in it",
                plural(*others as usize)
            )),
            Coupling::NotEnoughData(Shortfall::SameDuration) => Some("every run took the same time".to_owned()),
        }
    }
}

impl CouplingCheck {
    /// The check of every step: (name, timed runs) in the order the steps run.
    pub fn of<'a>(steps: impl IntoIterator<Item = (&'a str, &'a [Span])>) -> Self {
        Self { steps: steps.into_iter().map(|(name, spans)| StepCoupling::of(name, spans)).collect() }
    }

    /// The verdict over all steps.
    pub fn verdict(&self) -> Verdict {
        let contended: Vec<String> =
            self.steps.iter().filter(|s| s.slope().is_some_and(Slope::contention)).map(|s| s.name.clone()).collect();
        if !contended.is_empty() {
            Verdict::Contention(contended)
        } else if self.steps.iter().any(|s| s.slope().is_some()) {
            Verdict::NoSign
        } else {
            Verdict::NotEnoughData
        }
    }

    /// Steps significantly *faster* with more company (a sign of a confounder, not of sharing).
    pub fn faster_with_company(&self) -> Vec<&str> {
        self.steps.iter().filter(|s| s.slope().is_some_and(|b| b.high < 0.0)).map(|s| s.name.as_str()).collect()
    }

    /// The verdict as a sentence.
    pub fn verdict_sentence(&self) -> String {
        match self.verdict() {
            Verdict::Contention(steps) => format!(
                "the history shows contention on step{} {}",
                plural(steps.len()),
                steps.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
            ),
            Verdict::NoSign => "no sign of contention".to_owned(),
            Verdict::NotEnoughData => format!(
                "not enough data for a coupling check (a step needs {MIN_RUNS} timed runs that entered it with different numbers of others)"
            ),
        }
    }
}

/// How many other spans are inside the step when each span starts, in the spans' order.
fn others_at_start(spans: &[Span]) -> Vec<u64> {
    let mut starts: Vec<i64> = spans.iter().map(|s| s.start_ms).collect();
    let mut ends: Vec<i64> = spans.iter().map(|s| s.end_ms).collect();
    starts.sort_unstable();
    ends.sort_unstable();
    spans
        .iter()
        .map(|s| {
            // Spans entered at or before this start, less those left at or before it, less this
            // one (entered at its start, left after it: its duration is positive).
            let entered = starts.partition_point(|t| *t <= s.start_ms);
            let left = ends.partition_point(|t| *t <= s.start_ms);
            entered.saturating_sub(left).saturating_sub(1) as u64
        })
        .collect()
}

/// The least-squares slope of duration on the others at the start, or why there is none.
fn regress(spans: &[Span]) -> Coupling {
    if spans.len() < MIN_RUNS {
        return Coupling::NotEnoughData(Shortfall::FewRuns);
    }
    let others = others_at_start(spans);
    // (others, duration in seconds), sorted: every sum below runs in this order.
    let mut points: Vec<(u64, f64)> =
        others.iter().zip(spans).map(|(x, s)| (*x, (s.end_ms - s.start_ms) as f64 / 1000.0)).collect();
    points.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let (first_x, first_y) = points[0];
    if points.iter().all(|p| p.0 == first_x) {
        return Coupling::NotEnoughData(Shortfall::SameConcurrency { others: first_x });
    }
    if points.iter().all(|p| p.1 == first_y) {
        return Coupling::NotEnoughData(Shortfall::SameDuration);
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0 as f64).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 as f64 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 as f64 - mean_x) * (p.1 - mean_y)).sum();
    let b = sxy / sxx;
    let a = mean_y - b * mean_x;
    let rss: f64 = points.iter().map(|p| (p.1 - a - b * p.0 as f64).powi(2)).sum();
    let df = n - 2.0;
    let se = (rss / df / sxx).sqrt();
    let half = student_t_quantile(0.975, df) * se;
    let mut durations: Vec<f64> = points.iter().map(|p| p.1).collect();
    durations.sort_by(f64::total_cmp);
    let mid = durations.len() / 2;
    let median = if durations.len() % 2 == 1 { durations[mid] } else { 0.5 * (durations[mid - 1] + durations[mid]) };
    let slope = Slope {
        seconds_per_server: b,
        low: b - half,
        high: b + half,
        alone_seconds: a,
        median_seconds: median,
        mean_others: mean_x,
        max_others: points.last().map_or(0, |p| p.0),
    };
    let finite = [slope.seconds_per_server, slope.low, slope.high, slope.alone_seconds, slope.mean_others]
        .iter()
        .all(|v| v.is_finite());
    if finite { Coupling::Fitted(slope) } else { Coupling::NotEnoughData(Shortfall::SameDuration) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start_s: i64, seconds: i64) -> Span {
        Span { start_ms: start_s * 1000, end_ms: (start_s + seconds) * 1000 }
    }

    #[test]
    fn others_count_who_is_inside_at_the_start_leavers_at_that_moment_excluded() {
        // A: 0–100 s; B enters at 50 (A inside); C at 100 as A leaves (B inside); D at 100 too.
        let spans = [span(0, 100), span(50, 100), span(100, 10), span(100, 10)];
        assert_eq!(others_at_start(&spans), [0, 1, 2, 2]);
    }

    #[test]
    fn a_line_through_exact_points_is_recovered_with_a_zero_width_interval() {
        // Duration 60 s + 5 s per other, in waves of 1 to 4 servers far apart.
        let mut spans = Vec::new();
        for (wave, size) in [1, 2, 3, 4, 1, 2, 3, 4].into_iter().enumerate() {
            for _ in 0..size {
                spans.push(span(wave as i64 * 10_000, 60 + 5 * (size - 1)));
            }
        }
        // Every server of a wave enters with the same others: size − 1.
        let check = StepCoupling::of("Patch", &spans);
        let Coupling::Fitted(s) = check.outcome else { panic!("{check:?}") };
        assert_eq!((s.seconds_per_server, s.alone_seconds), (5.0, 60.0));
        assert_eq!((s.low, s.high), (5.0, 5.0));
        assert!(s.contention());
        assert_eq!(s.max_others, 3);
    }
}
