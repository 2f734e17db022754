//! Engine speed: one replication of the reference scenario on one core, one replication of a
//! million servers, and the site queue per message. Figures go to docs/performance.md.

use std::collections::VecDeque;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use patchsim::engine::Simulator;
use patchsim::messages::radix;
use patchsim::messages::site_queue::{SiteQueue, latency_histogram};
use patchsim::montecarlo::runner::Worker;
use patchsim::montecarlo::{RunOptions, run};
use patchsim::random::Stream;
use patchsim::scenario::{Scenario, Service};
use patchsim::sequence::Program;

fn reference() -> Scenario {
    Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).expect("reference scenario loads")
}

fn reference_replication(c: &mut Criterion) {
    let scenario = reference();
    let program = Program::compile(&scenario);
    let mut group = c.benchmark_group("reference");
    group.throughput(Throughput::Elements(scenario.fleet.servers));
    // What one more replication of a run costs: one worker on one core, its buffers reused, as
    // in every run of more than one replication.
    group.bench_function("one replication, 12,000 servers, 1 core", |b| {
        let mut worker = Worker::new(Simulator::new(&scenario, &program));
        let mut replication = 0;
        b.iter(|| {
            replication += 1;
            worker.replicate(black_box(1), replication);
            worker.figures.clear();
        });
    });
    // A whole `run` of one replication: thread pool, fresh buffers, merging.
    group.bench_function("whole run of 1 replication, 1 thread", |b| {
        b.iter(|| {
            run(&scenario, &program, &RunOptions { seed: black_box(1), replications: 1, threads: 1 }).expect("runs")
        });
    });
    group.finish();
}

fn million_servers(c: &mut Criterion) {
    let mut scenario = reference();
    scenario.fleet.servers = 1_000_000;
    let program = Program::compile(&scenario);
    let mut group = c.benchmark_group("million");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(scenario.fleet.servers));
    group.bench_function("one replication, 1,000,000 servers, 1 thread", |b| {
        b.iter(|| {
            run(&scenario, &program, &RunOptions { seed: black_box(1), replications: 1, threads: 1 }).expect("runs")
        });
    });
    group.finish();
}

fn site_queue(c: &mut Criterion) {
    let n = 1_000_000u64;
    let s = Stream::from_key(1);
    // A week of send times, unsorted, as the engine leaves them.
    let times: Vec<u64> = (0..n).map(|i| s.draw(i).next_bits() % 604_800_000).collect();
    let mut group = c.benchmark_group("messages");
    group.throughput(Throughput::Elements(n));
    group.bench_function("radix sort, 1M send times", |b| {
        let mut buffer = Vec::new();
        b.iter_batched(|| times.clone(), |mut t| radix::sort(&mut t, &mut buffer), BatchSize::LargeInput);
    });
    let mut sorted = times.clone();
    sorted.sort_unstable();
    group.bench_function("site FIFO, 1M messages", |b| {
        let queue = SiteQueue { rate: 2.0, service: Service::Fixed, stream: Stream::from_key(2) };
        let mut in_system = VecDeque::new();
        let mut hist = latency_histogram();
        b.iter(|| queue.process(black_box(&sorted), &mut in_system, &mut hist));
    });
    group.finish();
}

criterion_group!(benches, reference_replication, million_servers, site_queue);
criterion_main!(benches);
