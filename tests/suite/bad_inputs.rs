//! Bad input is normal input: every mistake gives a clear error that names the file, the line
//! and column, and the key; a non-zero exit; no panic; and no summary left behind.

use crate::common::{patchsim, temp_dir};
use std::path::Path;

const REFERENCE: &str = include_str!("../../scenarios/monthly-server-patching.toml");

/// Line and column (1-based, in characters) of a byte offset.
fn locate(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line, col)
}

/// Where the error must point: the `at` substring (its first occurrence), plus `skip` bytes.
struct Expect<'a> {
    at: &'a str,
    skip: usize,
    key: Option<&'a str>,
    says: &'a str,
}

/// Writes `text` as `bad.toml`, runs `patchsim run` on it, checks the error, and returns what
/// patchsim printed on standard error.
fn check(name: &str, text: &str, expect: Expect<'_>) -> String {
    let dir = temp_dir("bad_inputs", name);
    let file = dir.join("bad.toml");
    std::fs::write(&file, text).expect("write scenario");
    let out_dir = dir.join("out");
    let out = patchsim(&["run", file.to_str().unwrap(), "--replications", "1", "--out", out_dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: exit status; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    let offset = text.find(expect.at).unwrap_or_else(|| panic!("{name}: marker {:?} not in text", expect.at));
    let (line, col) = locate(text, offset + expect.skip);
    let mut prefix = format!("error: {}:{line}:{col}: ", file.display());
    if let Some(key) = expect.key {
        prefix.push_str(&format!("key `{key}`: "));
    }
    assert!(stderr.starts_with(&prefix), "{name}: expected stderr to start with\n  {prefix}\ngot\n  {stderr}");
    assert!(stderr.contains(expect.says), "{name}: expected {:?} in\n  {stderr}", expect.says);
    assert!(!out_dir.join("summary.json").exists(), "{name}: a summary was left behind");
    assert!(out.stdout.is_empty(), "{name}: printed a projection: {}", String::from_utf8_lossy(&out.stdout));
    stderr.strip_prefix(&prefix).unwrap_or(&stderr).to_owned()
}

/// Like [`check`], and the whole error is exactly `expect.says` (one line).
fn check_exact(name: &str, text: &str, expect: Expect<'_>) {
    let says = expect.says;
    let rest = check(name, text, expect);
    assert_eq!(rest, format!("{says}\n"), "{name}: the whole message");
}

/// The reference scenario with one text replaced (which must be there exactly once).
fn mutate(from: &str, to: &str) -> String {
    assert_eq!(REFERENCE.matches(from).count(), 1, "{from:?} must occur once in the reference scenario");
    REFERENCE.replace(from, to)
}

fn expect<'a>(at: &'a str, skip: usize, key: &'a str, says: &'a str) -> Expect<'a> {
    Expect { at, skip, key: Some(key), says }
}

#[test]
fn toml_syntax_error() {
    let text = mutate("servers = 12000", "servers = 12000 12");
    check("syntax", &text, Expect { at: "12000 12", skip: 0, key: None, says: "TOML syntax error" });
    let text = mutate("name = \"monthly-server-patching\"", "name = \"monthly-server-patching");
    check(
        "unterminated",
        &text,
        Expect { at: "\"monthly-server-patching\n", skip: 24, key: None, says: "TOML syntax error" },
    );
    let text = mutate("[restart]\nduration", "[restart]\n[restart]\nduration");
    check("duplicate table", &text, Expect { at: "[restart]\n[restart]", skip: 11, key: None, says: "duplicate" });
}

#[test]
fn unknown_key_or_section() {
    let text = mutate("servers = 12000", "servrs = 12000");
    check(
        "unknown key",
        &text,
        expect("servrs", 0, "fleet.servrs", "unknown key `servrs` in `fleet` (did you mean `servers`?)"),
    );
    let text = mutate("[deployment]", "[deploymnet]");
    check("unknown section", &text, expect("deploymnet", 0, "deploymnet", "did you mean `deployment`?"));
    let text = mutate("restart_share = 0.7       # share", "restart_shares = 0.7       # share");
    check(
        "unknown step key",
        &text,
        expect("restart_shares", 0, "step.2.restart_shares", "did you mean `restart_share`?"),
    );
    let text = mutate("dist = \"uniform\", min = \"0m\"", "dist = \"uniform\", mode = \"1m\", min = \"0m\"");
    check("key of another distribution", &text, expect("mode", 0, "step.0.duration.mode", "unknown key `mode`"));
}

#[test]
fn missing_required_fields() {
    let text = mutate("servers = 12000", "");
    check("missing servers", &text, expect("[fleet]", 0, "fleet.servers", "missing required key `servers`"));
    let text = mutate("name = \"monthly-server-patching\"\n", "");
    check("missing name", &text, expect("# Monthly", 0, "name", "missing required key `name`"));
    let text = mutate("type = \"sleep\"\n", "");
    check("missing type", &text, expect("[[step]]\nname = \"Inject", 0, "step.0.type", "missing required key `type`"));
    let text = mutate("per_item = { dist = \"lognormal\", median = \"3m\", p95 = \"9m\" }\n", "");
    check(
        "missing per_item",
        &text,
        expect("[[step]]\nname = \"Install Required Non", 0, "step.4.per_item", "missing required key"),
    );
}

#[test]
fn servers_must_be_between_1_and_100_million() {
    for (name, value, says) in [
        ("zero servers", "0", "at least 1 server"),
        ("negative servers", "-5", "at least 1 server"),
        ("absurd servers", "100000001", "absurd"),
        ("fractional servers", "12.5", "whole number"),
        ("servers as text", "\"many\"", "expected a whole number"),
    ] {
        let text = mutate("servers = 12000", &format!("servers = {value}"));
        check(name, &text, expect("servers = ", 10, "fleet.servers", says));
    }
}

#[test]
fn durations_need_units_and_no_sign() {
    for (name, value, says) in [
        ("bare number", "2", "a bare number is not a duration"),
        ("float", "2.5", "a bare number is not a duration"),
        ("unit-less", "\"2\"", "has no unit"),
        ("negative", "\"-2h\"", "negative"),
        ("unknown unit", "\"2 fortnights\"", "unknown unit \"fortnights\""),
        ("gibberish", "\"soon\"", "not understood"),
    ] {
        let text = mutate("length = \"2h\"", &format!("length = {value}"));
        check(name, &text, expect("length = ", 9, "windows.length", says));
    }
}

#[test]
fn distribution_parameters_must_make_sense() {
    let text = mutate("min = \"0m\", max = \"20m\"", "min = \"30m\", max = \"20m\"");
    check(
        "min above max",
        &text,
        expect("max = \"20m\"", 6, "step.0.duration.max", "min (30m) is greater than max (20m)"),
    );
    let text = mutate("median = \"4m\", p95 = \"12m\"", "median = \"4m\", p95 = \"2m\"");
    check("p95 below median", &text, expect("p95 = \"2m\"", 6, "step.2.scan.p95", "p95 (2m) is below the median (4m)"));
    let text = mutate("mode = \"2m\"", "mode = \"9m\"");
    check(
        "mode outside",
        &text,
        expect("mode = \"9m\"", 7, "step.6.duration.mode", "mode (9m) is outside [min, max] = [1m, 8m]"),
    );
    let text = mutate("dist = \"uniform\", min = \"0m\"", "dist = \"unifrom\", min = \"0m\"");
    check(
        "unknown duration dist",
        &text,
        expect("\"unifrom\"", 0, "step.0.duration.dist", "unknown duration distribution \"unifrom\""),
    );
    let text = mutate("hotfixes = { dist = \"poisson\"", "hotfixes = { dist = \"poison\"");
    check(
        "unknown count dist",
        &text,
        expect("\"poison\"", 0, "fleet.counts.hotfixes.dist", "unknown count distribution"),
    );
    let text =
        mutate("median = \"6m\", p95 = \"15m\" }\nhang", "median = \"6m\", p95 = \"15m\", mean = \"5m\" }\nhang");
    check(
        "lognormal both forms",
        &text,
        expect("{ dist = \"lognormal\", median = \"6m\", p95 = \"15m\", mean", 0, "restart.duration", "not both"),
    );
    let text = mutate("hotfixes = { dist = \"poisson\", mean = 0.8 }", "hotfixes = { dist = \"poisson\", mean = -1 }");
    check("negative count mean", &text, expect("mean = -1", 7, "fleet.counts.hotfixes.mean", "cannot be negative"));
}

#[test]
fn unknown_step_type() {
    let text = mutate("type = \"sleep\"", "type = \"slep\"");
    check(
        "unknown step type",
        &text,
        expect("\"slep\"", 0, "step.0.type", "unknown step type \"slep\"; expected one of: sleep, command"),
    );
}

#[test]
fn probabilities_must_be_between_0_and_1() {
    let text = mutate("extension = 0.01", "extension = 1.5");
    check("share above 1", &text, expect("1.5", 0, "fleet.extension", "between 0 and 1, found 1.5"));
    let text = mutate("hang = 0.001", "hang = -0.1");
    check("negative probability", &text, expect("-0.1", 0, "restart.hang", "between 0 and 1"));
    let text = mutate("failure = 0.01            # share", "failure = 2            # share");
    check("failure above 1", &text, expect("failure = 2", 10, "step.2.failure", "between 0 and 1"));
}

#[test]
fn shares_and_exit_code_probabilities_must_add_up_to_1() {
    let text = mutate("name = \"general\"\nshare = 0.8", "name = \"general\"\nshare = 0.7");
    check("class shares", &text, expect("[[fleet.class]]", 0, "fleet.class", "class shares add up to 0.9, not 1"));
    let text = mutate("exit_codes = { 0 = 0.985, 1 = 0.015 }", "exit_codes = { 0 = 0.98, 1 = 0.015 }");
    check(
        "exit codes",
        &text,
        expect("{ 0 = 0.98,", 0, "step.1.exit_codes", "exit-code probabilities add up to 0.995, not 1"),
    );
}

#[test]
fn exit_codes_must_be_integers() {
    let text = mutate("exit_codes = { 0 = 0.985, 1 = 0.015 }", "exit_codes = { 0 = 0.985, \"1.5\" = 0.015 }");
    check(
        "fractional exit code",
        &text,
        expect("\"1.5\"", 0, "step.1.exit_codes.1.5", "exit code \"1.5\" is not an integer"),
    );
    let text = mutate("exit_codes = { 0 = 0.985, 1 = 0.015 }", "exit_codes = { 0 = 0.985, fail = 0.015 }");
    check("named exit code", &text, expect("fail =", 0, "step.1.exit_codes.fail", "is not an integer"));
}

#[test]
fn condition_syntax_errors_point_into_the_condition() {
    let text = mutate("condition = \"PrePatchAction exists\"", "condition = \"PrePatchAction = 'x'\"");
    check("single equals", &text, expect("= 'x'", 0, "step.1.condition", "use `==` to compare (at character 16)"));
    let text = mutate("condition = \"PrePatchAction exists\"", "condition = \"(PrePatchAction exists\"");
    check("unclosed parenthesis", &text, expect("(PrePatch", 0, "step.1.condition", "`(` is never closed"));
    let text = mutate("condition = \"RebootRequired == 'true'\"", "condition = \"RebootRequired == true\"");
    check("unquoted value", &text, expect("true\"", 0, "step.7.steps.1.condition", "expected a value in quotes"));
}

#[test]
fn unknown_count_names() {
    let text = mutate("items = \"security_updates\"", "items = \"security_update\"");
    check(
        "unknown count",
        &text,
        expect(
            "\"security_update\"",
            0,
            "step.2.items",
            "unknown count \"security_update\"; [fleet.counts] defines: security_updates, hotfixes, software",
        ),
    );
    let text = mutate("share = 0.2\n", "share = 0.2\ncounts = { drivers = 2 }\n");
    check(
        "unknown class count",
        &text,
        expect("drivers", 0, "fleet.class.1.counts.drivers", "unknown count \"drivers\""),
    );
}

#[test]
fn days_and_times_must_be_real_and_listed_once() {
    let text = mutate("\"Mon\", \"Tue\"", "\"Mun\", \"Tue\"");
    check("bad day", &text, expect("\"Mun\"", 0, "windows.days.0", "\"Mun\" is not a day"));
    let text = mutate("\"00:00\", \"04:00\"", "\"00:00\", \"4am\"");
    check("bad time", &text, expect("\"4am\"", 0, "windows.starts.1", "not a time of day"));
    let text = mutate("\"00:00\", \"04:00\"", "\"00:00\", \"24:00\"");
    check("time past midnight", &text, expect("\"24:00\"", 0, "windows.starts.1", "not a time of day"));
    let text = mutate("\"Mon\", \"Tue\"", "\"Mon\", \"Mon\"");
    check("day twice", &text, expect("\"Mon\", \"Mon\"", 7, "windows.days.1", "Mon is listed twice"));
    let text = mutate("\"00:00\", \"04:00\"", "\"00:00\", \"00:00\"");
    check("start twice", &text, expect("\"00:00\", \"00:00\"", 9, "windows.starts.1", "start 00:00 is listed twice"));
    let text = mutate("length = \"2h\"", "length = \"25h\"");
    check("window over 24h", &text, expect("\"25h\"", 0, "windows.length", "a window is at most 24h long, found 1d1h"));
    let text = mutate("assign = \"even\"", "assign = { weights = [1, 2] }");
    check(
        "weights count",
        &text,
        expect("[1, 2]", 0, "windows.assign.weights", "has 2 weights but the grid has 42 windows"),
    );
}

#[test]
fn a_scenario_needs_steps() {
    let cut = REFERENCE.find("[[step]]").expect("reference has steps");
    let text = &REFERENCE[..cut];
    check("no steps", text, expect("# Monthly", 0, "step", "the scenario has no steps"));
}

#[test]
fn zero_replications_and_zero_rates() {
    let text = mutate("replications = 200", "replications = 0");
    check("zero replications", &text, expect("replications = 0", 15, "run.replications", "must be at least 1"));
    let text = mutate("status_manager_rate = 120", "status_manager_rate = 0");
    check(
        "zero status manager rate",
        &text,
        expect("status_manager_rate = 0", 22, "infrastructure.status_manager_rate", "must be at least 0.001"),
    );
    // An accepted rate once allocated a series of minutes as long as its drain time.
    let text = mutate("status_manager_rate = 120", "status_manager_rate = 1e-300");
    check(
        "vanishing status manager rate",
        &text,
        expect("status_manager_rate = 1e-300", 22, "infrastructure.status_manager_rate", "must be at least 0.001"),
    );
    let text = mutate("mp_rate = 400", "mp_rate = 0");
    check("zero mp rate", &text, expect("mp_rate = 0", 10, "infrastructure.mp_rate", "must be at least 0.001"));
    let text = mutate("status_manager_rate = 120 # messages a second that the site's Status Manager processes\n", "");
    check("missing rate", &text, expect("[infrastructure]", 0, "infrastructure", "needs `status_manager_rate`"));

    let dir = temp_dir("bad_inputs", "zero replications flag");
    let out = patchsim(&[
        "run",
        "scenarios/monthly-server-patching.toml",
        "--replications",
        "0",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value '0' for '--replications <N>'"));
    assert!(!dir.join("summary.json").exists());
}

#[test]
fn wrapper_variable_and_time_out_must_be_usable() {
    let text = mutate("on_3010 = { set = \"RebootRequired\" }   # a wrapper", "on_3010 = { set = \"\" }   # a wrapper");
    check(
        "empty on_3010 variable",
        &text,
        expect("\"\" }", 0, "step.4.on_3010.set", "the wrapper's variable name is empty"),
    );
    let text = mutate("duration = { dist = \"triangular\"", "timeout = \"0s\"\nduration = { dist = \"triangular\"");
    check("zero time-out", &text, expect("\"0s\"\nduration = { dist = \"tri", 0, "step.6.timeout", "a time-out of 0s"));
    let text = mutate("duration = { dist = \"triangular\"", "timeout = \"1000m\"\nduration = { dist = \"triangular\"");
    check("time-out too long", &text, expect("\"1000m\"", 0, "step.6.timeout", "1 to 999 minutes"));
    let text = mutate("on_3010 = { set = \"RebootRequired\" }   # a wrapper", "on_3010 = \"reboot\"   # a wrapper");
    check("unknown on_3010", &text, expect("\"reboot\"", 0, "step.4.on_3010", "unknown on_3010"));
}

#[test]
fn outages_must_name_a_component_and_a_moment() {
    let with = |outage: &str| mutate("service = \"fixed\"", &format!("service = \"fixed\"\noutages = [{outage}]"));
    let text = with("{ component = \"sql\", at = \"Tue 02:00\", length = \"30m\" }");
    check("unknown component", &text, expect("\"sql\"", 0, "infrastructure.outages.0.component", "unknown component"));
    let text = with("{ component = \"mp:3\", at = \"Tue 02:00\", length = \"30m\" }");
    check(
        "no such mp",
        &text,
        expect("\"mp:3\"", 0, "infrastructure.outages.0.component", "there is no management point 3"),
    );
    let text = with("{ component = \"mp\", at = \"Tuesday 2am\", length = \"30m\" }");
    check("bad moment", &text, expect("\"Tuesday 2am\"", 0, "infrastructure.outages.0.at", "not a time of day"));
}

#[test]
fn files_that_are_empty_not_text_or_missing() {
    let dir = temp_dir("bad_inputs", "files");
    let out_dir = dir.join("out");
    let run = |file: &Path| patchsim(&["run", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.join("binary.toml");
    std::fs::write(&binary, [0x50u8, 0x4B, 0x03, 0x04, 0xFF, 0x00, 0x10]).unwrap();
    let blank = dir.join("blank.toml");
    std::fs::write(&blank, "\n  \n# only a comment\n").unwrap();
    let missing = dir.join("missing.toml");
    // A huge file (a wrong file, or a hostile one) is refused before parsing.
    let huge = dir.join("huge.toml");
    std::fs::write(&huge, format!("name = \"x\"\n{}", "# padding\n".repeat(1_700_000))).unwrap();
    for (file, says) in [
        (&huge, "more than a scenario can be (16 MiB)"),
        (&empty, "the file is empty"),
        (&blank, "missing required key `name`"),
        (&binary, "not a text file"),
        (&missing, "cannot read the scenario: no such file"),
        (&dir, "cannot read the scenario"),
    ] {
        let out = run(file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", file.display());
        assert!(stderr.starts_with(&format!("error: {}", file.display())), "{stderr}");
        assert!(stderr.contains(says), "{}: expected {says:?} in {stderr}", file.display());
        assert!(!out_dir.join("summary.json").exists());
    }
}

#[test]
fn validate_reports_the_same_errors() {
    let dir = temp_dir("bad_inputs", "validate");
    let file = dir.join("bad.toml");
    std::fs::write(&file, mutate("servers = 12000", "servers = 0")).unwrap();
    let out = patchsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("key `fleet.servers`: a fleet needs at least 1 server, found 0")
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["run", "scenarios/monthly-server-patching.toml", "--seed", "-1"][..],
        &["run", "scenarios/monthly-server-patching.toml", "--threads", "0"],
        &["run", "scenarios/monthly-server-patching.toml", "--replications", "many"],
        &["run"],
        &["simulate", "x.toml"],
    ] {
        let out = patchsim(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn names_and_text_refuse_control_bidi_and_separator_characters() {
    let line = "names are one line of printable text";
    for (case, from, to, at, skip, key, says) in [
        (
            "NUL in the scenario name",
            "name = \"monthly-server-patching\"",
            "name = \"monthly\\u0000\"",
            "\"monthly\\u0000",
            0,
            "name",
            format!("contains the control character U+0000 (NUL) at character 8: {line}"),
        ),
        (
            "line feed in a step name",
            "name = \"Inject Random Sleep\"",
            "name = \"Inject\\nRandom Sleep\"",
            "\"Inject\\n",
            0,
            "step.0.name",
            format!("contains the control character U+000A (line feed) at character 7: {line}"),
        ),
        (
            "C1 control in a class name",
            "name = \"general\"",
            "name = \"gen\u{85}eral\"",
            "\u{85}",
            0,
            "fleet.class.0.name",
            format!("contains the control character U+0085 (next line) at character 4: {line}"),
        ),
        (
            "right-to-left override in a step name",
            "name = \"Inject Random Sleep\"",
            "name = \"Inject\u{202E}Random Sleep\"",
            "\u{202E}",
            0,
            "step.0.name",
            "contains the bidirectional formatting character U+202E (right-to-left override) at character 7, which makes text display differently from what it holds: remove it".to_owned(),
        ),
        (
            "isolate in a wrapper's variable",
            "on_3010 = { set = \"RebootRequired\" }   # a wrapper",
            "on_3010 = { set = \"Reboot\u{2066}Required\" }   # a wrapper",
            "\u{2066}",
            0,
            "step.4.on_3010.set",
            "contains the bidirectional formatting character U+2066 (left-to-right isolate) at character 7, which makes text display differently from what it holds: remove it".to_owned(),
        ),
        (
            "line separator in the description",
            "description = \"Seed design:",
            "description = \"Seed\u{2028}design:",
            "\u{2028}",
            0,
            "description",
            "contains U+2028 (line separator) at character 5: descriptions cannot hold Unicode line or paragraph separators".to_owned(),
        ),
        (
            "NUL in the description",
            "description = \"Seed design:",
            "description = \"Seed\\u0000design:",
            "\"Seed\\u0000",
            0,
            "description",
            "contains the control character U+0000 (NUL) at character 5: descriptions may hold line breaks and tabs, but no other control characters".to_owned(),
        ),
        (
            "escape in a class variable's value",
            "PrePatchAction = \"failover.ps1\"",
            "PrePatchAction = \"failover\\u001b[2J.ps1\"",
            "\"failover\\u001b",
            0,
            "fleet.class.1.variables.PrePatchAction",
            "contains the control character U+001B (escape) at character 9: values are one line of printable text".to_owned(),
        ),
        (
            "right-to-left mark in a class variable's name",
            "PrePatchAction = \"failover.ps1\"",
            "\"Pre\u{200F}PatchAction\" = \"failover.ps1\"",
            "\"Pre\u{200F}",
            0,
            "fleet.class.1.variables.Pre\\u{200f}PatchAction",
            "contains the bidirectional formatting character U+200F (right-to-left mark) at character 4, which makes text display differently from what it holds: remove it".to_owned(),
        ),
        (
            "NUL in a count's name",
            "hotfixes = { dist = \"poisson\", mean = 0.8 }",
            "\"hot\\u0000fixes\" = { dist = \"poisson\", mean = 0.8 }",
            "\"hot\\u0000",
            0,
            "fleet.counts.hot\\u{0}fixes",
            format!("contains the control character U+0000 (NUL) at character 4: {line}"),
        ),
        (
            "override in a condition's value",
            "condition = \"PrePatchAction exists\"",
            "condition = \"PrePatchAction == 'x\u{202E}'\"",
            "\u{202E}",
            0,
            "step.1.condition",
            "contains the bidirectional formatting character U+202E (right-to-left override) at character 21, which makes text display differently from what it holds: remove it".to_owned(),
        ),
        (
            "line feed in a condition's value",
            "condition = \"PrePatchAction exists\"",
            "condition = \"PrePatchAction == 'a\\nb'\"",
            "\"PrePatchAction == 'a",
            0,
            "step.1.condition",
            "condition \"PrePatchAction == 'a\\u{a}b'\": the value 'a\\u{a}b' contains the control character U+000A (line feed) at character 2: values are one line of printable text".to_owned(),
        ),
    ] {
        check_exact(case, &mutate(from, to), expect(at, skip, key, &says));
    }
}

#[test]
fn names_and_text_have_documented_length_limits() {
    let long = "S".repeat(257);
    let text = mutate("name = \"Inject Random Sleep\"", &format!("name = \"{long}\""));
    check_exact(
        "step name of 257 characters",
        &text,
        expect(&format!("\"{long}"), 1, "step.0.name", "is 257 characters long: names are at most 256 characters"),
    );
    let ok = mutate("name = \"Inject Random Sleep\"", &format!("name = \"{}\"", "S".repeat(256)));
    let dir = temp_dir("bad_inputs", "step name of 256 characters");
    std::fs::write(dir.join("ok.toml"), ok).unwrap();
    let out = patchsim(&["validate", dir.join("ok.toml").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let long = "d".repeat(4097);
    let text = mutate(
        "description = \"Seed design: 42 two-hour windows, random sleep, owner pre/post actions, two update passes, wrapped hotfixes.\"",
        &format!("description = \"{long}\""),
    );
    check_exact(
        "description of 4097 characters",
        &text,
        expect(
            &format!("\"{long}"),
            1,
            "description",
            "is 4097 characters long: descriptions are at most 4096 characters",
        ),
    );
    let long = "v".repeat(4097);
    let text = mutate("PrePatchAction = \"failover.ps1\"", &format!("PrePatchAction = \"{long}\""));
    check_exact(
        "class variable value of 4097 characters",
        &text,
        expect(
            &format!("\"{long}"),
            1,
            "fleet.class.1.variables.PrePatchAction",
            "is 4097 characters long: values are at most 4096 characters",
        ),
    );
    let long = "C".repeat(257);
    let text = mutate("condition = \"PrePatchAction exists\"", &format!("condition = \"{long} exists\""));
    check_exact(
        "condition variable of 257 characters",
        &text,
        expect(
            &format!("\"{long}"),
            0,
            "step.1.condition",
            &format!(
                "condition \"{long} exists\": the variable name is 257 characters long: names are at most 256 characters"
            ),
        ),
    );
}

#[test]
fn class_names_are_unique_ignoring_case_by_unicode_folding() {
    let text = mutate("name = \"clustered\"", "name = \"GENERAL\"");
    check_exact(
        "classes differing in case",
        &text,
        expect(
            "\"GENERAL\"",
            0,
            "fleet.class.1.name",
            "class \"GENERAL\" is defined twice (first on line 23 as \"general\"): class names are compared ignoring case",
        ),
    );
    let text = mutate("name = \"general\"", "name = \"STRASSE\"").replace("name = \"clustered\"", "name = \"straße\"");
    check_exact(
        "classes that fold alike",
        &text,
        expect(
            "\"straße\"",
            0,
            "fleet.class.1.name",
            "class \"straße\" is defined twice (first on line 23 as \"STRASSE\"): class names are compared ignoring case",
        ),
    );
    let text = mutate("name = \"clustered\"", "name = \"general\"");
    check_exact(
        "the same class twice",
        &text,
        expect(
            "\"general\"\nshare = 0.2",
            0,
            "fleet.class.1.name",
            "class \"general\" is defined twice (first on line 23)",
        ),
    );
    let text =
        mutate("PostPatchAction = \"failback.ps1\"", "PostPatchAction = \"failback.ps1\", PREPATCHACTION = \"x.ps1\"");
    check_exact(
        "a class variable twice, ignoring case",
        &text,
        expect(
            "PREPATCHACTION",
            0,
            "fleet.class.1.variables.PREPATCHACTION",
            "variable \"PREPATCHACTION\" is set twice (also as \"PrePatchAction\"): variable names are compared ignoring case",
        ),
    );
}
