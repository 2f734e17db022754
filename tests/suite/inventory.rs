//! The inventory (CMDB) assignment: `[windows] assign = { inventory = "servers.csv" }` fixes each
//! server's window (and, where the file says, its class, extension and variables), so per-window
//! figures follow the file exactly.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::common::{summary, trace};
use patchsim::scenario::Scenario;

const GRID: &str = r#"
[windows]
days = ["Mon", "Tue"]
starts = ["00:00", "04:00", "08:00"]
length = "2h"
assign = { inventory = "servers.csv" }
[deployment]
max_run_time = "0s"
[infrastructure]
status_manager_rate = 100
[[fleet.class]]
name = "general"
share = 0.7
[[fleet.class]]
name = "clustered"
share = 0.3
restart = "20m"
[[step]]
name = "Failover"
type = "command"
duration = "5m"
condition = "PrePatchAction == 'failover.ps1'"
[[step]]
name = "Patch"
type = "sleep"
duration = "30m"
"#;

fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inventory").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `scenario.toml` (with `fleet` as its [fleet] body) and `servers.csv` into a folder
/// and loads the scenario from there.
fn load(name: &str, fleet: &str, csv: &str) -> Result<Scenario, String> {
    let dir = folder(name);
    std::fs::write(dir.join("servers.csv"), csv).unwrap();
    let text = format!("name = \"{name}\"\n[fleet]\n{fleet}\n{GRID}");
    std::fs::write(dir.join("scenario.toml"), text).unwrap();
    Scenario::load(&dir.join("scenario.toml")).map_err(|e| e.to_string())
}

/// An inventory of `counts[w]` servers in window `w` (windows in grid order), every tenth on
/// an extension, every third clustered with a failover script.
fn inventory(counts: &[usize]) -> String {
    let names = ["Mon 00:00", "Mon 04:00", "Mon 08:00", "Tue 00:00", "Tue 04:00", "Tue 08:00"];
    let mut csv = String::from("name,window,class,extension,PrePatchAction\n");
    let mut n = 0;
    for (w, count) in counts.iter().enumerate() {
        for _ in 0..*count {
            let clustered = n % 3 == 0;
            let _ = writeln!(
                csv,
                "SRV{n:05},{},{},{},{}",
                names[w],
                if clustered { "clustered" } else { "general" },
                n % 10 == 0,
                if clustered { "failover.ps1" } else { "" }
            );
            n += 1;
        }
    }
    csv
}

#[test]
fn per_window_figures_follow_the_inventory_exactly() {
    let counts = [120, 0, 37, 401, 5, 237];
    let s = load("exact", "", &inventory(&counts)).unwrap();
    assert_eq!(s.fleet.servers, 800, "the fleet is the inventory's servers");
    let sum = summary(&s, 1, 3, 2);
    let mut n = 0;
    for (w, count) in counts.iter().enumerate() {
        let excluded = (n..n + count).filter(|i| i % 10 == 0).count();
        n += count;
        // Targeted = listed minus those listed on an extension, in every replication.
        assert_eq!(sum.windows[w].targeted_mean, (count - excluded) as f64, "window {}", sum.windows[w].name);
    }
    assert_eq!(sum.fleet.excluded_mean, 80.0);
    // Nothing is random about the placement: every server completes in its window.
    assert_eq!(sum.outcomes.completed_in_window.mean, 1.0);
}

#[test]
fn classes_and_variables_come_from_the_inventory_rows() {
    let s = load("rows", "", &inventory(&[30, 0, 0, 0, 0, 0])).unwrap();
    for server in 0..30u64 {
        let (lines, record) = trace(&s, server);
        if server % 10 == 0 {
            assert!(record.excluded, "SRV{server:05} is listed on an extension");
            continue;
        }
        let clustered = server % 3 == 0;
        assert_eq!(record.class, u32::from(clustered), "SRV{server:05}");
        let failover = lines.iter().any(|l| l.contains("Failover ok"));
        assert_eq!(failover, clustered, "the failover step runs where the row sets PrePatchAction");
        assert_eq!(record.end, if clustered { 35 } else { 30 } * patchsim::scenario::duration::MINUTE);
    }
}

#[test]
fn empty_cells_fall_back_to_the_shares_and_unset_variables() {
    // No class, extension or variable given on any row: classes and extensions are drawn.
    let mut csv = String::from("name,window,class,extension,PrePatchAction\n");
    for n in 0..4000 {
        let _ = writeln!(csv, "S{n},Tue 04:00,,,");
    }
    let s = load("fallback", "extension = 0.25", &csv).unwrap();
    let sum = summary(&s, 1, 1, 1);
    // Binomial(4000, 0.25): sd ≈ 27.
    assert!((sum.fleet.excluded_mean - 1000.0).abs() < 140.0, "{}", sum.fleet.excluded_mean);
    assert_eq!(sum.windows[4].targeted_mean + sum.fleet.excluded_mean, 4000.0);
    // No row sets PrePatchAction: the failover never runs (30 minutes for everyone).
    assert!(sum.duration_minutes.max < 31.0, "{}", sum.duration_minutes.max);
}

#[test]
fn the_servers_count_is_optional_and_must_match() {
    let csv = inventory(&[2, 2, 0, 0, 0, 0]);
    assert_eq!(load("match", "servers = 4", &csv).unwrap().fleet.servers, 4);
    let err = load("mismatch", "servers = 5", &csv).unwrap_err();
    assert!(err.contains("scenario.toml:3:11: key `fleet.servers`: says 5 servers but the inventory"), "{err}");
    assert!(err.ends_with("servers.csv lists 4; leave `servers` out to take the inventory's count"), "{err}");
}

#[test]
fn inventory_mistakes_name_the_csv_file_and_line() {
    let err = load("bad-window", "", "name,window\nA,Mon 00:00\nB,Sun 00:00\n").unwrap_err();
    assert!(
        err.contains("servers.csv:3: column \"window\": \"Sun 00:00\" is not one of the scenario's windows"),
        "{err}"
    );
    let err = load("bad-class", "", "name,window,class\nA,Mon 00:00,db\n").unwrap_err();
    assert!(err.contains("servers.csv:2: column \"class\": \"db\" is not a class of the scenario"), "{err}");
    let dir = folder("missing");
    std::fs::write(dir.join("s.toml"), format!("name = \"m\"\n[fleet]\n{GRID}")).unwrap();
    let err = Scenario::load(&dir.join("s.toml")).unwrap_err().to_string();
    assert!(err.ends_with("servers.csv: cannot read the inventory: no such file"), "{err}");
    // Without an inventory, `servers` is required.
    let err = Scenario::from_toml(
        "name = \"x\"\n[fleet]\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\n",
        "x.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("x.toml:2:1: key `fleet.servers`: missing required key `servers`"), "{err}");
}

#[test]
fn cli_runs_traces_by_name_and_lists_names_in_servers_csv() {
    let s = load("cli", "", &inventory(&[3, 3, 3, 3, 3, 3])).unwrap();
    drop(s);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inventory").join("cli");
    let bin = env!("CARGO_BIN_EXE_patchsim");
    let out = std::process::Command::new(bin).current_dir(&dir).args(["validate", "scenario.toml"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("servers from the inventory servers.csv: 18 listed"), "{text}");
    let out = std::process::Command::new(bin)
        .current_dir(&dir)
        .args(["run", "scenario.toml", "-r", "2", "-q", "--servers-csv", "--out", "r"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("r/servers.csv")).unwrap();
    let row = csv.lines().find(|l| l.ends_with(",SRV00004")).expect("a row named SRV00004");
    assert!(row.starts_with("4,Mon 04:00,general,completed_in_window,"), "{row}");
    let out = std::process::Command::new(bin)
        .current_dir(&dir)
        .args(["trace", "scenario.toml", "--server", "srv00003"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Server 3 (SRV00003) of cli"), "{text}");
    assert!(text.contains("Failover"), "{text}");
}
