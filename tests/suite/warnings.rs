//! `validate` catches the silent mistakes: a condition on a variable nothing sets, a value nothing
//! sets it to, a share written as a percentage, a maximum run time that keeps most runs from
//! starting. Each warning is asserted word for word, where it points, and that `validate`,
//! `run` and `summary.json` carry it.

use std::path::{Path, PathBuf};

use crate::common::{patchsim, temp_dir};
use patchsim::scenario::Scenario;

const BASE: &str = r#"name = "warn"
[fleet]
servers = 1
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "2h"
[deployment]
max_run_time = "0s"
[infrastructure]
status_manager_rate = 100
"#;

/// A step whose 3010 is wrapped: it sets `RebootRequired` to "true".
const WRAPPED: &str = r#"
[[step]]
name = "Hotfix"
type = "command"
duration = "5m"
exit_codes = { 0 = 0.5, 3010 = 0.5 }
on_3010 = { set = "RebootRequired" }
"#;

/// The base scenario with `replace` applied and `body` appended.
fn text(replace: &[(&str, &str)], body: &str) -> String {
    let mut text = BASE.to_owned();
    for (from, to) in replace {
        assert_eq!(text.matches(from).count(), 1, "{from:?}");
        text = text.replace(from, to);
    }
    text + body
}

/// Every warning of a scenario text, as `validate` prints it without the `warning: ` prefix.
fn warnings(text: &str) -> Vec<String> {
    let s = Scenario::from_toml(text, "warn.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    s.warnings.iter().map(ToString::to_string).collect()
}

/// `warn.toml:LINE:COL: key `key`: message` for the first occurrence of `at` (plus `skip`
/// characters).
fn at(text: &str, marker: &str, skip: usize, key: &str, message: &str) -> String {
    let offset = text.find(marker).unwrap_or_else(|| panic!("{marker:?} not in the text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1 + skip;
    format!("warn.toml:{line}:{column}: key `{key}`: {message}")
}

#[test]
fn a_condition_on_a_variable_nothing_sets_suggests_the_closest() {
    let body = format!(
        "{WRAPPED}\n[[step]]\nname = \"Restart if required\"\ntype = \"restart\"\ncondition = \"RebootRequried == 'true'\"\n"
    );
    let t = text(&[], &body);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"RebootRequried",
            0,
            "step.1.condition",
            "nothing sets variable \"RebootRequried\" (no class variable, inventory column, set_variable step or on_3010 wrapper): it is unset on every server (did you mean \"RebootRequired\"?)"
        )]
    );
    // Case does not make a variable another one: `rebootrequired` is the wrapper's variable.
    let t = text(
        &[],
        &format!("{WRAPPED}\n[[step]]\nname = \"R\"\ntype = \"restart\"\ncondition = \"rebootrequired == 'true'\"\n"),
    );
    assert_eq!(warnings(&t), Vec::<String>::new());
    // Nothing close: no suggestion.
    let t = text(
        &[],
        "\n[[step]]\nname = \"S\"\ntype = \"sleep\"\nduration = \"1m\"\ncondition = \"_SMSTSBootUEFI exists\"\n",
    );
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"_SMSTS",
            0,
            "step.0.condition",
            "nothing sets variable \"_SMSTSBootUEFI\" (a read-only variable of the engine that patchsim does not know for your servers: give its value in [engine] variables): it is unset on every server"
        )]
    );
}

/// Values compare ignoring case, as the engine compares them: `'True'` matches the wrappers'
/// `'true'`, and only a value set in no spelling at all is warned about.
#[test]
fn a_compared_value_set_in_another_case_matches() {
    let t = text(
        &[],
        &format!(
            "{WRAPPED}\n[[step]]\ngroup = \"Finish\"\n  [[step.steps]]\n  name = \"R\"\n  type = \"restart\"\n  condition = \"RebootRequired == 'True'\"\n  [[step.steps]]\n  name = \"Log\"\n  type = \"sleep\"\n  duration = \"1m\"\n  condition = \"not RebootRequired != 'Yes'\"\n"
        ),
    );
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"not RebootRequired",
            0,
            "step.1.steps.1.condition",
            "RebootRequired != 'Yes' always holds: nothing sets RebootRequired to 'Yes' (it is set to 'true')"
        )]
    );
}

/// The engine's own variables are sources: the facts of a running OS and what it records after
/// every step, so the try/catch tests of real sequences are not warned about.
#[test]
fn the_engine_s_variables_are_set_by_the_engine() {
    let t = text(
        &[],
        "\n[[step]]\nname = \"Try\"\ntype = \"sleep\"\nduration = \"1m\"\n[[step]]\nname = \"Catch\"\ntype = \"sleep\"\nduration = \"1m\"\ncondition = \"_SMSTSLastActionSucceeded == 'False' and _SMSTSInWinPE == 'false' and _SMSTSLastActionName == 'try' and _SMSTSLastActionRetCode != '0'\"\n[[step]]\nname = \"WinPE\"\ntype = \"sleep\"\nduration = \"1m\"\ncondition = \"_SMSTSInWinPE == 'yes'\"\n",
    );
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"_SMSTSInWinPE == 'yes'",
            0,
            "step.2.condition",
            "_SMSTSInWinPE == 'yes' never holds: nothing sets _SMSTSInWinPE to 'yes' (it is set to 'false')"
        )]
    );
}

#[test]
fn a_compared_value_nothing_sets_is_named_with_the_values_that_are_set() {
    let classes = "servers = 1\n[[fleet.class]]\nname = \"web\"\nshare = 0.5\nvariables = { Role = \"web\" }\n[[fleet.class]]\nname = \"sql\"\nshare = 0.5\nvariables = { Role = \"sql\" }\n";
    let body = "\n[[step]]\nname = \"Mark\"\ntype = \"set_variable\"\nvariable = \"Role\"\nvalue = \"done\"\n[[step]]\nname = \"DB\"\ntype = \"sleep\"\nduration = \"1m\"\ncondition = \"Role == 'db' or Role == 'sql'\"\n";
    let t = text(&[("servers = 1\n", classes)], body);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"Role == 'db'",
            0,
            "step.1.condition",
            "Role == 'db' never holds: nothing sets Role to 'db' (it is set to 'done', 'sql', 'web')"
        )]
    );
}

#[test]
fn inventory_columns_are_sources_of_variables_and_their_values() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warnings").join("inventory");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("servers.csv"), "name,window,Role\nSQL01,Mon 00:00,SQL\nWEB01,Mon 00:00,\n").unwrap();
    let t = text(
        &[("servers = 1\n", ""), ("length = \"2h\"\n", "length = \"2h\"\nassign = { inventory = \"servers.csv\" }\n")],
        "\n[[step]]\nname = \"Drain\"\ntype = \"sleep\"\nduration = \"1m\"\ncondition = \"Role == 'sql' or Role == 'db' or role exists\"\n",
    );
    let file = dir.join("warn.toml");
    let s = Scenario::from_toml(&t, file.to_str().unwrap()).unwrap();
    let shown: Vec<String> = s.warnings.iter().map(ToString::to_string).collect();
    let expected = at(
        &t,
        "\"Role == 'sql'",
        0,
        "step.0.condition",
        "Role == 'db' never holds: nothing sets Role to 'db' (it is set to 'SQL')",
    );
    assert_eq!(shown, [expected.replacen("warn.toml", file.to_str().unwrap(), 1)]);
}

#[test]
fn a_share_of_exactly_1_reads_as_a_percentage() {
    let t = text(
        &[
            ("servers = 1\n", "servers = 1\noffline = 1\npending_restart = 1.0\nextension = 0.01\n"),
            ("[infrastructure]", "[restart]\nhang = 1\n[infrastructure]"),
        ],
        "\n[[step]]\nname = \"Updates\"\ntype = \"install_updates\"\nitems = 3\nper_item = \"2m\"\nfailure = 1\nrestart_share = 1\n",
    );
    assert_eq!(
        warnings(&t),
        [
            at(
                &t,
                "1\npending",
                0,
                "fleet.offline",
                "is 1, which means every targeted server is offline and no run starts; for 1% write 0.01"
            ),
            at(
                &t,
                "1.0\nextension",
                0,
                "fleet.pending_restart",
                "is 1, which means every server has a restart pending; for 1% write 0.01"
            ),
            at(
                &t,
                "1\n[infra",
                0,
                "restart.hang",
                "is 1, which means no server comes back from a restart; for 1% write 0.01"
            ),
            at(
                &t,
                "1\nrestart_share",
                0,
                "step.0.failure",
                "is 1, which means every update fails to install; for 1% write 0.01"
            ),
        ]
    );
    let t = text(&[("servers = 1\n", "servers = 1\nextension = 1\n")], WRAPPED);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "1\n[windows]",
            0,
            "fleet.extension",
            "is 1, which means every server is on a patching extension and none is targeted; for 1% write 0.01"
        )]
    );
}

#[test]
fn a_max_run_time_that_keeps_most_runs_from_starting() {
    let delay = "start_delay = { dist = \"uniform\", min = \"0s\", max = \"2m\" }\n";
    let t = text(&[("max_run_time = \"0s\"\n", &format!("max_run_time = \"120m\"\n{delay}"))], WRAPPED);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"120m\"",
            0,
            "deployment.max_run_time",
            "the maximum run time 2h leaves 0s of each 2h window for a run to start in, and the start delay is longer than that for 100% of the runs: they never start (outcome not_started); shorten the maximum run time, or write \"0s\" for no start check"
        )]
    );
    let t = text(&[("max_run_time = \"0s\"\n", "max_run_time = \"100m\"\nstart_delay = \"30m\"\n")], WRAPPED);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"100m\"",
            0,
            "deployment.max_run_time",
            "the maximum run time 1h40m leaves 20m of each 2h window for a run to start in, and the start delay is longer than that for 100% of the runs: they never start (outcome not_started); shorten the maximum run time, or write \"0s\" for no start check"
        )]
    );
    let t = text(&[("max_run_time = \"0s\"\n", "max_run_time = \"3h\"\n")], WRAPPED);
    assert_eq!(
        warnings(&t),
        [at(
            &t,
            "\"3h\"",
            0,
            "deployment.max_run_time",
            "the maximum run time 3h is longer than the 2h windows: no run can start (a run starts only when the whole maximum run time fits in what is left of its window); make it shorter than the window, or \"0s\" for no start check"
        )]
    );
    // The console's default of 120 minutes in a two-hour window, with a start delay: the warning
    // points at [deployment], where the key would go.
    let t = text(&[("max_run_time = \"0s\"\n", delay)], WRAPPED);
    let w = warnings(&t);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].starts_with(&at(&t, "[deployment]", 0, "deployment.max_run_time", "the maximum run time 2h leaves 0s")),
        "{w:?}"
    );
    // Room to start: 90 minutes leave half an hour, more than the delay ever takes.
    for fits in [format!("max_run_time = \"90m\"\n{delay}"), "max_run_time = \"120m\"\n".to_owned()] {
        assert_eq!(warnings(&text(&[("max_run_time = \"0s\"\n", &fits)], WRAPPED)), Vec::<String>::new(), "{fits}");
    }
}

#[test]
fn validate_and_run_print_the_warnings_and_summary_json_lists_them() {
    let dir = temp_dir("warnings", "cli");
    let file = dir.join("warn.toml");
    let t = text(&[("servers = 1\n", "servers = 1\noffline = 1\n")], WRAPPED);
    std::fs::write(&file, &t).unwrap();
    let shown = file.to_str().unwrap();
    let line = at(
        &t,
        "1\n[windows]",
        0,
        "fleet.offline",
        "is 1, which means every targeted server is offline and no run starts; for 1% write 0.01",
    )
    .replacen("warn.toml", shown, 1);

    let out = patchsim(&["validate", shown]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("warning: {line}\n"));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(&format!("\n{shown}: OK, with 1 warning\n")));

    let out = patchsim(&["run", shown, "-r", "1", "--quiet", "--out", "-"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("warning: {line}\n")));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["warnings"],
        serde_json::json!([{
            "key": "fleet.offline",
            "line": 4,
            "column": 11,
            "message": "is 1, which means every targeted server is offline and no run starts; for 1% write 0.01"
        }])
    );

    // A scenario without warnings has no `warnings` key.
    std::fs::write(&file, text(&[], WRAPPED)).unwrap();
    let out = patchsim(&["run", shown, "-r", "1", "--quiet", "--out", "-"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary.get("warnings").is_none());
}

#[test]
fn a_set_override_is_named_in_place_of_a_line() {
    let dir = temp_dir("warnings", "set");
    let file = dir.join("warn.toml");
    std::fs::write(&file, text(&[], WRAPPED)).unwrap();
    let out = patchsim(&["validate", file.to_str().unwrap()]);
    assert!(out.stderr.is_empty());
    let out =
        patchsim(&["run", file.to_str().unwrap(), "--set", "fleet.offline=1", "-r", "1", "--quiet", "--out", "-"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().next().map(|l| format!("{l}\n")).unwrap_or_default(),
        "warning: --set fleet.offline=1: key `fleet.offline`: is 1, which means every targeted server is offline and no run starts; for 1% write 0.01\n"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["warnings"][0]["line"], serde_json::Value::Null);
}

/// Every example scenario validates without warnings but for those checked to be real: the
/// max-run-time trap `design-collection-windows.toml` exists to show, and two the import leaves
/// for the user (a collection variable the inventory does not carry, and hotfix wrappers the
/// console export does not show).
#[test]
fn the_example_scenarios_warn_only_where_they_should() {
    let mut found = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.push(PathBuf::from("scenarios/imported/server-patching.toml"));
    files.sort();
    for file in &files {
        let s = Scenario::load(file).unwrap_or_else(|e| panic!("{e}"));
        for w in &s.warnings {
            found.push(format!("{}: {} {}", file.display(), w.key, w.message.split(':').next().unwrap_or("")));
        }
    }
    assert_eq!(
        found,
        [
            "scenarios/design-collection-windows.toml: deployment.max_run_time the maximum run time 2h leaves 0s of each 2h window for a run to start in, and the start delay is longer than that for 100% of the runs",
            "scenarios/imported/server-patching.toml: step.5.condition nothing sets variable \"SkipHotfixes\" (no class variable, inventory column, set_variable step or on_3010 wrapper)",
            "scenarios/imported/server-patching.toml: step.9.steps.2.condition nothing sets variable \"RebootRequired\" (no class variable, inventory column, set_variable step or on_3010 wrapper)",
        ]
    );
}
