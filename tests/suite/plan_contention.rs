//! The planner where servers contend for shared resources: the overran share is U-shaped in the
//! random sleep, so `plan sleep --minimise` finds an interior minimum and `--max-overran` a range
//! with a lower end; `plan resource` and `plan servers --max-overran` meet exact FIFO answers.

use std::path::Path;

use serde_json::Value;

use crate::common::{patchsim_in, scenario, temp_dir};
use patchsim::planner::plan::{Answer, Bound, Evaluation, Finding, ServersScope, plan_servers};
use patchsim::planner::resource::plan_resource;
use patchsim::planner::sleep::{plan_sleep, plan_sleep_minimum};
use patchsim::report::plan::conclusion;
use patchsim::scenario::Scenario;

/// 300 servers sleep U(0, S), download 740 MB each from one 1 Gbps distribution point, then work
/// a lognormal hour (p95 100 minutes) in a two-hour window with no max run time.
///
/// With S = 0 processor sharing gives every download the same share, so all 300 finish together
/// after the DP's whole busy time, 300 × 740 MB ÷ 125 MB/s = 1,776 s; a spread of about that
/// long lets each download run nearly alone as it arrives (the fluid limit: the DP keeps up
/// exactly), so a server's content arrives at its own sleep's end instead of the busy time's;
/// wider spreads only cost window time. The minimum is near 1,776 s.
fn downloads_then_work() -> Scenario {
    scenario(
        &[("servers = 1", "servers = 300")],
        r#"
[[step]]
name = "Sleep"
type = "sleep"
duration = { dist = "uniform", min = "0m", max = "0m" }
[[step]]
name = "Get content"
type = "install_software"
items = 1
per_item = "1m"
exit_codes = { 0 = 1.0 }
uses = { download = "dp" }
download = { size = "740MB" }
[[step]]
name = "Work"
type = "command"
duration = { dist = "lognormal", median = "60m", p95 = "100m" }
[[resource]]
name = "dp"
kind = "shared"
capacity = "1Gbps"
"#,
    )
}

const EVAL: Evaluation = Evaluation { seed: 3, replications: 10, threads: 2 };

#[test]
fn the_sleep_that_overruns_least_is_about_the_distribution_points_busy_time() {
    let plan = plan_sleep_minimum(&downloads_then_work(), "Sleep", EVAL).unwrap();
    let Answer::Minimum { seconds, figure, indistinguishable: range, .. } = plan.answer.clone() else {
        panic!("{}", conclusion(&plan))
    };
    assert!((1_500.0..=2_040.0).contains(&seconds), "best sleep {seconds} s, the DP's busy time is 1,776 s");
    assert!(matches!(plan.finding, Finding::Minimum { best, .. } if best == seconds));
    assert_eq!(plan.figures_at(seconds).unwrap()[&patchsim::montecarlo::Figure::Overran], figure);
    assert!(range.from_seconds <= seconds && seconds <= range.to_seconds, "{range:?}");
    // The ends of the curve are worse beyond the noise: no sleep (everyone waits for the whole
    // busy time) and an hour (window time lost), each paired with the best replication by
    // replication.
    for worse in [0.0, 3_600.0] {
        let e = plan.evidence.iter().find(|e| e.value == worse).unwrap();
        let d = e.against_best.unwrap();
        assert!(d.ci95[0] > 0.0 && !e.meets, "{}: {d:?}", e.label);
    }
    // The best is paired with itself: exactly zero. Every value in the range ties with it, the
    // evaluated values just outside it do not, and `meets` says which.
    let at = plan.evidence.iter().position(|e| e.value == seconds).unwrap();
    assert_eq!(plan.evidence[at].against_best.unwrap().ci95, [0.0, 0.0]);
    for (k, e) in plan.evidence.iter().enumerate() {
        let inside = (range.from_seconds..=range.to_seconds).contains(&e.value);
        assert_eq!(e.meets, e.against_best.unwrap().indistinguishable(), "{}", e.label);
        assert!(e.meets || !inside, "{} is in the range and does not tie", e.label);
        let edge = plan.evidence.get(k + 1).is_some_and(|n| n.value == range.from_seconds)
            || k > 0 && plan.evidence[k - 1].value == range.to_seconds;
        assert!(!edge || !e.meets, "{} is next to the range and ties", e.label);
    }
    assert!(conclusion(&plan).starts_with("The fewest servers overrun with a sleep of"), "{}", conclusion(&plan));
}

#[test]
fn a_bound_on_the_overran_share_gives_a_range_when_too_little_sleep_fails_too() {
    let plan = plan_sleep(&downloads_then_work(), "Sleep", 0.08, None, EVAL).unwrap();
    let Answer::Sleep { seconds, range: Some(range), .. } = plan.answer.clone() else {
        panic!("{}", conclusion(&plan))
    };
    assert_eq!(seconds, range.to_seconds);
    // No sleep fails (about 10% overrun), an hour fails (16%); the range lies around the
    // minimum near 1,776 s.
    assert!((300.0..1_500.0).contains(&range.from_seconds), "{range:?}");
    assert!((1_800.0..3_000.0).contains(&range.to_seconds), "{range:?}");
    for e in &plan.evidence {
        assert_eq!(e.meets, e.figures[&patchsim::montecarlo::Figure::Overran].ci95[1] <= 0.08, "{}", e.label);
        if e.value == range.from_seconds || e.value == range.to_seconds {
            assert!(e.meets, "{}", e.label);
        }
        if e.value == 0.0 || e.value == 3_600.0 {
            assert!(!e.meets, "{}", e.label);
        }
    }
    assert!(matches!(plan.finding, Finding::SleepRange { .. }));
    assert!(conclusion(&plan).starts_with("Sleeps from"), "{}", conclusion(&plan));
}

/// `servers` servers each scan for 10 minutes against one update point at the window's start,
/// with `slots` slots (and `instances` instances), in a two-hour window: the k-th batch of
/// `slots` scans ends at 10k minutes, so every scan ends within the window exactly when no
/// instance holds more than 12 batches.
fn scans(servers: u64, slots: u32, instances: u32) -> Scenario {
    scenario(
        &[("servers = 1", &format!("servers = {servers}"))],
        &format!(
            r#"
[[step]]
name = "Scan"
type = "install_updates"
items = 0
scan = "10m"
scan_timeout = "24h"   # the FIFO answers: no scan given up however long it waits
per_item = "1m"
uses = {{ scan = "sup" }}
[[resource]]
name = "sup"
kind = "slots"
slots = {slots}
instances = {instances}
"#
        ),
    )
}

#[test]
fn the_fewest_slots_that_end_every_scan_in_the_window_is_the_fifo_answer() {
    // 120 scans in 12 rounds of 10 minutes need 10 slots; 9 leave 12 scans for a 14th round.
    let eval = Evaluation { seed: 1, replications: 2, threads: 2 };
    let plan = plan_resource(&scans(120, 4, 1), "sup", false, 0.0, eval).unwrap();
    let Answer::Resource { amount, ref searched, ref setting, .. } = plan.answer else {
        panic!("{}", conclusion(&plan))
    };
    assert_eq!((amount, searched.as_str(), setting.as_str()), (10.0, "slots", "10"));
    let nine = plan.evidence.iter().find(|e| e.value == 9.0).unwrap();
    assert_eq!(nine.figures[&patchsim::montecarlo::Figure::Overran].mean, 12.0 / 120.0);
    assert!(plan.evidence.iter().all(|e| e.meets == (e.value >= 10.0)));
    assert!(
        conclusion(&plan)
            .starts_with("The smallest slot count of resource \"sup\" that meets overran share ≤ 0.000% is 10 slots"),
        "{}",
        conclusion(&plan)
    );
    // Instances instead: 48 scans on 2-slot instances need 2 (24 each, 12 rounds).
    let plan = plan_resource(&scans(48, 2, 1), "SUP", true, 0.0, eval).unwrap();
    assert!(matches!(plan.answer, Answer::Resource { amount: 2.0, .. }), "{}", conclusion(&plan));
    // Already enough: the least the search allows, said as such.
    let plan = plan_resource(&scans(10, 10, 1), "sup", false, 0.0, eval).unwrap();
    assert!(matches!(plan.finding, Finding::Resource { smallest: 1.0, floor: true }), "{}", conclusion(&plan));
    // Questions that do not fit the scenario are refused with what it has.
    let unknown = plan_resource(&scans(10, 1, 1), "dp", false, 0.0, eval).unwrap_err().to_string();
    assert_eq!(unknown, "there is no resource \"dp\"; the scenario's resources are sup");
}

#[test]
fn plan_servers_binds_by_the_overran_share_where_servers_contend() {
    // Ten slots end 120 ten-minute scans in the window; a 121st would end at 130 minutes.
    let eval = Evaluation { seed: 1, replications: 2, threads: 2 };
    let plan = plan_servers(&scans(50, 10, 1), &ServersScope::PerWindow, &[Bound::MaxOverran(0.0)], eval).unwrap();
    assert!(matches!(plan.answer, Answer::Servers { servers_per_window: 120.0, .. }), "{}", conclusion(&plan));
    assert!(plan_servers(&scans(50, 10, 1), &ServersScope::PerWindow, &[], eval).is_err());
}

#[test]
fn plan_sleep_minimise_and_plan_resource_from_the_command_line() {
    let dir = temp_dir("plan-contention", "cli");
    let toml = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/contention.toml");
    let toml = toml.to_str().unwrap();
    let out = patchsim_in(
        &dir,
        &[
            "plan",
            "sleep",
            toml,
            "--step",
            "Inject Random Sleep",
            "--minimise",
            "overran",
            "--set",
            "fleet.servers=2000",
            "-r",
            "2",
            "--out",
            "min",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let plan: Value = serde_json::from_slice(&std::fs::read(dir.join("min/plan.json")).unwrap()).unwrap();
    assert_eq!(plan["question"]["minimise"], "outcomes.overran");
    assert!(plan["answer"]["indistinguishable"]["from_seconds"].is_number(), "{plan}");
    assert!(plan["evidence"][0]["against_best"]["ci95"].is_array(), "{plan}");
    assert!(dir.join("min/plan.svg").is_file() && dir.join("min/plan.png").is_file());
    // --minimise and --max-overran ask different questions: one at a time.
    let both = patchsim_in(
        &dir,
        &["plan", "sleep", toml, "--step", "Inject Random Sleep", "--minimise", "overran", "--max-overran", "3%"],
    );
    assert_eq!(both.status.code(), Some(2));
    let unknown = patchsim_in(&dir, &["plan", "resource", toml, "wsus", "--max-overran", "3%", "-r", "2"]);
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("there is no resource \"wsus\"; the scenario's resources are dp, sup, host"), "{stderr}");
    assert!(!dir.join("reports").exists(), "an error writes nothing");
    // `--out -`: the main document on standard output, no folder named "-".
    let csv = patchsim_in(&dir, &["sweep", toml, "--set", "step.0.duration.max=0m,20m", "-r", "2", "-q", "--out", "-"]);
    assert_eq!(csv.status.code(), Some(0), "{}", String::from_utf8_lossy(&csv.stderr));
    assert!(String::from_utf8_lossy(&csv.stdout).starts_with("value,"), "{}", String::from_utf8_lossy(&csv.stdout));
    assert!(!dir.join("-").exists(), "--out - wrote a folder named -");
}
