//! The engine's own variables (docs/model.md, "Engine variables"): what it records after every
//! step, the restart and rerun a step can ask for, the read-only facts of a running OS, and how
//! conditions compare values. Each test asserts a traced server's exact timeline.

use crate::common::{scenario, steps_only, trace};
use patchsim::engine::Outcome;
use patchsim::scenario::Scenario;
use patchsim::scenario::duration::MINUTE;

/// The try/catch pattern of real sequences: a "Try" group that continues on error, then a
/// "Catch" group that runs only when the last step failed and records it, and a "Success" group
/// that runs only when nothing was recorded. (The Success group cannot test
/// `_SMSTSLastActionSucceeded` itself: after the Catch group's steps succeed it is "true" again,
/// as the last step shows.)
fn try_catch(exit: &str) -> Scenario {
    scenario(
        &[],
        &format!(
            r#"
[[step]]
group = "Try"
continue_on_error = true
  [[step.steps]]
  name = "Install"
  type = "command"
  duration = "1m"
  exit_codes = {{ {exit} = 1.0 }}
  [[step.steps]]
  name = "After install"
  type = "command"
  duration = "1m"
[[step]]
group = "Catch"
condition = "_SMSTSLastActionSucceeded == 'false'"
  [[step.steps]]
  name = "Record failure"
  type = "set_variable"
  variable = "TSFailed"
  value = "true"
  [[step.steps]]
  name = "Report failure"
  type = "command"
  duration = "2m"
[[step]]
group = "Success"
condition = "not TSFailed exists"
  [[step.steps]]
  name = "Report success"
  type = "command"
  duration = "3m"
[[step]]
name = "Last succeeded"
type = "sleep"
duration = "1m"
condition = "_SMSTSLastActionSucceeded == 'true'"
"#
        ),
    )
}

#[test]
fn last_action_succeeded_routes_try_catch_groups() {
    let (lines, record) = trace(&try_catch("1"), 0);
    assert_eq!(
        steps_only(&lines),
        [
            "0m run started",
            "0m Try started",
            "0m-1m Install failed exit 1",
            "1m Try ended by failure",
            "1m Catch started",
            "1m-1m Record failure ok",
            "1m-3m Report failure ok exit 0",
            "3m Catch ended",
            "3m Success skipped ConditionFalse",
            "3m-4m Last succeeded ok",
            "4m run ended completed_in_window"
        ]
    );
    assert_eq!(record.outcome, Outcome::CompletedInWindow);

    let (lines, _) = trace(&try_catch("0"), 0);
    assert_eq!(
        steps_only(&lines)[4..],
        [
            "2m Try ended",
            "2m Catch skipped ConditionFalse",
            "2m Success started",
            "2m-5m Report success ok exit 0",
            "5m Success ended",
            "5m-6m Last succeeded ok",
            "6m run ended completed_in_window"
        ]
    );
}

/// "If the task sequence skipped the last action, because the step is disabled or the
/// associated condition evaluated to false, this variable isn't reset."
#[test]
fn skipped_and_disabled_steps_leave_the_last_action_as_it_was() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Fails with 5"
type = "command"
duration = "1m"
exit_codes = { 5 = 1.0 }
continue_on_error = true
[[step]]
name = "Disabled"
type = "command"
duration = "1m"
disabled = true
[[step]]
name = "Never true"
type = "command"
duration = "1m"
condition = "Missing exists"
[[step]]
name = "Sees the failure"
type = "command"
duration = "1m"
condition = "_SMSTSLastActionRetCode == '5' and _SMSTSLastActionName == 'FAILS WITH 5' and _SMSTSLastActionSucceeded == 'FALSE'"
[[step]]
name = "Sees the success"
type = "command"
duration = "1m"
condition = "_SMSTSLastActionRetCode == '0' and _SMSTSLastActionName == 'Sees the failure'"
"#,
    );
    let (lines, _) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Fails with 5 failed exit 5",
            "1m Disabled skipped Disabled",
            "1m Never true skipped ConditionFalse",
            "1m-2m Sees the failure ok exit 0",
            "2m-3m Sees the success ok exit 0",
            "3m run ended completed_in_window"
        ]
    );
}

/// The code recorded is the one the engine sees: a wrapper's 0 for a caught 3010, 0x800705B4
/// (−2147023436) for a step killed at its time-out, 0 for steps without an exit code.
#[test]
fn the_return_code_is_what_the_engine_saw() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Wrapped"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
on_3010 = { set = "RebootRequired" }
[[step]]
name = "Saw 0"
type = "sleep"
duration = "1m"
condition = "_SMSTSLastActionRetCode == '0'"
[[step]]
name = "Slow"
type = "command"
duration = "30m"
timeout = "10m"
continue_on_error = true
[[step]]
name = "Saw the time-out"
type = "sleep"
duration = "1m"
condition = "_SMSTSLastActionRetCode == '-2147023436' and _SMSTSLastActionSucceeded == 'false'"
"#,
    );
    let (lines, _) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Wrapped ok exit 0",
            "1m-2m Saw 0 ok",
            "2m-12m Slow failed timed out",
            "12m-13m Saw the time-out ok",
            "13m run ended completed_in_window"
        ]
    );
}

/// `SMSTSRebootRequested` set by a step: the engine restarts after that step, clears the request
/// and goes on with the next step.
#[test]
fn reboot_requested_restarts_after_the_step_once() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Ask"
type = "set_variable"
variable = "SMSTSRebootRequested"
value = "HD"
[[step]]
name = "Next"
type = "command"
duration = "1m"
[[step]]
name = "Cleared"
type = "command"
duration = "1m"
condition = "not SMSTSRebootRequested exists"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-0m Ask ok",
            "0m-10m restart after Ask (SMSTSRebootRequested)",
            "10m-11m Next ok exit 0",
            "11m-12m Cleared ok exit 0",
            "12m run ended completed_in_window"
        ]
    );
    assert_eq!(record.restarts, 1);
}

/// `SMSTSRetryRequested` with `SMSTSRebootRequested`: "After the computer is restarted, the task
/// sequence manager reruns the same task sequence step." A request set to "false" asks nothing.
#[test]
fn retry_requested_reruns_the_same_step_after_the_restart() {
    let s = scenario(
        &[],
        r#"
[[step]]
name = "Rerun me"
type = "set_variable"
variable = "SMSTSRetryRequested"
value = "true"
[[step]]
name = "Patch"
type = "command"
duration = "1m"
exit_codes = { 3010 = 1.0 }
on_3010 = { set = "SMSTSRebootRequested" }
[[step]]
name = "Declined"
type = "set_variable"
variable = "SMSTSRebootRequested"
value = "False"
[[step]]
name = "Done"
type = "command"
duration = "1m"
"#,
    );
    let (lines, record) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-0m Rerun me ok",
            // Retry is set but no restart asked: nothing happens after "Rerun me".
            "0m-1m Patch ok exit 0",
            "1m-11m restart after Patch (SMSTSRebootRequested)",
            // The rerun; the retry was cleared, so its own request only restarts.
            "11m-12m Patch ok exit 0",
            "12m-22m restart after Patch (SMSTSRebootRequested)",
            "22m-22m Declined ok",
            "22m-23m Done ok exit 0",
            "23m run ended completed_in_window"
        ]
    );
    assert_eq!(record.restarts, 2);
    assert_eq!(record.end, 23 * MINUTE);
}

/// A rerun draws its duration and exit code afresh: a step that fails half the time and asks
/// for a rerun each time it exits 3010 ends at different times on different servers.
#[test]
fn reruns_draw_afresh() {
    let s = scenario(
        &[("servers = 1", "servers = 200")],
        r#"
[[step]]
name = "Retry"
type = "set_variable"
variable = "SMSTSRetryRequested"
value = "true"
[[step]]
name = "Flaky"
type = "command"
duration = { dist = "uniform", min = "1m", max = "3m" }
exit_codes = { 0 = 0.5, 3010 = 0.5 }
on_3010 = { set = "SMSTSRebootRequested" }
"#,
    );
    let reruns: Vec<u32> = (0..200).map(|i| trace(&s, i).1.restarts).collect();
    let none = reruns.iter().filter(|&&r| r == 0).count();
    // Half exit 0 at once; the other half restart, rerun once (the retry is then cleared) and
    // restart again if the rerun also exits 3010: 0, 1 or 2 restarts, each often.
    assert!((70..=130).contains(&none), "{none} of 200 never restarted");
    assert!(reruns.contains(&1) && reruns.contains(&2), "{reruns:?}");
    assert!(reruns.iter().all(|&r| r <= 2));
}

#[test]
fn read_only_facts_of_a_running_os_and_their_overrides() {
    let body = r#"
[[step]]
name = "Full OS only"
type = "command"
duration = "1m"
condition = "_SMSTSInWinPE == 'false' and _SMSTSLaunchMode == 'SMS' and _SMSTSType == '1'"
[[step]]
name = "UEFI only"
type = "command"
duration = "1m"
condition = "_SMSTSBootUEFI == 'true'"
"#;
    let (lines, _) = trace(&scenario(&[], body), 0);
    assert_eq!(
        steps_only(&lines)[1..3],
        ["0m-1m Full OS only ok exit 0", "1m UEFI only skipped ConditionFalse"],
        "_SMSTSBootUEFI is not known unless the scenario says"
    );
    let overridden = scenario(
        &[],
        &format!("[engine]\nvariables = {{ _SMSTSInWinPE = \"true\", _SMSTSBootUEFI = \"true\" }}\n{body}"),
    );
    let (lines, _) = trace(&overridden, 0);
    assert_eq!(steps_only(&lines)[1..3], ["0m Full OS only skipped ConditionFalse", "0m-1m UEFI only ok exit 0"]);
}

/// "In most cases, task sequence variable values aren't case-sensitive": `==` and `!=` compare
/// ignoring case, and setting a variable to "" deletes it.
#[test]
fn values_compare_ignoring_case_and_an_empty_value_deletes() {
    let s = scenario(
        &[("servers = 1", "servers = 1\n[[fleet.class]]\nname = \"all\"\nshare = 1.0\nvariables = { Role = \"SQL\" }")],
        r#"
[[step]]
name = "Lower"
type = "command"
duration = "1m"
condition = "Role == 'sql'"
[[step]]
name = "Not other case"
type = "command"
duration = "1m"
condition = "Role != 'Sql'"
[[step]]
name = "Delete"
type = "set_variable"
variable = "Role"
value = ""
[[step]]
name = "Gone"
type = "command"
duration = "1m"
condition = "not Role exists"
"#,
    );
    let (lines, _) = trace(&s, 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-1m Lower ok exit 0",
            "1m Not other case skipped ConditionFalse",
            "1m-1m Delete ok",
            "1m-2m Gone ok exit 0",
            "2m run ended completed_in_window"
        ]
    );
}

/// Install Application's "continue installing other applications in the list if an application
/// installation fails" is its own setting: continue on error decides whether the sequence goes on.
#[test]
fn continuing_the_list_is_separate_from_continue_on_error() {
    let body = |continue_list: &str, coe: bool| {
        format!(
            r#"
[[step]]
name = "Apps"
type = "install_software"
items = 3
per_item = "2m"
exit_codes = {{ 1 = 1.0 }}
{continue_list}
continue_on_error = {coe}
[[step]]
name = "After"
type = "command"
duration = "1m"
"#
        )
    };
    // The list stops at the first failure; the sequence goes on.
    let (lines, record) = trace(&scenario(&[], &body("continue_list = false", true)), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        ["0m-2m Apps#0 failed exit 1", "2m-3m After ok exit 0", "3m run ended completed_in_window"]
    );
    assert_eq!(record.outcome, Outcome::CompletedInWindow);
    // Every item runs; then the step fails and so does the sequence.
    let (lines, record) = trace(&scenario(&[], &body("continue_list = true", false)), 0);
    assert_eq!(
        steps_only(&lines)[1..],
        [
            "0m-2m Apps#0 failed exit 1",
            "2m-4m Apps#1 failed exit 1",
            "4m-6m Apps#2 failed exit 1",
            "6m run ended failed"
        ]
    );
    assert_eq!(record.outcome, Outcome::Failed);
    // Unsaid, the list follows continue on error (patchsim's behaviour before the setting).
    let (_, record) = trace(&scenario(&[], &body("", true)), 0);
    assert_eq!(record.end, 7 * MINUTE);
}

#[test]
fn read_only_variables_cannot_be_set() {
    for (body, says) in [
        (
            "[[step]]\nname = \"S\"\ntype = \"set_variable\"\nvariable = \"_SMSTSInWinPE\"\nvalue = \"true\"\n",
            "`_SMSTSInWinPE` begins with an underscore",
        ),
        (
            "[[step]]\nname = \"S\"\ntype = \"command\"\nduration = \"1m\"\non_3010 = { set = \"_SMSTSLastActionSucceeded\" }\n",
            "`_SMSTSLastActionSucceeded` begins with an underscore",
        ),
        (
            "[engine]\nvariables = { _SMSTSLastActionRetCode = \"0\" }\n[[step]]\nname = \"S\"\ntype = \"sleep\"\nduration = \"1m\"\n",
            "set by the engine after every step",
        ),
        (
            "[engine]\nvariables = { Role = \"SQL\" }\n[[step]]\nname = \"S\"\ntype = \"sleep\"\nduration = \"1m\"\n",
            "not one of the engine's read-only variables",
        ),
        (
            "[[step]]\nname = \"S\"\ntype = \"command\"\nduration = \"1m\"\ncontinue_list = true\n",
            "`continue_list` applies to install_software steps",
        ),
    ] {
        let text = format!("{}{body}", crate::common::BASE);
        let err = Scenario::from_toml(&text, "rule.toml").expect_err(body).to_string();
        assert!(err.starts_with("rule.toml:"), "{err}");
        assert!(err.contains(says), "{err}");
    }
}
