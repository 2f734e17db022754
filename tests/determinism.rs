//! Same seed, same summary: on every thread count, every time.

mod common;

use std::path::Path;

use common::{comparable_json, summary};
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
    // Replication 0 of a 1-replication run equals replication 0 of a 3-replication run: the
    // per-replication figures are a function of (seed, index) alone.
    use patchsim::montecarlo::{RunOptions, run};
    use patchsim::sequence::Program;
    let s = reference();
    let p = Program::compile(&s);
    let one = run(&s, &p, &RunOptions { seed: 9, replications: 1, threads: 1 }).unwrap();
    let three = run(&s, &p, &RunOptions { seed: 9, replications: 3, threads: 2 }).unwrap();
    assert_eq!(one.figures[0], three.figures[0]);
}

#[test]
fn common_random_numbers_keep_a_servers_sleep_when_another_step_changes() {
    use common::trace;
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
