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

const SCRIPTS: &str = include_str!("fixtures/import/scripts.xml");

/// Milliseconds of a trace time (`12m`, `90500ms`).
fn millis(t: &str) -> u64 {
    match t.strip_suffix("ms") {
        Some(ms) => ms.parse().expect("a time in ms"),
        None => t.strip_suffix('m').and_then(|m| m.parse::<u64>().ok()).expect("a time in minutes") * 60_000,
    }
}

/// Each step server `server` ran: its name, how long it took (ms) and how it ended.
fn steps_run(s: &Scenario, server: u64) -> Vec<(String, u64, String)> {
    let (lines, _) = trace(s, server);
    steps_only(&lines)
        .iter()
        .filter_map(|l| {
            let (span, rest) = l.split_once(' ')?;
            let (start, end) = span.split_once('-')?;
            let at = rest.rfind(" ok").or_else(|| rest.rfind(" failed"))?;
            Some((rest[..at].to_owned(), millis(end) - millis(start), rest[at + 1..].to_owned()))
        })
        .collect()
}

#[test]
fn scripts_that_only_wait_and_exit_take_their_wait_and_end_with_their_code() {
    let (s, written) = import(SCRIPTS);
    assert_eq!(
        written.warnings,
        [
            "line 4: \"Wait 10\" only sleeps (# let the service settle Start-Sleep -Seconds 10): written as a `sleep` step, a fixed sleep of 10s",
            "line 12: \"Wait at random\" only sleeps (Start-Sleep -Seconds (Get-Random -Minimum 60 -Maximum 120)): written as a `sleep` step, a random sleep, uniform from 1m to 2m",
            "line 20: \"Settle\" only sleeps (ping -n 6 127.0.0.1 >nul): written as a `sleep` step, a fixed sleep of 5s",
            "line 26: \"Not supported\" only exits with 250 (Write-Host 'This server is not supported' Exit 250): written as a command step taking a fixed 0s that exits with 250, which fails the step (not among its success codes)",
            "line 34: \"Soft failure\" only exits with 1 (cmd /c exit 1): written as a command step taking a fixed 0s that exits with 1",
            "line 40: \"Busy\" waits 5s, exit 3 among other statements (Start-Sleep 5 Get-Service ccmexec | Restart-Service exit 3): kept as a command step with the default duration; give it a duration",
            "line 48: \"Wait past the time-out\" only waits (timeout /t 120 /nobreak): written as a command step taking a fixed 2m, which its time-out may cut short",
            "line 54: \"Give up\" only exits with 99 (Exit 99): written as a command step taking a fixed 0s that exits with 99, which fails the step (not among its success codes)",
            "line 60: \"Never reached\" only sleeps (timeout 5): written as a `sleep` step, a fixed sleep of 5s",
        ]
    );
    let ran = steps_run(&s, 0);
    let names: Vec<&str> = ran.iter().map(|(n, ..)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Wait 10",
            "Wait at random",
            "Settle",
            "Not supported",
            "Soft failure",
            "Busy",
            "Wait past the time-out",
            "Give up"
        ],
        "the run stops at Give up's exit 99: {ran:?}"
    );
    let took = |name: &str| ran.iter().find(|(n, ..)| n == name).map(|(_, ms, end)| (*ms, end.as_str())).unwrap();
    assert_eq!(took("Wait 10"), (10_000, "ok"));
    let (random, end) = took("Wait at random");
    assert!((60_000..=120_000).contains(&random) && end == "ok", "{random}");
    assert_eq!(took("Settle"), (5_000, "ok"));
    assert_eq!(took("Not supported"), (0, "failed exit 250"));
    assert_eq!(took("Soft failure"), (0, "ok exit 1"));
    assert_eq!(took("Wait past the time-out").0, 60_000, "killed at its 1m time-out");
    assert!(took("Wait past the time-out").1.ends_with("timed out"));
    assert_eq!(took("Give up"), (0, "failed exit 99"));
    // Busy keeps the default command duration and exit codes.
    assert_ne!(took("Busy").0, 5_000);
    assert_eq!(took("Busy").1, "ok exit 0");
    // Across servers, the random wait spreads over its range.
    let waits: Vec<u64> = (0..4).map(|k| steps_run(&s, k)[1].1).collect();
    assert!(
        waits.iter().all(|w| (60_000..=120_000).contains(w)) && waits.windows(2).any(|w| w[0] != w[1]),
        "{waits:?}"
    );
}

/// A variable condition of the console, as it writes one.
fn test_of(variable: &str, operator: &str, value: &str) -> String {
    format!(
        "<condition><expression type=\"SMS_TaskSequence_VariableConditionExpression\"><variable name=\"Operator\">{operator}</variable><variable name=\"Value\">{value}</variable><variable name=\"Variable\">{variable}</variable></expression></condition>"
    )
}

#[test]
fn like_conditions_run_only_the_branch_whose_wildcards_match() {
    let branch = |name: &str, pattern: &str| {
        format!(
            "  <step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"{name}\">{}<defaultVarList><variable name=\"CommandLine\">drivers.cmd</variable></defaultVarList></step>\n",
            test_of("Model", "like", pattern)
        )
    };
    let xml = format!(
        "<sequence version=\"3.10\">\n  <step type=\"SMS_TaskSequence_SetVariableAction\" name=\"Gather\"><defaultVarList><variable name=\"VariableName\">Model</variable><variable name=\"VariableValue\">HP EliteBook 840 G8</variable></defaultVarList></step>\n{}{}{}{}</sequence>",
        branch("HP drivers", "hp elitebook*"),
        branch("Dell drivers", "Dell*"),
        branch("G8 only", "*84? G8"),
        branch("G9 only", "*84? G9"),
    );
    let (s, written) = import(&xml);
    assert!(written.warnings.is_empty(), "like is read, not probed: {:?}", written.warnings);
    assert!(written.text.contains("condition = \"Model like 'hp elitebook*'\""), "{}", written.text);
    let ran: Vec<String> = steps_run(&s, 0).into_iter().map(|(n, ..)| n).collect();
    assert_eq!(ran, ["Gather", "HP drivers", "G8 only"]);
}

/// The try/catch pattern: a group that may fail (continue on error), then groups gated on what
/// the engine recorded of the last step run.
fn try_catch(work: &str) -> String {
    let step = |name: &str, line: &str, extra: &str| {
        format!(
            "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"{name}\" successCodeList=\"0 3010\"{extra}><defaultVarList><variable name=\"CommandLine\">{line}</variable></defaultVarList></step>"
        )
    };
    format!(
        "<sequence version=\"3.10\">\n<group name=\"Try\" continueOnError=\"true\">{}</group>\n<group name=\"Success\">{}{}</group>\n<group name=\"Failure\">{}{}</group>\n</sequence>",
        step("Work", work, ""),
        test_of("_SMSTSLastActionSucceeded", "equals", "true"),
        step("Report success", "timeout 1", ""),
        test_of("_SMSTSLastActionSucceeded", "equals", "false"),
        step("Report failure", "timeout 2", ""),
    )
}

#[test]
fn the_try_catch_pattern_runs_exactly_one_of_success_and_failure() {
    for (work, expected) in
        [("timeout 3", ["Work ok", "Report success ok"]), ("Exit 5", ["Work failed exit 5", "Report failure ok"])]
    {
        let (s, written) = import(&try_catch(work));
        assert!(
            written.warnings.iter().all(|w| !w.contains("probe") && !w.contains("_SMSTSLastAction")),
            "the engine's variables are read, not probed: {:?}",
            written.warnings
        );
        // The scenario itself does not warn that nothing sets the engine's variable.
        assert!(s.warnings.iter().all(|w| !w.message.contains("_SMSTSLastActionSucceeded")), "{:?}", s.warnings);
        let ran: Vec<String> = steps_run(&s, 0).into_iter().map(|(n, _, end)| format!("{n} {end}")).collect();
        assert_eq!(ran, expected, "{work}");
        let (lines, _) = trace(&s, 0);
        let skipped: Vec<String> = steps_only(&lines).into_iter().filter(|l| l.contains("skipped")).collect();
        assert_eq!(skipped.len(), 1, "one of the two groups is skipped: {skipped:?}");
    }
}

/// A PowerShell step writing its output to `OSSupported`, and the check of it that fails the run.
const OUTPUT: &str = r#"<sequence version="3.10">
  <step type="SMS_TaskSequence_RunPowerShellScriptAction" name="Check for at least 2024-07 CU" successCodeList="0 3010">
    <defaultVarList>
      <variable name="OSDRunPowerShellScriptSourceScript" property="SourceScript">//4kAEIAdQBpAGwAZAAgAC0AZwBlACAAMgAyADYAMgAxAA==</variable>
      <variable name="OSDRunPShellScriptOutputVariableName" property="OutputVariableName">OSSupported</variable>
    </defaultVarList>
  </step>
  <step type="SMS_TaskSequence_RunCommandLineAction" name="OS is not supported" successCodeList="0 3010">
    <condition><expression type="SMS_TaskSequence_VariableConditionExpression"><variable name="Operator">notEquals</variable><variable name="Value">TRUE</variable><variable name="Variable">OSSupported</variable></expression></condition>
    <defaultVarList><variable name="CommandLine" property="CommandLine">Exit 250</variable></defaultVarList>
  </step>
  <step type="SMS_TaskSequence_RunCommandLineAction" name="Remediate" successCodeList="0 3010">
    <defaultVarList><variable name="CommandLine" property="CommandLine">remediate.cmd</variable></defaultVarList>
  </step>
</sequence>"#;

#[test]
fn an_output_variable_is_unset_with_a_warning_or_given_with_variable() {
    let (s, written) = import(OUTPUT);
    assert!(
        written.warnings.contains(&"line 2: \"Check for at least 2024-07 CU\" writes its output to OSSupported (OutputVariableName), which patchsim cannot run: OSSupported stays unset; give the value your servers' script writes with --variable OSSupported=VALUE".to_owned()),
        "{:?}",
        written.warnings
    );
    let ran: Vec<String> = steps_run(&s, 0).into_iter().map(|(n, _, end)| format!("{n} {end}")).collect();
    assert_eq!(ran[1..], ["OS is not supported failed exit 250"], "unset, the check fails the run");

    let ts = read_task_sequence(OUTPUT.as_bytes()).unwrap();
    let options = ImportOptions {
        servers: 4,
        variables: vec![("OSSupported".to_owned(), "TRUE".to_owned())],
        ..ImportOptions::default()
    };
    let written = write_scenario(&ts, &options, None).unwrap();
    assert!(
        written
            .warnings
            .iter()
            .any(|w| w.ends_with("every server has OSSupported = \"TRUE\" from the start (--variable)"))
    );
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap();
    let ran: Vec<String> = steps_run(&s, 0).into_iter().map(|(n, ..)| n).collect();
    assert_eq!(ran, ["Check for at least 2024-07 CU", "Remediate"], "given, the check is skipped");
}

#[test]
fn a_time_out_shorter_than_the_default_duration_is_warned_with_its_share_of_runs() {
    let step = |name: &str, timeout: u32| {
        format!(
            "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"{name}\" timeout=\"{timeout}\"><defaultVarList><variable name=\"CommandLine\">setup.exe /quiet</variable></defaultVarList></step>\n"
        )
    };
    // The default command is lognormal with median 2m: a 2m time-out cuts half the runs, 1h almost none.
    let xml = format!(
        "<sequence>\n{}{}{}</sequence>",
        step("Install X", 120),
        step("Install Y", 600),
        step("Install Z", 3600)
    );
    let (s, written) = import(&xml);
    let warned: Vec<&String> = written.warnings.iter().filter(|w| w.contains("time-out, but")).collect();
    assert_eq!(
        warned,
        [
            "line 2: \"Install X\" has a 2m time-out, but patchsim's default duration for it (lognormal, median 2m, p95 10m) runs longer in 50% of runs: the step will time out that often; give it a duration (--timings, or by hand)",
            "line 3: \"Install Y\" has a 10m time-out, but patchsim's default duration for it (lognormal, median 2m, p95 10m) runs longer in 5% of runs: the step will time out that often; give it a duration (--timings, or by hand)",
        ]
    );
    // And the engine does time it out about that often: half of Install X's runs, over 50 seeds
    // of the 4 servers.
    let mut timed_out = 0;
    for (seed, server) in (1..=50).flat_map(|seed| (0..4).map(move |server| (seed, server))) {
        let (lines, _) = crate::common::trace_seed(&s, seed, server);
        timed_out += lines.iter().filter(|l| l.contains("Install X failed") && l.ends_with("timed out")).count();
    }
    assert!((70..=130).contains(&timed_out), "{timed_out} of 200");
}

const MDT_PHASES: &str = include_str!("fixtures/import/mdt-phases.xml");

/// Imports an export with `--variable` values and loads the scenario it makes.
fn import_with(xml: &str, variables: &[(&str, &str)]) -> (Scenario, ImportedScenario) {
    let ts = read_task_sequence(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let variables = variables.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    let options = ImportOptions { source: "export.xml".into(), servers: 4, variables, ..ImportOptions::default() };
    let written = write_scenario(&ts, &options, None).unwrap_or_else(|e| panic!("{e}"));
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    (s, written)
}

#[test]
fn mdt_steps_are_read_by_the_script_they_run() {
    let (s, written) = import(MDT_PHASES);
    let types: Vec<(String, &str)> = s
        .steps
        .iter()
        .flat_map(|g| match &g.kind {
            patchsim::scenario::NodeKind::Group(children) => children.iter().collect::<Vec<_>>(),
            patchsim::scenario::NodeKind::Step(_) => vec![g],
        })
        .map(|n| (n.name.clone(), n.type_name()))
        .collect();
    let types: Vec<(&str, &str)> = types.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    assert_eq!(
        types,
        [
            ("Gather local only", "command"),
            ("Next Phase", "command"),
            // A step without a type, running ZTIWindowsUpdate.wsf, installs updates.
            ("Windows Update (Pre-Application Installation)", "install_updates"),
            ("Install Applications", "install_software"),
            ("Install Monitoring Agent", "install_software"),
            ("Windows Update (Post-Application Installation)", "install_updates"),
            ("Apply Local GPO Package", "command"),
        ]
    );
    // Gather is short; the first update pass takes the fleet's count, the second a few.
    assert!(written.text.contains(
        "duration = { dist = \"lognormal\", median = \"10s\", p95 = \"1m\" }   # assumed: MDT's Gather: a few seconds to a minute"
    ));
    assert!(written.text.contains("items = \"updates\""), "{}", written.text);
    assert!(written.text.contains("[fleet.counts]\nupdates = "), "{}", written.text);
    assert!(written.text.contains("CHANGE: a later pass finds few updates"), "{}", written.text);
    for expected in [
        "line 32: \"Windows Update (Pre-Application Installation)\" runs MDT's ZTIWindowsUpdate.wsf (no type): written as an `install_updates` step",
        "line 35: \"Install Applications\" runs MDT's ZTIApplications.wsf (BDD_InstallApplication), for the applications the deployment lists",
        "line 51: \"Apply Local GPO Package\" runs MDT's ZTIApplyGPOPack.wsf (no type), which patchsim does not model: kept as a command step",
        "line 54: the sequence tests DeploymentType, which MDT's Gather sets and patchsim does not: unset on every server",
    ] {
        assert!(written.warnings.iter().any(|w| w.starts_with(expected)), "no {expected:?} in {:#?}", written.warnings);
    }
    // The one application named by its GUID is one item, without a note.
    assert!(!written.warnings.iter().any(|w| w.contains("\"Install Monitoring Agent\"")), "{:#?}", written.warnings);
}

#[test]
fn a_sequence_gated_on_phase_warns_once_and_runs_the_phase_it_is_given() {
    let (s, written) = import(MDT_PHASES);
    let phase: Vec<&String> = written.warnings.iter().filter(|w| w.contains("tests PHASE")).collect();
    assert_eq!(
        phase,
        [
            "line 14: the sequence tests PHASE, which MDT's Gather sets and patchsim does not; give `--variable PHASE=STATERESTORE` (or the phase you simulate) to run that phase"
        ]
    );
    // Without PHASE every phase's group is skipped: only Gather runs.
    let without = ran(&s);
    assert!(without.iter().any(|l| l.starts_with("Preinstall skipped")), "{without:#?}");
    assert!(without.iter().any(|l| l.starts_with("State Restore skipped")), "{without:#?}");
    assert!(!without.iter().any(|l| l.contains("Windows Update")), "{without:#?}");

    let (s, written) = import_with(MDT_PHASES, &[("PHASE", "STATERESTORE")]);
    let phase: Vec<&String> = written.warnings.iter().filter(|w| w.contains("tests PHASE")).collect();
    assert_eq!(phase.len(), 1, "{phase:#?}");
    assert!(phase[0].contains("every server has PHASE = \"STATERESTORE\" from the start (--variable)"), "{phase:#?}");
    let with = ran(&s);
    assert!(with.iter().any(|l| l.starts_with("Preinstall skipped")), "{with:#?}");
    assert!(with.contains(&"State Restore started".to_owned()), "{with:#?}");
    for step in ["Windows Update (Pre-Application Installation)", "Install Monitoring Agent", "Apply Local GPO Package"]
    {
        assert!(with.iter().any(|l| l.starts_with(step) && l.contains(" ok")), "{step} did not run: {with:#?}");
    }
}
