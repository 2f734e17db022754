//! The status-message infrastructure against closed forms and invariants: M/D/1 and M/M/1
//! queues, conservation of messages, outages, and more workers never being worse.

use std::sync::Mutex;

use patchsim::montecarlo::estimate::Estimate;
use patchsim::montecarlo::tally::ReplicationFigures;
use patchsim::montecarlo::{Hooks, RunOptions, RunResult, run_with, summarize};
use patchsim::report::data::LoadMeans;
use patchsim::report::load_csv::{WEEK_MINUTES, load_csv};
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;

/// `servers` servers each send exactly one message, at an independent uniform time in a
/// six-hour window: a Poisson-like stream of `servers / 21,600` messages a second.
fn one_message_each(servers: u64, infrastructure: &str) -> Scenario {
    let text = format!(
        r#"
name = "queue"
[fleet]
servers = {servers}
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "6h"
[deployment]
max_run_time = "0s"
[infrastructure]
{infrastructure}
[messages]
run_started = 0
run_completed = 0
run_failed = 0
step_succeeded = 1
[[step]]
name = "Send at a uniform time"
type = "sleep"
duration = {{ dist = "uniform", min = "0s", max = "6h" }}
"#
    );
    Scenario::from_toml(&text, "queue.toml").expect("queue scenario loads")
}

/// A run's results and every replication's figures, in replication order.
struct Ran {
    result: RunResult,
    figures: Vec<ReplicationFigures>,
}

fn run_it(s: &Scenario, seed: u64, replications: u64) -> Ran {
    let program = Program::compile(s);
    let collected = Mutex::new(Vec::new());
    let each = |f: &ReplicationFigures| collected.lock().unwrap().push(f.clone());
    let hooks = Hooks { done: None, each: Some(&each) };
    let result = run_with(s, &program, &RunOptions::new(seed, replications, 2), hooks).expect("runs");
    let mut figures = collected.into_inner().unwrap();
    figures.sort_by_key(|f| f.replication);
    Ran { result, figures }
}

/// Mean latency (seconds) of each replication.
fn latency_per_replication(result: &Ran) -> Estimate {
    let values: Vec<f64> = result
        .figures
        .iter()
        .map(|f| f.site.status_latency_sum_us as f64 / f.site.status_messages as f64 / 1.0e6)
        .collect();
    Estimate::of(&values)
}

/// M/D/1: λ = 6/s, μ = 10/s, ρ = 0.6. Mean wait ρ/(2μ(1−ρ)) = 0.075 s; in system 0.175 s.
#[test]
fn md1_mean_wait_matches_the_closed_form() {
    let (lambda, mu) = (6.0, 10.0);
    let s = one_message_each(21_600 * 6, "status_manager_rate = 10\nservice = \"fixed\"");
    let result = run_it(&s, 1, 8);
    let rho: f64 = lambda / mu;
    let expected = rho / (2.0 * mu * (1.0 - rho)) + 1.0 / mu;
    let e = latency_per_replication(&result);
    // Four standard errors of the replications' mean, plus 1% for sending times rounded to the
    // millisecond and the finite window's empty start.
    let tolerance = 4.0 * e.sd / (e.n as f64).sqrt() + 0.01 * expected;
    assert!((e.mean - expected).abs() < tolerance, "mean time in system {} vs {expected} (± {tolerance})", e.mean);
    // Every message was processed.
    assert!(result.figures.iter().all(|f| f.site.status_messages == 129_600));
}

/// M/M/1: λ = 6/s, μ = 10/s. Mean time in system 1/(μ − λ) = 0.25 s.
#[test]
fn mm1_mean_time_in_system_matches_the_closed_form() {
    let (lambda, mu) = (6.0, 10.0);
    let s = one_message_each(21_600 * 6, "status_manager_rate = 10\nservice = \"exponential\"");
    let result = run_it(&s, 2, 8);
    let expected = 1.0 / (mu - lambda);
    let e = latency_per_replication(&result);
    let tolerance = 4.0 * e.sd / (e.n as f64).sqrt() + 0.01 * expected;
    assert!((e.mean - expected).abs() < tolerance, "mean time in system {} vs {expected} (± {tolerance})", e.mean);
}

/// Every message sent reaches its inbox and is processed — status messages Status Manager, state
/// messages the State System: per component, in total, and minute by minute (load.csv's
/// backlog never goes negative and ends at zero).
#[test]
fn messages_are_conserved_through_every_component() {
    let text = std::fs::read_to_string("scenarios/monthly-server-patching.toml").unwrap().replace(
        "service = \"fixed\"",
        "service = \"exponential\"\noutages = [{ component = \"mp:2\", at = \"Mon 01:00\", length = \"45m\" }, \
         { component = \"status_manager\", at = \"Tue 04:30\", length = \"20m\" }]",
    );
    let text = text.replace("restart = 1\n", "restart = 1\nstate_per_update = 1\n");
    let mut s = Scenario::from_toml(&text, "conservation.toml").unwrap();
    s.fleet.servers = 3_000;
    let result = run_it(&s, 3, 3);
    for f in &result.figures {
        let site = &f.site;
        let through_mps: u64 = site.management_points.iter().map(|c| c.messages).sum();
        assert_eq!(f.messages, site.status_messages, "status messages sent = processed");
        assert_eq!(f.state_messages, site.state_messages, "state messages sent = processed");
        assert!(f.state_messages > 0);
        assert_eq!(through_mps, f.messages + f.state_messages);
        assert_eq!(site.status_manager.messages, f.messages);
        assert_eq!(site.state_system.messages, f.state_messages);
    }
    let series = &result.result.pooled.series;
    let (sent, arrived, processed): (u64, u64, u64) =
        (series.sent.iter().sum(), series.arrived.iter().sum(), series.processed.iter().sum());
    let total: u64 = result.figures.iter().map(|f| f.messages + f.state_messages).sum();
    let status: u64 = result.figures.iter().map(|f| f.messages).sum();
    // Sent counts both streams; arrived and processed are Status Manager's.
    assert_eq!((sent, arrived, processed), (total, status, status));
    // Totals over the three replications (written as one), so every cell is a whole count.
    let csv = String::from_utf8(load_csv(
        &LoadMeans::from_series(series, 1, WEEK_MINUTES),
        patchsim::report::csv_style::CsvStyle::Plain,
    ))
    .unwrap();
    let mut cumulative = (0.0, 0.0);
    for line in csv.lines().skip(1) {
        let cols: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
        cumulative.0 += cols[2];
        cumulative.1 += cols[3];
        assert!(cols[4] >= 0.0);
        assert!((cols[4] - (cumulative.0 - cumulative.1)).abs() < 1e-6, "{line}");
    }
    assert!(csv.lines().last().unwrap().ends_with(",0"));
}

/// A 30-minute Status Manager outage: the backlog peak is exactly the messages that arrived
/// while it was down; each waits at most 30 minutes; none is lost.
#[test]
fn an_outage_delays_but_loses_nothing() {
    let s = one_message_each(
        2_000,
        "status_manager_rate = 1000000\noutages = [{ component = \"status_manager\", at = \"Mon 01:00\", length = \"30m\" }]",
    );
    let result = run_it(&s, 4, 1);
    let f = &result.figures[0];
    let during: u64 = result.result.pooled.series.arrived[60..90].iter().sum();
    assert!(during > 100, "{during} messages during the outage");
    assert_eq!(f.site.backlog_peak, during);
    assert_eq!(f.site.status_messages, 2_000);
    let summary = summarize(&s, 4, &result.result);
    let max = summary.status_messages.latency_seconds.max;
    assert!(max <= 1_800.0 * 1.001 && max > 1_790.0, "longest wait {max} s");
    // Without the outage nothing waits.
    let calm = run_it(&one_message_each(2_000, "status_manager_rate = 1000000"), 4, 1);
    assert!(calm.figures[0].site.backlog_peak <= 2);
}

/// Two workers at rate μ each never do worse than one: no message is processed later.
#[test]
fn two_workers_never_do_worse_than_one() {
    for service in ["fixed", "exponential"] {
        let one = run_it(&one_message_each(60_000, &format!("status_manager_rate = 4\nservice = \"{service}\"")), 5, 3);
        let two = run_it(
            &one_message_each(
                60_000,
                &format!("status_manager_rate = 4\nstatus_manager_workers = 2\nservice = \"{service}\""),
            ),
            5,
            3,
        );
        for (a, b) in one.figures.iter().zip(&two.figures) {
            assert!(b.site.status_latency_sum_us <= a.site.status_latency_sum_us, "{service}");
            assert!(b.site.backlog_peak <= a.site.backlog_peak, "{service}");
            assert!(b.site.last_processed <= a.site.last_processed, "{service}");
        }
        // λ ≈ 2.8/s against 4/s: one worker queues noticeably, two barely.
        assert!(two.figures[0].site.status_latency_sum_us < one.figures[0].site.status_latency_sum_us);
    }
}

/// Management points at a finite rate add their own queue in front of Status Manager.
#[test]
fn slow_management_points_add_latency() {
    let fast = run_it(&one_message_each(60_000, "status_manager_rate = 100"), 6, 2);
    let slow = run_it(&one_message_each(60_000, "status_manager_rate = 100\nmanagement_points = 2\nmp_rate = 2"), 6, 2);
    let mean = |r: &Ran| latency_per_replication(r).mean;
    // Each MP sees λ ≈ 1.4/s against 2/s: an M/D/1 in front adds ρ/(2μ(1−ρ)) + 1/μ ≈ 1.08 s.
    let added = mean(&slow) - mean(&fast);
    assert!((added - (0.7 / (2.0 * 2.0 * 0.3) + 0.5)).abs() < 0.1, "MPs add {added} s");
    let mps = &slow.figures[0].site.management_points;
    assert_eq!(mps.len(), 2);
    assert!(mps.iter().all(|m| m.backlog_peak >= 2 && m.utilisation(1) > 0.6));
}

/// Two inboxes (statmgr.log: "Records the writing of all status messages to the database";
/// statesys.log: "Records the processing of state system messages"): state messages queue at the
/// State System with its own rate and workers, so an outage of one inbox delays only its own
/// messages, and each component counts only its stream.
#[test]
fn state_messages_queue_at_the_state_system_not_at_status_manager() {
    let scenario = |outage: &str| {
        let text = std::fs::read_to_string("scenarios/monthly-server-patching.toml")
            .unwrap()
            .replace("restart = 1\n", "restart = 1\nstate_per_update = 2\n")
            .replace(
                "service = \"fixed\"",
                &format!("service = \"fixed\"\nstate_system_rate = 50\nstate_system_workers = 2\n{outage}"),
            );
        let mut s = Scenario::from_toml(&text, "inboxes.toml").unwrap();
        s.fleet.servers = 2_000;
        s
    };
    let calm = scenario("");
    let ran = run_it(&calm, 5, 2);
    let summary = summarize(&calm, 5, &ran.result);
    let ss = summary.infrastructure.state_system.as_ref().expect("the State System is reported");
    assert_eq!((ss.name.as_str(), ss.rate, ss.workers), ("state_system", Some(50.0), 2));
    assert_eq!(ss.messages_mean, summary.state_messages.total_mean);
    assert_eq!(summary.infrastructure.status_manager.messages_mean, summary.status_messages.total_mean);
    // A Status Manager outage holds back status messages only; a State System outage state
    // messages only.
    let at = "outages = [{ component = \"COMPONENT\", at = \"Mon 01:00\", length = \"45m\" }]";
    let sm_down = scenario(&at.replace("COMPONENT", "status_manager"));
    let ss_down = scenario(&at.replace("COMPONENT", "state_system"));
    let figures = |s: &Scenario| summarize(s, 5, &run_it(s, 5, 2).result);
    let (a, b) = (figures(&sm_down), figures(&ss_down));
    let base = &summary;
    assert_eq!(a.state_messages.latency_seconds, base.state_messages.latency_seconds);
    assert!(a.status_messages.latency_seconds.max > 2_000.0, "{}", a.status_messages.latency_seconds.max);
    assert_eq!(b.status_messages.latency_seconds, base.status_messages.latency_seconds);
    assert!(b.state_messages.latency_seconds.max > 2_000.0, "{}", b.state_messages.latency_seconds.max);
    assert_eq!(b.status_messages.backlog_peak, base.status_messages.backlog_peak);
    // Without state messages there is no State System row.
    let none = one_message_each(100, "status_manager_rate = 10");
    let summary = summarize(&none, 1, &run_it(&none, 1, 1).result);
    assert!(summary.infrastructure.state_system.is_none());
}

/// Inline delivery: "The task sequence engine repeatedly tries to send status messages to the
/// management point. This behavior … causes delays in task sequence processing … If status
/// messages fail to send, they're not queued." At a down MP the engine tries again 3 times 60 s
/// apart, the sequence waiting; a message still unsent after the last try is lost.
#[test]
fn inline_delivery_delays_the_sequence_and_loses_what_a_down_mp_never_takes() {
    use crate::common::{scenario, trace};
    let s = |delivery: &str, outage: &str| {
        scenario(
            &[(
                "status_manager_rate = 100",
                &format!(
                    "status_manager_rate = 100\noutages = [{{ component = \"mp\", at = \"Mon 00:00\", length = \"{outage}\" }}]"
                ),
            )],
            &format!("[messages]\n{delivery}\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"1m\"\n"),
        )
    };
    // Down for 150 s: tries at 0, 60 and 120 s fail, the one at 180 s goes through.
    let (lines, record) = trace(&s("delivery = \"inline\"", "150s"), 0);
    assert_eq!(
        lines,
        [
            "0m run started",
            "3m msg run_started x1",
            "3m-4m Work ok exit 0",
            "4m msg step_succeeded x1",
            "4m msg run_completed x2",
            "4m run ended completed_in_window"
        ]
    );
    assert_eq!((record.messages, record.lost), (4, 0));
    // Down for 10 minutes: run_started is lost at 3m after its three retries; step_succeeded
    // (4m; tries at 5, 6, 7m) is lost at 7m; run_completed's tries at 8 and 9m fail and the one
    // at 10m, when the MP is back, goes through.
    let (lines, record) = trace(&s("delivery = \"inline\"", "10m"), 0);
    assert_eq!(
        lines,
        [
            "0m run started",
            "3m msg run_started x1 lost",
            "3m-4m Work ok exit 0",
            "7m msg step_succeeded x1 lost",
            "10m msg run_completed x2",
            "10m run ended completed_in_window"
        ]
    );
    assert_eq!((record.messages, record.lost), (2, 2));
    // Fewer tries, further apart.
    let (lines, _) = trace(&s("delivery = \"inline\"\nsend_retries = 1\nsend_retry_interval = \"5m\"", "150s"), 0);
    assert_eq!(lines[1], "5m msg run_started x1");
    // Queued (the default): no delay, nothing lost; the MP holds the messages.
    let (lines, record) = trace(&s("", "10m"), 0);
    assert_eq!(lines[..3], ["0m run started", "0m msg run_started x1", "0m-1m Work ok exit 0"]);
    assert_eq!(record.lost, 0);
    // The figure: lost messages a replication, only with inline delivery.
    let sum = crate::common::summary(&s("delivery = \"inline\"", "10m"), 1, 3, 1);
    assert_eq!(sum.status_messages.lost_mean, Some(2.0));
    assert_eq!(crate::common::summary(&s("", "10m"), 1, 3, 1).status_messages.lost_mean, None);
    let bad = Scenario::from_toml(
        &format!(
            "{}[messages]\nsend_retries = 2\n[[step]]\nname = \"W\"\ntype = \"command\"\nduration = \"1m\"\n",
            crate::common::BASE
        ),
        "x.toml",
    )
    .expect_err("refused")
    .to_string();
    assert!(bad.contains("messages.send_retries") && bad.contains("inline"), "{bad}");
}
