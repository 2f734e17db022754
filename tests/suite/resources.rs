//! Shared resources in the engine (format 1.1): the worked examples of the format through whole
//! runs, time-outs and deadlines counting waiting, refusals and retries, outages, and a fleet
//! whose servers use no resource running exactly as before.

use patchsim::scenario::distribution::DurationDist;
use patchsim::scenario::resource::{
    Capacity, Download, Resource, ResourceAssign, ResourceKind, ResourceOutage, SizeDist, Uses,
};
use patchsim::scenario::{NodeKind, Scenario};

use crate::common::{scenario, steps_only, trace};

const MINUTE: u64 = 60_000;

/// A shared resource named `name`.
fn shared(name: &str, capacity: Capacity, per_user: Option<f64>) -> Resource {
    Resource {
        name: name.to_owned(),
        kind: ResourceKind::Shared { capacity, per_user },
        instances: 1,
        assign: ResourceAssign::Even,
        outages: Vec::new(),
    }
}

/// A slots resource named `name`.
fn slots(name: &str, slots: u32, queue: Option<u32>, retry_after: u64, retries: u32) -> Resource {
    Resource {
        name: name.to_owned(),
        kind: ResourceKind::Slots { slots, queue, retry_after, retries },
        instances: 1,
        assign: ResourceAssign::Even,
        outages: Vec::new(),
    }
}

/// `servers` servers running `body`, with `resources` declared and step `step` using `uses`.
fn fleet(servers: u64, body: &str, resources: Vec<Resource>, step: usize, uses: Uses) -> Scenario {
    let mut s = scenario(&[("servers = 1", &format!("servers = {servers}"))], body);
    s.resources = resources;
    let NodeKind::Step(st) = &mut s.steps[step].kind else { panic!("step {step} is a group") };
    st.uses = uses;
    s
}

/// When each server's run ended, in index order.
fn ends(s: &Scenario) -> Vec<u64> {
    (0..s.fleet.servers).map(|i| trace(s, i).1.end).collect()
}

const COMMAND_10M: &str = r#"
[[step]]
name = "Install"
type = "command"
duration = "10m"
"#;

#[test]
fn a_host_of_4_running_8_ten_minute_installs_ends_them_all_at_20_minutes() {
    let host = shared("host", Capacity::Concurrent(4.0), Some(1.0));
    let s = fleet(8, COMMAND_10M, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
    assert_eq!(ends(&s), vec![20 * MINUTE; 8]);
    // Four fit at full speed: 10 minutes each.
    let host = shared("host", Capacity::Concurrent(4.0), Some(1.0));
    let s = fleet(4, COMMAND_10M, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
    assert_eq!(ends(&s), vec![10 * MINUTE; 4]);
}

#[test]
fn two_slots_and_six_ten_minute_scans_end_at_10_10_20_20_30_30_minutes() {
    let body = r#"
[[step]]
name = "Patch"
type = "install_updates"
items = 0
scan = "10m"
per_item = "1m"
"#;
    let sup = slots("sup", 2, None, 5 * MINUTE, 3);
    let s = fleet(6, body, vec![sup], 0, Uses { scan: Some(0), ..Uses::default() });
    assert_eq!(ends(&s).into_iter().map(|e| e / MINUTE).collect::<Vec<_>>(), [10, 10, 20, 20, 30, 30]);
}

#[test]
fn a_cached_scan_reads_the_run_s_results_without_the_update_point() {
    // Two servers, one slot, two update steps of a 10-minute scan each. Without the cache every
    // scan takes the slot in turn (FIFO): the first server's second scan waits for the other's
    // first. With `scan_cached` the second step reads the first's results: the same 10 minutes,
    // no slot.
    let body = |cached: bool| {
        format!(
            r#"
[[step]]
name = "First pass"
type = "install_updates"
items = 0
scan = "10m"
per_item = "1m"
[[step]]
name = "Second pass"
type = "install_updates"
items = 0
scan = "10m"
per_item = "1m"
scan_cached = {cached}
"#
        )
    };
    for (cached, expected) in [(false, [30, 40]), (true, [20, 30])] {
        let sup = slots("sup", 1, None, 5 * MINUTE, 3);
        let mut s = fleet(2, &body(cached), vec![sup], 0, Uses { scan: Some(0), ..Uses::default() });
        let NodeKind::Step(st) = &mut s.steps[1].kind else { unreachable!() };
        st.uses = Uses { scan: Some(0), ..Uses::default() };
        assert_eq!(ends(&s).into_iter().map(|e| e / MINUTE).collect::<Vec<_>>(), expected, "scan_cached = {cached}");
    }
}

#[test]
fn ten_downloads_of_600_mb_on_1_gbps_take_48_s_and_96_s_with_a_50_mbps_cap() {
    let body = r#"
[[step]]
name = "Apps"
type = "install_software"
items = 1
per_item = "0s"
"#;
    for (per_user, expected) in [(None, 48_000), (Some(6_250.0), 96_000)] {
        let dp = shared("dp", Capacity::Rate(125_000.0), per_user);
        let mut s = fleet(10, body, vec![dp], 0, Uses { download: Some(0), ..Uses::default() });
        let NodeKind::Step(st) = &mut s.steps[0].kind else { unreachable!() };
        st.download = Some(Download { size: SizeDist(DurationDist::Fixed(600_000_000)), cached: 0.0 });
        assert_eq!(ends(&s), vec![expected; 10], "per-user cap {per_user:?}");
    }
}

#[test]
fn refused_scans_retry_after_the_wait_and_fail_their_step_after_the_retries() {
    // One slot, no line, retry_after 5m: the first server scans from 0 to 10 minutes. With one
    // retry the second is refused at 0 and at 5 and its step fails at 5, at once.
    let body = r#"
[[step]]
name = "Patch"
type = "install_updates"
items = 0
scan = "10m"
per_item = "1m"
continue_on_error = true
[[step]]
name = "After"
type = "command"
duration = "1m"
"#;
    let sup = slots("sup", 1, Some(0), 5 * MINUTE, 1);
    let s = fleet(2, body, vec![sup], 0, Uses { scan: Some(0), ..Uses::default() });
    let (lines, record) = trace(&s, 1);
    assert_eq!(
        steps_only(&lines),
        ["0m run started", "0m-5m Patch failed", "5m-6m After ok exit 0", "6m run ended completed_in_window"]
    );
    assert_eq!(record.end, 6 * MINUTE);
    // With two retries it comes back at 10, the moment the slot frees: the release was
    // scheduled first, so the slot is free when it arrives (scan 10–20, After 20–21).
    let sup = slots("sup", 1, Some(0), 5 * MINUTE, 2);
    let s = fleet(2, body, vec![sup], 0, Uses { scan: Some(0), ..Uses::default() });
    assert_eq!(trace(&s, 1).1.end, 21 * MINUTE);
}

#[test]
fn an_outage_delays_every_active_install_by_its_length() {
    let mut host = shared("host", Capacity::Concurrent(2.0), Some(1.0));
    host.outages.push(ResourceOutage { instance: None, at: 2 * MINUTE, length: 30 * MINUTE });
    let s = fleet(2, COMMAND_10M, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
    assert_eq!(ends(&s), vec![40 * MINUTE; 2]);
}

#[test]
fn a_time_out_counts_the_wait_and_ending_exactly_at_it_succeeds() {
    // Two 10-minute commands on a host of capacity 1 share it: both end at 20 minutes. A
    // time-out of 20 minutes is met exactly; 19 minutes times both out at 19.
    for (timeout, expected) in [("20m", "0m-20m Install ok exit 0"), ("19m", "0m-19m Install failed timed out")] {
        let body = format!("{COMMAND_10M}timeout = \"{timeout}\"\n");
        let host = shared("host", Capacity::Concurrent(1.0), Some(1.0));
        let s = fleet(2, &body, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
        let (lines, _) = trace(&s, 0);
        assert_eq!(steps_only(&lines)[1], expected);
    }
}

#[test]
fn a_deadline_stops_a_server_waiting_for_a_slot() {
    let sup = slots("sup", 1, None, 5 * MINUTE, 3);
    let mut s = fleet(2, COMMAND_10M, vec![sup], 0, Uses { run: Some(0), ..Uses::default() });
    s.deployment.max_run_time = 15 * MINUTE;
    // The second waits 10 minutes for the slot, then needs 10 more: stopped at 15.
    let (_, record) = trace(&s, 1);
    assert_eq!((record.outcome.key(), record.end), ("stopped", 15 * MINUTE));
}

#[test]
fn servers_on_different_instances_do_not_wait_for_each_other() {
    let mut host = shared("host", Capacity::Concurrent(1.0), Some(1.0));
    host.instances = 2;
    let s = fleet(4, COMMAND_10M, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
    // Even assignment: servers 0 and 2 on instance 0, 1 and 3 on instance 1.
    assert_eq!(ends(&s), vec![20 * MINUTE; 4]);
    let s = fleet(2, COMMAND_10M, vec![shared("host", Capacity::Concurrent(1.0), Some(1.0))], 0, Uses::default());
    // Declared but not used: no coupling, each alone.
    assert_eq!(ends(&s), vec![10 * MINUTE; 2]);
}

#[test]
fn a_coupled_fleet_gives_the_same_figures_on_any_thread_count_and_reports_its_resources() {
    use crate::common::{comparable_json, summary};
    let mut s = fleet(
        40,
        r#"
[[step]]
name = "Sleep"
type = "sleep"
duration = { dist = "uniform", min = "0m", max = "30m" }
[[step]]
name = "Install"
type = "command"
duration = { dist = "uniform", min = "5m", max = "15m" }
"#,
        vec![shared("host", Capacity::Concurrent(4.0), Some(1.0)), slots("sup", 3, Some(2), 2 * MINUTE, 2)],
        1,
        Uses { run: Some(0), ..Uses::default() },
    );
    s.resources[0].instances = 2;
    let one = summary(&s, 11, 6, 1);
    let two = summary(&s, 11, 6, 2);
    assert_eq!(comparable_json(&one), comparable_json(&two));
    let host = &one.resources[0];
    assert_eq!((host.name.as_str(), host.kind.as_str(), host.instances), ("host", "shared", 2));
    assert!(host.stretch.is_some_and(|st| st.mean >= 1.0 && st.max >= st.p95));
    assert!(host.utilisation > 0.0 && host.utilisation < 1.0);
    // Declared and unused: a row of zeros.
    let sup = &one.resources[1];
    assert_eq!((sup.peak.max, sup.refused_mean, sup.utilisation), (0.0, Some(0.0), 0.0));
    assert!(one.windows[0].resource_wait_minutes_mean.is_some_and(|w| w >= 0.0));
}

#[test]
fn a_server_draws_the_same_work_whatever_the_capacity() {
    // Common random numbers: with one instance or three, each server's drawn durations are the
    // same; only the waiting differs. A host with room for everyone gives the lone durations.
    let body = r#"
[[step]]
name = "Install"
type = "command"
duration = { dist = "uniform", min = "5m", max = "15m" }
"#;
    let alone = scenario(&[("servers = 1", "servers = 12")], body);
    let roomy = fleet(
        12,
        body,
        vec![shared("host", Capacity::Concurrent(100.0), Some(1.0))],
        0,
        Uses { run: Some(0), ..Uses::default() },
    );
    assert_eq!(ends(&roomy), ends(&alone));
    let tight = fleet(
        12,
        body,
        vec![shared("host", Capacity::Concurrent(3.0), Some(1.0))],
        0,
        Uses { run: Some(0), ..Uses::default() },
    );
    assert!(ends(&tight).iter().zip(ends(&alone)).all(|(t, a)| *t >= a));
    assert!(ends(&tight).iter().zip(ends(&alone)).any(|(t, a)| *t > a));
}

#[test]
fn the_load_a_report_draws_matches_the_worked_example_and_splits_each_windows_waits() {
    // Eight ten-minute installs on a host of 4: eight present through the first 20 minutes,
    // none from the 20th on.
    let host = shared("host", Capacity::Concurrent(4.0), Some(1.0));
    let s = fleet(8, COMMAND_10M, vec![host], 0, Uses { run: Some(0), ..Uses::default() });
    let program = patchsim::sequence::Program::compile(&s);
    let sim = patchsim::engine::Simulator::new(&s, &program);
    let loads = sim.resource_load(1, 0);
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0].users, vec![[vec![8; 20], vec![0]].concat()]);
    // Each of the eight took 20 minutes for 10 alone: 80 minutes slowed in the one window, the
    // same as the servers' own records say.
    assert_eq!(loads[0].window_wait_minutes, vec![80.0]);
    let mut scratch = sim.scratch();
    let mut sink = patchsim::messages::Emissions::new(1);
    let mut waited = 0;
    sim.run_replication(1, 0, &mut scratch, &mut sink, |r| waited += r.resource_wait);
    assert_eq!(waited, 80 * MINUTE);
    // The report draws it: a resources chart and a section naming the host.
    let report = patchsim::report::data::ReportData::of(&s, crate::common::summary(&s, 1, 2, 1), &{
        let o = patchsim::montecarlo::RunOptions::new(1, 2, 1);
        patchsim::montecarlo::run(&s, &program, &o).unwrap()
    })
    .with_resources(&s, &loads);
    let files = patchsim::report::bundle::report_files(&report, patchsim::report::csv_style::CsvStyle::Plain).unwrap();
    assert!(files.iter().any(|f| f.name == "resources.svg"));
    let html = files.iter().find(|f| f.name == "report.html").unwrap();
    let html = String::from_utf8_lossy(&html.bytes);
    assert!(html.contains("<h2>Shared resources</h2>") && html.contains("<td>host</td>"), "no resource section");
    assert!(html.contains("Which resource limits which windows"));
    // Without resources: nothing to record, no chart, no section.
    let plain = scenario(&[], COMMAND_10M);
    let program = patchsim::sequence::Program::compile(&plain);
    assert!(patchsim::engine::Simulator::new(&plain, &program).resource_load(1, 0).is_empty());
}

/// Every item of a step fetches and installs on shared resources, so each answer comes inside
/// the step: a replay resumes at the item that asked, and must end where the arithmetic says.
#[test]
fn items_that_each_download_and_install_end_where_the_shares_say() {
    let body = r#"
[[step]]
name = "Apps"
type = "install_software"
items = 3
per_item = "10m"
exit_codes = { 0 = 1.0 }
[[step]]
name = "Patch"
type = "install_updates"
items = 2
scan = "0s"
per_item = "10m"
"#;
    let dp = shared("dp", Capacity::Rate(125_000.0), None);
    let host = shared("host", Capacity::Concurrent(1.0), Some(1.0));
    let mut s = fleet(2, body, vec![dp, host], 0, Uses { download: Some(0), install: Some(1), ..Uses::default() });
    for k in 0..2 {
        let NodeKind::Step(st) = &mut s.steps[k].kind else { unreachable!() };
        st.download = Some(Download { size: SizeDist(DurationDist::Fixed(600_000_000)), cached: 0.0 });
        if k == 1 {
            st.uses = Uses { download: Some(0), install: Some(1), ..Uses::default() };
        }
    }
    // Two servers share each 600 MB download (9.6 s) and each 10-minute install on a host of 1
    // (20 minutes): an app item takes 20m9.6s. The update step downloads both updates' 1.2 GB
    // in one transfer (19.2 s, shared) and installs two (40 minutes, shared).
    let item = 20 * MINUTE + 9_600;
    let expected = 3 * item + 19_200 + 40 * MINUTE;
    assert_eq!(ends(&s), vec![expected; 2]);
    let (lines, _) = trace(&s, 1);
    let apps: Vec<&str> = lines.iter().filter(|l| l.contains(" Apps#")).map(String::as_str).collect();
    assert_eq!(
        apps,
        [
            "0m-1209600ms Apps#0 ok exit 0",
            "1209600ms-2419200ms Apps#1 ok exit 0",
            "2419200ms-3628800ms Apps#2 ok exit 0"
        ]
    );
}
