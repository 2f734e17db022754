//! The coupling check of `calibrate`: a history whose durations grow with the number of servers
//! in the step gives that slope back within its interval, significant; one whose durations do
//! not gives no significant slope; one run, runs all at once and runs all alike give "not enough
//! data", never a NaN or a panic; the table, the timings file and `--into` carry the finding.

use std::fmt::Write;

use crate::common::{patchsim_in, temp_dir};
use patchsim::configmgr::history_view::format_time;
use patchsim::import::Timings;
use patchsim::import::calibration::Calibration;
use patchsim::import::coupling::{Coupling, Shortfall, Verdict};
use patchsim::import::history::History;
use patchsim::input::TimeFormat;
use patchsim::random::Stream;
use rand_distr::{Distribution, StandardNormal};

const HEADER: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\n";

/// A history of `servers` runs of two steps, "Prepare" then "Patch". Each run starts at a time
/// drawn uniformly over four hours and spends a fixed `prepare_s` in "Prepare"; then "Patch"
/// takes `base_s + slope_s × k + sd_s × z` seconds (at least one), where `k` is the number of
/// other servers in "Patch" when the run enters it and `z` standard normal. Runs are made in
/// the order they enter "Patch", so each `k` is known when its duration is drawn.
fn history(servers: usize, seed: u64, base_s: f64, slope_s: f64, sd_s: f64) -> String {
    let s = Stream::from_key(seed);
    let t0 = TimeFormat::Iso.parse("2026-11-03 00:00:00").unwrap();
    let mut starts: Vec<i64> =
        (0..servers).map(|i| (s.child(1).uniform(i as u64) * 4.0 * 3_600_000.0) as i64).collect();
    starts.sort_unstable();
    let prepare_ms = 30_000;
    let mut ends: Vec<i64> = Vec::new();
    let mut csv = String::from(HEADER);
    for (i, start) in starts.iter().enumerate() {
        let enter = t0 + start + prepare_ms;
        let k = ends.iter().filter(|e| **e > enter).count() as f64;
        let z: f64 = StandardNormal.sample(&mut s.child(2).draw(i as u64));
        let duration_ms = ((base_s + slope_s * k + sd_s * z).max(1.0) * 1000.0).round() as i64;
        let end = enter + duration_ms;
        ends.push(end);
        let server = 16_777_216 + i;
        let _ = writeln!(csv, "PS1,{server},{},0,,,11140,,,", format_time(t0 + start));
        let _ = writeln!(csv, "PS1,{server},{},1,Prepare,,11134,,0,", format_time(enter));
        let _ = writeln!(csv, "PS1,{server},{},2,Patch,,11134,,0,", format_time(end));
        let _ = writeln!(csv, "PS1,{server},{},0,,,11143,,,", format_time(end));
    }
    csv
}

fn coupling_of(csv: &str) -> Calibration {
    Calibration::fit(&History::parse(csv.as_bytes(), "h.csv").unwrap())
}

#[test]
fn durations_that_grow_with_concurrency_give_the_slope_back_within_its_interval() {
    // 400 servers over four hours, Patch 10 minutes alone and 20 s more per other server.
    let c = coupling_of(&history(400, 7, 600.0, 20.0, 60.0));
    let patch = &c.coupling.steps[1];
    assert_eq!((patch.name.as_str(), patch.runs), ("Patch", 400));
    let Coupling::Fitted(b) = patch.outcome else { panic!("{patch:?}") };
    assert!(b.low <= 20.0 && 20.0 <= b.high, "20 s outside [{}, {}]", b.low, b.high);
    assert!(b.significant() && b.contention(), "{b:?}");
    assert!((b.alone_seconds - 600.0).abs() < 3.0 * 60.0, "{b:?}");
    assert!(b.mean_others > 5.0, "the servers overlap: {b:?}");
    assert!((b.percent_of_median() - 100.0 * b.seconds_per_server / b.median_seconds).abs() < 1e-12);
    // Prepare takes the same 30 s whatever the crowd: not enough data, not a slope of 0 ± 0.
    assert_eq!(c.coupling.steps[0].outcome, Coupling::NotEnoughData(Shortfall::SameDuration));
    assert_eq!(c.coupling.verdict(), Verdict::Contention(vec!["Patch".to_owned()]));
    assert_eq!(c.coupling.verdict_sentence(), "the history shows contention on step \"Patch\"");
}

#[test]
fn durations_independent_of_concurrency_give_no_significant_slope() {
    let c = coupling_of(&history(400, 7, 600.0, 0.0, 60.0));
    let Coupling::Fitted(b) = c.coupling.steps[1].outcome else { panic!("{:?}", c.coupling.steps[1]) };
    assert!(b.low < 0.0 && 0.0 < b.high, "{b:?}");
    assert!(!b.significant());
    assert_eq!(c.coupling.verdict(), Verdict::NoSign);
    assert_eq!(c.coupling.verdict_sentence(), "no sign of contention");
}

#[test]
fn the_check_does_not_depend_on_the_order_of_the_rows() {
    let csv = history(120, 3, 300.0, 10.0, 30.0);
    let mut lines: Vec<&str> = csv.lines().skip(1).collect();
    lines.reverse();
    let reversed = format!("{HEADER}{}\n", lines.join("\n"));
    assert_eq!(coupling_of(&csv).coupling, coupling_of(&reversed).coupling);
}

#[test]
fn one_run_runs_all_at_once_and_runs_all_alike_are_not_enough_data() {
    // One run.
    let c = coupling_of(&history(1, 1, 600.0, 0.0, 60.0));
    assert_eq!(c.coupling.steps[1].outcome, Coupling::NotEnoughData(Shortfall::FewRuns));
    assert_eq!(c.coupling.steps[1].shortfall_text().unwrap(), "1 timed run; the check needs 10");
    assert_eq!(c.coupling.verdict(), Verdict::NotEnoughData);

    // Twenty servers entering the step at the same millisecond, with different durations.
    let t = "2026-11-03 04:00:00";
    let mut all_at_once = String::from(HEADER);
    for i in 0..20 {
        let _ = writeln!(all_at_once, "PS1,{i},{t},0,,,11140,,,");
        let _ = writeln!(all_at_once, "PS1,{i},2026-11-03 04:{:02}:00,1,Patch,,11134,,0,", 5 + i);
    }
    let c = coupling_of(&all_at_once);
    assert_eq!(c.coupling.steps[0].outcome, Coupling::NotEnoughData(Shortfall::SameConcurrency { others: 19 }));
    assert_eq!(
        c.coupling.steps[0].shortfall_text().unwrap(),
        "every run entered the step with the same 19 other servers in it"
    );

    // Twenty servers, one after another with overlaps, all taking exactly 10 minutes.
    let mut alike = String::from(HEADER);
    for i in 0..20 {
        let _ = writeln!(alike, "PS1,{i},2026-11-03 04:{:02}:00,0,,,11140,,,", i * 2);
        let _ = writeln!(alike, "PS1,{i},2026-11-03 04:{:02}:00,1,Patch,,11134,,0,", i * 2 + 10);
    }
    let c = coupling_of(&alike);
    assert_eq!(c.coupling.steps[0].outcome, Coupling::NotEnoughData(Shortfall::SameDuration));
    assert_eq!(
        c.coupling.verdict_sentence(),
        "not enough data for a coupling check (a step needs 10 timed runs that entered it with different numbers of others)"
    );

    // None of them writes a NaN, and the timings file still reads.
    for csv in [all_at_once, alike] {
        let h = History::parse(csv.as_bytes(), "h.csv").unwrap();
        let text = Calibration::fit(&h).to_toml(&h, "h.csv");
        assert!(!["= nan", "= inf", "= -inf", "= -nan"].iter().any(|v| text.contains(v)), "{text}");
        assert!(text.contains("verdict = \"not enough data\"\ncontended = []\n"), "{text}");
        Timings::parse(&text, "fitted.toml").unwrap();
    }
}

#[test]
fn calibrate_prints_the_check_writes_it_to_the_timings_file_and_notes_it_in_the_scenario() {
    let dir = temp_dir("coupling", "cli");
    std::fs::write(dir.join("h.csv"), history(400, 7, 600.0, 20.0, 60.0)).unwrap();
    let scenario = "name = \"s\"\n[fleet]\nservers = 1\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[deployment]\nmax_run_time = \"0s\"\n[restart]\nduration = \"10m\"\n[infrastructure]\nstatus_manager_rate = 100\n\n[[step]]\nname = \"Patch\"\ntype = \"command\"\nduration = \"5m\"\n";
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--out", "fitted.toml", "--into", "s.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Coupling check: does a step take longer when more servers are in it at once?"),
        "{stdout}"
    );
    assert!(stdout.contains("Verdict: the history shows contention on step \"Patch\"."), "{stdout}");
    let patch_line = stdout.lines().find(|l| l.starts_with("Patch ") && l.contains("with company")).unwrap();
    assert!(patch_line.contains("SLOWER with company"), "{patch_line}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Prepare ") && l.ends_with("not enough data: every run took the same time")),
        "{stdout}"
    );

    let fitted = std::fs::read_to_string(dir.join("fitted.toml")).unwrap();
    let table: toml::Table = toml::from_str(&fitted).unwrap();
    let coupling = table["coupling"].as_table().unwrap();
    assert_eq!(coupling["verdict"].as_str(), Some("contention"));
    assert_eq!(coupling["contended"].as_array().unwrap().len(), 1);
    let steps = coupling["step"].as_array().unwrap();
    assert_eq!(steps[0]["not_enough_data"].as_str(), Some("every run took the same time"));
    let patch = steps[1].as_table().unwrap();
    assert_eq!((patch["name"].as_str(), patch["runs"].as_integer()), (Some("Patch"), Some(400)));
    assert_eq!(patch["significant"].as_bool(), Some(true));
    let (low, high) = (patch["slope_low"].as_float().unwrap(), patch["slope_high"].as_float().unwrap());
    assert!(low <= 20.0 && 20.0 <= high, "[{low}, {high}]");
    // The timings file with its [coupling] reads back for import --timings.
    assert_eq!(Timings::parse(&fitted, "fitted.toml").unwrap().steps.len(), 2);

    let edited = std::fs::read_to_string(dir.join("s.toml")).unwrap();
    let duration = edited.lines().find(|l| l.starts_with("duration = ") && l.contains("calibrate:")).unwrap();
    assert!(
        duration.contains("coupling check: +") && duration.contains("a shared resource? (docs/import.md)"),
        "{duration}"
    );
}
