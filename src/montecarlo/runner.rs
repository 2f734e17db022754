//! Running replications on a pool of threads, with results that do not depend on the pool.
//!
//! Each thread owns one [`Worker`] (its buffers are reused for every replication it runs) and
//! takes the next replication from a shared counter. A replication's result depends only on
//! (scenario, seed, replication index); what is kept of it is integer counts and histograms,
//! which merge exactly in any order, and exact sums of its headline figures
//! ([`Statistics`]). So 1 thread and 16 threads — or 16 shards on 16 machines — give
//! bit-identical summaries, and memory does not grow with the number of replications.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use thiserror::Error;

use super::accumulator::Accumulator;
use super::memory::{self, Extras, MemoryEstimate, TooLarge};
use super::statistics::{HEADLINE, Statistics, StatisticsContext, headline_values};
use super::tally::{Pooled, ReplicationFigures};
use crate::engine::Simulator;
use crate::messages::{Emissions, Recorders, Site};
use crate::random::layout::site_stream;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// Which replications to run: `first`, `first + stride`, … — `count` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Seed of every random stream.
    pub seed: u64,
    /// Number of replications to run.
    pub replications: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Index of the first replication (0 for a whole run).
    pub first: u64,
    /// Step between replication indices (1 for a whole run; M for shard K of M).
    pub stride: u64,
}

impl RunOptions {
    /// Replications 0 to `replications − 1` of `seed`.
    pub fn new(seed: u64, replications: u64, threads: usize) -> Self {
        Self { seed, replications, threads, first: 0, stride: 1 }
    }

    /// The index of the `k`-th replication of this run.
    pub fn replication(&self, k: u64) -> u64 {
        self.first + k * self.stride
    }
}

/// A run's results: pooled totals and accumulated statistics.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Totals pooled over replications.
    pub pooled: Pooled,
    /// Headline figures accumulated over replications.
    pub statistics: Statistics,
    /// Replications run.
    pub replications: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Threads used.
    pub threads: usize,
}

impl RunResult {
    /// Adds another run of the same scenario and seed (other replications): exact.
    pub fn merge(&mut self, other: &Self) {
        self.pooled.merge(&other.pooled);
        self.statistics.merge(&other.statistics);
        self.replications += other.replications;
        self.wall_seconds += other.wall_seconds;
        self.threads = self.threads.max(other.threads);
    }
}

/// A run that could not be carried out.
#[derive(Debug, Error)]
pub enum RunError {
    /// The run would not fit in memory, even on one thread.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// Why.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// The worker threads of a run: as many as asked (0: one per core), but no more than fit in
/// memory by `estimate` (results do not depend on the count, so fewer only take longer).
pub fn worker_pool(estimate: &MemoryEstimate, asked: usize) -> Result<rayon::ThreadPool, RunError> {
    let wanted = if asked == 0 { rayon::current_num_threads() } else { asked };
    let threads = estimate.threads_within(wanted, memory::budget())?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })
}

/// Optional hooks into a run.
#[derive(Default, Clone, Copy)]
pub struct Hooks<'a> {
    /// Counts finished replications (for a progress bar polled from another thread).
    pub done: Option<&'a AtomicU64>,
    /// Sees every replication's figures, in whatever order threads finish them.
    pub each: Option<&'a (dyn Fn(&ReplicationFigures) + Sync)>,
}

/// One thread's simulator and reusable buffers.
pub struct Worker<'a> {
    sim: Simulator<'a>,
    scratch: crate::engine::Scratch,
    emissions: Emissions,
    site: Option<Site>,
    context: StatisticsContext,
    /// Totals of the replications this worker ran.
    pub pooled: Pooled,
    /// Statistics of the replications this worker ran.
    pub statistics: Statistics,
}

impl<'a> Worker<'a> {
    /// A worker for one scenario.
    pub fn new(sim: Simulator<'a>) -> Self {
        let scenario = sim.scenario();
        let mps = scenario.infrastructure.management_points as usize;
        Self {
            sim,
            scratch: sim.scratch(),
            emissions: Emissions::new(mps),
            site: Site::new(&scenario.infrastructure),
            context: StatisticsContext {
                last_close: scenario.month.last_close(&scenario.windows) as f64,
                workers: scenario.infrastructure.status_manager_workers,
                state_workers: scenario.infrastructure.state_system_workers(),
                management_points: mps,
            },
            pooled: Pooled::new(scenario.windows.list.len(), scenario.month.figure_weeks()),
            statistics: Statistics::new(mps),
        }
    }

    /// What the statistics need to know about the worker's scenario.
    pub fn context(&self) -> &StatisticsContext {
        &self.context
    }

    /// Runs replication `replication` of `seed`, adds it to the worker's totals and returns its
    /// figures.
    pub fn replicate(&mut self, seed: u64, replication: u64) -> ReplicationFigures {
        let mut figures = ReplicationFigures { replication, ..ReplicationFigures::default() };
        self.emissions.clear();
        let windows = &self.sim.scenario().windows.list;
        let pooled = &mut self.pooled;
        self.sim.run_replication(seed, replication, &mut self.scratch, &mut self.emissions, |server| {
            pooled.record(&mut figures, windows, server);
        });
        self.pooled.add_resources(&self.scratch.resources);
        if let Some(site) = &mut self.site {
            let recorders = Recorders {
                status_latency: &mut self.pooled.latency_us,
                state_latency: &mut self.pooled.state_latency_us,
                series: &mut self.pooled.series,
            };
            figures.site = site.process(&mut self.emissions, site_stream(seed, replication), recorders);
        }
        self.pooled.finish_replication(&figures, self.emissions.by_kind());
        self.statistics.add(&figures, &self.context);
        figures
    }
}

/// Runs the replications `options` names.
pub fn run(scenario: &Scenario, program: &Program, options: &RunOptions) -> Result<RunResult, RunError> {
    run_with(scenario, program, options, Hooks::default())
}

/// Runs the replications `options` names, with hooks.
pub fn run_with(
    scenario: &Scenario,
    program: &Program,
    options: &RunOptions,
    hooks: Hooks<'_>,
) -> Result<RunResult, RunError> {
    let mut runs = run_designs(&[(scenario, program)], options, hooks)?;
    Ok(runs.results.remove(0))
}

/// The results of designs run in lockstep (see [`run_designs`]).
#[derive(Debug, Clone)]
pub struct Runs {
    /// Each design's results, in the order given.
    pub results: Vec<RunResult>,
    /// For each design after the first, the per-replication differences (design − first) of
    /// every headline figure, in [`HEADLINE`] order.
    pub differences: Vec<Vec<Accumulator>>,
}

/// Runs the replications `options` names of every design, replication by replication with the
/// same seed: replication r of every design shares its random numbers (common random numbers),
/// and each design's differences from the first are accumulated as they come. With one design it
/// is a plain run. `hooks.each` sees the first design's figures; `hooks.done` counts replications
/// (of every design).
pub fn run_designs(
    designs: &[(&Scenario, &Program)],
    options: &RunOptions,
    hooks: Hooks<'_>,
) -> Result<Runs, RunError> {
    let started = Instant::now();
    let estimates: Vec<MemoryEstimate> =
        designs.iter().map(|(s, p)| MemoryEstimate::of(s, p, Extras::default())).collect();
    let pool = worker_pool(&MemoryEstimate::together(&estimates), options.threads)?;
    let threads = pool.current_num_threads();
    let next = AtomicU64::new(0);
    let others = designs.len().saturating_sub(1);
    let per_thread: Vec<(Vec<Worker<'_>>, Vec<Vec<Accumulator>>)> = pool.broadcast(|_| {
        let mut workers: Vec<Worker<'_>> = designs.iter().map(|(s, p)| Worker::new(Simulator::new(s, p))).collect();
        let mut differences = vec![vec![Accumulator::default(); HEADLINE.len()]; others];
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= options.replications {
                break;
            }
            let replication = options.replication(k);
            let figures: Vec<ReplicationFigures> =
                workers.iter_mut().map(|w| w.replicate(options.seed, replication)).collect();
            if let Some(each) = hooks.each {
                each(&figures[0]);
            }
            if others > 0 {
                let values: Vec<Vec<Option<f64>>> =
                    figures.iter().zip(&workers).map(|(f, w)| headline_values(f, w.context())).collect();
                for (v, diffs) in differences.iter_mut().enumerate() {
                    for (m, acc) in diffs.iter_mut().enumerate() {
                        if let (Some(base), Some(other)) = (values[0][m], values[v + 1][m]) {
                            acc.add(other - base);
                        }
                    }
                }
            }
            if let Some(done) = hooks.done {
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
        (workers, differences)
    });
    let mut results: Vec<RunResult> = designs
        .iter()
        .map(|(s, _)| RunResult {
            pooled: Pooled::new(s.windows.list.len(), s.month.figure_weeks()),
            statistics: Statistics::new(s.infrastructure.management_points as usize),
            replications: options.replications,
            wall_seconds: 0.0,
            threads,
        })
        .collect();
    let mut differences = vec![vec![Accumulator::default(); HEADLINE.len()]; others];
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
    Ok(Runs { results, differences })
}
