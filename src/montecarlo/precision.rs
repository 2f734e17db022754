//! Runs to a precision: batches of replications added until the overran share's 95% interval is
//! as narrow as asked, or a most replications is reached.

use super::estimate::Bounds;
use super::runner::{Hooks, RunError, RunOptions, RunResult, run_with};
use super::summary::PrecisionFigures;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// What precision to run to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// The largest half-width of the overran share's 95% interval (a share: 0.001 is ±0.1
    /// percentage point).
    pub half_width: f64,
    /// The most replications to run.
    pub max_replications: u64,
}

/// Runs `first` replications of `seed` (the first batch), then adds batches — sized from the
/// spread seen so far — until `precision` is met or its most replications have run. `hooks.done`
/// counts replications; `expect` hears of each new total before its batch runs (a progress bar).
pub fn run_to_precision(
    scenario: &Scenario,
    program: &Program,
    options: &RunOptions,
    precision: Precision,
    hooks: Hooks<'_>,
    expect: &dyn Fn(u64),
) -> Result<(RunResult, PrecisionFigures), RunError> {
    let max = precision.max_replications.max(options.replications);
    let first = RunOptions { replications: options.replications.min(max), first: 0, stride: 1, ..*options };
    expect(first.replications);
    let mut result = run_with(scenario, program, &first, hooks)?;
    loop {
        let estimate = result.statistics.overran.estimate().within(Bounds::Share);
        let done = result.replications;
        if estimate.half_width() <= precision.half_width || done >= max {
            break;
        }
        // Replications needed for the target at the spread seen so far (the half-width shrinks
        // as 1/√n), with a tenth more for luck; at least a tenth of those done.
        let needed = if estimate.sd > 0.0 {
            let t = estimate.half_width() / (estimate.sd / (done as f64).sqrt());
            ((t * estimate.sd / precision.half_width).powi(2) * 1.1).ceil() as u64
        } else {
            done * 2
        };
        let batch = needed.saturating_sub(done).max(done / 10).max(2).min(max - done);
        expect(done + batch);
        let more = run_with(
            scenario,
            program,
            &RunOptions { replications: batch, first: done, stride: 1, ..*options },
            hooks,
        )?;
        result.merge(&more);
    }
    let half_width = result.statistics.overran.estimate().within(Bounds::Share).half_width();
    let figures = PrecisionFigures {
        target_half_width: precision.half_width,
        half_width,
        met: half_width <= precision.half_width,
        max_replications: max,
    };
    Ok((result, figures))
}
