//! Outputs a Windows shop loads without fuss: JSON that is ASCII only (Windows PowerShell 5.1
//! reads it right in any encoding), the patchsim version inside `summary.json`, the published
//! JSON Schema of `summary.json`, and the Excel-friendly CSV styles.

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
