//! Reports people read: snapshots of the text exporters over a fixed summary; every chart
//! renders for the reference scenario and for degenerate runs; the HTML report references
//! nothing outside itself; report folders are replaced only when they hold a report.

use std::path::Path;

use crate::common::scenario;
use crate::common::{patchsim_in, temp_dir};
use patchsim::montecarlo::Summary;
use patchsim::montecarlo::{RunOptions, run, summarize};
use patchsim::report::bundle::report_files;
use patchsim::report::csv_style::CsvStyle;
use patchsim::report::data::ReportData;
use patchsim::report::markdown::summary_markdown;
use patchsim::report::windows_csv::windows_csv;
use patchsim::scenario::Scenario;
use patchsim::sequence::Program;

fn fixture() -> Summary {
    serde_json::from_str(include_str!("fixtures/summary-reference.json")).expect("fixture is a summary")
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(String::from_utf8(summary_markdown(&fixture())).unwrap());
}

#[test]
fn windows_csv_snapshot() {
    insta::assert_snapshot!(String::from_utf8(windows_csv(&fixture(), CsvStyle::Plain)).unwrap());
}

#[test]
fn terminal_table_snapshot() {
    insta::assert_snapshot!(patchsim::report::table::summary_table(&fixture()));
}

/// A small design and a variant with one more minute of work, compared on common random numbers.
fn small_comparison() -> (patchsim::planner::compare::Comparison, Vec<Summary>) {
    use patchsim::montecarlo::{Hooks, run_designs};
    let a = crate::common::sleep_then_work(300, "30m");
    let b = crate::common::sleep_then_work(300, "40m");
    let (pa, pb) = (Program::compile(&a), Program::compile(&b));
    let runs = run_designs(&[(&a, &pa), (&b, &pb)], &RunOptions::new(5, 4, 2), Hooks::default()).unwrap();
    let names = ["30-minute sleep".to_owned(), "40-minute sleep".to_owned()];
    let comparison = patchsim::planner::compare::Comparison::new(&names, 5, 4, &runs);
    let summaries = vec![summarize(&a, 5, &runs.results[0]), summarize(&b, 5, &runs.results[1])];
    (comparison, summaries)
}

#[test]
fn compare_table_and_markdown_snapshots() {
    let (comparison, summaries) = small_comparison();
    insta::assert_snapshot!("compare_table", patchsim::report::comparison::compare_table(&comparison));
    let md = patchsim::report::comparison::compare_markdown(&comparison, &summaries);
    insta::assert_snapshot!("compare_md", String::from_utf8(md).unwrap());
}

#[test]
fn plan_and_sweep_table_snapshots() {
    use patchsim::planner::plan::Evaluation;
    use patchsim::planner::sleep::plan_sleep;
    use patchsim::planner::sweep::{SweepRuns, SweepSpec, run_sweep};
    let s = crate::common::sleep_then_work(300, "10m");
    let plan = plan_sleep(&s, "Sleep", 0.25, None, Evaluation { seed: 8, replications: 3, threads: 2 }).unwrap();
    insta::assert_snapshot!("plan_table", patchsim::report::plan::plan_table(&plan));
    let text = format!(
        "{}\n[[step]]\nname = \"Sleep\"\ntype = \"sleep\"\nduration = {{ dist = \"uniform\", min = \"0m\", max = \"10m\" }}\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"100m\"\n",
        crate::common::BASE.replace("servers = 1", "servers = 300")
    );
    let spec = SweepSpec::parse("step.0.duration.max=20m..40m:10m").unwrap();
    let runs = SweepRuns { seed: Some(3), replications: Some(3), threads: 2 };
    let mut table = patchsim::report::sweep::sweep_header(&spec.key) + "\n";
    run_sweep(&text, "sweep.toml", &[], &spec, runs, |row| {
        table.push_str(&patchsim::report::sweep::sweep_row(row));
        table.push('\n');
    })
    .unwrap();
    insta::assert_snapshot!("sweep_table", table);
}

#[test]
fn summary_json_round_trips() {
    let s = fixture();
    let back: Summary = serde_json::from_slice(&patchsim::report::json::summary_json(&s)).unwrap();
    assert_eq!(back, s);
}

/// Renders every report file of a run and checks each chart and the page.
fn check_report(s: &Scenario, replications: u64) {
    let program = Program::compile(s);
    let result = run(s, &program, &RunOptions::new(1, replications, 2)).expect("runs");
    let data = ReportData::of(s, summarize(s, 1, &result), &result);
    let files = report_files(&data, CsvStyle::Plain).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let mut charts = vec![
        "outcomes",
        "overran-by-window",
        "overrun-minutes",
        "run-end-vs-window",
        "site-load",
        "latency-percentiles",
    ];
    // The State System's load follows when state messages are sent, and only then.
    if s.messages.sends_state() {
        charts.push("state-system-load");
    }
    assert_eq!(
        names.iter().any(|n| n.starts_with("state-system-load")),
        s.messages.sends_state(),
        "{}: {names:?}",
        s.name
    );
    for chart in &charts {
        let svg = files
            .iter()
            .find(|f| f.name == format!("{chart}.svg"))
            .unwrap_or_else(|| panic!("{chart}.svg in {names:?}"));
        let text = std::str::from_utf8(&svg.bytes).unwrap();
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{}: {chart}.svg", s.name);
        let png = files.iter().find(|f| f.name == format!("{chart}.png")).unwrap();
        assert_eq!(&png.bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: {chart}.png", s.name);
        // Width and height in the IHDR chunk.
        assert_eq!(u32::from_be_bytes(png.bytes[16..20].try_into().unwrap()), 960);
        assert_eq!(u32::from_be_bytes(png.bytes[20..24].try_into().unwrap()), 540);
        assert!(png.bytes.len() > 4_000, "{}: {chart}.png is blank", s.name);
    }
    let html = files.iter().find(|f| f.name == "report.html").expect("report.html");
    let html = std::str::from_utf8(&html.bytes).unwrap();
    assert_self_contained(html);
    assert_eq!(html.matches("<figure").count(), charts.len());
    assert!(html.contains(&s.name));
    assert_eq!(html.matches("<tr><td>").count(), s.windows.list.len());
}

/// No script, style sheet, image, font or frame from elsewhere.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for forbidden in ["<script", "<link", "<iframe", "<img", "<object", "<embed", "@import", "url(", "src=", "href="] {
        assert!(!lower.contains(forbidden), "report.html contains {forbidden}");
    }
    assert!(!lower.contains("http:") && !lower.contains("https:"), "report.html names a web address");
}

#[test]
fn every_chart_renders_for_the_reference_scenario() {
    let mut s = Scenario::load(Path::new("scenarios/monthly-server-patching.toml")).unwrap();
    s.fleet.servers = 2_000;
    check_report(&s, 3);
}

#[test]
fn the_state_system_has_its_load_chart_when_state_messages_are_sent() {
    let mut s = Scenario::load(Path::new("scenarios/status-manager-outage.toml")).unwrap();
    s.fleet.servers = 2_000;
    assert!(s.messages.sends_state());
    check_report(&s, 2);
}

#[test]
fn every_chart_renders_for_degenerate_runs() {
    let one_server = scenario(&[], "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n");
    check_report(&one_server, 1);

    let all_fail = scenario(
        &[("servers = 1", "servers = 50")],
        "\n[[step]]\nname = \"Broken\"\ntype = \"command\"\nduration = \"5m\"\nexit_codes = { 1 = 1.0 }\n",
    );
    check_report(&all_fail, 2);

    let silent = scenario(
        &[("servers = 1", "servers = 50")],
        "\n[messages]\nrun_started = 0\nrun_completed = 0\nrun_failed = 0\nstep_succeeded = 0\nstep_failed = 0\n[[step]]\nname = \"Quiet\"\ntype = \"sleep\"\nduration = \"3h\"\n",
    );
    check_report(&silent, 2);

    let never_starts = scenario(
        &[("servers = 1", "servers = 20\noffline = 1.0")],
        "\n[[step]]\nname = \"Work\"\ntype = \"command\"\nduration = \"10m\"\n",
    );
    check_report(&never_starts, 1);
}

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/monthly-server-patching.toml");

#[test]
fn a_report_folder_replaces_only_a_report() {
    let dir = temp_dir("reports", "replace");
    // Not a report: refused, and left as it was.
    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "1", "-q", "--out", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mine holds notes.txt, which patchsim did not write"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(mine.join("notes.txt")).unwrap(), "keep me");
    assert!(!mine.join("summary.json").exists());
    // A report is replaced by the next one.
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "1", "-s", "1", "-q", "--out", "report"]).status.success());
    let first = std::fs::read(dir.join("report/summary.json")).unwrap();
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "1", "-s", "2", "-q", "--out", "report"]).status.success());
    let second = std::fs::read(dir.join("report/summary.json")).unwrap();
    assert_ne!(first, second);
    // Nothing is left beside it.
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A failed run leaves the previous report alone.
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\n").unwrap();
    assert_eq!(patchsim_in(&dir, &["run", "bad.toml", "--out", "report"]).status.code(), Some(1));
    assert_eq!(std::fs::read(dir.join("report/summary.json")).unwrap(), second);
}

#[test]
fn servers_csv_has_a_row_per_server_of_the_first_replication() {
    let dir = temp_dir("reports", "servers");
    let out = patchsim_in(&dir, &["run", REFERENCE, "-r", "2", "-q", "--servers-csv", "--out", "r"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("r/servers.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], patchsim::report::servers_csv::SERVERS_HEADER);
    assert_eq!(lines.len(), 12_001);
    assert!(lines[1].starts_with("0,"));
    let outcomes: Vec<&str> = lines[1..].iter().map(|l| l.split(',').nth(3).unwrap()).collect();
    for o in ["completed_in_window", "overran", "excluded"] {
        assert!(outcomes.contains(&o), "no {o} server");
    }
}

#[test]
fn trace_follows_one_server() {
    let dir = temp_dir("reports", "trace");
    // The first overran server of replication 0, as servers.csv lists it…
    assert!(patchsim_in(&dir, &["run", REFERENCE, "-r", "1", "-q", "--servers-csv", "--out", "r"]).status.success());
    let csv = std::fs::read_to_string(dir.join("r/servers.csv")).unwrap();
    let first_overran = csv.lines().skip(1).find(|l| l.split(',').nth(3) == Some("overran")).unwrap();
    let index = first_overran.split(',').next().unwrap();
    // …is the one `--where outcome=overran` follows.
    let out = patchsim_in(&dir, &["trace", REFERENCE, "--where", "outcome=overran", "--out", "t"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with(&format!("Server {index} of monthly-server-patching (replication 0")), "{table}");
    assert!(table.contains("overran"));
    assert!(table.contains("Inject Random Sleep"));
    assert!(table.contains("run_started"));
    let trace = std::fs::read_to_string(dir.join("t/trace.csv")).unwrap();
    assert!(
        trace.starts_with("kind,name,depth,start_minute,end_minute,start,end,result,exit_code\nrun,task sequence,")
    );
    assert!(std::fs::read(dir.join("t/trace.png")).unwrap().starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(dir.join("t/trace.svg")).unwrap().starts_with("<svg"));
    // The same server by number gives the same table.
    let by_number = patchsim_in(&dir, &["trace", REFERENCE, "--server", index]);
    assert!(out.stdout.starts_with(&by_number.stdout), "--server {index} and --where give different tables");
    // Mistakes.
    let out = patchsim_in(&dir, &["trace", REFERENCE, "--server", "12000"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("numbered 0 to 11999"));
    let out = patchsim_in(&dir, &["trace", REFERENCE, "--where", "outcome=late"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an outcome"));
    let out = patchsim_in(&dir, &["trace", REFERENCE]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn markdown_says_when_no_window_overran() {
    let mut s = fixture();
    for w in &mut s.windows {
        w.overran.mean = 0.0;
    }
    let text = String::from_utf8(summary_markdown(&s)).unwrap();
    assert!(text.ends_with("## Windows with the most overrun\n\nNo server overran its window in any replication.\n"));
}
