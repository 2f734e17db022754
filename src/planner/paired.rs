//! Paired runs: several designs run replication by replication with the same seed, so that
//! replication r of every design shares its random numbers (common random numbers), and the
//! per-replication differences of every headline figure are accumulated as they come.
//!
//! A difference's 95% interval is Student t over the per-replication differences: with common
//! random numbers the noise that both designs share cancels, and the interval is far narrower
//! than two independent runs would give.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::engine::Simulator;
use crate::montecarlo::runner::{RunError, RunOptions, RunResult, Worker};
use crate::montecarlo::statistics::{HEADLINE_KEYS, Statistics, headline_values};
use crate::montecarlo::stats::Accumulator;
use crate::montecarlo::tally::Pooled;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// The results of designs run in pairs with the first (the baseline).
#[derive(Debug, Clone)]
pub struct Paired {
    /// Each design's results; the baseline first.
    pub results: Vec<RunResult>,
    /// For each design after the baseline, the differences (design − baseline) of every headline
    /// figure, in [`HEADLINE_KEYS`] order.
    pub differences: Vec<Vec<Accumulator>>,
}

/// Runs every design's replications `options` names, in lockstep; `done` counts replications
/// finished (of every design).
pub fn run_paired(
    designs: &[(&Scenario, &Program)],
    options: &RunOptions,
    done: Option<&AtomicU64>,
) -> Result<Paired, RunError> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads: options.threads, source })?;
    let threads = pool.current_num_threads();
    let next = AtomicU64::new(0);
    let variants = designs.len().saturating_sub(1);
    let per_thread: Vec<(Vec<Worker<'_>>, Vec<Vec<Accumulator>>)> = pool.broadcast(|_| {
        let mut workers: Vec<Worker<'_>> = designs.iter().map(|(s, p)| Worker::new(Simulator::new(s, p))).collect();
        let mut differences = vec![vec![Accumulator::default(); HEADLINE_KEYS.len()]; variants];
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= options.replications {
                break;
            }
            let replication = options.replication(k);
            let values: Vec<Vec<Option<f64>>> = workers
                .iter_mut()
                .map(|w| {
                    let figures = w.replicate(options.seed, replication);
                    headline_values(&figures, w.context())
                })
                .collect();
            for (v, diffs) in differences.iter_mut().enumerate() {
                for (m, acc) in diffs.iter_mut().enumerate() {
                    if let (Some(base), Some(other)) = (values[0][m], values[v + 1][m]) {
                        acc.add(other - base);
                    }
                }
            }
            if let Some(done) = done {
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
        (workers, differences)
    });
    let mut results: Vec<RunResult> = designs
        .iter()
        .map(|(s, _)| RunResult {
            pooled: Pooled::new(s.windows.list.len()),
            statistics: Statistics::new(s.infrastructure.management_points as usize),
            replications: options.replications,
            wall_seconds: 0.0,
            threads,
        })
        .collect();
    let mut differences = vec![vec![Accumulator::default(); HEADLINE_KEYS.len()]; variants];
    for (workers, diffs) in per_thread {
        for (result, worker) in results.iter_mut().zip(workers) {
            result.pooled.merge(&worker.pooled);
            result.statistics.merge(&worker.statistics);
        }
        for (mine, theirs) in differences.iter_mut().zip(diffs) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(&b);
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    for r in &mut results {
        r.wall_seconds = wall;
    }
    Ok(Paired { results, differences })
}
