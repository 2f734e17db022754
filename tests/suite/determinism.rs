//! Same seed, same summary: on every thread count, every time.

use std::path::Path;

use crate::common::{comparable_json, summary};
use patchsim::scenario::Scenario;

fn reference() -> Scenario {
    Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).expect("reference scenario loads")
}

#[test]
fn same_seed_gives_the_same_summary_on_one_and_two_threads() {
    let s = reference();
    let one = comparable_json(&summary(&s, 42, 4, 1));
    let two = comparable_json(&summary(&s, 42, 4, 2));
    assert_eq!(one, two);
    let again = comparable_json(&summary(&s, 42, 4, 2));
    assert_eq!(two, again);
}

#[test]
fn another_seed_gives_another_summary() {
    let s = reference();
    let a = summary(&s, 1, 2, 2);
    let b = summary(&s, 2, 2, 2);
    assert_ne!(a.outcomes.overran.mean, b.outcomes.overran.mean);
    assert_ne!(a.status_messages.total_mean, b.status_messages.total_mean);
}

#[test]
fn a_replication_does_not_depend_on_how_many_run() {
    // Replication 1 alone equals replication 1 of a 3-replication run: the per-replication
    // figures are a function of (seed, index) alone.
    use patchsim::montecarlo::tally::ReplicationFigures;
    use patchsim::montecarlo::{Hooks, RunOptions, run_with};
    use patchsim::sequence::Program;
    use std::sync::Mutex;
    let s = reference();
    let p = Program::compile(&s);
    let figures = |options: RunOptions| {
        let seen = Mutex::new(Vec::new());
        let each = |f: &ReplicationFigures| seen.lock().unwrap().push(f.clone());
        run_with(&s, &p, &options, Hooks { done: None, each: Some(&each) }).unwrap();
        let mut all = seen.into_inner().unwrap();
        all.sort_by_key(|f| f.replication);
        all
    };
    let alone = figures(RunOptions { seed: 9, replications: 1, threads: 1, first: 1, stride: 1 });
    let three = figures(RunOptions::new(9, 3, 2));
    assert_eq!(alone[0].replication, 1);
    assert_eq!(alone[0], three[1]);
}

#[test]
fn common_random_numbers_keep_a_servers_sleep_when_another_step_changes() {
    use crate::common::trace;
    let a = reference();
    // Change only the fixed duration of "Agent Maintenance" (and a failure rate, and the fleet size).
    let text = std::fs::read_to_string("scenarios/monthly-server-patching.toml").unwrap();
    let changed = text
        .replace("duration = { dist = \"triangular\", min = \"1m\", mode = \"2m\", max = \"8m\" }", "duration = \"7m\"")
        .replace("failure = 0.01            # share", "failure = 0.05            # share")
        .replace("servers = 12000", "servers = 12500");
    let b = Scenario::from_toml(&changed, "b.toml").expect("the variant loads");
    assert_eq!(b.fleet.servers, 12_500);
    let sleep_of = |lines: &[String]| lines.iter().find(|l| l.contains("Inject Random Sleep ok")).cloned();
    let mut compared = 0;
    for server in (0..12_000).step_by(97) {
        let (la, ra) = trace(&a, server);
        let (lb, rb) = trace(&b, server);
        assert_eq!((ra.window, ra.class, ra.start), (rb.window, rb.class, rb.start), "server {server}");
        assert_eq!(sleep_of(&la), sleep_of(&lb), "server {server}");
        if sleep_of(&la).is_some() {
            compared += 1;
        }
    }
    assert!(compared > 100);
}

/// Two scenarios that differ only in one step's fixed duration draw identical sleeps for every
/// server (and everything else the changed step does not touch).
#[test]
fn one_steps_fixed_duration_moves_no_other_draw() {
    use crate::common::trace;
    let text = std::fs::read_to_string("scenarios/monthly-server-patching.toml")
        .unwrap()
        .replace("servers = 12000", "servers = 400");
    let agent = "duration = { dist = \"triangular\", min = \"1m\", mode = \"2m\", max = \"8m\" }";
    let a = Scenario::from_toml(&text.replace(agent, "duration = \"3m\""), "a.toml").unwrap();
    let b = Scenario::from_toml(&text.replace(agent, "duration = \"7m\""), "b.toml").unwrap();
    let sleep = |lines: &[String]| lines.iter().find(|l| l.contains("Inject Random Sleep")).cloned();
    let updates = |lines: &[String]| lines.iter().find(|l| l.contains("Install Required Software Updates ok")).cloned();
    let mut slept = 0;
    for server in 0..400 {
        let (la, ra) = trace(&a, server);
        let (lb, rb) = trace(&b, server);
        assert_eq!(sleep(&la), sleep(&lb), "server {server}");
        assert_eq!(updates(&la), updates(&lb), "server {server}");
        assert_eq!((ra.window, ra.class, ra.start, ra.restarts), (rb.window, rb.class, rb.start, rb.restarts));
        slept += usize::from(sleep(&la).is_some());
    }
    assert!(slept > 390, "{slept} servers ran the sleep");
}
