//! Restarts as the engine and the deployment run them (docs/model.md, "Restarts"): Restart
//! Computer's notification, the client after boot, durations by cause, restarts after the
//! window, hung servers brought back, and the 12-hour limit of a deployment without a maximum
//! run time. Each test asserts a traced server's exact timeline.

use crate::common::{scenario, steps_only, trace};
use patchsim::engine::Outcome;
use patchsim::scenario::Scenario;
use patchsim::scenario::duration::MINUTE;

const SECOND: u64 = 1_000;

fn restart_step(notify: &str) -> Scenario {
    scenario(
        &[],
        &format!(
            r#"
[[step]]
name = "Work"
type = "command"
duration = "1m"
[[step]]
name = "Reboot"
type = "restart"
{notify}
[[step]]
name = "After"
type = "command"
duration = "1m"
"#
        ),
    )
}

/// Restart Computer: "Message display time-out … The default is 60 seconds". The step completes,
/// the notification shows, then the restart begins.
#[test]
fn restart_computer_notifies_for_60_seconds_first() {
    let (lines, record) = trace(&restart_step(""), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Work ok exit 0",
            "1m-1m Reboot ok",
            "2m-12m restart after Reboot (Restart Computer)",
            "12m-13m After ok exit 0",
            "13m run ended completed_in_window"
        ]
    );
    assert_eq!(record.end, MINUTE + 60 * SECOND + 11 * MINUTE);
    let (lines, _) = trace(&restart_step("notify = \"0s\""), 0);
    assert_eq!(steps_only(&lines)[3], "1m-11m restart after Reboot (Restart Computer)");
}

fn causes(by_cause: &str, client: &str) -> Scenario {
    scenario(
        &[("duration = \"10m\"", &format!("duration = \"10m\"\n{by_cause}\n{client}"))],
        r#"
[[step]]
name = "Hotfix"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
[[step]]
name = "Reboot"
type = "restart"
notify = "0s"
"#,
    )
}

/// `[restart] by_cause` replaces the restart duration for restarts of one cause; the others keep
/// `[restart].duration`.
#[test]
fn restart_durations_by_cause() {
    let (lines, _) = trace(&causes("by_cause = { exit_3010 = \"25m\" }", ""), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Hotfix ok exit 3010",
            "1m-26m restart after Hotfix (exit code 3010)",
            "26m-26m Reboot ok",
            "26m-36m restart after Reboot (Restart Computer)",
            "36m run ended completed_in_window"
        ]
    );
    let (lines, _) = trace(&causes("by_cause = { restart_step = \"3m\", updates = \"40m\" }", ""), 0);
    assert_eq!(steps_only(&lines)[4], "11m-14m restart after Reboot (Restart Computer)");
}

/// Every cause with its own duration: a restart pending before Install Software Updates, the
/// update's own, one a step asked for (`SMSTSRebootRequested`), a 3010, a Restart Computer step.
#[test]
fn each_cause_takes_its_own_restart_duration() {
    let by_cause =
        r#"by_cause = { pending = "2m", updates = "3m", requested = "4m", exit_3010 = "5m", restart_step = "6m" }"#;
    let s = scenario(
        &[
            ("servers = 1", "servers = 1\npending_restart = 1.0"),
            ("duration = \"10m\"", &format!("duration = \"10m\"\n{by_cause}")),
        ],
        r#"
[[step]]
name = "Updates"
type = "install_updates"
items = 1
restart_if_pending = true
scan = "1m"
rescan = "1m"
per_item = "1m"
restart_share = 1.0
failure = 0.0
[[step]]
name = "Ask"
type = "set_variable"
variable = "SMSTSRebootRequested"
value = "true"
[[step]]
name = "Hotfix"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
[[step]]
name = "Reboot"
type = "restart"
notify = "0s"
"#,
    );
    let (lines, _) = trace(&s, 0);
    let restarts: Vec<String> = steps_only(&lines).into_iter().filter(|l| l.contains("restart")).collect();
    assert_eq!(
        restarts,
        [
            "0m-2m restart after Updates (pending restart)",
            "4m-7m restart after Updates (updates asked)",
            "8m-12m restart after Ask (SMSTSRebootRequested)",
            "13m-18m restart after Hotfix (exit code 3010)",
            "18m-24m restart after Reboot (Restart Computer)",
        ]
    );
}

/// After boot the engine waits for the client; past `client_timeout`
/// (`SMSTSWaitCcmexecOperationalTimeout`, 30 minutes) it gives up and the sequence fails.
#[test]
fn the_engine_waits_for_the_client_after_boot() {
    let (lines, record) = trace(&causes("", "client_wait = \"4m\""), 0);
    assert_eq!(steps_only(&lines)[2], "1m-15m restart after Hotfix (exit code 3010)");
    assert_eq!(record.end, 29 * MINUTE);
    let (lines, record) = trace(&causes("", "client_wait = \"45m\""), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        ["0m-1m Hotfix ok exit 3010", "1m-41m restart after Hotfix (exit code 3010)", "41m run ended failed"]
    );
    assert_eq!(record.outcome, Outcome::Failed);
    let (_, record) = trace(&causes("", "client_wait = \"45m\"\nclient_timeout = \"1h\""), 0);
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
}

fn late_restart(deployment: &str) -> Scenario {
    scenario(
        &[("max_run_time = \"0s\"", deployment)],
        r#"
[[step]]
name = "Long"
type = "command"
duration = "130m"
exit_codes = { 3010 = 1.0 }
[[step]]
name = "After"
type = "command"
duration = "1m"
"#,
    )
}

/// "By default, computer restarts caused by a deployment aren't allowed outside of a maintenance
/// window": with maintenance windows, a restart that would begin after the window closed fails
/// the sequence instead. Allowed, it happens and counts as a restart after the window.
#[test]
fn restarts_after_the_window_fail_unless_the_deployment_allows_them() {
    let deployment = "max_run_time = \"0s\"\nmaintenance_windows = true";
    let (lines, record) = trace(&late_restart(deployment), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        ["0m-130m Long ok exit 3010", "130m restart after Long refused (exit code 3010)", "130m run ended failed"]
    );
    assert_eq!((record.outcome, record.restarts), (Outcome::Failed, 0));
    let (_, record) = trace(&late_restart(&format!("{deployment}\nrestarts_outside_window = \"allow\"")), 0);
    assert_eq!((record.outcome, record.restarts, record.restarts_outside), (Outcome::Overran, 1, 1));
    // Without maintenance windows (advertisement times bound the run) restarts are allowed.
    let (_, record) = trace(&late_restart("max_run_time = \"0s\""), 0);
    assert_eq!((record.outcome, record.restarts_outside), (Outcome::Overran, 1));
    // And a deployment may refuse them anyway.
    let (_, record) = trace(&late_restart("max_run_time = \"0s\"\nrestarts_outside_window = \"fail\""), 0);
    assert_eq!(record.outcome, Outcome::Failed);
}

/// A hung restart with `hang_recovery`: the server comes back after that time (a person
/// power-cycles it) and the sequence resumes.
#[test]
fn a_hung_server_comes_back_after_hang_recovery() {
    let s = causes("hang = 1.0\nhang_recovery = \"2h\"", "");
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Hotfix ok exit 3010",
            "1m-121m restart after Hotfix (exit code 3010)",
            "121m-121m Reboot ok",
            "121m-241m restart after Reboot (Restart Computer)",
            "241m run ended overran"
        ]
    );
    assert_eq!((record.outcome, record.restarts), (Outcome::Overran, 2));
    let (_, record) = trace(&causes("hang = 1.0", ""), 0);
    assert_eq!(record.outcome, Outcome::Failed, "without hang_recovery a hung server never comes back");
}

/// A maximum run time of 0 is "evaluated as 12 hours (720 minutes) for monitoring progress": no
/// start check, and a run still going after 12 hours is stopped there.
#[test]
fn a_max_run_time_of_0_is_a_12_hour_limit() {
    let s = scenario(&[], "[[step]]\nname = \"Forever\"\ntype = \"command\"\nduration = \"13h\"\n");
    let (lines, record) = trace(&s, 0);
    assert_eq!(steps_only(&lines)[1..], ["720m run ended stopped"]);
    assert_eq!((record.outcome, record.end), (Outcome::Stopped, 12 * 60 * MINUTE));
    let s = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"0s\"\nstop_at_max_run_time = false")],
        "[[step]]\nname = \"Forever\"\ntype = \"command\"\nduration = \"13h\"\n",
    );
    assert_eq!(trace(&s, 0).1.outcome, Outcome::Overran);
}

#[test]
fn restart_settings_are_checked() {
    for (body, says) in [
        ("[restart]\nby_cause = { reboot = \"5m\" }\n", "unknown key"),
        ("[restart]\nclient_timeout = \"0s\"\n", "more than 0s and at most 24h"),
        ("[deployment]\nrestarts_outside_window = \"sometimes\"\n", "use \"allow\""),
    ] {
        let text = format!(
            "{}{body}[[step]]\nname = \"S\"\ntype = \"sleep\"\nduration = \"1m\"\n",
            crate::common::BASE
                .replace("[deployment]\nmax_run_time = \"0s\"\n", "")
                .replace("[restart]\nduration = \"10m\"\n", "")
        );
        let err = Scenario::from_toml(&text, "rule.toml").expect_err(body).to_string();
        assert!(err.starts_with("rule.toml:") && err.contains(says), "{err}");
    }
}

/// A maximum run time means maintenance windows unless the scenario says otherwise: without the
/// stop, a late restart then fails the run; `maintenance_windows = false` drops the start check
/// (advertisement times) and allows the restart.
#[test]
fn a_maximum_run_time_without_the_stop_refuses_late_restarts_unless_not_in_a_maintenance_window() {
    let (_, record) = trace(&late_restart("max_run_time = \"120m\"\nstop_at_max_run_time = false"), 0);
    assert_eq!((record.outcome, record.restarts), (Outcome::Failed, 0));
    let delayed = |mw: &str| {
        scenario(
            &[("max_run_time = \"0s\"", &format!("max_run_time = \"119m\"\nstart_delay = \"5m\"\n{mw}"))],
            "[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n",
        )
    };
    // 115 minutes left of the window: 119 do not fit, so in a maintenance window nothing starts.
    assert_eq!(trace(&delayed(""), 0).1.outcome, Outcome::NotStarted);
    assert_eq!(trace(&delayed("maintenance_windows = false"), 0).1.outcome, Outcome::CompletedInWindow);
}

/// An update that restarts the computer by itself after the window closed is not refused:
/// nothing asked for it, so nothing can refuse it.
#[test]
fn an_update_restarting_the_computer_by_itself_after_the_window_is_not_refused() {
    let s = scenario(
        &[("max_run_time = \"0s\"", "max_run_time = \"0s\"\nmaintenance_windows = true")],
        "[[step]]\nname = \"Updates\"\ntype = \"install_updates\"\nitems = 1\nper_item = \"125m\"\nunexpected_restart = 1.0\nretries = 0\ncontinue_on_error = true\n",
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(steps_only(&lines)[1], "125m-135m restart after Updates (an update restarted it)");
    assert_eq!((record.restarts_outside, record.outcome), (1, Outcome::Overran));
}

/// In a maintenance window the client starts a required deployment only when the maximum run
/// time plus its countdown fits in what is left of the window, and the sequence starts when the
/// countdown ends.
#[test]
fn the_countdown_counts_in_the_start_check_and_delays_the_start() {
    let s = |countdown: &str| {
        scenario(
            &[("max_run_time = \"0s\"", &format!("max_run_time = \"100m\"\ncountdown = \"{countdown}\""))],
            "[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n",
        )
    };
    let (lines, record) = trace(&s("5m"), 0);
    assert_eq!(steps_only(&lines), ["5m run started", "5m-15m Work ok exit 0", "15m run ended completed_in_window"]);
    assert_eq!(record.start, 5 * MINUTE);
    // 100m + 25m > 2h: it never starts.
    assert_eq!(trace(&s("25m"), 0).1.outcome, Outcome::NotStarted);
    assert_eq!(trace(&s("20m"), 0).1.outcome, Outcome::CompletedInWindow);
}
