//! Running replications on a pool of threads, with results that do not depend on the pool.
//!
//! Each thread owns one [`Worker`] (its buffers are reused for every replication it runs) and
//! takes the next replication index from a shared counter. A replication's result depends only
//! on (scenario, seed, replication index); pooled totals are integer counts and histograms that
//! merge exactly in any order; per-replication figures are sorted by index before any
//! floating-point arithmetic. So 1 thread and 16 threads give bit-identical summaries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use thiserror::Error;

use super::tally::{Pooled, ReplicationFigures};
use crate::engine::Simulator;
use crate::messages::{Emissions, Recorders, Site};
use crate::random::layout::site_stream;
use crate::scenario::Scenario;
use crate::sequence::Program;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Seed of every random stream.
    pub seed: u64,
    /// Number of replications.
    pub replications: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// A run's raw results, before statistics.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Per-replication figures, in replication order.
    pub figures: Vec<ReplicationFigures>,
    /// Totals pooled over replications.
    pub pooled: Pooled,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Threads used.
    pub threads: usize,
}

/// A run that could not be carried out.
#[derive(Debug, Error)]
pub enum RunError {
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

/// One thread's simulator and reusable buffers.
pub struct Worker<'a> {
    sim: Simulator<'a>,
    scratch: crate::engine::Scratch,
    emissions: Emissions,
    site: Option<Site>,
    /// Totals of the replications this worker ran.
    pub pooled: Pooled,
    /// Figures of the replications this worker ran, in the order it ran them.
    pub figures: Vec<ReplicationFigures>,
}

impl<'a> Worker<'a> {
    /// A worker for one scenario.
    pub fn new(sim: Simulator<'a>) -> Self {
        let scenario = sim.scenario();
        Self {
            sim,
            scratch: sim.scratch(),
            emissions: Emissions::new(scenario.infrastructure.management_points as usize),
            site: Site::new(&scenario.infrastructure),
            pooled: Pooled::new(scenario.windows.list.len()),
            figures: Vec::new(),
        }
    }

    /// Runs replication `replication` of `seed` and keeps its figures.
    pub fn replicate(&mut self, seed: u64, replication: u64) {
        let mut figures = ReplicationFigures { replication, ..ReplicationFigures::default() };
        self.emissions.clear();
        let windows = &self.sim.scenario().windows.list;
        let pooled = &mut self.pooled;
        self.sim.run_replication(seed, replication, &mut self.scratch, &mut self.emissions, |server| {
            pooled.record(&mut figures, windows, server);
        });
        if let Some(site) = &mut self.site {
            let recorders = Recorders {
                status_latency: &mut self.pooled.latency_us,
                state_latency: &mut self.pooled.state_latency_us,
                series: &mut self.pooled.series,
            };
            figures.site = site.process(&mut self.emissions, site_stream(seed, replication), recorders);
        }
        self.pooled.finish_replication(&figures, self.emissions.by_kind());
        self.figures.push(figures);
    }
}

/// Runs `options.replications` replications of a compiled scenario.
pub fn run(scenario: &Scenario, program: &Program, options: &RunOptions) -> Result<RunResult, RunError> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads: options.threads, source })?;
    let threads = pool.current_num_threads();
    let sim = Simulator::new(scenario, program);
    let next = AtomicU64::new(0);
    let workers: Vec<Worker<'_>> = pool.broadcast(|_| {
        let mut worker = Worker::new(sim);
        loop {
            let replication = next.fetch_add(1, Ordering::Relaxed);
            if replication >= options.replications {
                break;
            }
            worker.replicate(options.seed, replication);
        }
        worker
    });
    let mut pooled = Pooled::new(scenario.windows.list.len());
    let mut figures = Vec::with_capacity(options.replications as usize);
    for worker in workers {
        pooled.merge(&worker.pooled);
        figures.extend(worker.figures);
    }
    figures.sort_by_key(|f| f.replication);
    Ok(RunResult { figures, pooled, wall_seconds: started.elapsed().as_secs_f64(), threads })
}
