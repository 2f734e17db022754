//! Engine speed: one replication of the reference scenario on one core, the same month with
//! shared resources (the coupled engine), one replication of a million servers, processor
//! sharing and slots per activity, and the site queue per message. Figures go to
//! docs/performance.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use patchsim::engine::Simulator;
use patchsim::engine::contention::{SharedInstance, SlotsInstance};
use patchsim::messages::{Emissions, LoadSeries, Recorders, Site, latency_histogram, radix};
use patchsim::montecarlo::runner::Worker;
use patchsim::montecarlo::{RunOptions, run};
use patchsim::random::Stream;
use patchsim::scenario::{MessageKind, Scenario};
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
            worker.replicate(black_box(1), replication)
        });
    });
    // A whole `run` of one replication: thread pool, fresh buffers, merging.
    group.bench_function("whole run of 1 replication, 1 thread", |b| {
        b.iter(|| run(&scenario, &program, &RunOptions::new(black_box(1), 1, 1)).expect("runs"));
    });
    group.finish();
}

/// The reference month with three DPs, the update point and 400 hosts: every server of a
/// replication in one coupled event queue. The target is at most three times the reference.
fn contention_replication(c: &mut Criterion) {
    let scenario = Scenario::load(Path::new("scenarios/contention.toml")).expect("contention scenario loads");
    let program = Program::compile(&scenario);
    let mut group = c.benchmark_group("contention");
    group.sample_size(20);
    group.throughput(Throughput::Elements(scenario.fleet.servers));
    group.bench_function("one replication, 12,000 servers with resources, 1 core", |b| {
        let mut worker = Worker::new(Simulator::new(&scenario, &program));
        let mut replication = 0;
        b.iter(|| {
            replication += 1;
            worker.replicate(black_box(1), replication)
        });
    });
    group.finish();
}

/// The queues on their own: 10,000 activities through one processor-sharing instance (arrivals
/// a second apart, each 20 seconds' work alone: about 20 present) and through 20 slots.
fn contention_queues(c: &mut Criterion) {
    let n = 10_000u32;
    let span = (0, u64::MAX);
    let mut group = c.benchmark_group("queues");
    group.throughput(Throughput::Elements(u64::from(n)));
    group.bench_function("processor sharing, 10,000 activities", |b| {
        b.iter(|| {
            let mut ps = SharedInstance::new(1.0, None);
            let mut done = Vec::new();
            let mut ended = 0usize;
            for id in 0..n {
                let t = u64::from(id) * 1_000;
                while let Some((at, _)) = ps.next_completion().filter(|(at, _)| *at <= t) {
                    ps.complete(at, span, &mut done);
                    ended += done.len();
                    done.clear();
                }
                ps.arrive(t, id, 20_000.0, span);
            }
            while let Some((at, _)) = ps.next_completion() {
                ps.complete(at, span, &mut done);
                ended += done.len();
                done.clear();
            }
            black_box(ended)
        });
    });
    group.bench_function("20 slots, 10,000 requests", |b| {
        b.iter(|| {
            let mut slots = SlotsInstance::new(20, None);
            let mut started = Vec::new();
            for id in 0..n {
                slots.request(u64::from(id) * 1_000, id, span);
            }
            for id in 0..n {
                slots.leave(u64::from(n) * 1_000 + u64::from(id), id, span, &mut started);
            }
            black_box(started.len())
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
        b.iter(|| run(&scenario, &program, &RunOptions::new(black_box(1), 1, 1)).expect("runs"));
    });
    group.finish();
}

fn parallel_replications(c: &mut Criterion) {
    let scenario = reference();
    let program = Program::compile(&scenario);
    let mut group = c.benchmark_group("montecarlo");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(100));
    for threads in [1, 2] {
        group.bench_function(format!("100 replications of the reference, {threads} thread(s)"), |b| {
            b.iter(|| run(&scenario, &program, &RunOptions::new(black_box(1), 100, threads)).expect("runs"));
        });
    }
    group.finish();
}

fn site_pipeline(c: &mut Criterion) {
    let n = 2_000_000u64;
    let s = Stream::from_key(1);
    // Two million messages over a week from 12,000 servers, in the order servers send them.
    let mut emissions = Emissions::new(2);
    for i in 0..n {
        let server = i % 12_000;
        emissions.push((server % 2) as usize, s.draw(i).next_bits() % 604_800_000, MessageKind::StepSucceeded, 1);
    }
    let mut group = c.benchmark_group("messages");
    group.throughput(Throughput::Elements(n));
    let times: Vec<u64> = (0..n).map(|i| s.draw(i).next_bits() % 604_800_000).collect();
    group.bench_function("radix sort, 2M send times", |b| {
        let mut buffer = Vec::new();
        b.iter_batched(|| times.clone(), |mut t| radix::sort(&mut t, &mut buffer), BatchSize::LargeInput);
    });
    let sites = [
        ("site, MPs instant, 1 Status Manager worker", "status_manager_rate = 120"),
        ("site, 2 MPs at 400/s, 1 worker", "management_points = 2\nmp_rate = 400\nstatus_manager_rate = 120"),
        (
            "site, 2 MPs at 400/s, 4 workers, exponential, an outage",
            "management_points = 2\nmp_rate = 400\nstatus_manager_rate = 30\nstatus_manager_workers = 4\nservice = \"exponential\"\noutages = [{ component = \"status_manager\", at = \"Tue 02:00\", length = \"30m\" }]",
        ),
    ];
    for (name, infra) in sites {
        let scenario = Scenario::from_toml(
            &format!(
                "name = \"b\"\n[fleet]\nservers = 1\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[infrastructure]\n{infra}\n[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\n"
            ),
            "bench.toml",
        )
        .expect("bench scenario loads");
        let mut site = Site::new(&scenario.infrastructure).expect("has a Status Manager");
        let mut emissions = emissions.clone();
        let (mut status, mut state, mut series) = (latency_histogram(), latency_histogram(), LoadSeries::default());
        group.bench_function(name, |b| {
            b.iter(|| {
                let recorders =
                    Recorders { status_latency: &mut status, state_latency: &mut state, series: &mut series };
                site.process(&mut emissions, Stream::from_key(2), recorders)
            });
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    reference_replication,
    contention_replication,
    contention_queues,
    million_servers,
    parallel_replications,
    site_pipeline
);
criterion_main!(benches);
