//! Real-input speed: reading a console export and writing its scenario, refusing hostile XML,
//! reading an inventory, and rebuilding and fitting an execution history. Figures go to
//! docs/performance.md.

use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchsim::engine::{Simulator, TraceEvent};
use patchsim::import::{Calibration, History, ImportOptions, read_task_sequence, write_scenario};
use patchsim::messages::Emissions;
use patchsim::report::history_csv::HistoryCsv;
use patchsim::scenario::Inventory;
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;

fn reference() -> Scenario {
    Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).expect("reference scenario loads")
}

/// A console-style sequence of `groups` groups of `steps` command steps, each with a condition.
fn big_sequence(groups: usize, steps: usize) -> String {
    let mut xml = String::from("<sequence version=\"3.10\">\n");
    for g in 0..groups {
        writeln!(xml, "  <group name=\"Group {g}\" continueOnError=\"true\">").unwrap();
        for s in 0..steps {
            writeln!(
                xml,
                "    <step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Step {g}.{s}\" successCodeList=\"0 3010\">\
                 <condition><operator type=\"or\"><expression type=\"SMS_TaskSequence_VariableConditionExpression\">\
                 <variable name=\"Operator\">equals</variable><variable name=\"Value\">{s}</variable>\
                 <variable name=\"Variable\">Tier</variable></expression></operator></condition>\
                 <action>cmd.exe /c exit 0</action></step>"
            )
            .unwrap();
        }
        xml.push_str("  </group>\n");
    }
    xml.push_str("</sequence>\n");
    xml
}

fn import_sequence(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    let example = std::fs::read("scenarios/imported/server-patching.xml").expect("example export");
    group.bench_function("example export: read and write its scenario", |b| {
        b.iter(|| {
            let ts = read_task_sequence(black_box(&example)).expect("imports");
            write_scenario(&ts, &ImportOptions::default(), None).expect("writes")
        });
    });
    let big = big_sequence(50, 100);
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("5,000 steps in 50 groups: read and write", |b| {
        b.iter(|| {
            let ts = read_task_sequence(black_box(big.as_bytes())).expect("imports");
            write_scenario(&ts, &ImportOptions::default(), None).expect("writes")
        });
    });
    // Hostile files: refused at the first sign, whatever their size.
    let deep = "<a>".repeat(1_000_000);
    group.throughput(Throughput::Bytes(deep.len() as u64));
    group.bench_function("refuse 1,000,000 nested elements", |b| {
        b.iter(|| read_task_sequence(black_box(deep.as_bytes())).expect_err("too deep"));
    });
    let bomb = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]><sequence>&lol9;</sequence>",
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", if i == 1 { String::new() } else { (i - 1).to_string() }).repeat(10)
            ))
            .collect::<String>()
    );
    group.throughput(Throughput::Bytes(bomb.len() as u64));
    group.bench_function("refuse an entity bomb", |b| {
        b.iter(|| read_task_sequence(black_box(bomb.as_bytes())).expect_err("no DTD"));
    });
    let wide = format!("<sequence>{}</sequence>", "<step/>".repeat(600_000));
    group.throughput(Throughput::Bytes(wide.len() as u64));
    group.bench_function("refuse 600,000 elements", |b| {
        b.iter(|| read_task_sequence(black_box(wide.as_bytes())).expect_err("too many"));
    });
    group.finish();
}

fn inventory(c: &mut Criterion) {
    let scenario = reference();
    let rows = 100_000;
    let mut csv = String::from("name,window,class,extension,PrePatchAction,OwnerTier\n");
    for i in 0..rows {
        let w = &scenario.windows.list[i % scenario.windows.list.len()];
        let class = if i % 5 == 0 { "clustered" } else { "general" };
        let action = if i % 5 == 0 { "failover.ps1" } else { "" };
        writeln!(csv, "SRV{i:06},{},{class},false,{action},{}", w.name, i % 3 + 1).unwrap();
    }
    let mut group = c.benchmark_group("inventory");
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("read and check 100,000 servers", |b| {
        b.iter(|| {
            Inventory::parse(black_box(csv.as_bytes()), "servers.csv", &scenario.windows.list, &scenario.fleet.classes)
                .expect("reads")
        });
    });
    group.finish();
}

/// The reference scenario's first replication as the history view shows it (about 160,000 rows).
fn reference_history() -> Vec<u8> {
    let scenario = reference();
    let program = Program::compile(&scenario);
    let sim = Simulator::new(&scenario, &program);
    let mut scratch = sim.scratch();
    let mut emissions = Emissions::new(scenario.infrastructure.management_points as usize);
    let mut csv = HistoryCsv::new(&program, patchsim::report::csv_style::CsvStyle::Plain);
    let mut events: Vec<TraceEvent> = Vec::new();
    sim.run_replication_with(1, 0, &mut scratch, &mut emissions, &mut events, |r, events| {
        csv.add(r, events);
        events.clear();
    });
    csv.finish()
}

fn calibrate(c: &mut Criterion) {
    let bytes = reference_history();
    let history = History::parse(&bytes, "history.csv").expect("reads");
    let mut group = c.benchmark_group("calibrate");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(history.rows));
    group.bench_function("read the reference's history (rows/s)", |b| {
        b.iter(|| History::parse(black_box(&bytes), "history.csv").expect("reads"));
    });
    group.bench_function("fit every step of it", |b| {
        b.iter(|| Calibration::fit(black_box(&history)));
    });
    group.finish();
}

criterion_group!(benches, import_sequence, inventory, calibrate);
criterion_main!(benches);
