//! Names that try to be something else — HTML, a spreadsheet formula, Markdown — stay text in
//! every file patchsim writes: each format escapes them its own way, byte for byte as
//! docs/output.md says.

use crate::common::patchsim_in;
use std::path::{Path, PathBuf};
use std::process::Output;

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=cmd|' /C calc'!A0";

/// Runs patchsim in `dir` and requires it to succeed.
fn succeeds(dir: &Path, args: &[&str]) -> Output {
    let out = patchsim_in(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A folder with `hostile.toml` (names that are HTML, a formula and Markdown) and its inventory.
fn hostile(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile_names").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = format!(
        r#"name = "hostile **x** | <b>&co"
description = "{SCRIPT} | **bold** `code` & {FORMULA}"

[fleet]

[[fleet.class]]
name = "{FORMULA}"
share = 1.0

[windows]
days = ["Mon"]
starts = ["00:00"]
length = "2h"
assign = {{ inventory = "servers.csv" }}

[deployment]
max_run_time = "0s"

[infrastructure]
status_manager_rate = 100

[[step]]
group = "+**x** | y"

  [[step.steps]]
  name = "{SCRIPT}"
  type = "command"
  duration = "5m"

  [[step.steps]]
  name = "{FORMULA}"
  type = "sleep"
  duration = "1m"
"#
    );
    std::fs::write(dir.join("hostile.toml"), scenario).unwrap();
    std::fs::write(dir.join("servers.csv"), format!("name,window\n{FORMULA},Mon 00:00\n{SCRIPT},Mon 00:00\n")).unwrap();
    dir
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn hostile_names_are_escaped_in_every_report_file() {
    let dir = hostile("run");
    succeeds(&dir, &["run", "hostile.toml", "-r", "1", "--quiet", "--servers-csv", "--history-csv", "--out", "out"]);
    let out = dir.join("out");

    let md = read(out.join("summary.md"));
    assert_eq!(
        lines(&md)[..3],
        [
            "# hostile \\*\\*x\\*\\* \\| \\<b\\>\\&co",
            "",
            "\\<script\\>alert(1)\\</script\\> \\| \\*\\*bold\\*\\* \\`code\\` \\& =cmd\\|' /C calc'\\!A0",
        ]
    );

    let html = read(out.join("report.html"));
    for escaped in [
        "<title>patchsim: hostile **x** | &lt;b&gt;&amp;co</title>",
        "<h1>hostile **x** | &lt;b&gt;&amp;co</h1>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; | **bold** `code` &amp; =cmd|&#39; /C calc&#39;!A0</p>",
        "  class =cmd|&#39; /C calc&#39;!A0 100.00%",
        "  1. group &quot;+**x** | y&quot;\n    1.1. &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;: command 5m\n    1.2. &quot;=cmd|&#39; /C calc&#39;!A0&quot;: sleep 1m\n",
    ] {
        assert!(html.contains(escaped), "report.html lacks {escaped:?}");
    }
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<b>"), "user text became HTML");

    assert_eq!(
        lines(&read(out.join("windows.csv")))[1],
        "Mon 00:00,Mon,00:00,2,1.000000,0.000000,0.000000,0.000000,0.000000,0,14",
        "window names are patchsim's own"
    );
    assert_eq!(
        lines(&read(out.join("servers.csv")))[1..],
        [
            "0,Mon 00:00,\"'=cmd|' /C calc'!A0\",completed_in_window,Mon 00:00,Mon 00:06,0,6,6,0,0,7,0,\"'=cmd|' /C calc'!A0\"",
            "1,Mon 00:00,\"'=cmd|' /C calc'!A0\",completed_in_window,Mon 00:00,Mon 00:06,0,6,6,0,0,7,0,<script>alert(1)</script>",
        ]
    );
    assert_eq!(
        lines(&read(out.join("history.csv")))[1..7],
        [
            "SIM00001,16777216,2024-01-01 00:00:00.000,0,,,11140,The task sequence execution engine started execution of a task sequence,,",
            "SIM00001,16777216,2024-01-01 00:00:00.000,1,,\"'+**x** | y\",11124,The task sequence execution engine started the group,,",
            "SIM00001,16777216,2024-01-01 00:05:00.000,2,<script>alert(1)</script>,\"'+**x** | y\",11134,The task sequence execution engine successfully completed the action,0,",
            "SIM00001,16777216,2024-01-01 00:06:00.000,3,\"'=cmd|' /C calc'!A0\",\"'+**x** | y\",11134,The task sequence execution engine successfully completed the action,0,",
            "SIM00001,16777216,2024-01-01 00:06:00.000,1,,\"'+**x** | y\",11127,The task sequence execution engine completed the group,,",
            "SIM00001,16777216,2024-01-01 00:06:00.000,0,,,11143,The task sequence execution engine successfully completed a task sequence,,",
        ]
    );
}

#[test]
fn hostile_names_are_escaped_in_the_trace_and_its_chart() {
    let dir = hostile("trace");
    succeeds(&dir, &["trace", "hostile.toml", "--server", "0", "--out", "trace"]);
    let csv = read(dir.join("trace").join("trace.csv"));
    let rows: Vec<&str> = lines(&csv).into_iter().filter(|l| !l.starts_with("message,")).collect();
    assert_eq!(
        rows,
        [
            "kind,name,depth,start_minute,end_minute,start,end,result,exit_code",
            "run,task sequence,0,0,6,Mon 00:00,Mon 00:06,completed_in_window,",
            "group,\"'+**x** | y\",0,0,6,Mon 00:00,Mon 00:06,completed,",
            "step,<script>alert(1)</script>,1,0,5,Mon 00:00,Mon 00:05,succeeded,0",
            "step,\"'=cmd|' /C calc'!A0\",1,5,6,Mon 00:05,Mon 00:06,succeeded,",
        ]
    );
    // plotters writes chart text as SVG text content, entity-escaped.
    let svg = read(dir.join("trace").join("trace.svg"));
    assert!(svg.contains("\n  &lt;script&gt;alert(1)&lt;/script&gt;\n"), "the step name, escaped, in trace.svg");
    assert!(svg.contains("\n  =cmd|&apos; /C calc&apos;!A0\n"));
    assert!(!svg.contains(SCRIPT));
}

#[test]
fn hostile_names_are_escaped_in_a_comparison() {
    let dir = hostile("compare");
    let variant = read(dir.join("hostile.toml")).replace("name = \"hostile", "name = \"variant `v` #2 of hostile");
    std::fs::write(dir.join("variant.toml"), variant).unwrap();
    succeeds(&dir, &["compare", "hostile.toml", "variant.toml", "-r", "2", "--quiet", "--out", "cmp"]);
    let md = read(dir.join("cmp").join("compare.md"));
    let base = "hostile \\*\\*x\\*\\* \\| \\<b\\>\\&co";
    let description = "\\<script\\>alert(1)\\</script\\> \\| \\*\\*bold\\*\\* \\`code\\` \\& =cmd\\|' /C calc'\\!A0";
    for line in [
        format!("# Comparison with {base}"),
        format!("- **{base}**: {description}"),
        format!("- **variant \\`v\\` \\#2 of {base}**: {description}"),
        format!("## variant \\`v\\` \\#2 of {base} against {base}"),
    ] {
        assert!(md.lines().any(|l| l == line), "compare.md lacks the line {line:?}:\n{md}");
    }
}
