//! Engine speed: one replication of the reference scenario on one core.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use patchsim::montecarlo::{RunOptions, run};
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;

fn reference_replication(c: &mut Criterion) {
    let scenario =
        Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).expect("reference scenario loads");
    let program = Program::compile(&scenario);
    c.bench_function("reference: one replication, 12,000 servers, 1 thread", |b| {
        b.iter(|| {
            run(&scenario, &program, &RunOptions { seed: black_box(1), replications: 1, threads: 1 }).expect("runs")
        });
    });
}

criterion_group!(benches, reference_replication);
criterion_main!(benches);
