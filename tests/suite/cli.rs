//! The command line as a user meets it: `run` writes a summary that keeps the output contract,
//! `validate` describes a scenario, and every example scenario runs.

use std::path::{Path, PathBuf};

use crate::common::{patchsim, patchsim_in, temp_dir};
use serde_json::Value;

/// Every dotted key path of a JSON value (array items are checked through their first element).
fn key_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                out.push(path.clone());
                key_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                key_paths(first, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn run_writes_a_summary_with_every_key_of_the_output_contract() {
    let dir = temp_dir("cli", "contract");
    let out = patchsim(&[
        "run",
        "scenarios/monthly-server-patching.toml",
        "--replications",
        "3",
        "--seed",
        "5",
        "--threads",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for heading in
        ["monthly-server-patching: 3 replications, seed 5", "completed in window", "overran", "Status messages"]
    {
        assert!(stdout.contains(heading), "{heading:?} missing from\n{stdout}");
    }
    let summary: Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let contract: Value = serde_json::from_str(include_str!("fixtures/summary-contract.json")).unwrap();
    let (mut expected, mut actual) = (Vec::new(), Vec::new());
    key_paths(&contract, "", &mut expected);
    key_paths(&summary, "", &mut actual);
    for key in &expected {
        assert!(actual.contains(key), "summary.json lacks the contract's key {key}");
    }
    assert_eq!(summary["schema"], "patchsim/summary/v1");
    assert_eq!(summary["scenario"], "monthly-server-patching");
    assert_eq!(summary["seed"], 5);
    assert_eq!(summary["replications"], 3);
    assert_eq!(summary["fleet"]["servers"], 12000);
    assert_eq!(summary["windows"].as_array().unwrap().len(), 42);
    let shares: f64 = ["completed_in_window", "overran", "failed", "stopped", "not_started"]
        .iter()
        .map(|k| summary["outcomes"][k]["mean"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-12, "outcome shares add up to {shares}");
    for k in ["completed_in_window", "overran", "failed"] {
        let o = &summary["outcomes"][k];
        let (lo, mean, hi) =
            (o["ci95"][0].as_f64().unwrap(), o["mean"].as_f64().unwrap(), o["ci95"][1].as_f64().unwrap());
        assert!(lo <= mean && mean <= hi, "{k}: {lo} {mean} {hi}");
    }
    assert_eq!(summary["performance"]["server_runs"], 36_000);
    // No temporary files are left beside the summary.
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut expected: Vec<String> =
        [".patchsim-report", "load.csv", "report.html", "summary.json", "summary.md", "windows.csv"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for chart in
        ["outcomes", "overran-by-window", "overrun-minutes", "run-end-vs-window", "site-load", "latency-percentiles"]
    {
        expected.push(format!("{chart}.svg"));
        expected.push(format!("{chart}.png"));
    }
    expected.sort();
    assert_eq!(names, expected);
    let load = std::fs::read_to_string(dir.join("load.csv")).unwrap();
    assert!(load.starts_with("minute,sent,arrived,processed,backlog\n0,"));
    assert!(load.lines().count() > 7 * 24 * 60);
}

#[test]
fn out_dash_prints_the_summary_to_standard_output() {
    let out = patchsim(&["run", "scenarios/monthly-server-patching.toml", "-r", "1", "--out", "-"]);
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).expect("stdout is summary.json");
    assert_eq!(summary["replications"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("completed in window"));
}

#[test]
fn the_default_report_folder_is_reports_slash_the_scenario_name() {
    let dir = temp_dir("cli", "default-out");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/monthly-server-patching.toml"),
        dir.join("s.toml"),
    )
    .unwrap();
    let out = patchsim_in(&dir, &["run", "s.toml", "-r", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("reports/monthly-server-patching/summary.json").is_file());
    assert!(String::from_utf8_lossy(&out.stdout).contains("in reports/monthly-server-patching"));
}

#[test]
fn validate_describes_servers_windows_and_the_step_tree() {
    let out = patchsim(&["validate", "scenarios/monthly-server-patching.toml"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "Fleet: 12,000 servers",
        "Windows: 42 (7 days × 6 starts), each 2h long",
        "Task sequence: 9 steps in 1 group",
        "  1. \"Inject Random Sleep\": sleep uniform 0s..20m  [continue on error]",
        "    8.2. \"Restart if required\": restart  [if RebootRequired == 'true']",
        "scenarios/monthly-server-patching.toml: OK",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
}

#[test]
fn every_example_scenario_validates_and_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    // Scenarios sit in scenarios/ and in its folders (an imported example beside its inputs);
    // timings files there are not scenarios.
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            paths.push(path);
        }
    }
    paths.sort();
    for path in paths {
        let is_timings = path.file_name().is_some_and(|n| n == "timings.toml");
        if path.extension().and_then(|e| e.to_str()) != Some("toml") || is_timings {
            continue;
        }
        count += 1;
        let p = path.to_str().unwrap();
        let v = patchsim(&["validate", p]);
        assert!(v.status.success(), "{p}: {}", String::from_utf8_lossy(&v.stderr));
        let out_dir = temp_dir("cli", &format!("example-{count}"));
        let r = patchsim(&["run", p, "-r", "2", "--out", out_dir.to_str().unwrap()]);
        assert!(r.status.success(), "{p}: {}", String::from_utf8_lossy(&r.stderr));
        let summary: Value = serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["replications"], 2, "{p}");
    }
    assert!(count >= 2, "expected the reference and at least one more example, found {count}");
}

#[test]
fn help_speaks_to_a_patching_admin() {
    let out = patchsim(&["run", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["--replications", "--seed", "--threads", "--out", "reports/<scenario name>/"] {
        assert!(text.contains(expected), "{expected:?} missing from run --help");
    }
    let out = patchsim(&["--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("maintenance window"));
}

#[test]
fn a_status_manager_outage_shows_its_backlog_and_latency_and_loses_nothing() {
    let dir = temp_dir("cli", "outage");
    let out = patchsim(&["run", "scenarios/status-manager-outage.toml", "-r", "2", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let m = &s["status_messages"];
    // Tuesday's first window sends about 180 messages a minute: half an hour piles up thousands.
    assert!(m["backlog_peak"]["mean"].as_f64().unwrap() > 1_000.0, "{m}");
    let max_latency = m["latency_seconds"]["max"].as_f64().unwrap();
    assert!((1_700.0..1_900.0).contains(&max_latency), "longest wait {max_latency} s");
    // Every message sent went through its inbox: status messages Status Manager, state
    // messages the State System.
    let infra = &s["infrastructure"];
    let (status, state) = (m["total_mean"].as_f64().unwrap(), s["state_messages"]["total_mean"].as_f64().unwrap());
    let processed = infra["status_manager"]["messages_mean"].as_f64().unwrap();
    assert!((status - processed).abs() < 1e-6, "sent {status}, processed {processed}");
    let processed = infra["state_system"]["messages_mean"].as_f64().unwrap();
    assert!(state > 0.0 && (state - processed).abs() < 1e-6, "sent {state}, processed {processed}");
    assert_eq!(s["infrastructure"]["outages"][0]["at"], "Tue 00:30");
    assert!(String::from_utf8_lossy(&out.stdout).contains("outage: status_manager down for 30 min from Tue 00:30"));
}

/// Scripts tell what happened from the exit status alone: 0 done, 1 error, 2 usage, 3 ran but
/// the target was not met (docs/output.md).
#[test]
fn exit_statuses_tell_done_error_usage_and_target_not_met_apart() {
    let dir = temp_dir("cli", "exit-statuses");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/monthly-server-patching.toml");
    let reference = reference.to_str().unwrap();
    let done =
        patchsim_in(&dir, &["plan", "max-run-time", reference, "--max-stopped", "5%", "-r", "2", "--out", "mrt"]);
    assert_eq!(done.status.code(), Some(0), "{}", String::from_utf8_lossy(&done.stderr));
    // No sleep keeps the overran share at 0: the plan says so, writes its evidence, exits 3.
    let not_met = patchsim_in(
        &dir,
        &[
            "plan",
            "sleep",
            reference,
            "--step",
            "Inject Random Sleep",
            "--max-overran",
            "0%",
            "-r",
            "2",
            "--out",
            "sleep",
        ],
    );
    assert_eq!(not_met.status.code(), Some(3), "{}", String::from_utf8_lossy(&not_met.stderr));
    assert!(String::from_utf8_lossy(&not_met.stdout).contains("No sleep keeps the overran share within 0.000%"));
    let plan: Value = serde_json::from_slice(&std::fs::read(dir.join("sleep/plan.json")).unwrap()).unwrap();
    assert_eq!(plan["answer"], serde_json::json!({}));
    let usage = patchsim_in(&dir, &["run", reference, "--replications", "two"]);
    assert_eq!(usage.status.code(), Some(2));
    std::fs::write(dir.join("bad.toml"), "name = \"bad\"\n").unwrap();
    let error = patchsim_in(&dir, &["run", "bad.toml"]);
    assert_eq!(error.status.code(), Some(1));
    assert!(!dir.join("reports").exists(), "an error writes nothing");
}
