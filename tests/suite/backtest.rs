//! `patchsim backtest`: a projection set beside a history. The example history is one
//! replication of `scenarios/imported/last-month.toml` (scenarios/imported/README.md), so that
//! scenario's projection holds it, and so does the scenario imported and calibrated from the
//! export and the history; a scenario that is wrong says where; bad inputs are clear errors.

use serde_json::Value;

use crate::common::{patchsim, temp_dir};

const HISTORY: &str = "scenarios/imported/history.csv";
const LAST_MONTH: &str = "scenarios/imported/last-month.toml";
const IMPORTED: &str = "scenarios/imported/server-patching.toml";

/// Runs a back-test into a fresh folder and returns its exit status, backtest.json and stdout.
fn backtest(name: &str, args: &[&str]) -> (Option<i32>, Value, String) {
    let dir = temp_dir("backtest", name);
    let out = dir.join("report");
    let out_text = out.display().to_string();
    let mut all: Vec<&str> = vec!["backtest"];
    all.extend(args);
    all.extend(["--out", &out_text, "-q"]);
    let output = patchsim(&all);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.code() != Some(1), "{}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    for file in ["backtest.csv", "backtest.svg", "backtest.png"] {
        assert!(out.join(file).is_file(), "{file} written");
    }
    let json: Value = serde_json::from_slice(&std::fs::read(out.join("backtest.json")).unwrap()).unwrap();
    (output.status.code(), json, stdout)
}

/// The overall verdict of each figure.
fn overall(json: &Value) -> Vec<(String, String)> {
    json["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"] == "overall")
        .map(|r| (r["figure"].as_str().unwrap().to_owned(), r["verdict"].as_str().unwrap().to_owned()))
        .collect()
}

/// Every overall figure the history shows (not started needs the number targeted).
const OVERALL: [&str; 7] = [
    "completed_in_window",
    "overran",
    "failed",
    "duration_p50_minutes",
    "duration_p90_minutes",
    "duration_p95_minutes",
    "restarts_per_run",
];

fn verdict<'a>(rows: &'a [(String, String)], figure: &str) -> &'a str {
    rows.iter().find(|(f, _)| f == figure).map_or("missing", |(_, v)| v.as_str())
}

#[test]
fn the_scenario_that_made_the_history_holds_it() {
    let (status, json, stdout) = backtest("reference", &[LAST_MONTH, HISTORY, "-r", "60", "--seed", "2"]);
    assert_eq!(status, Some(0), "{stdout}");
    assert_eq!(json["schema"], "patchsim/backtest/v1");
    assert_eq!(json["observed"]["runs_in_windows"], 418);
    let rows = overall(&json);
    for figure in OVERALL {
        assert_eq!(verdict(&rows, figure), "inside", "{figure}\n{stdout}");
    }
    // Not observable without the number targeted.
    assert_eq!(verdict(&rows, "not_started"), "missing");
    assert!(stdout.contains("give --targeted N"), "{stdout}");
    // The coupling check of the same history, as calibrate finds it: no contention.
    assert_eq!(json["coupling"]["verdict"], "none");
    assert!(stdout.contains("Coupling check"), "{stdout}");
    // Per window: few outside, as chance makes.
    let windows = json["comparisons"].as_array().unwrap().iter().filter(|r| r["scope"] != "overall").count();
    assert_eq!(windows, 84);
}

#[test]
fn a_wrong_scenario_is_outside_where_it_is_wrong() {
    // A max run time of one hour stops the long runs: fewer complete, more fail, and the runs
    // that complete are shorter than the history's.
    let (status, json, stdout) =
        backtest("short-max-run-time", &[LAST_MONTH, HISTORY, "--set", "deployment.max_run_time=1h", "-r", "20"]);
    assert_eq!(status, Some(0), "outside verdicts are information: {stdout}");
    let rows = overall(&json);
    assert_eq!(verdict(&rows, "completed_in_window"), "above", "{stdout}");
    assert_eq!(verdict(&rows, "failed"), "below", "{stdout}");
    assert_eq!(verdict(&rows, "duration_p95_minutes"), "above", "{stdout}");
    assert!(stdout.contains("Verdict: completed in window above"), "{stdout}");
    // Restarts five times as long: the runs are longer and overrun more than the history's, so
    // the history's are below.
    let (_, json, stdout) = backtest(
        "slow-restarts",
        &[LAST_MONTH, HISTORY, "--set", "restart.duration.median=30m", "--set", "restart.duration.p95=60m", "-r", "20"],
    );
    let rows = overall(&json);
    assert_eq!(verdict(&rows, "duration_p50_minutes"), "below", "{stdout}");
    assert_eq!(verdict(&rows, "overran"), "below", "{stdout}");
    // --fail-outside makes it an exit status for CI.
    let (status, _, _) = backtest(
        "fail-outside",
        &[LAST_MONTH, HISTORY, "--set", "deployment.max_run_time=1h", "-r", "5", "--fail-outside"],
    );
    assert_eq!(status, Some(3));
}

#[test]
fn the_not_started_share_is_compared_with_the_number_targeted() {
    let (_, json, stdout) = backtest("targeted", &[LAST_MONTH, HISTORY, "--targeted", "419", "-r", "20"]);
    let row = json["comparisons"].as_array().unwrap().iter().find(|r| r["figure"] == "not_started").cloned().unwrap();
    // 419 targeted, 418 ran: one did not start.
    assert!((row["observed"].as_f64().unwrap() - 1.0 / 419.0).abs() < 1e-12, "{row}");
    assert_eq!(row["runs"], 419);
    assert!(!stdout.contains("give --targeted N"), "{stdout}");
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = temp_dir("backtest", "bad-inputs");
    let run = |args: &[&str]| {
        let out = patchsim(args);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (status, err) = run(&["backtest", LAST_MONTH, "no-such-history.csv", "-q", "--out", "-"]);
    assert_eq!(status, Some(1));
    assert!(err.contains("no-such-history.csv"), "{err}");
    // A history of another fleet: every run at 02:30, between the reference scenario's windows.
    let header = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput";
    let mut csv = format!("{header}\n");
    for server in 0..3 {
        csv.push_str(&format!("A,{server},2024-01-02 02:30:00,0,,,11140,,,\n"));
        csv.push_str(&format!("A,{server},2024-01-02 02:40:00,1,Patch,,11134,,0,\n"));
        csv.push_str(&format!("A,{server},2024-01-02 02:40:00,0,,,11143,,,\n"));
    }
    let other = dir.join("other-fleet.csv");
    std::fs::write(&other, csv).unwrap();
    let other = other.display().to_string();
    let (status, err) = run(&["backtest", LAST_MONTH, &other, "-q", "--out", "-", "-r", "2"]);
    assert_eq!(status, Some(1));
    assert!(err.contains("none of its 3 runs on 3 servers starts in a window of scenario \"last-month\""), "{err}");
    // More servers in the history than targeted.
    let (status, err) = run(&["backtest", LAST_MONTH, HISTORY, "--targeted", "10", "-q", "--out", "-", "-r", "2"]);
    assert_eq!(status, Some(1));
    assert!(err.contains("--targeted 10: the history has runs on 418 servers"), "{err}");
    // One replication gives no interval.
    let (status, err) = run(&["backtest", LAST_MONTH, HISTORY, "-r", "1", "-q", "--out", "-"]);
    assert_eq!(status, Some(2), "{err}");
}

#[test]
fn the_imported_example_holds_the_month_its_history_shows() {
    // scenarios/imported/server-patching.toml is what import and calibrate make of the export,
    // the inventory and the history alone (with the deployment's max run time, which the export
    // does not hold): its projection holds the month on every overall figure.
    let (status, json, stdout) = backtest("imported", &[IMPORTED, HISTORY, "-r", "40"]);
    assert_eq!(status, Some(0));
    let rows = overall(&json);
    for figure in OVERALL {
        assert_eq!(verdict(&rows, figure), "inside", "{figure}\n{stdout}");
    }
    assert!(stdout.contains("every overall figure is inside its interval"), "{stdout}");
}

#[test]
fn the_import_s_assumed_max_run_time_is_caught() {
    // Imported without `--max-run-time 0s`, the console's default of 2 hours is assumed: the
    // projection stops the long runs the history shows overrunning, and the back-test says so.
    let (status, json, stdout) =
        backtest("imported-2h", &[IMPORTED, HISTORY, "--set", "deployment.max_run_time=2h", "-r", "20"]);
    assert_eq!(status, Some(0));
    let rows = overall(&json);
    assert_eq!(verdict(&rows, "overran"), "above", "{stdout}");
    assert_eq!(verdict(&rows, "failed"), "below", "{stdout}");
    assert_eq!(verdict(&rows, "duration_p95_minutes"), "above", "{stdout}");
}
