//! One test (or more) per engine rule of `docs/model.md` and the scenario format's run semantics, each asserting
//! the exact timeline of a traced server.

use crate::common::{messages_only, scenario, steps_only, summary, trace};
use patchsim::engine::Outcome;
use patchsim::scenario::duration::MINUTE;

/// A trace time (`"15m"` or `"1234ms"`) in milliseconds.
fn millis(at: &str) -> u64 {
    match at.strip_suffix("ms") {
        Some(ms) => ms.parse().unwrap(),
        None => at.trim_end_matches('m').parse::<u64>().unwrap() * MINUTE,
    }
}

fn worked_example(step1: &str, step2: &str, step4: &str) -> patchsim::scenario::Scenario {
    let body = format!(
        r#"
[[step]]
group = "Group 1"
continue_on_error = true
  [[step.steps]]
  name = "Step 1"
  type = "command"
  duration = "1m"
  exit_codes = {{ {step1} = 1.0 }}
  continue_on_error = true
  [[step.steps]]
  name = "Step 2"
  type = "command"
  duration = "1m"
  exit_codes = {{ {step2} = 1.0 }}
  [[step.steps]]
  name = "Step 3"
  type = "command"
  duration = "1m"
[[step]]
group = "Group 2"
  [[step.steps]]
  name = "Step 4"
  type = "command"
  duration = "1m"
  exit_codes = {{ {step4} = 1.0 }}
"#
    );
    scenario(&[], &body)
}

/// The engine's worked example (docs/model.md): step 1 (continue on error) fails → step 2 runs.
#[test]
fn worked_example_step1_fails_and_step2_runs() {
    let (lines, record) = trace(&worked_example("1", "0", "0"), 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m Group 1 started",
            "0m-1m Step 1 failed exit 1",
            "1m-2m Step 2 ok exit 0",
            "2m-3m Step 3 ok exit 0",
            "3m Group 1 ended",
            "3m Group 2 started",
            "3m-4m Step 4 ok exit 0",
            "4m Group 2 ended",
            "4m run ended completed_in_window",
        ]
    );
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
    // run_started 1 + 2 group_started + step_failed 1 + 3 step_succeeded + 2 group_completed + run_completed 2.
    assert_eq!(record.messages, 11);
}

/// Step 2 fails → step 3 is skipped (and sends nothing) and group 2 runs.
#[test]
fn worked_example_step2_fails_group1_ends_and_group2_runs() {
    let (lines, record) = trace(&worked_example("0", "1", "0"), 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m Group 1 started",
            "0m-1m Step 1 ok exit 0",
            "1m-2m Step 2 failed exit 1",
            "2m Group 1 ended by failure",
            "2m Group 2 started",
            "2m-3m Step 4 ok exit 0",
            "3m Group 2 ended",
            "3m run ended completed_in_window",
        ]
    );
    assert_eq!(
        messages_only(&lines),
        [
            "0m msg run_started x1",
            "0m msg group_started x1",
            "1m msg step_succeeded x1",
            "2m msg step_failed x1",
            "2m msg group_completed x1",
            "2m msg group_started x1",
            "3m msg step_succeeded x1",
            "3m msg group_completed x1",
            "3m msg run_completed x2",
        ]
    );
    assert_eq!(record.messages, 10);
}

/// A step of group 2 fails → the sequence fails; it completes when that step succeeds.
#[test]
fn worked_example_fails_when_step4_fails_and_completes_when_it_succeeds() {
    let (lines, record) = trace(&worked_example("0", "0", "1"), 0);
    assert_eq!(
        steps_only(&lines)[7..],
        ["3m-4m Step 4 failed exit 1", "4m Group 2 ended by failure", "4m run ended failed"]
    );
    assert_eq!(record.outcome, Outcome::Failed);
    assert!(lines.contains(&"4m msg run_failed x2".to_owned()));
    assert_eq!(record.messages, 11);

    let (_, ok) = trace(&worked_example("0", "0", "0"), 0);
    assert_eq!(ok.outcome, Outcome::CompletedInWindow);
    assert_eq!(ok.end, 4 * MINUTE);
    assert_eq!(ok.messages, 11);
}

fn hotfixes(on_3010: &str, restart_step: bool) -> patchsim::scenario::Scenario {
    let mut body = format!(
        r#"
[[step]]
name = "Hotfixes"
type = "install_software"
items = 5
per_item = "2m"
exit_codes = {{ 3010 = 1.0 }}
on_3010 = {on_3010}
"#
    );
    if restart_step {
        body.push_str(
            r#"
[[step]]
name = "Restart if required"
type = "restart"
condition = "RebootRequired == 'true'"
notify = "0s"
"#,
        );
    }
    scenario(&[], &body)
}

/// Five hotfixes returning 3010 unwrapped: five restarts, each right after its item.
#[test]
fn five_unwrapped_3010_hotfixes_restart_five_times() {
    let (lines, record) = trace(&hotfixes("\"restart\"", false), 0);
    assert_eq!(record.restarts, 5);
    assert_eq!(
        steps_only(&lines)[1..5],
        [
            "0m-2m Hotfixes#0 ok exit 3010",
            "2m-12m restart after Hotfixes (exit code 3010)",
            "12m-14m Hotfixes#1 ok exit 3010",
            "14m-24m restart after Hotfixes (exit code 3010)",
        ]
    );
    assert_eq!(record.end, 60 * MINUTE);
    // 5 step_succeeded + 5 restart + run_started + 2 run_completed.
    assert_eq!(record.messages, 13);
}

/// The same hotfixes behind a wrapper, with one conditional Restart Computer: one restart.
#[test]
fn wrapped_3010_hotfixes_restart_once() {
    let (lines, record) = trace(&hotfixes("{ set = \"RebootRequired\" }", true), 0);
    assert_eq!(record.restarts, 1);
    assert_eq!(
        steps_only(&lines)[5..],
        [
            "8m-10m Hotfixes#4 ok exit 0",
            "10m-10m Restart if required ok",
            "10m-20m restart after Restart if required (Restart Computer)",
            "20m run ended completed_in_window",
        ]
    );
    assert_eq!(record.messages, 10);
    // Without the wrapper's variable the conditional restart is skipped.
    let (lines, record) = trace(&hotfixes("\"restart\"", true), 0);
    assert_eq!(record.restarts, 5);
    assert!(lines.iter().any(|l| l.contains("Restart if required skipped ConditionFalse")));
}

/// Exit 3010 outside the success codes fails the step, and the engine does not restart.
#[test]
fn exit_3010_outside_success_codes_fails_without_restart() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Strict"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
success_codes = [0]
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(steps_only(&lines)[1..], ["0m-1m Strict failed exit 3010", "1m run ended failed"]);
    assert_eq!(record.restarts, 0);
}

/// Custom success codes: exit 5 succeeds when listed.
#[test]
fn success_codes_decide_success() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Five"
type = "command"
duration = "1m"
exit_codes = { 5 = 1.0 }
success_codes = [0, 5]
"#,
    );
    let (_, record) = trace(&s, 0);
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
}

/// The max-run-time gate: the run starts only if the max run time fits in what is left.
#[test]
fn max_run_time_gate() {
    let step = "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n";
    let mrt = |mrt: &str, delay: &str| {
        let s = scenario(
            &[("max_run_time = \"0s\"", &format!("max_run_time = \"{mrt}\"\nstart_delay = \"{delay}\""))],
            step,
        );
        trace(&s, 0).1
    };
    // Exactly what is left: starts.
    assert_eq!(mrt("120m", "0s").outcome, Outcome::CompletedInWindow);
    // One minute late: 119 minutes left, 120 needed.
    let late = mrt("120m", "1m");
    assert_eq!(late.outcome, Outcome::NotStarted);
    assert_eq!(late.messages, 0);
    // Longer than the window: never starts.
    assert_eq!(mrt("121m", "0s").outcome, Outcome::NotStarted);
    // 0 means no check.
    assert_eq!(mrt("0s", "115m").outcome, Outcome::Overran);
    // A start at or after the window's end is past the deployment's expiry.
    assert_eq!(mrt("0s", "2h").outcome, Outcome::NotStarted);
}

/// Once started, a run keeps going past the window's end: an overrun.
#[test]
fn runs_past_the_window_end_overrun() {
    let s = scenario(&[], "\n[[step]]\nname = \"Long\"\ntype = \"command\"\nduration = \"150m\"\n");
    let (_, record) = trace(&s, 0);
    assert_eq!(record.outcome, Outcome::Overran);
    assert_eq!(record.end, 150 * MINUTE);
    let sum = summary(&s, 1, 1, 1);
    assert_eq!(sum.overrun_minutes.count, 1);
    assert!((sum.overrun_minutes.mean - 30.0).abs() < 1e-9);
    assert_eq!(sum.outcomes.overran.mean, 1.0);
}

/// A run still going at start + max run time is stopped there; `stopped` wins over `overran`.
#[test]
fn stop_at_max_run_time() {
    let body = "\n[[step]]\nname = \"Long\"\ntype = \"command\"\nduration = \"3h\"\n";
    let stopped = scenario(&[("max_run_time = \"0s\"", "max_run_time = \"120m\"")], body);
    let (lines, record) = trace(&stopped, 0);
    assert_eq!(record.outcome, Outcome::Stopped);
    assert_eq!(record.end, 120 * MINUTE);
    assert_eq!(messages_only(&lines), ["0m msg run_started x1", "120m msg run_failed x2"]);

    let not_stopped =
        scenario(&[("max_run_time = \"0s\"", "max_run_time = \"120m\"\nstop_at_max_run_time = false")], body);
    let (_, record) = trace(&not_stopped, 0);
    assert_eq!(record.outcome, Outcome::Overran);
    assert_eq!(record.end, 180 * MINUTE);

    // A run that ends exactly at the deadline is not stopped.
    let exact = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"120m\"")],
        "\n[[step]]\nname = \"Exact\"\ntype = \"command\"\nduration = \"120m\"\n",
    );
    assert_eq!(trace(&exact, 0).1.outcome, Outcome::CompletedInWindow);

    // A restart that would end past the deadline: stopped during the restart, which counts.
    let during_restart = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"120m\"")],
        "\n[[step]]\nname = \"Patch\"\ntype = \"command\"\nduration = \"115m\"\nexit_codes = { 3010 = 1.0 }\n",
    );
    let (lines, record) = trace(&during_restart, 0);
    assert_eq!(record.outcome, Outcome::Stopped);
    assert_eq!(record.restarts, 1);
    assert!(!lines.iter().any(|l| l.contains("msg restart")));
}

fn updates(extra: &str, continue_on_error: bool, after: &str) -> patchsim::scenario::Scenario {
    scenario(
        &[("servers = 1", "servers = 1\npending_restart = 1.0")],
        &format!(
            r#"
[[step]]
name = "Updates"
type = "install_updates"
scan = "5m"
per_item = "10m"
continue_on_error = {continue_on_error}
{extra}
{after}
"#
        ),
    )
}

/// Install Software Updates: the pending restart first, then the scan, then each item.
#[test]
fn install_updates_restarts_first_when_pending() {
    let (lines, record) = trace(&updates("items = 2\nrestart_if_pending = true", false, ""), 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m-10m restart after Updates (pending restart)",
            "0m-35m Updates ok",
            "35m run ended completed_in_window",
        ]
    );
    assert_eq!(record.restarts, 1);
    // Without restart_if_pending the pending restart is left alone.
    let (lines, record) = trace(&updates("items = 2", false, ""), 0);
    assert_eq!(steps_only(&lines)[1], "0m-25m Updates ok");
    assert_eq!(record.restarts, 0);
}

/// Updates that ask for a restart get exactly one; the step then runs again (its scan) and
/// completes after the restart.
#[test]
fn install_updates_restarts_once_after_the_step() {
    let (lines, record) = trace(&updates("items = 3\nrestart_share = 1.0", false, ""), 0);
    assert_eq!(steps_only(&lines)[1..3], ["35m-45m restart after Updates (updates asked)", "0m-50m Updates ok"]);
    assert_eq!(record.restarts, 1);
}

/// Zero items: the scan still runs.
#[test]
fn install_updates_with_no_items_still_scans() {
    let (lines, record) = trace(&updates("items = 0", false, ""), 0);
    assert_eq!(steps_only(&lines)[1], "0m-5m Updates ok");
    assert_eq!(record.messages, 1 + 1 + 2);
}

/// Failed updates fail the step only after every item ran.
#[test]
fn install_updates_fails_after_all_items() {
    let (lines, record) = trace(&updates("items = 3\nfailure = 1.0", false, ""), 0);
    assert_eq!(steps_only(&lines)[1..], ["0m-35m Updates failed", "35m run ended failed"]);
    assert_eq!(record.outcome, Outcome::Failed);
}

/// The restart after updates follows the step also when it failed and continues on error, and
/// not when the failure ends the run. Checked on every server of a fleet with mixed draws.
#[test]
fn install_updates_restart_after_a_failed_step_only_when_the_run_goes_on() {
    for continue_on_error in [true, false] {
        let mut s = updates(
            "items = 6\nfailure = 0.3\nrestart_share = 1.0",
            continue_on_error,
            "\n[[step]]\nname = \"After\"\ntype = \"sleep\"\nduration = \"1m\"\n",
        );
        s.fleet.servers = 200;
        let (mut failed_with_installed, mut failed_all) = (0, 0);
        for server in 0..200 {
            let (lines, _) = trace(&s, server);
            let steps = steps_only(&lines);
            let Some(at) = steps.iter().position(|l| l.ends_with("Updates failed")) else { continue };
            // With restart_share = 1, every installed update asks: a restart is due unless all
            // six failed (then 6 × 10m + 5m = 65m of items and scan, and nobody asked).
            let all_failed = steps[at].starts_with("0m-65m") && steps[at + 1].contains("After");
            if all_failed {
                failed_all += 1;
                continue;
            }
            failed_with_installed += 1;
            if continue_on_error {
                assert!(steps[at + 1].contains("restart after Updates (updates asked)"), "{steps:?}");
                assert!(steps[at + 2].contains("After ok"), "{steps:?}");
            } else {
                assert!(steps[at + 1].contains("run ended failed"), "{steps:?}");
            }
        }
        assert!(failed_with_installed > 50, "too few failed steps to test the rule: {failed_with_installed}");
        let _ = failed_all;
    }
}

/// install_software: each item is its own step (message, exit code); zero items do nothing.
#[test]
fn install_software_items_are_separate_steps() {
    let body = |items: u32, coe: bool| {
        format!(
            r#"
[[step]]
name = "Software"
type = "install_software"
items = {items}
per_item = "2m"
exit_codes = {{ 1 = 1.0 }}
continue_on_error = {coe}
"#
        )
    };
    let (lines, record) = trace(&scenario(&[], &body(0, false)), 0);
    assert_eq!(steps_only(&lines), ["0m run started", "0m run ended completed_in_window"]);
    assert_eq!(record.messages, 3);

    // Failing items without continue on error: the first failure ends the step and the run.
    let (lines, record) = trace(&scenario(&[], &body(3, false)), 0);
    assert_eq!(steps_only(&lines)[1..], ["0m-2m Software#0 failed exit 1", "2m run ended failed"]);
    assert_eq!(record.messages, 1 + 1 + 2);

    // With continue on error every item runs and reports.
    let (lines, record) = trace(&scenario(&[], &body(3, true)), 0);
    assert_eq!(messages_only(&lines).iter().filter(|l| l.contains("step_failed")).count(), 3);
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
    assert_eq!(record.end, 6 * MINUTE);
}

/// A step that would run past its time-out is killed at the time-out and fails.
#[test]
fn timeout_kills_the_step() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Slow"
type = "command"
duration = "30m"
timeout = "10m"
continue_on_error = true
[[step]]
name = "Next"
type = "sleep"
duration = "1m"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(steps_only(&lines)[1..3], ["0m-10m Slow failed timed out", "10m-11m Next ok"]);
    assert_eq!(record.end, 11 * MINUTE);
}

/// A restart that hangs: the run fails when the restart began and sends nothing more.
#[test]
fn hung_restart_fails_the_run_silently() {
    let s = scenario(
        &[("duration = \"10m\"", "duration = \"10m\"\nhang = 1.0")],
        r#"
[[step]]
name = "Work"
type = "command"
duration = "5m"
[[step]]
name = "Reboot"
type = "restart"
notify = "0s"
[[step]]
name = "Never"
type = "command"
duration = "5m"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        lines,
        [
            "0m run started",
            "0m msg run_started x1",
            "0m-5m Work ok exit 0",
            "5m msg step_succeeded x1",
            "5m-5m Reboot ok",
            "5m msg step_succeeded x1",
            "5m-hung restart after Reboot (Restart Computer)",
            "5m run ended failed",
        ]
    );
    assert_eq!(record.outcome, Outcome::Failed);
    assert_eq!((record.restarts, record.end, record.messages), (1, 5 * MINUTE, 3));
}

/// Disabled steps and groups, and false conditions, are skipped with their own messages.
#[test]
fn disabled_and_conditional_nodes_are_skipped() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Off"
type = "command"
duration = "1m"
disabled = true
[[step]]
name = "Set role"
type = "set_variable"
variable = "Role"
value = "sql"
[[step]]
name = "Only SQL"
type = "sleep"
duration = "1m"
condition = "Role == 'sql'"
[[step]]
name = "Not SQL"
type = "sleep"
duration = "1m"
condition = "Role != 'sql'"
[[step]]
name = "No other"
type = "sleep"
duration = "1m"
condition = "not Other exists"
[[step]]
group = "Skipped group"
condition = "Other exists"
  [[step.steps]]
  name = "Inside"
  type = "sleep"
  duration = "1m"
[[step]]
group = "Disabled group"
disabled = true
  [[step.steps]]
  name = "Inside too"
  type = "sleep"
  duration = "1m"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m Off skipped Disabled",
            "0m-0m Set role ok",
            "0m-1m Only SQL ok",
            "1m Not SQL skipped ConditionFalse",
            "1m-2m No other ok",
            "2m Skipped group skipped ConditionFalse",
            "2m Disabled group skipped Disabled",
            "2m run ended completed_in_window",
        ]
    );
    assert_eq!(
        messages_only(&lines),
        [
            "0m msg run_started x1",
            "0m msg step_disabled x1",
            "0m msg step_succeeded x1",
            "1m msg step_succeeded x1",
            "1m msg step_skipped x1",
            "2m msg step_succeeded x1",
            "2m msg group_skipped x1",
            "2m msg group_skipped x1",
            "2m msg run_completed x2",
        ]
    );
    assert_eq!(record.messages, 10);
}

/// Message counts per event and per step override the defaults.
#[test]
fn message_counts_are_settings() {
    let s = scenario(
        &[],
        r#"
[messages]
run_started = 0
run_completed = 3
step_succeeded = 4
[[step]]
name = "Default count"
type = "sleep"
duration = "1m"
[[step]]
name = "Own count"
type = "sleep"
duration = "1m"
messages = 7
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        messages_only(&lines),
        ["1m msg step_succeeded x4", "2m msg step_succeeded x7", "2m msg run_completed x3"]
    );
    assert_eq!(record.messages, 14);
}

/// Restarts that begin after the window closed are counted apart.
#[test]
fn restarts_after_the_window_are_counted() {
    let s = scenario(
        &[],
        "\n[[step]]\nname = \"Late\"\ntype = \"command\"\nduration = \"130m\"\nexit_codes = { 3010 = 1.0 }\n",
    );
    let (_, record) = trace(&s, 0);
    assert_eq!((record.restarts, record.restarts_outside), (1, 1));
    let sum = summary(&s, 1, 1, 1);
    assert_eq!(sum.restarts.per_server_mean, 1.0);
    assert_eq!(sum.restarts.outside_window_per_server_mean, 1.0);
}

/// Class variables gate steps; class counts and restart durations override the fleet's.
#[test]
fn classes_bring_variables_counts_and_restart_durations() {
    let s = scenario(
        &[("servers = 1", "servers = 200\n[fleet.counts]\nhotfixes = 0")],
        r#"
[[fleet.class]]
name = "general"
share = 0.5
[[fleet.class]]
name = "clustered"
share = 0.5
variables = { PrePatchAction = "failover.ps1" }
restart = "20m"
counts = { hotfixes = 2 }
[[step]]
name = "Pre"
type = "command"
duration = "3m"
condition = "PrePatchAction exists"
[[step]]
name = "Hotfixes"
type = "install_software"
items = "hotfixes"
per_item = "1m"
exit_codes = { 3010 = 1.0 }
"#,
    );
    let (mut general, mut clustered) = (0, 0);
    for server in 0..200 {
        let (lines, record) = trace(&s, server);
        if record.class == 1 {
            clustered += 1;
            assert_eq!(record.restarts, 2);
            assert_eq!(record.end, (3 + 1 + 20 + 1 + 20) * MINUTE);
            assert!(lines.iter().any(|l| l == "0m-3m Pre ok exit 0"));
        } else {
            general += 1;
            assert_eq!(record.restarts, 0);
            assert!(lines.iter().any(|l| l == "0m Pre skipped ConditionFalse"));
        }
    }
    // Shares of 0.5 over 200 servers: both classes well represented (binomial sd ≈ 7).
    assert!((70..=130).contains(&general) && (70..=130).contains(&clustered), "{general} / {clustered}");
}

/// Ordering conditions compare numbers as numbers and text as text; an unset variable is never
/// ordered.
#[test]
fn ordering_conditions_gate_steps_on_collection_variables() {
    let s = scenario(
        &[("servers = 1", "servers = 60")],
        r#"
[[fleet.class]]
name = "old"
share = 0.4
variables = { Build = "9", Tier = "b9" }
[[fleet.class]]
name = "new"
share = 0.4
variables = { Build = "10", Tier = "b10" }
[[fleet.class]]
name = "bare"
share = 0.2
[[step]]
name = "Build below 10"
type = "sleep"
duration = "1m"
condition = "Build < '10'"
[[step]]
name = "Tier from b5 on"
type = "sleep"
duration = "1m"
condition = "Tier >= 'b5'"
[[step]]
name = "Not above 9"
type = "sleep"
duration = "1m"
condition = "not Build > '9'"
"#,
    );
    let mut seen = [false; 3];
    for server in 0..60 {
        let (lines, record) = trace(&s, server);
        let ran = |name: &str| lines.iter().any(|l| l.contains(&format!(" {name} ok")));
        let got = (ran("Build below 10"), ran("Tier from b5 on"), ran("Not above 9"));
        let expected = match record.class {
            0 => (true, true, true),    // 9 < 10; "b9" ≥ "b5"; 9 is not > 9
            1 => (false, false, false), // 10 is not < 10; "b10" < "b5" as text; 10 > 9
            _ => (false, false, true),  // unset: never ordered, so `not >` holds
        };
        assert_eq!(got, expected, "class {}", record.class);
        seen[record.class as usize] = true;
    }
    assert_eq!(seen, [true; 3], "every class was traced");
}

/// A `probe` holds with the node's `probe_holds`, drawn per server: the share of servers that
/// run the step is binomial around it. Default: the probe holds.
#[test]
fn probes_hold_with_their_probability() {
    let s = scenario(
        &[("servers = 1", "servers = 4000")],
        r#"
[[step]]
name = "WMI gated"
type = "command"
duration = "1m"
condition = "probe"
probe_holds = 0.3
[[step]]
name = "Two probes"
type = "command"
duration = "1m"
condition = "probe and probe"
probe_holds = 0.5
[[step]]
name = "Default probe"
type = "command"
duration = "1m"
condition = "probe"
"#,
    );
    let sum = summary(&s, 1, 1, 1);
    // Each gated step that runs adds a minute: mean duration = 0.3 + 0.25 + 1 minutes.
    // Binomial sd over 4000 servers: sqrt(0.21/4000) + sqrt(0.1875/4000) ≈ 0.014 minutes.
    let minutes = sum.duration_minutes.mean;
    assert!((minutes - 1.55).abs() < 0.06, "{minutes}");
    let (lines, _) = trace(&s, 0);
    assert!(lines.iter().any(|l| l.contains("Default probe ok")), "{lines:?}");
    // The same seed gives the same probes.
    assert_eq!(trace(&s, 7).0, trace(&s, 7).0);
}

/// Extension (excluded) and offline (not started) shares.
#[test]
fn extension_and_offline_servers() {
    let all_excluded = scenario(
        &[("servers = 1", "servers = 10\nextension = 1.0")],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let sum = summary(&all_excluded, 1, 2, 1);
    assert_eq!(sum.fleet.excluded_mean, 10.0);
    assert_eq!(sum.fleet.targeted_mean, 0.0);
    assert_eq!(sum.status_messages.total_mean, 0.0);

    let all_offline = scenario(
        &[("servers = 1", "servers = 10\noffline = 1.0")],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let sum = summary(&all_offline, 1, 2, 1);
    assert_eq!(sum.fleet.targeted_mean, 10.0);
    assert_eq!(sum.outcomes.not_started.mean, 1.0);
    assert_eq!(sum.status_messages.total_mean, 0.0);

    // A 30% extension share over 20,000 servers: the count is binomial, sd ≈ 65.
    let some = scenario(
        &[("servers = 1", "servers = 20000\nextension = 0.3\noffline = 0.1")],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let sum = summary(&some, 1, 1, 1);
    assert!((sum.fleet.excluded_mean - 6_000.0).abs() < 325.0, "{}", sum.fleet.excluded_mean);
    assert!((sum.outcomes.not_started.mean - 0.1).abs() < 0.012, "{}", sum.outcomes.not_started.mean);
}

/// Even assignment: round-robin within each class gives every window the same count.
#[test]
fn even_assignment_fills_windows_equally() {
    let s = scenario(
        &[
            ("servers = 1", "servers = 84"),
            ("days = [\"Mon\"]", "days = [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"]"),
            ("starts = [\"00:00\"]", "starts = [\"00:00\", \"04:00\", \"08:00\", \"12:00\", \"16:00\", \"20:00\"]"),
        ],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let sum = summary(&s, 1, 3, 1);
    assert_eq!(sum.windows.len(), 42);
    assert!(sum.windows.iter().all(|w| w.targeted_mean == 2.0));
    assert_eq!(sum.windows[0].name, "Mon 00:00");
    assert_eq!(sum.windows[41].name, "Sun 20:00");
}

/// Weighted assignment draws windows in proportion to the weights.
#[test]
fn weighted_assignment_follows_the_weights() {
    let s = scenario(
        &[
            ("servers = 1", "servers = 8000"),
            ("starts = [\"00:00\"]", "starts = [\"00:00\", \"04:00\", \"08:00\"]\nassign = { weights = [1, 0, 3] }"),
        ],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let sum = summary(&s, 1, 1, 1);
    assert_eq!(sum.windows[1].targeted_mean, 0.0);
    // Binomial(8000, 0.25): sd ≈ 39.
    assert!((sum.windows[0].targeted_mean - 2_000.0).abs() < 200.0);
    assert_eq!(sum.windows[0].targeted_mean + sum.windows[2].targeted_mean, 8_000.0);
}

/// The start delay moves the start; the window's clock is Monday 00:00 based.
#[test]
fn windows_and_start_delay_place_the_run_in_the_week() {
    let s = scenario(
        &[
            ("days = [\"Mon\"]", "days = [\"Tue\"]"),
            ("starts = [\"00:00\"]", "starts = [\"04:00\"]"),
            ("max_run_time = \"0s\"", "max_run_time = \"0s\"\nstart_delay = \"90s\""),
        ],
        "\n[[step]]\nname = \"W\"\ntype = \"sleep\"\nduration = \"1m\"\n",
    );
    let (_, record) = trace(&s, 0);
    let tue_4am = (24 + 4) * 60 * MINUTE;
    assert_eq!(record.start, tue_4am + 90_000);
    assert_eq!(record.end, tue_4am + 150_000);
}

/// A Restart Computer step's own duration overrides the class and [restart] durations.
#[test]
fn restart_step_duration_override() {
    let s = scenario(&[], "\n[[step]]\nname = \"Reboot\"\ntype = \"restart\"\nduration = \"3m\"\nnotify = \"0s\"\n");
    let (lines, _) = trace(&s, 0);
    assert!(lines.contains(&"0m-3m restart after Reboot (Restart Computer)".to_owned()), "{lines:?}");
}

/// A failure deep in nested groups closes every group up to the one that continues on error.
#[test]
fn failure_unwinds_nested_groups_to_the_catching_group() {
    let s = scenario(
        &[],
        r#"
[[step]]
group = "Outer"
continue_on_error = true
  [[step.steps]]
  group = "Middle"
    [[step.steps.steps]]
    group = "Inner"
      [[step.steps.steps.steps]]
      name = "Boom"
      type = "command"
      duration = "1m"
      exit_codes = { 2 = 1.0 }
      [[step.steps.steps.steps]]
      name = "Never"
      type = "sleep"
      duration = "1m"
  [[step.steps]]
  name = "Not reached"
  type = "sleep"
  duration = "1m"
[[step]]
name = "After"
type = "sleep"
duration = "1m"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m Outer started",
            "0m Middle started",
            "0m Inner started",
            "0m-1m Boom failed exit 2",
            "1m Inner ended by failure",
            "1m Middle ended by failure",
            "1m Outer ended by failure",
            "1m-2m After ok",
            "2m run ended completed_in_window",
        ]
    );
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
}

/// Software-update state messages: one batch per client boundary (phase + k × 15 min), holding
/// `state_per_update` messages for every update installed or failed before it.
#[test]
fn state_messages_go_out_at_the_next_batch_boundary() {
    let mut s = scenario(
        &[],
        r#"
[messages]
state_per_update = 2
state_batch = "15m"
[[step]]
name = "Updates"
type = "install_updates"
items = 3
per_item = "10m"
failure = 0.5
continue_on_error = true
"#,
    );
    s.fleet.servers = 40;
    for server in 0..40 {
        let (lines, record) = trace(&s, server);
        let batches: Vec<(u64, u64)> = lines
            .iter()
            .filter(|l| l.contains("msg state"))
            .map(|l| {
                let (at, rest) = l.split_once(' ').unwrap();
                (millis(at), rest.rsplit('x').next().unwrap().parse().unwrap())
            })
            .collect();
        // Six messages in all: two for each of the three updates (installed or failed).
        assert_eq!(batches.iter().map(|b| b.1).sum::<u64>(), 6, "server {server}: {lines:?}");
        assert_eq!(record.state_messages, 6);
        // Batches are 15 minutes apart on the client's own phase.
        let phase = batches[0].0 % (15 * MINUTE);
        assert!(batches.iter().all(|b| b.0 % (15 * MINUTE) == phase), "{batches:?}");
        // Each update (done at 10, 20, 30 min) goes out at the first boundary at or after it.
        let expected_boundary =
            |t: u64| if t <= phase { phase } else { phase + (t - phase).div_ceil(15 * MINUTE) * 15 * MINUTE };
        let mut expected: Vec<(u64, u64)> = Vec::new();
        for done in [10 * MINUTE, 20 * MINUTE, 30 * MINUTE] {
            let b = expected_boundary(done);
            match expected.last_mut() {
                Some(last) if last.0 == b => last.1 += 2,
                _ => expected.push((b, 2)),
            }
        }
        assert_eq!(batches, expected, "server {server}");
    }
}

/// State messages by topic (`state-messages.md`): the deployment's state when the run starts
/// and ends (300–302), each scan (501), each update a scan finds (detection, 500) and each
/// update's enforcement (402), all in the client's batches; with `state_jitter` each batch
/// leaves after its boundary by at most the jitter.
#[test]
fn state_messages_follow_their_topics_and_the_jittered_cycle() {
    let topics = |jitter: &str| {
        scenario(
            &[],
            &format!(
                r#"
[messages]
state_per_update = 3
state_per_scan = 1
state_per_detection = 1
state_per_deployment = 2
state_batch = "1h"
{jitter}
[[step]]
name = "Updates"
type = "install_updates"
items = 4
scan = "5m"
per_item = "1m"
"#
            ),
        )
    };
    let s = topics("");
    let (lines, record) = trace(&s, 0);
    // 2 at the start + (1 scan + 4 detections) + 4 × 3 enforcement + 2 at the end.
    assert_eq!(record.state_messages, 2 + 5 + 12 + 2, "{lines:?}");
    let batches: Vec<&String> = lines.iter().filter(|l| l.contains("msg state")).collect();
    // Everything happened within 9 minutes: one batch at the client's first boundary, unless
    // that boundary fell inside those 9 minutes.
    assert!(batches.len() <= 2, "{batches:?}");
    let due: Vec<u64> = batches.iter().map(|l| millis(l.split_once(' ').unwrap().0)).collect();
    // The same server with a 10-minute jitter: the same messages, each batch at most 10
    // minutes after the unjittered one, and the jitter differs between servers.
    let j = topics("state_jitter = \"10m\"");
    let (jl, jr) = trace(&j, 0);
    assert_eq!(jr.state_messages, record.state_messages);
    let jdue: Vec<u64> =
        jl.iter().filter(|l| l.contains("msg state")).map(|l| millis(l.split_once(' ').unwrap().0)).collect();
    assert_eq!(jdue.len(), due.len());
    for (a, b) in due.iter().zip(&jdue) {
        assert!(*b >= *a && *b <= *a + 10 * MINUTE, "{a} → {b}");
    }
    let mut j = j;
    j.fleet.servers = 20;
    let offsets: std::collections::BTreeSet<u64> = (0..20)
        .map(|i| {
            let first = |sc: &patchsim::scenario::Scenario| {
                let (l, _) = trace(sc, i);
                l.iter().find(|l| l.contains("msg state")).map(|l| millis(l.split_once(' ').unwrap().0)).unwrap()
            };
            let mut plain = topics("");
            plain.fleet.servers = 20;
            first(&j) - first(&plain)
        })
        .collect();
    assert!(offsets.len() > 10, "jitter is drawn per server and batch: {offsets:?}");
    // Without any count there are no state messages.
    assert_eq!(
        trace(&scenario(&[], "[[step]]\nname = \"U\"\ntype = \"install_updates\"\nitems = 2\nper_item = \"1m\"\n"), 0)
            .1
            .state_messages,
        0
    );
}

/// A batch due after the server hung for good is never sent; one due before is.
#[test]
fn state_messages_of_a_hung_server_stop_with_it() {
    let hung = |after: &str| {
        let mut s = scenario(
            &[("duration = \"10m\"", "duration = \"10m\"\nhang = 1.0")],
            &format!(
                r#"
[messages]
state_per_update = 1
state_batch = "1h"
[[step]]
name = "Updates"
type = "install_updates"
items = 1
per_item = "10m"
{after}
"#
            ),
        );
        s.fleet.servers = 30;
        (0..30)
            .map(|server| {
                let (_, record) = trace(&s, server);
                assert_eq!(record.outcome, Outcome::Failed);
                record.state_messages
            })
            .collect::<Vec<u32>>()
    };
    // The update is done at 10 minutes and its restart hangs at once: the batch (due at the
    // first boundary at or after 10 minutes) never goes out.
    assert!(hung("restart_share = 1.0").iter().all(|n| *n == 0));
    // The server hangs two hours later: the batch, due within the hour, went out before.
    let later = "\n[[step]]\nname = \"Wait\"\ntype = \"sleep\"\nduration = \"2h\"\n[[step]]\nname = \"Reboot\"\ntype = \"restart\"\n";
    assert!(hung(later).iter().all(|n| *n == 1));
}
