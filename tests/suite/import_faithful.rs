//! Imported scenarios behave as the real sequence would: small exports of the patterns real
//! sequences use (empty sequences and groups, scripts that only wait or exit, `like`
//! conditions, the try/catch pattern on `_SMSTSLastActionSucceeded`, MDT's steps, child
//! sequences), imported and then run or traced.

use crate::common::{steps_only, trace};
use patchsim::import::{ImportOptions, ImportedScenario, read_task_sequence, write_scenario};
use patchsim::scenario::Scenario;

/// Imports an export and loads the scenario it makes.
fn import(xml: &str) -> (Scenario, ImportedScenario) {
    let ts = read_task_sequence(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let options = ImportOptions { source: "export.xml".into(), servers: 4, ..ImportOptions::default() };
    let written = write_scenario(&ts, &options, None).unwrap_or_else(|e| panic!("{e}"));
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    (s, written)
}

/// The steps server 0 runs, without times: `name ok|failed [exit N]`, groups' starts and ends.
fn ran(s: &Scenario) -> Vec<String> {
    let (lines, _) = trace(s, 0);
    steps_only(&lines).iter().map(|l| l.split_once(' ').map_or(l.clone(), |(_, rest)| rest.to_owned())).collect()
}

#[test]
fn an_empty_sequence_runs_as_an_empty_group_does() {
    let (empty, written) = import("<sequence version=\"3.10\" />");
    assert_eq!((written.steps, written.groups), (0, 1));
    assert!(written.warnings[0].starts_with("line 1: the <sequence> has no group or step: written as one empty group"));
    let (group, written) =
        import("<sequence version=\"3.10\">\n  <group name=\"New Group\" description=\"\" />\n</sequence>");
    assert_eq!((written.steps, written.groups), (0, 1));
    assert_eq!(written.warnings, ["line 2: the group \"New Group\" has no group or step: it starts and ends at once"]);
    let rename = |lines: Vec<String>| -> Vec<String> {
        lines.into_iter().map(|l| l.replace("New Group", "Empty sequence")).collect()
    };
    assert_eq!(ran(&empty), rename(ran(&group)));
    assert_eq!(
        ran(&empty),
        ["run started", "Empty sequence started", "Empty sequence ended", "run ended completed_in_window"]
    );
}
