//! Outputs a Windows shop loads without fuss: JSON that is ASCII only (Windows PowerShell 5.1
//! reads it right in any encoding), the patchsim version inside `summary.json`, and the CSV
//! styles (`--csv-style`): every style holds the plain file's values, with its byte-order mark,
//! separator, decimal mark and line ends. (The JSON Schema of `summary.json` is checked in
//! `summary_schema.rs`.)

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{patchsim_in, temp_dir};

/// Runs patchsim in `dir` and requires it to succeed.
fn succeeds(dir: &Path, args: &[&str]) {
    let out = patchsim_in(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Non-ASCII text of every kind: Latin-1 (`ä`, `é`), the Basic Multilingual Plane (`€`) and
/// beyond it (`😀`, a surrogate pair in JSON).
const NAME: &str = "Wartung ä é € 😀";
const DESCRIPTION: &str = "Größe: 5 € — naïve 😀";
const STEP: &str = "Installer les mises à jour (é) 😀";
const CLASS: &str = "Serveurs spéciaux €";

/// A small scenario whose names and description are non-ASCII text, in `dir/unicode.toml`.
fn unicode_scenario(dir: &Path, file: &str, name: &str) {
    let scenario = format!(
        r#"name = "{name}"
description = "{DESCRIPTION}"

[fleet]
servers = 40

[[fleet.class]]
name = "{CLASS}"
share = 1.0

[windows]
days = ["Mon", "Tue"]
starts = ["00:00"]
length = "2h"

[infrastructure]
status_manager_rate = 100

[[step]]
group = "Gruppe ä"

  [[step.steps]]
  name = "{STEP}"
  type = "command"
  duration = "5m"
"#
    );
    std::fs::write(dir.join(file), scenario).unwrap();
}

fn assert_ascii(bytes: &[u8], what: &str) {
    let first = bytes.iter().position(|b| !b.is_ascii());
    assert_eq!(first, None, "{what} has a non-ASCII byte: {}", String::from_utf8_lossy(bytes));
}

#[test]
fn summary_json_is_ascii_only_and_reads_back_the_users_text() {
    let dir = temp_dir("windows_outputs", "ascii-run");
    unicode_scenario(&dir, "unicode.toml", NAME);
    succeeds(&dir, &["run", "unicode.toml", "-r", "2", "--quiet", "--out", "out"]);
    let bytes = read(dir.join("out/summary.json"));
    assert_ascii(&bytes, "summary.json");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("\\u00e4") && text.contains("\\u20ac") && text.contains("\\ud83d\\ude00"), "{text}");
    let summary: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(summary["scenario"], NAME);
    assert_eq!(summary["description"], DESCRIPTION);
    // Pretty-printed as before: two-space indents, one key a line, a final newline.
    assert!(text.starts_with("{\n  \"schema\": \"patchsim/summary/v1\",\n"), "{text}");
    assert!(text.ends_with("}\n"));
    // The report folder's marker lists the files in ASCII too.
    assert_ascii(&read(dir.join("out/.patchsim-report")), ".patchsim-report");
}

#[test]
fn compare_json_and_the_designs_summaries_are_ascii_only() {
    let dir = temp_dir("windows_outputs", "ascii-compare");
    unicode_scenario(&dir, "a.toml", NAME);
    unicode_scenario(&dir, "b.toml", "Variante ü");
    succeeds(&dir, &["compare", "a.toml", "b.toml", "-r", "2", "--quiet", "--out", "out"]);
    let compare = read(dir.join("out/compare.json"));
    assert_ascii(&compare, "compare.json");
    let compare: Value = serde_json::from_slice(&compare).unwrap();
    assert_eq!(compare["baseline"], NAME);
    let mut summaries = 0;
    for entry in std::fs::read_dir(dir.join("out")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".summary.json") {
            let bytes = read(path.clone());
            assert_ascii(&bytes, &path.display().to_string());
            summaries += 1;
        }
    }
    assert_eq!(summaries, 2);
}

#[test]
fn summary_json_says_which_patchsim_wrote_it() {
    let dir = temp_dir("windows_outputs", "version");
    unicode_scenario(&dir, "unicode.toml", NAME);
    let out = patchsim_in(&dir, &["run", "unicode.toml", "-r", "1", "--quiet", "--out", "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["patchsim_version"], env!("CARGO_PKG_VERSION"));
    let text = String::from_utf8(out.stdout).unwrap();
    let version = format!(
        "{{\n  \"schema\": \"patchsim/summary/v1\",\n  \"patchsim_version\": \"{}\",\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.starts_with(&version), "the version follows the schema:\n{text}");
}

// --- CSV styles -------------------------------------------------------------------------------

/// The styles as `--csv-style` names them, with the separator and the decimal mark each writes.
const STYLES: [(&str, u8, char); 4] =
    [("plain", b',', '.'), ("excel", b',', '.'), ("excel-de", b';', ','), ("excel-fr", b';', ',')];

/// UTF-8's byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// A class name with both separators, a double quote and a non-ASCII character.
const HOSTILE_CLASS: &str = "Web; Edge, \"DMZ\" \u{20ac}";
/// A step name of the same kind, which history.csv and trace.csv write.
const HOSTILE_STEP: &str = "Install \"KB5034441\"; step, \u{e9}";

/// A scenario whose names hold `;`, `,` and `"`, with an inventory of such names, in `dir`:
/// runs of uneven length (fractions of minutes), some late, some failed.
fn styles_scenario(dir: &Path) {
    let scenario = format!(
        r#"name = "Wartung {NAME}"
description = "CSV styles"

[fleet]

[[fleet.class]]
name = "{}"
share = 0.5

[[fleet.class]]
name = "SQL ä"
share = 0.5

[windows]
days = ["Mon", "Tue"]
starts = ["00:00", "04:00"]
length = "2h"
assign = {{ inventory = "servers.csv" }}

[deployment]
max_run_time = "0s"

[infrastructure]
status_manager_rate = 100

[[step]]
name = "Sleep"
type = "sleep"
duration = {{ dist = "uniform", min = "0m", max = "30m" }}

[[step]]
group = "Gruppe; ä"

  [[step.steps]]
  name = "{}"
  type = "command"
  duration = {{ dist = "lognormal", median = "70m", p95 = "120m" }}
  exit_codes = {{ 0 = 0.9, 1 = 0.1 }}
"#,
        HOSTILE_CLASS.replace('"', "\\\""),
        HOSTILE_STEP.replace('"', "\\\"")
    );
    std::fs::write(dir.join("styles.toml"), scenario).unwrap();
    let mut inventory = String::from("name,window,class\n");
    let windows = ["Mon 00:00", "Mon 04:00", "Tue 00:00", "Tue 04:00"];
    for i in 0..40 {
        let name = match i {
            0 => "\"Z\u{fc}rich;01\"".to_owned(),
            1 => "\"SRV \"\"quoted\"\", 2\"".to_owned(),
            i => format!("srv-{i:02}"),
        };
        let class =
            if i % 2 == 0 { format!("\"{}\"", HOSTILE_CLASS.replace('"', "\"\"")) } else { "SQL \u{e4}".into() };
        inventory.push_str(&format!("{name},{},{class}\n", windows[i % 4]));
    }
    std::fs::write(dir.join("servers.csv"), inventory).unwrap();
}

/// A CSV file of `style` as records: the byte-order mark and line ends checked, cells parted by
/// its separator.
fn records(bytes: &[u8], style: &str, separator: u8, what: &str) -> Vec<Vec<String>> {
    let body = if style == "plain" {
        assert!(!bytes.starts_with(BOM), "{what}: plain has no byte-order mark");
        assert!(!bytes.contains(&b'\r'), "{what}: plain ends lines with LF");
        bytes
    } else {
        assert!(bytes.starts_with(BOM), "{what}: {style} starts with the byte-order mark");
        let body = &bytes[BOM.len()..];
        assert!(body.ends_with(b"\r\n"), "{what}: {style} ends lines with CRLF");
        // Every line end is CRLF: a LF alone is only inside a quoted cell, and names have none.
        let lf = body.iter().filter(|b| **b == b'\n').count();
        let crlf = body.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf, "{what}: {style} ends every line with CRLF");
        body
    };
    let text = std::str::from_utf8(body).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    let header = text.lines().next().unwrap_or_default();
    let other = if separator == b',' { ';' } else { ',' };
    assert!(header.contains(char::from(separator)), "{what}: {style}'s header is parted by its separator: {header}");
    assert!(!header.contains(other), "{what}: {style}'s header has no {other}: {header}");
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).has_headers(false).from_reader(body);
    reader.records().map(|r| r.unwrap_or_else(|e| panic!("{what}: {e}")).iter().map(str::to_owned).collect()).collect()
}

/// A cell of a plain file that is a number or a time with a fraction of a second (the cells
/// whose decimal mark a style changes).
fn is_numeric(cell: &str) -> bool {
    cell.parse::<f64>().is_ok() || (cell.len() == 23 && cell.as_bytes()[4] == b'-' && cell.as_bytes()[19] == b'.')
}

/// Checks that `styled` (in `style`) holds the values of `plain`: the same cells, numbers and
/// times with the style's decimal mark. Returns how many numeric cells had a fraction.
fn same_values(plain: &[u8], styled: &[u8], (style, separator, mark): (&str, u8, char), what: &str) -> usize {
    let plain = records(plain, "plain", b',', what);
    let styled = records(styled, style, separator, what);
    assert_eq!(plain.len(), styled.len(), "{what}: {style} has as many rows as plain");
    let mut fractions = 0;
    for (line, (p, s)) in plain.iter().zip(&styled).enumerate() {
        assert_eq!(p.len(), s.len(), "{what} line {}: {style} has as many cells as plain", line + 1);
        for (pc, sc) in p.iter().zip(s) {
            if line > 0 && is_numeric(pc) {
                assert_eq!(sc.replace(mark, "."), *pc, "{what} line {}: {style} writes {pc} as {sc}", line + 1);
                if mark != '.' {
                    assert!(!sc.contains('.'), "{what} line {}: {style} writes {sc} with a point", line + 1);
                }
                if let (Ok(a), Ok(b)) = (pc.parse::<f64>(), sc.replace(mark, ".").parse::<f64>()) {
                    assert_eq!(a, b, "{what} line {}", line + 1);
                }
                fractions += usize::from(pc.contains('.'));
            } else {
                assert_eq!(sc, pc, "{what} line {}: {style} writes the text as plain", line + 1);
            }
        }
    }
    fractions
}

#[test]
fn every_csv_style_writes_the_same_values_a_spreadsheet_reads() {
    let dir = temp_dir("windows_outputs", "csv-styles-run");
    styles_scenario(&dir);
    let run = |style: &str| {
        let out = format!("out-{style}");
        let args = ["run", "styles.toml", "-r", "3", "--quiet", "--servers-csv", "--history-csv"];
        succeeds(&dir, &[&args[..], &["--csv-style", style, "--out", &out]].concat());
        dir.join(out)
    };
    // Without the flag patchsim writes plain, byte for byte.
    succeeds(&dir, &["run", "styles.toml", "-r", "3", "--quiet", "--servers-csv", "--history-csv", "--out", "out"]);
    let folders: Vec<PathBuf> = STYLES.iter().map(|(style, _, _)| run(style)).collect();
    for file in ["servers.csv", "history.csv", "windows.csv", "load.csv"] {
        let plain = read(folders[0].join(file));
        assert_eq!(read(dir.join("out").join(file)), plain, "{file}: --csv-style plain is the default");
        for (style, folder) in STYLES.iter().zip(&folders).skip(1) {
            let what = format!("{} {file}", style.0);
            let fractions = same_values(&plain, &read(folder.join(file)), *style, &what);
            if file != "history.csv" {
                assert!(fractions > 0, "{file} has numbers with a fraction to check");
            }
        }
    }
    // servers.csv: the header is plain's; de and fr write decimal commas in the minutes.
    let plain = String::from_utf8(read(folders[0].join("servers.csv"))).unwrap();
    assert!(plain.starts_with(patchsim::report::servers_csv::SERVERS_HEADER));
    let de = String::from_utf8(read(folders[2].join("servers.csv"))).unwrap();
    let minutes = records(de.as_bytes(), "excel-de", b';', "servers.csv");
    let commas = minutes.iter().skip(1).filter(|r| r[6..9].iter().any(|c| c.contains(','))).count();
    assert!(commas > 0, "start_minute, end_minute, duration_minutes have decimal commas:\n{de}");
    // A name with the separator is quoted; one with only the other separator need not be.
    assert!(de.contains("\"Z\u{fc}rich;01\""), "{de}");
    assert!(de.contains("\"SRV \"\"quoted\"\", 2\""), "{de}");
    assert!(de.contains(&format!("\"{}\"", HOSTILE_CLASS.replace('"', "\"\""))), "{de}");
    assert!(plain.contains("Z\u{fc}rich;01\n"), "{plain}");
    assert_eq!(read(folders[3].join("servers.csv")), read(folders[2].join("servers.csv")), "fr writes de's bytes");
}

#[test]
fn calibrate_reads_a_history_csv_of_every_style_alike() {
    let dir = temp_dir("windows_outputs", "csv-styles-calibrate");
    styles_scenario(&dir);
    let mut fitted = Vec::new();
    for (style, _, _) in STYLES {
        let out = format!("out-{style}");
        succeeds(&dir, &["run", "styles.toml", "-r", "1", "-q", "--history-csv", "--csv-style", style, "--out", &out]);
        let history = format!("{out}/history.csv");
        let cal = patchsim_in(&dir, &["calibrate", &history, "--out", "-"]);
        assert!(cal.status.success(), "{style}: {}", String::from_utf8_lossy(&cal.stderr));
        fitted.push(String::from_utf8(cal.stdout).unwrap());
    }
    for (f, (style, _, _)) in fitted.iter().zip(STYLES).skip(1) {
        // The timings name their source file's folder; the rest is the same fit.
        let strip = |t: &str| t.lines().filter(|l| !l.contains("out-")).collect::<Vec<_>>().join("\n");
        assert_eq!(strip(f), strip(&fitted[0]), "{style}'s history fits as plain's");
    }
}

#[test]
fn sweep_trace_backtest_and_merge_write_their_csv_in_the_style() {
    let dir = temp_dir("windows_outputs", "csv-styles-commands");
    styles_scenario(&dir);
    succeeds(&dir, &["run", "styles.toml", "-r", "1", "-q", "--history-csv", "--out", "month"]);
    let de = STYLES[2];
    for (name, args, file) in [
        (
            "sweep",
            &["sweep", "styles.toml", "-r", "2", "-q", "--set", "infrastructure.status_manager_rate=50.5,100"][..],
            "sweep.csv",
        ),
        ("trace", &["trace", "styles.toml", "--server", "2"][..], "trace.csv"),
        ("backtest", &["backtest", "styles.toml", "month/history.csv", "-r", "2", "-q"][..], "backtest.csv"),
    ] {
        let plain = format!("{name}-plain");
        let styled = format!("{name}-de");
        succeeds(&dir, &[args, &["--out", &plain]].concat());
        succeeds(&dir, &[args, &["--csv-style", "excel-de", "--out", &styled]].concat());
        let fractions = same_values(&read(dir.join(&plain).join(file)), &read(dir.join(&styled).join(file)), de, file);
        assert!(fractions > 0, "{file} has numbers with a fraction to check");
    }
    // merge: the shards' report and the merged one.
    for k in ["1", "2"] {
        succeeds(
            &dir,
            &["run", "styles.toml", "-r", "2", "-q", "--shard", &format!("{k}/2"), "--out", &format!("s{k}")],
        );
    }
    succeeds(&dir, &["merge", "s1", "s2", "--out", "merged-plain"]);
    succeeds(&dir, &["merge", "s1", "s2", "--csv-style", "excel-fr", "--out", "merged-fr"]);
    for file in ["windows.csv", "load.csv"] {
        let plain = read(dir.join("merged-plain").join(file));
        same_values(&plain, &read(dir.join("merged-fr").join(file)), STYLES[3], file);
    }
}

#[test]
fn the_csv_style_flag_is_the_same_on_every_command_that_writes_csv() {
    let dir = temp_dir("windows_outputs", "csv-styles-flag");
    for command in ["run", "merge", "sweep", "trace", "backtest"] {
        let out = patchsim_in(&dir, &[command, "--help"]);
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.contains("--csv-style <STYLE>"), "{command} --help:\n{help}");
        for (style, _, _) in STYLES {
            assert!(help.contains(&format!("- {style}:")), "{command} --help lists {style}");
        }
    }
    let bad = patchsim_in(&dir, &["run", "x.toml", "--csv-style", "excel-uk"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("excel-de"), "the error lists the styles");
}
