//! Writes never destroy what patchsim did not write: user folders beside reports, outputs that
//! would overlap inputs, another kind of output, changed files, concurrent and killed runs, and
//! a reader who looks while a report is replaced.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{patchsim_in, temp_dir};
use patchsim::output::{FolderLock, OutputKind, manifest};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/monthly-server-patching.toml");

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Whether `dir` holds one whole run report that patchsim would replace.
fn complete_report(dir: &Path) -> bool {
    manifest::verify(dir, OutputKind::Run).is_ok()
        && matches!(manifest::read_marker(dir), manifest::Marker::Listed(m) if m.complete)
        && std::fs::read(dir.join("summary.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some()
}

#[test]
fn a_folder_of_the_users_files_is_never_replaced_even_with_a_summary_json_in_it() {
    let dir = temp_dir("safe_writes", "user-folder");
    let mine = dir.join("month");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::copy(REFERENCE, mine.join("my-month.toml")).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    // The README's own `--out - > summary.json` puts a summary beside the user's files.
    let printed = patchsim_in(&mine, &["run", "my-month.toml", "-r", "2", "-q", "--out", "-"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    std::fs::write(mine.join("summary.json"), &printed.stdout).unwrap();
    let before = names(&mine);

    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "month"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("month holds my-month.toml, which patchsim did not write"), "{}", stderr(&out));
    assert_eq!(names(&mine), before);
    assert_eq!(std::fs::read_to_string(mine.join("notes.txt")).unwrap(), "keep me");
    // The current folder is never an output folder, nor one that holds the scenario.
    let here = patchsim_in(&mine, &["run", "my-month.toml", "-r", "2", "-q", "--out", "."]);
    assert_eq!(here.status.code(), Some(1));
    assert!(stderr(&here).contains("name a new folder for the output"), "{}", stderr(&here));
    let absolute = patchsim_in(&dir, &["run", mine.join("my-month.toml").to_str().unwrap(), "-q", "--out", "month"]);
    assert!(stderr(&absolute).contains("would hold the input"), "{}", stderr(&absolute));
    assert_eq!(names(&mine), before);
    assert_eq!(names(&dir), ["month"], "nothing is left beside it");
}

#[test]
fn outputs_never_are_hold_or_sit_inside_inputs() {
    let dir = temp_dir("safe_writes", "overlap");
    for (name, shard) in [("s1", "1/2"), ("s2", "2/2")] {
        let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--shard", shard, "--out", name]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let shard = std::fs::read(dir.join("s1/shard.json")).unwrap();
    for (out_dir, says) in
        [("s1", "s1 is the input s1"), ("s1/merged", "s1/merged is inside the input s1"), (".", "name a new folder")]
    {
        let out = patchsim_in(&dir, &["merge", "s1", "s2", "--out", out_dir]);
        assert_eq!(out.status.code(), Some(1), "{out_dir}");
        assert!(stderr(&out).contains(says), "{out_dir}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read(dir.join("s1/shard.json")).unwrap(), shard);
    assert!(!dir.join("s1/merged").exists());
    // Single files: calibrate and import never write over what they read, even with --force.
    let history = dir.join("history.csv");
    std::fs::write(&history, "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\n").unwrap();
    let out = patchsim_in(&dir, &["calibrate", "history.csv", "--out", "history.csv", "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("history.csv is the input history.csv"), "{}", stderr(&out));
    let export = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/imported/server-patching.xml");
    std::fs::copy(export, dir.join("ts.xml")).unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "ts.xml", "--out", "ts.xml", "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ts.xml is the input ts.xml"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("ts.xml")).unwrap(), std::fs::read(export).unwrap());
}

#[test]
fn only_the_same_kind_of_unchanged_output_is_replaced() {
    let dir = temp_dir("safe_writes", "kinds");
    let run = |args: &[&str]| patchsim_in(&dir, args);
    assert!(run(&["run", REFERENCE, "-r", "2", "-q", "--out", "r"]).status.success());
    assert!(complete_report(&dir.join("r")));
    let plan = run(&["plan", "max-run-time", REFERENCE, "--max-stopped", "1%", "-r", "2", "--out", "r"]);
    assert_eq!(plan.status.code(), Some(1));
    assert!(
        stderr(&plan).contains("r holds the output of `patchsim run`, not of `patchsim plan`"),
        "{}",
        stderr(&plan)
    );
    // A file the user changed, or added, stops the replacement.
    let md = dir.join("r/summary.md");
    let mut text = std::fs::read_to_string(&md).unwrap();
    text.push_str("\nMy notes.\n");
    std::fs::write(&md, &text).unwrap();
    let changed = run(&["run", REFERENCE, "-r", "2", "-q", "--out", "r"]);
    assert!(stderr(&changed).contains("summary.md was changed since patchsim wrote it"), "{}", stderr(&changed));
    assert_eq!(std::fs::read_to_string(&md).unwrap(), text);
    std::fs::remove_file(&md).unwrap();
    std::fs::create_dir(dir.join("r/keep")).unwrap();
    let added = run(&["run", REFERENCE, "-r", "2", "-q", "--out", "r"]);
    assert!(stderr(&added).contains("r holds keep, which patchsim did not write"), "{}", stderr(&added));
    std::fs::remove_dir(dir.join("r/keep")).unwrap();
    // A report missing a file it wrote is still patchsim's: replaced.
    assert!(run(&["run", REFERENCE, "-r", "2", "-s", "5", "-q", "--out", "r"]).status.success());
    assert!(complete_report(&dir.join("r")));
}

#[test]
fn reports_of_the_first_versions_are_replaced_when_they_hold_nothing_else() {
    let dir = temp_dir("safe_writes", "legacy");
    let old = dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join(".patchsim-report"), "A report written by patchsim; patchsim may replace this folder.\n")
        .unwrap();
    for name in ["summary.json", "summary.md", "load.csv", "report.html", "overran-by-window.png"] {
        std::fs::write(old.join(name), "{}").unwrap();
    }
    std::fs::write(old.join("budget.xlsx"), "the user's").unwrap();
    let refused = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "old"]);
    assert!(stderr(&refused).contains("old holds budget.xlsx"), "{}", stderr(&refused));
    std::fs::remove_file(old.join("budget.xlsx")).unwrap();
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "old"]).status.success());
    assert!(complete_report(&old));
}

#[test]
fn a_report_set_aside_by_a_killed_run_is_put_back_and_leftovers_are_removed() {
    let dir = temp_dir("safe_writes", "recover");
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "r"]).status.success());
    let summary = std::fs::read(dir.join("r/summary.json")).unwrap();
    // A run killed between setting the old report aside and putting the new one in place.
    std::fs::rename(dir.join("r"), dir.join(".r.patchsim-old-999999")).unwrap();
    // A run killed while it built its report, and one killed before it wrote anything.
    std::fs::create_dir(dir.join(".r.patchsim-tmp-999998")).unwrap();
    std::fs::write(
        dir.join(".r.patchsim-tmp-999998/.patchsim-report"),
        "{\"written_by\":\"patchsim\",\"kind\":\"run\",\"complete\":false,\"files\":[]}",
    )
    .unwrap();
    std::fs::create_dir(dir.join(".r.patchsim-tmp-999997")).unwrap();
    // Something of the user's that only looks like a leftover is left alone.
    std::fs::create_dir(dir.join(".r.patchsim-tmp-1")).unwrap();
    std::fs::write(dir.join(".r.patchsim-tmp-1/mine.txt"), "keep").unwrap();

    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-s", "9", "-q", "--out", "r"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("put back the report an interrupted run had set aside"), "{}", stderr(&out));
    assert!(complete_report(&dir.join("r")));
    assert_ne!(std::fs::read(dir.join("r/summary.json")).unwrap(), summary, "then replaced by the new run");
    assert_eq!(names(&dir), [".r.patchsim-tmp-1", "r"]);
    assert_eq!(std::fs::read_to_string(dir.join(".r.patchsim-tmp-1/mine.txt")).unwrap(), "keep");
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_folder() {
    let dir = temp_dir("safe_writes", "concurrent");
    let lock = FolderLock::acquire(FolderLock::path_for(&dir, "r"), Path::new("r")).unwrap();
    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "r"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "error: another patchsim (process {}) is writing r: wait for it to finish, or choose another --out",
            std::process::id()
        )
    );
    assert!(!dir.join("r").exists());
    drop(lock);
    // Two real runs at once: one writes, the other is refused, nothing is mixed or orphaned.
    let spawn = |seed: &str| {
        Command::new(env!("CARGO_BIN_EXE_patchsim"))
            .current_dir(&dir)
            .args(["run", REFERENCE, "-r", "40", "-s", seed, "-q", "--out", "r"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("1"), spawn("2"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [a.status.code(), b.status.code()];
    assert!(codes.contains(&Some(0)), "{codes:?}");
    if codes.contains(&Some(1)) {
        let refused = if a.status.success() { &b } else { &a };
        assert!(stderr(refused).contains("is writing r"), "{}", stderr(refused));
    }
    assert!(complete_report(&dir.join("r")));
    assert_eq!(names(&dir), ["r"]);
}

#[test]
fn a_reader_always_finds_a_whole_report_while_it_is_replaced() {
    let dir = temp_dir("safe_writes", "reader");
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "r"]).status.success());
    let one_step = patchsim::output::report_folder::swaps_in_one_step(&dir);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (stop, summary) = (stop.clone(), dir.join("r/summary.json"));
        std::thread::spawn(move || {
            let (mut reads, mut missing) = (0u64, 0u64);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match std::fs::read(&summary) {
                    Ok(bytes) => {
                        assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(), "a torn summary.json");
                        reads += 1;
                    }
                    Err(_) => missing += 1,
                }
            }
            (reads, missing)
        })
    };
    for seed in 2..8 {
        let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-s", &seed.to_string(), "-q", "--out", "r"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (reads, missing) = reader.join().unwrap();
    assert!(reads > 100, "{reads} reads");
    if one_step {
        assert_eq!(missing, 0, "the report was missing {missing} times in {reads} reads");
    }
    assert_eq!(names(&dir), ["r"]);
}

/// Runs that are stopped (SIGTERM, as a closing console or a service manager does) or killed
/// (SIGKILL) at moments spread over the run and its writing: what is at `--out` is always the
/// previous whole report or the new one, and after the next run nothing temporary is left.
#[cfg(unix)]
#[test]
fn runs_stopped_or_killed_mid_write_leave_a_whole_report_and_no_leftovers() {
    let dir = temp_dir("safe_writes", "killed");
    // How long a whole run takes here: the signals fall at fractions of it, most of them late,
    // when the report is drawn, written and swapped in.
    let started = std::time::Instant::now();
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "3", "--servers-csv", "-q", "--out", "r"]).status.success());
    let whole_run = started.elapsed();
    let moments = [0.3, 0.6, 0.75, 0.85, 0.9, 0.93, 0.96, 0.98, 0.99, 1.0];
    for (k, fraction) in moments.into_iter().enumerate() {
        let signal = if k % 2 == 0 { "TERM" } else { "KILL" };
        let mut child = Command::new(env!("CARGO_BIN_EXE_patchsim"))
            .current_dir(&dir)
            .args(["run", REFERENCE, "-r", "3", "--servers-csv", "-s", &(100 + k).to_string(), "-q", "--out", "r"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole_run.mul_f64(fraction));
        let _ = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        let status = child.wait().unwrap();
        if signal == "TERM" && !status.success() {
            assert_eq!(status.code(), Some(130), "a stopped run exits with 130");
            assert!(!names(&dir).iter().any(|n| n.contains("patchsim-tmp")), "{:?}", names(&dir));
        }
        let whole = complete_report(&dir.join("r"))
            || names(&dir).iter().any(|n| n.starts_with(".r.patchsim-old-") && complete_report(&dir.join(n)));
        assert!(whole, "after {signal} at {fraction} of a run: {:?}", names(&dir));
    }
    let last = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--out", "r"]);
    assert!(last.status.success(), "{}", stderr(&last));
    assert!(complete_report(&dir.join("r")));
    assert_eq!(names(&dir), ["r"], "the next run said: {}", stderr(&last));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_standard_output_is_an_error() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_patchsim"))
        .args(["run", REFERENCE, "-r", "2", "-q", "--out", "-"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write to standard output: No space left on device"), "{}", stderr(&out));
    // A reader that stops reading is not a failure.
    let mut head = Command::new(env!("CARGO_BIN_EXE_patchsim"))
        .args(["validate", REFERENCE])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(head.stdout.take());
    assert!(head.wait().unwrap().success());
}

#[test]
fn flags_that_cannot_go_together_are_usage_errors_and_set_names_the_folder() {
    let dir = temp_dir("safe_writes", "flags");
    for flag in ["--servers-csv", "--history-csv"] {
        let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "--out", "-", flag]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(stderr(&out).contains(&format!("{flag} writes a file into the report folder")), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q"]).status.success());
    let plain = std::fs::read(dir.join("reports/monthly-server-patching/summary.json")).unwrap();
    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--set", "fleet.servers=500"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("reports/monthly-server-patching/summary.json")).unwrap(), plain);
    let changed = dir.join("reports/monthly-server-patching+fleet.servers=500/summary.json");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(changed).unwrap()).unwrap();
    assert_eq!(summary["overrides"], serde_json::json!(["fleet.servers=500"]));
    assert_eq!(summary["fleet"]["servers"], 500);
}
