//! Install Software Updates as the step runs (docs/model.md, "Install Software Updates"): its
//! own loop after its restart, its scan and install time-outs, the retries after an update that
//! restarted the computer by itself, updates that need a second restart, and `target = "all"`.
//! Each test asserts a traced server's exact timeline.

use crate::common::{scenario, steps_only, trace};
use patchsim::engine::Outcome;
use patchsim::scenario::Scenario;

/// One update step with a 5-minute scan and 10-minute updates, then a one-minute step.
fn step(settings: &str) -> Scenario {
    scenario(
        &[],
        &format!(
            r#"
[[step]]
name = "Updates"
type = "install_updates"
scan = "5m"
per_item = "10m"
{settings}
[[step]]
name = "After"
type = "sleep"
duration = "1m"
"#
        ),
    )
}

/// "After the computer is restarted, the task sequence manager reruns the same task sequence
/// step": the step scans again (`rescan`), installs what became applicable (`after_restart`) and
/// completes — its completion message after the restart.
#[test]
fn after_its_restart_the_step_runs_again_and_completes() {
    let (lines, record) = trace(&step("items = 2\nrestart_share = 1.0\nrescan = \"1m\"\nafter_restart = 1"), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "25m-35m restart after Updates (updates asked)",
            // 1m re-scan, then the update that applies now: 10m.
            "0m-46m Updates ok",
            "46m-47m After ok",
            "47m run ended completed_in_window"
        ]
    );
    assert_eq!(record.restarts, 1);
    // Unsaid, the re-scan takes as long as the scan.
    let (lines, _) = trace(&step("items = 2\nrestart_share = 1.0"), 0);
    assert_eq!(steps_only(&lines)[2], "0m-40m Updates ok");
    // No update asked: no restart, no second run.
    let (lines, _) = trace(&step("items = 2"), 0);
    assert_eq!(steps_only(&lines)[1], "0m-25m Updates ok");
}

/// The scan time-out (`SMSTSSoftwareUpdateScanTimeout`, 60 minutes) and the 8-hour install
/// inactivity time-out fail the step when they pass.
#[test]
fn the_scan_and_install_time_outs_fail_the_step() {
    let long_scan = scenario(
        &[],
        "[[step]]\nname = \"Updates\"\ntype = \"install_updates\"\nitems = 1\nscan = \"75m\"\nper_item = \"10m\"\n",
    );
    let (lines, record) = trace(&long_scan, 0);
    assert_eq!(steps_only(&lines)[1..], ["0m-60m Updates failed timed out", "60m run ended failed"]);
    assert_eq!(record.outcome, Outcome::Failed);
    let (lines, _) = trace(&step("items = 1\nscan_timeout = \"3m\"\ncontinue_on_error = true"), 0);
    assert_eq!(steps_only(&lines)[1..3], ["0m-3m Updates failed timed out", "3m-4m After ok"]);
    let (lines, _) = trace(&step("items = 2\ninstall_timeout = \"8m\"\ncontinue_on_error = true"), 0);
    assert_eq!(steps_only(&lines)[1], "0m-13m Updates failed timed out");
    let hung_update =
        scenario(&[], "[[step]]\nname = \"Updates\"\ntype = \"install_updates\"\nitems = 1\nper_item = \"9h\"\n");
    assert_eq!(steps_only(&trace(&hung_update, 0).0)[1], "0m-480m Updates failed timed out");
}

/// "If one of the updates unexpectedly restarts the computer, retry this step. The step enables
/// this setting by default with two retries": two more runs of the step, then it fails.
#[test]
fn an_update_that_restarts_the_computer_has_the_step_retried_then_failed() {
    let (lines, record) = trace(&step("items = 1\nunexpected_restart = 1.0\ncontinue_on_error = true"), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "15m-25m restart after Updates (an update restarted it)",
            "40m-50m restart after Updates (an update restarted it)",
            "65m-75m restart after Updates (an update restarted it)",
            // The step's last run: from its start after the second restart.
            "50m-75m Updates failed",
            "75m-76m After ok",
            "76m run ended completed_in_window"
        ]
    );
    assert_eq!(record.restarts, 3);
    let (_, record) = trace(&step("items = 1\nunexpected_restart = 1.0\nretries = 1\ncontinue_on_error = true"), 0);
    assert_eq!(record.restarts, 2);
}

/// A retry draws afresh: with half the updates restarting the computer, most servers get through
/// on a retry.
#[test]
fn a_retried_update_step_draws_afresh() {
    let s = scenario(
        &[("servers = 1", "servers = 300")],
        "[[step]]\nname = \"Updates\"\ntype = \"install_updates\"\nitems = 1\nper_item = \"10m\"\nunexpected_restart = 0.5\n",
    );
    let outcomes: Vec<(Outcome, u32)> = (0..300).map(|i| trace(&s, i)).map(|(_, r)| (r.outcome, r.restarts)).collect();
    let failed = outcomes.iter().filter(|(o, _)| *o == Outcome::Failed).count();
    // Fails only when all three runs restart: 1/8 of the servers.
    assert!((20..=60).contains(&failed), "{failed} of 300 failed");
    assert!(outcomes.iter().any(|(o, r)| *o == Outcome::CompletedInWindow && *r == 1));
    assert!(outcomes.iter().any(|(o, r)| *o == Outcome::CompletedInWindow && *r == 2));
}

/// Updates that need more than one restart fail a task sequence that deploys no OS
/// (`SMSTSWaitForSecondReboot` "doesn't work in a custom task sequence").
#[test]
fn updates_needing_a_second_restart_fail_the_step() {
    let (lines, record) = trace(&step("items = 2\nmulti_restart = 1.0"), 0);
    assert_eq!(steps_only(&lines)[1..], ["0m-25m Updates failed", "25m run ended failed"]);
    assert_eq!(record.restarts, 0);
}

/// `target = "all"` installs the optional updates too, after the required ones.
#[test]
fn target_all_installs_the_optional_updates_too() {
    let (lines, _) = trace(&step("items = 1\ntarget = \"all\"\noptional = 2"), 0);
    assert_eq!(steps_only(&lines)[1], "0m-35m Updates ok");
    let (lines, _) = trace(&step("items = 1\ntarget = \"mandatory\""), 0);
    assert_eq!(steps_only(&lines)[1], "0m-15m Updates ok");
}

#[test]
fn update_settings_are_checked() {
    for (settings, says) in [
        ("items = 1\nretries = 6", "6"),
        ("items = 1\ntarget = \"some\"", "use \"mandatory\""),
        ("items = 1\noptional = 2", "only with target = \"all\""),
        ("items = 1\nscan_timeout = \"0s\"", "more than 0s"),
    ] {
        let text = format!(
            "{}[[step]]\nname = \"U\"\ntype = \"install_updates\"\nper_item = \"1m\"\n{settings}\n",
            crate::common::BASE
        );
        let err = Scenario::from_toml(&text, "rule.toml").expect_err(settings).to_string();
        assert!(err.starts_with("rule.toml:") && err.contains(says), "{err}");
    }
}
