//! Real inputs: console task sequence exports become scenarios whose tree, flags and conditions
//! match the export; hostile and broken XML fail with a place; calibrate fits known lognormals
//! back within sampling error and rewrites a scenario in place; the committed example is what
//! the three commands make.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use crate::common::{patchsim_in, temp_dir};
use patchsim::configmgr::history_view::format_time;
use patchsim::import::calibration::{Calibration, apply_into};
use patchsim::import::history::History;
use patchsim::import::xml::{Element, Limits, parse};
use patchsim::import::{ImportOptions, read_task_sequence, write_scenario};
use patchsim::input::TimeFormat;
use patchsim::random::Stream;
use patchsim::scenario::condition::Condition;
use patchsim::scenario::distribution::Z95;
use patchsim::scenario::{Action, Node, NodeKind, Scenario, Step};
use rand_distr::{Distribution, StandardNormal};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/imported");

/// An export with nested groups, every flag form, every condition form and an unknown step type.
const EXPORT: &str = r#"<?xml version="1.0"?>
<sequence version="3.10">
  <globalVarList><variable name="Stage" property="Stage">prod</variable></globalVarList>
  <group name="Outer" description="the outer group" continueOnError="true">
    <condition>
      <operator type="or">
        <expression type="SMS_TaskSequence_VariableConditionExpression">
          <variable name="Operator">equals</variable><variable name="Value">sql</variable><variable name="Variable">Role</variable>
        </expression>
        <operator type="and">
          <expression type="SMS_TaskSequence_VariableConditionExpression">
            <variable name="Operator">greater</variable><variable name="Value">2</variable><variable name="Variable">Tier</variable>
          </expression>
          <operator type="not">
            <expression type="SMS_TaskSequence_VariableConditionExpression">
              <variable name="Operator">exists</variable><variable name="Variable">Skip</variable>
            </expression>
            <expression type="SMS_TaskSequence_VariableConditionExpression">
              <variable name="Operator">notEquals</variable><variable name="Value">it's</variable><variable name="Variable">Role</variable>
            </expression>
          </operator>
        </operator>
      </operator>
    </condition>
    <step type="SMS_TaskSequence_RunCommandLineAction" name="Plain" successCodeList="0 3010">
      <action>cmd /c plain</action>
    </step>
    <group name="Inner" disable="false" continueOnError="false">
      <step type="SMS_TaskSequence_RunPowerShellScriptAction" name="Disabled script" disable="true" continueOnError="true" successCodeList="0 1641" timeout="600">
        <condition>
          <expression type="SMS_TaskSequence_VariableConditionExpression">
            <variable name="Operator">notExists</variable><variable name="Variable">Done</variable>
          </expression>
          <expression type="SMS_TaskSequence_VariableConditionExpression">
            <variable name="Operator">lessEqual</variable><variable name="Value">10</variable><variable name="Variable">Tier</variable>
          </expression>
        </condition>
        <action>powershell -File x.ps1</action>
      </step>
      <step type="SMS_TaskSequence_InstallUpdateAction" name="Updates" continueOnError="TRUE">
        <defaultVarList><variable name="SMSInstallUpdateTarget" property="Target">All</variable></defaultVarList>
      </step>
      <group name="Deepest">
        <step type="SMS_TaskSequence_SetVariableAction" name="Flag it">
          <defaultVarList>
            <variable name="VariableName" property="VariableName">Done</variable>
            <variable name="VariableValue" property="VariableValue">yes</variable>
          </defaultVarList>
        </step>
        <step type="SMS_TaskSequence_RebootAction" name="Restart">
          <condition>
            <operator type="and">
              <expression type="SMS_TaskSequence_VariableConditionExpression">
                <variable name="Operator">less</variable><variable name="Value">b</variable><variable name="Variable">Ring</variable>
              </expression>
              <expression type="SMS_TaskSequence_WMIConditionExpression">
                <variable name="Namespace">root\cimv2</variable><variable name="Query">SELECT * FROM Win32_ComputerSystem</variable>
              </expression>
              <expression type="SMS_TaskSequence_VariableConditionExpression">
                <variable name="Operator">greaterEqual</variable><variable name="Value">b</variable><variable name="Variable">Ring</variable>
              </expression>
            </operator>
          </condition>
        </step>
      </group>
    </group>
  </group>
  <step type="BDD_InstallRoles" name="MDT roles" continueOnError="false" disable="false"/>
  <step type="SMS_TaskSequence_InstallApplicationAction" name="Apps">
    <defaultVarList><variable name="ApplicationName" property="ApplicationName">A,B,C</variable></defaultVarList>
  </step>
  <subtasksequence type="SMS_TaskSequence_SubTasksequence" name="Child"/>
</sequence>
"#;

/// How the test expects the export to look: (depth, name, kind, continue_on_error, disabled).
const TREE: &[(usize, &str, &str, bool, bool)] = &[
    (0, "Outer", "group", true, false),
    (1, "Plain", "command", false, false),
    (1, "Inner", "group", false, false),
    (2, "Disabled script", "command", true, true),
    (2, "Updates", "install_updates", true, false),
    (2, "Deepest", "group", false, false),
    (3, "Flag it", "set_variable", false, false),
    (3, "Restart", "restart", false, false),
    (0, "MDT roles", "command", false, false),
    (0, "Apps", "install_software", false, false),
    (0, "Child", "command", false, false),
];

fn imported(xml: &str) -> (Scenario, Vec<String>) {
    let ts = read_task_sequence(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let written = write_scenario(&ts, &ImportOptions { source: "export.xml".into(), ..ImportOptions::default() }, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    (s, written.warnings)
}

fn flatten<'a>(nodes: &'a [Node], depth: usize, out: &mut Vec<(usize, &'a Node)>) {
    for n in nodes {
        out.push((depth, n));
        if let NodeKind::Group(children) = &n.kind {
            flatten(children, depth + 1, out);
        }
    }
}

/// The elements of the export that become nodes, in order, with their depth.
fn xml_nodes<'a>(e: &'a Element, depth: usize, out: &mut Vec<(usize, &'a Element)>) {
    for c in &e.children {
        if matches!(c.name.as_str(), "group" | "step" | "subtasksequence") {
            out.push((depth, c));
            xml_nodes(c, depth + 1, out);
        }
    }
}

/// The console's semantics of a condition element, written independently of the importer.
fn console_eval(e: &Element, vars: &HashMap<&str, &str>) -> bool {
    let operands = || e.children.iter().filter(|c| c.name == "operator" || c.name == "expression");
    match e.name.as_str() {
        "condition" => operands().all(|c| console_eval(c, vars)),
        "operator" => match e.attribute("type") {
            Some("or") => operands().any(|c| console_eval(c, vars)),
            Some("not") => !operands().any(|c| console_eval(c, vars)),
            _ => operands().all(|c| console_eval(c, vars)),
        },
        _ => {
            let v = |n: &str| e.children.iter().find(|c| c.attribute("name") == Some(n)).map(|c| c.text.as_str());
            let (name, op, value) =
                (v("Variable").unwrap_or(""), v("Operator").unwrap_or(""), v("Value").unwrap_or(""));
            let actual = vars.get(name).copied();
            let order = |a: &str| match (a.parse::<f64>(), value.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap(),
                _ => a.cmp(value),
            };
            match op {
                "exists" => actual.is_some(),
                "notExists" => actual.is_none(),
                "equals" => actual == Some(value),
                "notEquals" => actual != Some(value),
                "less" => actual.is_some_and(|a| order(a).is_lt()),
                "lessEqual" => actual.is_some_and(|a| order(a).is_le()),
                "greater" => actual.is_some_and(|a| order(a).is_gt()),
                "greaterEqual" => actual.is_some_and(|a| order(a).is_ge()),
                _ => true, // a WMI test: the probe is taken to hold
            }
        }
    }
}

#[test]
fn an_export_imports_with_its_tree_flags_types_and_condition_truth_tables() {
    let (s, warnings) = imported(EXPORT);
    let mut nodes = Vec::new();
    flatten(&s.steps, 0, &mut nodes);
    let got: Vec<(usize, &str, &str, bool, bool)> =
        nodes.iter().map(|(d, n)| (*d, n.name.as_str(), n.type_name(), n.continue_on_error, n.disabled)).collect();
    assert_eq!(got, TREE);

    // Step details: success codes, time-out, update target, variable, application count.
    let step = |name: &str| -> &Step {
        match &nodes.iter().find(|(_, n)| n.name == name).unwrap().1.kind {
            NodeKind::Step(s) => s,
            NodeKind::Group(_) => panic!("{name} is a group"),
        }
    };
    let Action::Command { exit, .. } = &step("Disabled script").action else { panic!() };
    assert_eq!((exit.success_codes.clone(), exit.timeout), (vec![0, 1641], Some(600_000)));
    let Action::SetVariable { variable, value } = &step("Flag it").action else { panic!() };
    assert_eq!((variable.as_str(), value.as_str()), ("Done", "yes"));
    let Action::InstallSoftware { items, .. } = &step("Apps").action else { panic!() };
    assert_eq!(items.to_string(), "3");
    assert!(matches!(step("Updates").action, Action::InstallUpdates(_)));

    // Every condition has the export's truth table, over every assignment of a small domain.
    let doc = parse(EXPORT.as_bytes(), Limits::default()).unwrap().root;
    let mut elements = Vec::new();
    xml_nodes(&doc, 0, &mut elements);
    assert_eq!(elements.len(), nodes.len());
    let names = ["Role", "Tier", "Skip", "Done", "Ring"];
    let domain: [Option<&str>; 7] = [None, Some("sql"), Some("it's"), Some("2"), Some("10"), Some("a"), Some("b")];
    let mut checked = 0;
    for ((_, element), (_, node)) in elements.iter().zip(&nodes) {
        let Some(xml_condition) = element.child("condition") else {
            assert!(node.condition.is_none(), "{} has no condition in the export", node.name);
            continue;
        };
        let condition: &Condition = node.condition.as_ref().expect("a condition was imported");
        for code in 0..domain.len().pow(names.len() as u32) {
            let mut vars: HashMap<&str, &str> = HashMap::new();
            let mut c = code;
            for n in names {
                if let Some(v) = domain[c % domain.len()] {
                    vars.insert(n, v);
                }
                c /= domain.len();
            }
            let ours = condition.eval(&|n: &str| vars.get(n).copied(), &|_| true);
            assert_eq!(ours, console_eval(xml_condition, &vars), "{}: `{condition}` with {vars:?}", node.name);
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 7usize.pow(5), "three conditions, every assignment");

    // Unknown types, child sequences, WMI tests and the dropped variable list are all reported.
    for expected in ["BDD_InstallRoles", "child task sequence", "WMI query", "variable list (Stage)"] {
        assert!(warnings.iter().any(|w| w.contains(expected)), "no warning about {expected}: {warnings:?}");
    }
}

#[test]
fn wrappers_and_encodings_give_the_same_steps() {
    let (plain, _) = imported(EXPORT);
    let body = EXPORT.trim_start_matches("<?xml version=\"1.0\"?>\n");
    let escaped = body.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let wrappers = [
        format!(
            "<SmsTaskSequencePackage><Name>Monthly</Name><SequenceData>{body}</SequenceData></SmsTaskSequencePackage>"
        ),
        format!(
            "<INSTANCE CLASSNAME=\"SMS_TaskSequencePackage\"><PROPERTY NAME=\"Name\" TYPE=\"string\"><VALUE>Monthly</VALUE></PROPERTY><PROPERTY NAME=\"Sequence\" TYPE=\"string\"><VALUE>{escaped}</VALUE></PROPERTY></INSTANCE>"
        ),
        format!(
            "<Objs Version=\"1.1.0.1\"><Obj RefId=\"0\"><Props><S N=\"Name\">Monthly</S><S N=\"Sequence\"><![CDATA[{body}]]></S></Props></Obj></Objs>"
        ),
    ];
    for w in &wrappers {
        let ts = read_task_sequence(w.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ts.name.as_deref(), Some("Monthly"));
        let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
        assert!(written.text.contains("name = \"monthly\""), "the scenario is named after the sequence");
        let s = Scenario::from_toml(&written.text, "w.toml").unwrap();
        assert_eq!(s.steps, plain.steps);
    }
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(EXPORT.encode_utf16().flat_map(u16::to_le_bytes));
    let ts = read_task_sequence(&utf16).unwrap();
    assert_eq!(ts.encoding, "UTF-16LE");
    let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
    assert_eq!(Scenario::from_toml(&written.text, "u.toml").unwrap().steps, plain.steps);
}

/// The settings of the engine-rules issue the console exports and the import keeps: Install
/// Application's "continue installing other applications" (`ContinueOnInstallError`), its count
/// read by the property it holds (`OSDAppCount` holds `NumApps`), and Install Software Updates'
/// "evaluate software updates from cached scan results" (`SMSTSSoftwareUpdateScanUseCache`) and
/// "retry this step if computer unexpectedly restarts" (`retryCount`).
#[test]
fn list_and_cached_scan_settings_are_imported() {
    let xml = r#"<sequence version="3.10">
<step type="SMS_TaskSequence_InstallApplicationAction" name="Apps" continueOnError="true" successCodeList="0" retryCount="2">
<action>smsappinstall.exe /app: /basevar:APPS /continueOnError:False</action>
<defaultVarList><variable name="OSDAppCount" property="NumApps">3</variable>
<variable name="ContinueOnInstallError" property="ContinueOnInstallError" hidden="true">false</variable></defaultVarList></step>
<step type="SMS_TaskSequence_InstallApplicationAction" name="More apps" successCodeList="0">
<action>smsappinstall.exe</action>
<defaultVarList><variable name="ApplicationName" property="ApplicationName">A,B</variable>
<variable name="ContinueOnInstallError" property="ContinueOnInstallError">True</variable></defaultVarList></step>
<step type="SMS_TaskSequence_InstallUpdateAction" name="Updates" successCodeList="0" retryCount="2">
<action>TSInstallSWUpdate.exe /target:%SMSInstallUpdateTarget%</action>
<defaultVarList><variable name="SMSInstallUpdateTarget" property="Target">Mandatory</variable>
<variable name="SMSTSSoftwareUpdateScanUseCache" property="UseCache">true</variable></defaultVarList></step>
<step type="SMS_TaskSequence_InstallUpdateAction" name="All updates" successCodeList="0" retryCount="4">
<action>TSInstallSWUpdate.exe /target:%SMSInstallUpdateTarget%</action>
<defaultVarList><variable name="SMSInstallUpdateTarget" property="Target">All</variable>
<variable name="SMSTSSoftwareUpdateScanUseCache" property="UseCache">false</variable></defaultVarList></step>
<step type="SMS_TaskSequence_RebootAction" name="Restart" successCodeList="0">
<action>smsboot.exe /target:HD</action>
<defaultVarList><variable name="SMSRebootTimeout" property="MessageTimeout">120</variable></defaultVarList></step>
</sequence>"#;
    let (s, _) = imported(xml);
    let steps: Vec<&Step> = s
        .steps
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Step(step) => step,
            NodeKind::Group(_) => panic!(),
        })
        .collect();
    match &steps[0].action {
        Action::InstallSoftware { items, .. } => assert_eq!(items.to_string(), "3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(steps[0].continue_list, Some(false));
    assert!(s.steps[0].continue_on_error, "the two settings stay apart");
    assert_eq!(steps[1].continue_list, Some(true));
    match &steps[2].action {
        Action::InstallUpdates(u) => {
            assert!(u.scan_cached);
            assert_eq!((u.retries, u.all), (2, false), "the step's retryCount, and its Mandatory target");
        }
        other => panic!("{other:?}"),
    }
    match &steps[3].action {
        Action::InstallUpdates(u) => {
            assert!(!u.scan_cached);
            assert_eq!((u.retries, u.all), (4, true), "retryCount 4 (not the default 2), target All");
        }
        other => panic!("{other:?}"),
    }
    match &steps[4].action {
        Action::Restart { notify, .. } => assert_eq!(*notify, 120_000, "SMSRebootTimeout 120 seconds"),
        other => panic!("{other:?}"),
    }
}

/// A Set Task Sequence Variable step on a read-only variable (a name beginning with an
/// underscore) cannot be a `set_variable` step: it is kept as a command step, with a warning.
#[test]
fn setting_a_read_only_variable_imports_as_a_command_step() {
    let xml = r#"<sequence version="3.10">
<step type="SMS_TaskSequence_SetVariableAction" name="Brand" successCodeList="0">
<action>tsenv.exe</action>
<defaultVarList><variable name="VariableName" property="VariableName">_SMSTSOrgName</variable>
<variable name="VariableValue" property="VariableValue">Contoso</variable></defaultVarList></step>
</sequence>"#;
    let (s, warnings) = imported(xml);
    assert!(
        matches!(&s.steps[0].kind, NodeKind::Step(Step { action: Action::Command { .. }, .. })),
        "{:?}",
        s.steps[0]
    );
    assert!(warnings.iter().any(|w| w.contains("_SMSTSOrgName, a read-only variable")), "{warnings:?}");
}

#[test]
fn hostile_and_broken_xml_fail_with_a_clear_error() {
    let laughs = {
        let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let _ = writeln!(
                s,
                " <!ENTITY lol{i} \"{}\">",
                format!("&lol{};", if i == 1 { String::new() } else { (i - 1).to_string() }).repeat(10)
            );
        }
        s.push_str("]>\n<sequence>&lol9;</sequence>\n");
        s
    };
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE sequence [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<sequence><step name=\"&xxe;\" type=\"x\"/></sequence>";
    let undeclared = "<sequence><step name=\"&xxe;\" type=\"x\"/></sequence>";
    let deep = "<sequence>".to_owned() + &"<group name=\"g\">".repeat(100_000);
    // Under the element bound, but far more steps than any console sequence.
    let wide = format!(
        "<sequence>\n{}</sequence>",
        "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"s\"/>\n".repeat(10_001)
    );
    let cases: Vec<(&str, String, &str)> = vec![
        ("entity bomb", laughs, "2:1: the file has a document type declaration"),
        ("external entity", external.to_owned(), "2:1: the file has a document type declaration"),
        ("undeclared entity", undeclared.to_owned(), "1:11: in <step>, attribute name"),
        ("deep nesting", deep, "elements nest more than 128 levels deep"),
        ("too many steps", wide, "10002:1: more than 10000 groups and steps"),
        ("not XML", "name = \"a scenario\"\n".to_owned(), "text outside the root element"),
        (
            "no sequence",
            "<SmsTaskSequencePackage><Name>x</Name></SmsTaskSequencePackage>".to_owned(),
            "no <sequence> in this <SmsTaskSequencePackage>",
        ),
        ("empty file", String::new(), "the file is empty"),
    ];
    for (what, text, expected) in &cases {
        let err = read_task_sequence(text.as_bytes()).unwrap_err().to_string();
        assert!(err.contains(expected), "{what}: {err}");
    }
    // A file cut short anywhere fails with a line and column, never a panic.
    let bytes = EXPORT.as_bytes();
    for cut in (40..bytes.len() - 12).step_by(37) {
        let err = read_task_sequence(&bytes[..cut]).unwrap_err();
        assert!(err.line.is_some(), "cut at {cut}: {err}");
    }
    let err = read_task_sequence(&bytes[..bytes.len() - 12]).unwrap_err().to_string();
    assert!(err.contains("the file ends inside <sequence> opened on line 2: is it cut short?"), "{err}");
}

#[test]
fn import_cli_names_the_file_and_line_and_leaves_no_file() {
    let dir = temp_dir("import", "cli-errors");
    std::fs::write(dir.join("bad.xml"), "<sequence>\n  <step name=\"a\" type=\"x\">\n</sequence>\n").unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "bad.xml", "--out", "s.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: bad.xml:3:1: </sequence> closes <step>"), "{stderr}");
    assert!(!dir.join("s.toml").exists(), "no scenario is left behind");
    std::fs::write(dir.join("ok.xml"), EXPORT).unwrap();
    std::fs::write(dir.join("s.toml"), "mine").unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "ok.xml", "--out", "s.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("s.toml exists"), "an existing file is kept");
    assert_eq!(std::fs::read_to_string(dir.join("s.toml")).unwrap(), "mine");
    let out = patchsim_in(&dir, &["import", "configmgr", "ok.xml", "--out", "s.toml", "--force", "--servers", "50"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "warning: ok.xml: line 68: \"MDT roles\" is MDT's BDD_InstallRoles step, which patchsim does not model"
    ));
    let out = patchsim_in(&dir, &["run", "s.toml", "-r", "2", "-q", "--out", "r"]);
    assert!(out.status.success(), "the imported scenario runs: {}", String::from_utf8_lossy(&out.stderr));
}

/// Lognormal draws with a given median and p95, in seconds.
fn lognormal_seconds(stream: Stream, n: u64, median: f64, p95: f64) -> Vec<f64> {
    let (mu, sigma) = (median.ln(), (p95 / median).ln() / Z95);
    (0..n)
        .map(|i| {
            let z: f64 = StandardNormal.sample(&mut stream.draw(i));
            (mu + sigma * z).exp()
        })
        .collect()
}

#[test]
fn a_history_from_known_lognormals_is_fitted_back_within_sampling_error() {
    // 3000 runs of: Prepare (median 90 s, p95 300 s), Patch (median 20 min, p95 60 min, 3010 in
    // 30% of runs, then a restart of median 6 min, p95 12 min), Tidy (median 45 s, p95 90 s).
    let runs = 3000u64;
    let s = Stream::from_key(42);
    let prepare = lognormal_seconds(s.child(1), runs, 90.0, 300.0);
    let patch = lognormal_seconds(s.child(2), runs, 1200.0, 3600.0);
    let restart = lognormal_seconds(s.child(3), runs, 360.0, 720.0);
    let tidy = lognormal_seconds(s.child(4), runs, 45.0, 90.0);
    let mut csv = String::from(
        "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\n",
    );
    let t0 = TimeFormat::Iso.parse("2026-10-13 00:00:00").unwrap();
    for r in 0..runs as usize {
        let mut t = t0 + (r as i64 % 42) * 4 * 3_600_000;
        let mut row = |t: i64, step: u32, action: &str, id: u32, exit: &str| {
            let _ = writeln!(csv, "PS100123,{},{},{step},{action},,{id},,{exit},", 16_777_300 + r, format_time(t));
        };
        row(t, 0, "", 11140, "");
        t += (prepare[r] * 1000.0) as i64;
        row(t, 1, "Prepare", 11134, "0");
        t += (patch[r] * 1000.0) as i64;
        let restarted = r % 10 < 3;
        row(t, 2, "Patch", 11134, if restarted { "3010" } else { "0" });
        if restarted {
            t += (restart[r] * 1000.0) as i64;
            row(t, 2, "Patch", 11142, "");
        }
        t += (tidy[r] * 1000.0) as i64;
        row(t, 3, "Tidy", if r % 50 == 0 { 11135 } else { 11134 }, if r % 50 == 0 { "5" } else { "0" });
        row(t, 0, "", 11143, "");
    }
    // A few bad rows, which are counted and reported.
    csv.push_str(
        "PS100123,16777300,31/10/26 04:00,1,Prepare,,11134,,0,\nPS100123,,2026-10-13 01:00:00,1,Prepare,,11134,,0,\n",
    );
    let history = History::parse(csv.as_bytes(), "history.csv").unwrap();
    assert_eq!((history.runs, history.bad_rows()), (runs, 2));
    let calibration = Calibration::fit(&history);
    let check = |what: &str, fit: &patchsim::import::fit::LognormalFit, median: f64, p95: f64| {
        let sigma = (p95 / median).ln() / Z95;
        let n = fit.n as f64;
        // Standard errors of the MLE: σ/√n for μ, σ/√(2n) for σ; four of them.
        assert!((fit.mu - median.ln()).abs() < 4.0 * sigma / n.sqrt(), "{what}: median {} vs {median}", fit.median());
        assert!((fit.sigma - sigma).abs() < 4.0 * sigma / (2.0 * n).sqrt(), "{what}: σ {} vs {sigma}", fit.sigma);
        assert!(fit.acceptable(), "{what}: KS {} above {}", fit.ks, fit.ks_critical());
    };
    let step = |name: &str| calibration.step(name).unwrap_or_else(|| panic!("{name} fitted"));
    check("Prepare", &step("Prepare").fit.unwrap(), 90.0, 300.0);
    check("Patch", &step("Patch").fit.unwrap(), 1200.0, 3600.0);
    check("Tidy", &step("Tidy").fit.unwrap(), 45.0, 90.0);
    check("restart", &calibration.restart.unwrap(), 360.0, 720.0);
    assert_eq!(calibration.restart.unwrap().n, 900);
    assert_eq!(step("Patch").exit_codes, [(0, 0.7), (3010, 0.3)]);
    assert_eq!(step("Tidy").exit_codes, [(0, 0.98), (5, 0.02)]);

    // The timings file reads back as what was fitted.
    let text = calibration.to_toml(&history, "history.csv");
    assert!(text.contains("# 2 rows not used:"), "{text}");
    let timings = patchsim::import::Timings::parse(&text, "fitted.toml").unwrap();
    assert_eq!(timings.steps.len(), 3);
    assert_eq!(timings.restart, calibration.restart.map(|f| f.to_dist()));
}

#[test]
fn calibrate_into_rewrites_matching_steps_and_keeps_the_rest() {
    let history = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput
A,1,2026-10-13 00:00:00,0,,,11140,,,
A,1,2026-10-13 00:02:00,1,Owner script,,11134,,0,
A,1,2026-10-13 00:12:00,1,Owner script,,11142,,,
A,2,2026-10-13 04:00:00,0,,,11140,,,
A,2,2026-10-13 04:04:00,1,Owner script,,11134,,1,
A,2,2026-10-13 04:10:00,1,Owner script,,11142,,,
A,2,2026-10-13 04:11:00,9,Not in the scenario,,11134,,0,
";
    let scenario = r#"# My month: hand-written, with comments that must survive.
name = "mine"
[fleet]
servers = 10   # ten servers
[windows]
days = ["Mon"]
starts = ["00:00"]
length = "2h"
[infrastructure]
status_manager_rate = 10

[[step]]
group = "Owners"
  [[step.steps]]
  name = "Owner script"   # the owner's
  type = "command"
  duration = "1m"        # a guess
  continue_on_error = true
[[step]]
name = "Untouched"
type = "sleep"
duration = "5m"
"#;
    let h = History::parse(history.as_bytes(), "h.csv").unwrap();
    let c = Calibration::fit(&h);
    let s = Scenario::from_toml(scenario, "mine.toml").unwrap();
    // Two samples each: Owner script 120 s and 240 s (median √(120·240) = 169.706 s, σ = ln 2 / 2,
    // p95 = 169.706·e^(1.645σ) = 300.104 s); restarts 600 s and 360 s (median 464.758 s, p95
    // 707.426 s).
    let applied = apply_into(scenario, "mine.toml", &s, &c).unwrap();
    assert_eq!(applied.updated, [("Owner script".to_owned(), vec!["duration", "exit_codes"])]);
    assert!(applied.restart);
    assert_eq!(applied.unmatched, ["Not in the scenario"]);
    // Everything but the changed values is as it was, comments included.
    let before: Vec<&str> = scenario.lines().collect();
    let after: Vec<&str> = applied.text.lines().collect();
    for line in &before {
        if !line.contains("duration = \"1m\"") {
            assert!(after.contains(line), "line {line:?} was lost:\n{}", applied.text);
        }
    }
    assert!(
        applied.text.contains(
            "  duration = { dist = \"lognormal\", median = \"2m49.706s\", p95 = \"5m0.104s\" }   # calibrate: 2 samples"
        ),
        "{}",
        applied.text
    );
    assert!(
        applied.text.contains("\n  exit_codes = { 0 = 0.5, 1 = 0.5 }   # calibrate: exit-code shares\n"),
        "{}",
        applied.text
    );
    assert!(
        applied
            .text
            .contains("[restart]\nduration = { dist = \"lognormal\", median = \"7m44.758s\", p95 = \"11m47.426s\" }"),
        "{}",
        applied.text
    );
    let again = Scenario::from_toml(&applied.text, "mine.toml").unwrap();
    assert_eq!(again.steps[1], s.steps[1], "the sleep is untouched");
}

#[test]
fn calibrate_cli_reports_bad_rows_and_refuses_foreign_files() {
    let dir = temp_dir("import", "calibrate-cli");
    std::fs::write(
        dir.join("h.csv"),
        "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\nA,1,2026-10-13 00:00:00,0,,,11140,,,\nA,1,2026-10-13 00:02:00,1,S,,11134,,0,\nA,1,yesterday,1,S,,11134,,0,\n",
    )
    .unwrap();
    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--out", "fitted.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: h.csv: 1 row not used: ExecutionTime is not a time patchsim reads (docs/import.md lists them: ISO 8601, SQL Server, PowerShell's and Excel's culture formats, WMI's) (line 4; line 4 has \"yesterday\")"), "{stderr}");
    let fitted = std::fs::read_to_string(dir.join("fitted.toml")).unwrap();
    assert!(fitted.contains("# 1 row not used:\n#   1 × ExecutionTime is not a time patchsim reads"), "{fitted}");
    assert!(fitted.contains("(line 4; line 4 has \"yesterday\")\n"), "{fitted}");
    // calibrate replaces its own file, and no other.
    assert!(patchsim_in(&dir, &["calibrate", "h.csv", "--out", "fitted.toml"]).status.success());
    std::fs::write(dir.join("notes.toml"), "mine").unwrap();
    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--out", "notes.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.join("notes.toml")).unwrap(), "mine");
    // A missing file, a header that is not the view's.
    let out = patchsim_in(&dir, &["calibrate", "nope.csv", "--out", "x.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: nope.csv: cannot read the history: no such file"));
    std::fs::write(dir.join("wrong.csv"), "a,b\n1,2\n").unwrap();
    let out = patchsim_in(&dir, &["calibrate", "wrong.csv", "--out", "x.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: wrong.csv:1: the header lacks AdvertisementID"));
}

#[test]
fn simulated_history_round_trips_through_calibrate() {
    // A design with known timings, simulated; its history.csv, calibrated, gives them back.
    let dir = temp_dir("import", "round-trip");
    std::fs::write(
        dir.join("known.toml"),
        r#"name = "known"
[fleet]
servers = 4200
[windows]
days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
starts = ["00:00", "04:00", "08:00", "12:00", "16:00", "20:00"]
length = "4h"
[deployment]
max_run_time = "0s"
[restart]
duration = { dist = "lognormal", median = "7m", p95 = "14m" }
[infrastructure]
status_manager_rate = 1000
[[step]]
name = "Owner script"
type = "command"
duration = { dist = "lognormal", median = "3m", p95 = "10m" }
exit_codes = { 0 = 0.8, 3010 = 0.2 }
continue_on_error = true
[[step]]
name = "Agent upkeep"
type = "command"
duration = { dist = "lognormal", median = "40s", p95 = "2m" }
exit_codes = { 0 = 0.95, 1 = 0.05 }
continue_on_error = true
"#,
    )
    .unwrap();
    let out = patchsim_in(&dir, &["run", "known.toml", "-r", "1", "-q", "--history-csv", "--out", "r"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let history = History::read(&dir.join("r/history.csv"), "history.csv", None).unwrap();
    assert_eq!((history.runs, history.bad_rows(), history.untimed), (4200, 0, 0));
    let c = Calibration::fit(&history);
    let near = |what: &str, got: f64, want: f64, tolerance: f64| {
        assert!((got / want - 1.0).abs() < tolerance, "{what}: {got} vs {want}");
    };
    let owner = c.step("Owner script").unwrap();
    let fit = owner.fit.unwrap();
    // n = 4200, σ ≈ 0.73: the median's relative standard error is about 1.1%, the p95's 2%.
    near("owner median", fit.median(), 180.0, 0.05);
    near("owner p95", fit.p95(), 600.0, 0.08);
    let restart = c.restart.unwrap();
    near("restart median", restart.median(), 420.0, 0.08);
    near("restart p95", restart.p95(), 840.0, 0.12);
    // Exit-code shares within four binomial standard errors (sqrt(0.16 / 4200) ≈ 0.6%).
    let share = |codes: &[(i64, f64)], code: i64| codes.iter().find(|(c, _)| *c == code).map_or(0.0, |(_, p)| *p);
    assert!((share(&owner.exit_codes, 3010) - 0.2).abs() < 0.025, "{:?}", owner.exit_codes);
    let upkeep = c.step("Agent upkeep").unwrap();
    assert!((share(&upkeep.exit_codes, 1) - 0.05).abs() < 0.014, "{:?}", upkeep.exit_codes);
    near("upkeep median", upkeep.fit.unwrap().median(), 40.0, 0.05);
}

/// Runs the example's import in `dir` (its export, inventory and timings), writing `out`.
fn import_example(dir: &Path, out: &str) {
    let args = [
        "import",
        "configmgr",
        "server-patching.xml",
        "--inventory",
        "servers.csv",
        "--timings",
        "timings.toml",
        "--max-run-time",
        "0s",
    ];
    let output = patchsim_in(dir, &[&args[..], &["--out", out]].concat());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_example_is_what_the_three_commands_make() {
    // scenarios/imported holds a console export, an inventory, the month that made its history
    // (last-month.toml), and the history, timings and scenario the commands made from them;
    // making them again gives the same files.
    let dir = temp_dir("import", "example");
    for f in ["server-patching.xml", "servers.csv", "last-month.toml", "last-month-servers.csv"] {
        std::fs::copy(Path::new(EXAMPLE).join(f), dir.join(f)).unwrap();
    }
    let out = patchsim_in(&dir, &["run", "last-month.toml", "--quiet", "--history-csv", "--out", "history-run"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::copy(dir.join("history-run/history.csv"), dir.join("history.csv")).unwrap();
    let out = patchsim_in(&dir, &["calibrate", "history.csv", "--out", "timings.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    import_example(&dir, "server-patching.toml");
    for f in ["history.csv", "timings.toml", "server-patching.toml"] {
        let made = std::fs::read_to_string(dir.join(f)).unwrap();
        let committed = std::fs::read_to_string(Path::new(EXAMPLE).join(f)).unwrap();
        assert!(
            made == committed,
            "scenarios/imported/{f} is not what the commands make now; remake it as scenarios/imported/README.md says"
        );
    }
    let out = patchsim_in(&dir, &["run", "server-patching.toml", "-r", "3", "-q", "--out", "r"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("r/summary.json")).unwrap()).unwrap();
    // The inventory lists 2400 servers, 16 of them on an extension.
    assert_eq!(summary["fleet"]["targeted_mean"], 2384.0);
}

/// `text` as Windows PowerShell's `Out-File` writes it: UTF-16LE with a byte-order mark.
fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

#[test]
fn utf16_files_from_windows_powershell_read_as_their_utf8_originals() {
    // Each of the example's files saved as UTF-16 gives what the UTF-8 file gives.
    let dir = temp_dir("import", "utf16");
    for f in ["server-patching.xml", "servers.csv", "history.csv", "timings.toml", "server-patching.toml"] {
        let text = std::fs::read_to_string(Path::new(EXAMPLE).join(f)).unwrap();
        std::fs::write(dir.join(f), utf16le(&text)).unwrap();
    }
    let history = History::read(&dir.join("history.csv"), "history.csv", None).unwrap();
    let original = History::read(&Path::new(EXAMPLE).join("history.csv"), "history.csv", None).unwrap();
    assert_eq!((history.rows, history.runs, history.bad_rows()), (original.rows, original.runs, 0));
    let scenario = Scenario::load(&dir.join("server-patching.toml")).unwrap();
    let original = Scenario::load(&Path::new(EXAMPLE).join("server-patching.toml")).unwrap();
    let (inv, orig) = (scenario.windows.inventory().unwrap(), original.windows.inventory().unwrap());
    assert_eq!((&inv.names, &inv.windows, &inv.cells), (&orig.names, &orig.windows, &orig.cells));
    assert_eq!(scenario.steps, original.steps);
    // The commands read them too, and write UTF-8.
    let out = patchsim_in(&dir, &["calibrate", "history.csv", "--out", "fitted.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    import_example(&dir, "again.toml");
    let again = std::fs::read_to_string(dir.join("again.toml")).unwrap();
    let committed = std::fs::read_to_string(Path::new(EXAMPLE).join("server-patching.toml")).unwrap();
    // The same scenario but for the encoding named in the header.
    assert_eq!(again.replacen("(UTF-16LE)", "(UTF-8)", 1), committed);
    // A UTF-16 file cut in the middle of a character is an error, not a panic.
    let mut cut = utf16le("name,window\nA,Mon 00:00\n");
    cut.pop();
    std::fs::write(dir.join("cut.csv"), cut).unwrap();
    let err = History::read(&dir.join("cut.csv"), "cut.csv", None).unwrap_err().to_string();
    assert!(err.contains("odd number of bytes"), "{err}");
}

/// The data rows of a CSV text in an order given by `seed` (a seeded Fisher–Yates shuffle), with
/// the file's line ending.
fn shuffled_rows(csv: &str, seed: u64) -> String {
    let ending = if csv.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<&str> = csv.lines().collect();
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    for i in (2..lines.len()).rev() {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        lines.swap(i, 1 + (z % i as u64) as usize);
    }
    lines.join(ending) + ending
}

/// What `calibrate --out` writes for a history text.
fn timings_of(csv: &str) -> String {
    let history = History::parse(csv.as_bytes(), "history.csv").unwrap_or_else(|e| panic!("{e}"));
    Calibration::fit(&history).to_toml(&history, "history.csv")
}

#[test]
fn calibrate_writes_the_same_timings_whatever_the_order_of_the_rows() {
    // The example's month of history, and a history full of same-moment ties (steps that take
    // no time, skipped steps, groups, restarts, duplicate rows), each shuffled several ways.
    let example = std::fs::read_to_string(Path::new(EXAMPLE).join("history.csv")).unwrap();
    let mut ties = String::from(
        "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\n",
    );
    let t0 = TimeFormat::Iso.parse("2026-10-13 00:00:00").unwrap();
    for server in 0..40i64 {
        let mut t = t0 + server * 3_600_000;
        let mut row = |t: i64, step: u32, action: &str, group: &str, id: u32, exit: &str| {
            let _ =
                writeln!(ties, "PS1,{},{},{step},{action},{group},{id},,{exit},", 16_777_216 + server, format_time(t));
        };
        row(t, 0, "", "", 11140, "");
        t += 1000 * (60 + server * 7 % 50);
        row(t, 1, "Prepare", "", 11134, "0");
        row(t, 2, "Skipped", "", 11130, "");
        row(t, 3, "", "Patch group", 11124, "");
        row(t, 4, "Set flag", "Patch group", 11134, "0");
        t += 1000 * (600 + server * 13 % 300);
        row(t, 5, "Patch", "Patch group", 11134, if server % 3 == 0 { "3010" } else { "0" });
        if server % 3 == 0 {
            t += 1000 * (240 + server % 60);
            row(t, 5, "Patch", "Patch group", 11142, "");
        }
        row(t, 3, "", "Patch group", 11127, "");
        row(t, 6, "Tidy", "", if server % 7 == 0 { 11135 } else { 11134 }, if server % 7 == 0 { "1" } else { "0" });
        if server % 5 == 0 {
            // An export that repeats a row.
            row(t, 6, "Tidy", "", 11134, "0");
        }
        row(t, 0, "", "", 11143, "");
    }
    for (what, csv) in [("the example's history", example), ("a history of ties", ties)] {
        let expected = timings_of(&csv);
        for seed in 1..=5 {
            let shuffled = shuffled_rows(&csv, seed);
            assert_ne!(shuffled, csv, "{what}: order {seed} is another order");
            assert!(timings_of(&shuffled) == expected, "{what}: order {seed} gives other timings");
        }
        // And in CRLF, as Windows tools write it.
        assert!(timings_of(&shuffled_rows(&csv, 9).replace('\n', "\r\n")) == expected, "{what}: CRLF");
    }
    // The ties are timed from the step that ended, not from the group messages beside it.
    let history = History::parse(shuffled_rows(&timings_ties_sample(), 3).as_bytes(), "h.csv").unwrap();
    let c = Calibration::fit(&history);
    assert_eq!(c.step("Set flag").map(|s| (s.fit.is_none(), s.zero)), Some((true, 1)));
    let fixed = |ms| Some((1, patchsim::scenario::DurationDist::Fixed(ms)));
    assert_eq!(c.step("Patch").and_then(|s| s.fit).map(|f| (f.n, f.to_dist())), fixed(600_000));
    assert_eq!(c.step("Prepare").and_then(|s| s.fit).map(|f| (f.n, f.to_dist())), fixed(60_000));
    assert_eq!(c.restart.map(|f| (f.n, f.to_dist())), fixed(240_000));
}

/// One run of the ties history, for its exact durations.
fn timings_ties_sample() -> String {
    "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput
PS1,1,2026-10-13 00:00:00,0,,,11140,,,
PS1,1,2026-10-13 00:01:00,1,Prepare,,11134,,0,
PS1,1,2026-10-13 00:01:00,2,Skipped,,11130,,,
PS1,1,2026-10-13 00:01:00,3,,Patch group,11124,,,
PS1,1,2026-10-13 00:01:00,4,Set flag,Patch group,11134,,0,
PS1,1,2026-10-13 00:11:00,5,Patch,Patch group,11134,,3010,
PS1,1,2026-10-13 00:15:00,5,Patch,Patch group,11142,,,
PS1,1,2026-10-13 00:15:00,3,,Patch group,11127,,,
PS1,1,2026-10-13 00:15:00,6,Tidy,,11134,,0,
PS1,1,2026-10-13 00:15:00,0,,,11143,,,
"
    .to_owned()
}

/// A history of which most rows cannot be used: times with two-digit years.
const MOSTLY_BAD: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput
A,1,2026-10-13 00:00:00,0,,,11140,,,
A,1,2026-10-13 00:02:00,1,Owner script,,11134,,0,
A,2,13/10/26 04:00:00,0,,,11140,,,
A,2,13/10/26 04:04:00,1,Owner script,,11134,,1,
A,3,13/10/26 08:00:00,0,,,11140,,,
A,3,13/10/26 08:04:00,1,Owner script,,11134,,0,
A,3,2026-10-13 08:05:00,1,Owner script,,LastStatusMsgID,,0,
";

#[test]
fn calibrate_refuses_a_history_it_can_use_little_of_and_writes_nothing() {
    let dir = temp_dir("import", "calibrate-unusable");
    std::fs::write(dir.join("h.csv"), MOSTLY_BAD).unwrap();
    let scenario = "name = \"mine\"\r\n[fleet]\r\nservers = 10\r\n[windows]\r\ndays = [\"Mon\"]\r\nstarts = [\"00:00\"]\r\nlength = \"2h\"\r\n[infrastructure]\r\nstatus_manager_rate = 10\r\n[[step]]\r\nname = \"Owner script\"\r\ntype = \"command\"\r\nduration = \"1m\"\r\n";
    std::fs::write(dir.join("s.toml"), scenario).unwrap();
    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--out", "fitted.toml", "--into", "s.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: h.csv: only 2 of 7 rows are usable, fewer than half, so nothing is fitted: ExecutionTime is not a time patchsim reads (docs/import.md lists them: ISO 8601, SQL Server, PowerShell's and Excel's culture formats, WMI's) (4 rows: lines 4, 5, 6, 7; line 4 has \"13/10/26 04:00:00\"); LastStatusMsgID is not a message number (1 row: line 8). Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?"
    );
    assert!(!dir.join("fitted.toml").exists(), "no timings file");
    assert_eq!(std::fs::read_to_string(dir.join("s.toml")).unwrap(), scenario, "the scenario is untouched");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "no temporary file is left either");
}

/// A history with one step, `Owner script`, and restarts.
const SMALL_HISTORY: &str = "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput
A,1,2026-10-13 00:00:00,0,,,11140,,,
A,1,2026-10-13 00:02:00,1,Owner script,,11134,,0,
A,1,2026-10-13 00:12:00,1,Owner script,,11142,,,
A,2,2026-10-13 04:00:00,0,,,11140,,,
A,2,2026-10-13 04:04:00,1,Owner script,,11134,,1,
A,2,2026-10-13 04:10:00,1,Owner script,,11142,,,
";

/// A scenario with that step and no [restart] table (so the edit adds lines as well as changing
/// them), with Windows line endings and a UTF-8 byte-order mark when `windows`.
fn small_scenario(windows: bool) -> String {
    let text = "# Mine.\nname = \"mine\"\n[fleet]\nservers = 10\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[infrastructure]\nstatus_manager_rate = 10\n\n[[step]]\nname = \"Owner script\"   # the owner's\ntype = \"command\"\nduration = \"1m\"\n";
    if windows { format!("\u{feff}{}", text.replace('\n', "\r\n")) } else { text.to_owned() }
}

/// Whether every line of a text ends with CRLF (and there is at least one).
fn all_crlf(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.contains('\n') && bytes.iter().enumerate().all(|(i, b)| *b != b'\n' || (i > 0 && bytes[i - 1] == b'\r'))
}

#[cfg(unix)]
#[test]
fn calibrate_into_edits_in_place_through_links_keeping_mode_line_endings_and_mark() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = temp_dir("import", "into-in-place");
    std::fs::write(dir.join("h.csv"), SMALL_HISTORY).unwrap();
    std::fs::create_dir(dir.join("shared")).unwrap();
    let target = dir.join("shared/mine.toml");
    std::fs::write(&target, small_scenario(true)).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    symlink("shared/mine.toml", dir.join("mine.toml")).unwrap();

    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--into", "mine.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The link is still a link to the same file, and that file has the fits.
    let link = std::fs::symlink_metadata(dir.join("mine.toml")).unwrap();
    assert!(link.file_type().is_symlink(), "the symlink was replaced by a file");
    assert_eq!(std::fs::read_link(dir.join("mine.toml")).unwrap(), Path::new("shared/mine.toml"));
    let edited = std::fs::read_to_string(&target).unwrap();
    assert!(edited.contains("duration = { dist = \"lognormal\", median = \"2m49.706s\""), "{edited}");
    assert!(edited.contains("\r\n[restart]\r\nduration = { dist = \"lognormal\""), "the added table: {edited:?}");
    // Mode, line endings and mark as they were; the result loads.
    assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777, 0o640);
    assert!(edited.starts_with('\u{feff}') && !edited[3..].contains('\u{feff}'), "one byte-order mark");
    assert!(all_crlf(&edited), "every line, kept, changed or added, ends with CRLF: {edited:?}");
    assert_eq!(Scenario::load(&target).unwrap().steps.len(), 1);
    let names: Vec<String> = std::fs::read_dir(dir.join("shared"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, ["mine.toml"], "no temporary file is left");

    // An LF file stays LF.
    std::fs::write(dir.join("lf.toml"), small_scenario(false)).unwrap();
    assert!(patchsim_in(&dir, &["calibrate", "h.csv", "--into", "lf.toml"]).status.success());
    let edited = std::fs::read_to_string(dir.join("lf.toml")).unwrap();
    assert!(edited.contains("[restart]\nduration") && !edited.contains('\r') && !edited.starts_with('\u{feff}'));

    // A UTF-16 file (Windows PowerShell's Out-File) stays UTF-16 with its mark, and CRLF.
    let text = small_scenario(true).replace('\u{feff}', "");
    std::fs::write(dir.join("utf16.toml"), utf16le(&text)).unwrap();
    assert!(patchsim_in(&dir, &["calibrate", "h.csv", "--into", "utf16.toml"]).status.success());
    let bytes = std::fs::read(dir.join("utf16.toml")).unwrap();
    assert_eq!(&bytes[..2], [0xFF, 0xFE]);
    let units: Vec<u16> = bytes[2..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let decoded = String::from_utf16(&units).unwrap();
    assert!(decoded.contains("median = \"2m49.706s\"") && all_crlf(&decoded), "{decoded:?}");
}

#[cfg(unix)]
#[test]
fn calibrate_into_refuses_a_read_only_scenario_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("import", "into-read-only");
    std::fs::write(dir.join("h.csv"), SMALL_HISTORY).unwrap();
    let scenario = small_scenario(false);
    std::fs::write(dir.join("mine.toml"), &scenario).unwrap();
    std::fs::set_permissions(dir.join("mine.toml"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = patchsim_in(&dir, &["calibrate", "h.csv", "--out", "fitted.toml", "--into", "mine.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: mine.toml is read-only: it is left unchanged; make it writable first, or copy it"
    );
    assert_eq!(std::fs::read_to_string(dir.join("mine.toml")).unwrap(), scenario);
    assert_eq!(std::fs::metadata(dir.join("mine.toml")).unwrap().permissions().mode() & 0o7777, 0o444);
    assert!(!dir.join("fitted.toml").exists(), "nothing is written when the edit is refused");
}

/// A step of the console's Run Command Line type, on one line.
fn command_step(name: &str) -> String {
    format!("<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"{name}\"><action>cmd /c x</action></step>")
}

/// Reads and writes an export; the scenario, which must load, or the error as the CLI shows it.
fn import_outcome(xml: &str) -> Result<(Scenario, Vec<String>), String> {
    let ts = read_task_sequence(xml.as_bytes()).map_err(|e| e.to_string())?;
    let written = write_scenario(&ts, &ImportOptions::default(), None).map_err(|e| e.to_string())?;
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap_or_else(|e| panic!("does not load: {e}"));
    Ok((s, written.warnings))
}

/// Groups nested `groups` deep around one step, one element a line (the k-th group on line
/// k + 1), as deep as the XML reader allows when `groups` is 126.
fn nested_groups(groups: usize) -> String {
    let mut xml = String::from("<sequence>\n");
    for g in 1..=groups {
        let _ = writeln!(xml, "<group name=\"g{g}\">");
    }
    xml.push_str("<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"innermost\"/>\n");
    xml.push_str(&"</group>\n".repeat(groups));
    xml.push_str("</sequence>\n");
    xml
}

/// A step whose condition is `levels` nested console "none of" operators, each holding a
/// variable test and the next, around `innermost`.
fn nested_condition(levels: usize, innermost: &str) -> String {
    let test = |v: &str| {
        format!(
            "<expression type=\"SMS_TaskSequence_VariableConditionExpression\"><variable name=\"Operator\">exists</variable><variable name=\"Variable\">{v}</variable></expression>"
        )
    };
    let mut cond = innermost.replace("TEST", &test("Inner"));
    for level in 0..levels {
        cond = format!("<operator type=\"not\">{}{cond}</operator>", test(&format!("V{level}")));
    }
    format!(
        "<sequence>\n<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Guarded\">\n<condition>{cond}</condition></step>\n</sequence>\n"
    )
}

#[test]
fn exports_nested_as_deep_as_xml_allows_import_or_fail_at_the_line_that_is_too_deep() {
    // 126 groups and a step: 128 elements deep, the XML reader's bound. A scenario holds 64.
    let deepest = nested_groups(126);
    assert_eq!(parse(deepest.as_bytes(), Limits::default()).map(|_| ()), Ok(()), "within the XML bound");
    assert_eq!(
        import_outcome(&deepest).err().as_deref(),
        Some(
            "66:1: groups nest 126 deep here; a scenario holds at most 64 groups inside each other (this one is inside 64)"
        )
    );
    // The command says so, naming the file, and writes nothing.
    let dir = temp_dir("import", "import-deep");
    std::fs::write(dir.join("deep.xml"), &deepest).unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "deep.xml", "--out", "deep.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: deep.xml:66:1: groups nest 126 deep here; a scenario holds at most 64 groups inside each other (this one is inside 64)"
    );
    assert!(!dir.join("deep.toml").exists());
    // 64 groups import, with the step inside all of them; 65 do not.
    let (s, _) = import_outcome(&nested_groups(64)).unwrap();
    let mut depth = 0;
    let mut node = &s.steps[0];
    while let NodeKind::Group(children) = &node.kind {
        depth += 1;
        node = &children[0];
    }
    assert_eq!((depth, node.name.as_str()), (64, "innermost"));
    assert_eq!(
        import_outcome(&nested_groups(65)).err().as_deref(),
        Some(
            "66:1: groups nest 65 deep here; a scenario holds at most 64 groups inside each other (this one is inside 64)"
        )
    );

    // Conditions: each "none of" level is a `not (`…`)`, two levels deep. 122 levels around a
    // `not a` (the most the XML allows inside a step) nest 245 deep; 31 levels around a
    // `not (a or b)` nest 64.
    let deepest = nested_condition(122, "<operator type=\"not\">TEST</operator>");
    assert_eq!(parse(deepest.as_bytes(), Limits::default()).map(|_| ()), Ok(()), "within the XML bound");
    let err = import_outcome(&deepest).unwrap_err();
    assert_eq!(
        err,
        "3:1: the condition of \"Guarded\" nests 245 deep (its operators written as `not` and parentheses); a scenario's condition nests at most 64"
    );
    let two = "<operator type=\"not\">TEST<expression type=\"SMS_TaskSequence_VariableConditionExpression\"><variable name=\"Operator\">exists</variable><variable name=\"Variable\">Other</variable></expression></operator>";
    let (s, _) = import_outcome(&nested_condition(31, two)).unwrap();
    let condition = s.steps[0].condition.as_ref().unwrap().to_string();
    assert_eq!(condition.matches("not").count(), 32, "{condition}");
    let err = import_outcome(&nested_condition(32, "<operator type=\"not\">TEST</operator>")).unwrap_err();
    assert!(err.contains("nests 65 deep"), "{err}");
    // A double "none of" is the test itself: no depth.
    let (s, _) = import_outcome(&nested_condition(
        0,
        "<operator type=\"not\"><operator type=\"not\">TEST</operator></operator>",
    ))
    .unwrap();
    assert_eq!(s.steps[0].condition.as_ref().unwrap().to_string(), "Inner exists");
}

#[test]
fn a_step_with_200000_applications_fails_up_front_and_100000_import() {
    let apps = |n: usize| -> String {
        let names: Vec<String> = (0..n).map(|i| format!("ScopeId_5F3C/Application_{i:06}")).collect();
        let references: String =
            (0..n).map(|i| format!("<reference package=\"ScopeId_5F3C/Application_{i:06}\"/>")).collect();
        format!(
            "<sequence>\n<referenceList>{references}</referenceList>\n<step type=\"SMS_TaskSequence_InstallApplicationAction\" name=\"Install every application\">\n<defaultVarList><variable name=\"ApplicationName\" property=\"ApplicationName\">{}</variable><variable name=\"NumApps\" property=\"NumApps\">{n}</variable></defaultVarList></step>\n</sequence>\n",
            names.join(",")
        )
    };
    assert_eq!(
        import_outcome(&apps(200_000)).err().as_deref(),
        Some(
            "3:1: \"Install every application\" installs 200000 applications; a scenario's step installs at most 100000 items"
        )
    );
    let (s, _) = import_outcome(&apps(100_000)).unwrap();
    let NodeKind::Step(Step { action: Action::InstallSoftware { items, .. }, .. }) = &s.steps[0].kind else {
        panic!("an install_software step")
    };
    assert_eq!(items.to_string(), "100000");
}

#[test]
fn a_20_mb_attribute_imports_cut_to_a_comment_or_fails_naming_it() {
    let big = "x".repeat(20 << 20);
    let at_line_2 = |step: String| format!("<sequence>\n{step}\n</sequence>\n");
    // As a name: refused, with the line.
    let err = import_outcome(&at_line_2(command_step(&big))).unwrap_err();
    assert_eq!(
        err,
        "2:1: the step's name is 20971520 characters long; a scenario takes names of at most 1000: is this the right file?"
    );
    let err = import_outcome(&at_line_2(format!("<group name=\"{big}\">{}</group>", command_step("s")))).unwrap_err();
    assert!(err.starts_with("2:1: the group's name is 20971520 characters long"), "{err}");
    // As a description or a step type: imported, the comment and the note cut short.
    let (s, warnings) = import_outcome(&at_line_2(format!(
        "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Described\" description=\"{big}\"/>"
    )))
    .unwrap();
    assert_eq!(s.steps[0].name, "Described");
    let ts = read_task_sequence(
        at_line_2(format!(
            "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Described\" description=\"{big}\"/>"
        ))
        .as_bytes(),
    )
    .unwrap();
    let text = write_scenario(&ts, &ImportOptions::default(), None).unwrap().text;
    assert!(text.len() < 10_000, "the description is a comment of at most 500 characters: {} bytes", text.len());
    assert!(text.contains(&format!("# {}…\n", "x".repeat(499))), "the comment shows it was cut");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (_, warnings) = import_outcome(&at_line_2(format!("<step type=\"{big}\" name=\"Odd\"/>"))).unwrap();
    assert_eq!(
        warnings,
        [format!(
            "line 2: \"Odd\" has step type {}…, which patchsim does not model: kept as a command step",
            "x".repeat(79)
        )]
    );
    // As a success code list: one warning for its words, and at most 256 different codes.
    let junk = "x ".repeat(10 << 20);
    let (s, warnings) = import_outcome(&at_line_2(format!(
        "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Codes\" successCodeList=\"0 {junk}1641\"/>"
    )))
    .unwrap();
    assert_eq!(
        warnings,
        ["line 2: 10485760 success codes of \"Codes\" are not numbers (\"x\", \"x\", \"x\", …): left out"]
    );
    let NodeKind::Step(Step { action: Action::Command { exit, .. }, .. }) = &s.steps[0].kind else { panic!() };
    assert_eq!(exit.success_codes, [0, 1641]);
    let codes: String = (0..2_000_000).map(|i| format!("{i} ")).collect();
    let err = import_outcome(&at_line_2(format!(
        "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Codes\" successCodeList=\"{codes}\"/>"
    )))
    .unwrap_err();
    assert_eq!(
        err,
        "2:1: the success codes of \"Codes\" list more than 256 different codes; a scenario's step takes at most 256"
    );
}

#[test]
fn an_export_whose_scenario_would_pass_16_mib_fails_naming_its_largest_step() {
    // 300 Set Variable steps with values of 60,000 characters: 18 MB of scenario, within every
    // per-step bound. The largest (line 8) is named.
    let mut xml = String::from("<sequence>\n");
    for i in 0..300 {
        let value = "v".repeat(if i == 6 { 60_500 } else { 60_000 });
        let _ = writeln!(
            xml,
            "<step type=\"SMS_TaskSequence_SetVariableAction\" name=\"Set {i}\"><defaultVarList><variable name=\"VariableName\">V{i}</variable><variable name=\"VariableValue\">{value}</variable></defaultVarList></step>"
        );
    }
    xml.push_str("</sequence>\n");
    let err = import_outcome(&xml).unwrap_err();
    assert!(
        err.starts_with(
            "8: the scenario written from this export would be more than 16 MiB, the most a scenario may be; its largest part is \"Set 6\" (line 8), 60"
        ),
        "{err}"
    );
    // A value above the Set Variable bound is refused where it is.
    let long = format!(
        "<sequence>\n<step type=\"SMS_TaskSequence_SetVariableAction\" name=\"Set\"><defaultVarList><variable name=\"VariableName\">V</variable><variable name=\"VariableValue\">{}</variable></defaultVarList></step>\n</sequence>",
        "v".repeat(65_537)
    );
    assert_eq!(
        import_outcome(&long).err().as_deref(),
        Some("2:1: \"Set\" sets V to a value 65537 characters long; a scenario's Set Variable value is at most 65536")
    );
}

#[test]
fn conditions_with_too_many_tests_fail_and_notes_are_capped() {
    let wmi = "<expression type=\"SMS_TaskSequence_WMIConditionExpression\"><variable name=\"Query\">SELECT * FROM Win32_OperatingSystem</variable></expression>";
    let xml = format!(
        "<sequence>\n<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"Probed\">\n<condition><operator type=\"and\">{}</operator></condition></step>\n</sequence>",
        wmi.repeat(1_001)
    );
    assert_eq!(
        import_outcome(&xml).err().as_deref(),
        Some("3:1: the condition of \"Probed\" has 1001 tests; a scenario's condition holds at most 1000")
    );
    // 1,500 unknown step types: the first 1,000 notes, then how many more.
    let mut xml = String::from("<sequence>\n");
    for i in 0..1_500 {
        let _ = writeln!(xml, "<step type=\"BDD_Step{i}\" name=\"s{i}\"/>");
    }
    xml.push_str("</sequence>\n");
    let (_, warnings) = import_outcome(&xml).unwrap();
    assert_eq!(warnings.len(), 1_001);
    assert_eq!(warnings[1_000], "line 1001: and 500 more notes like these, left out (the first 1000 are listed)");
}

#[test]
fn import_cli_refuses_options_the_scenario_could_not_hold() {
    let dir = temp_dir("import", "cli-options");
    std::fs::write(dir.join("ok.xml"), EXPORT).unwrap();
    for (args, expected) in [
        (
            &["--name", "a/b"][..],
            "error: --name \"a/b\": the name is also the report folder's name: give a non-empty name without slashes",
        ),
        (
            &["--name", " "][..],
            "error: --name \" \": the name is also the report folder's name: give a non-empty name without slashes",
        ),
        (&["--window-length", "25h"][..], "error: --window-length 1d1h: a window is longer than 0s and at most 24h"),
        (&["--window-length", "0s"][..], "error: --window-length 0s: a window is longer than 0s and at most 24h"),
    ] {
        let out = patchsim_in(&dir, &[&["import", "configmgr", "ok.xml", "--out", "s.toml"][..], args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), expected, "{args:?}");
        assert!(!dir.join("s.toml").exists());
    }
    let out = patchsim_in(&dir, &["import", "configmgr", "ok.xml", "--out", "s.toml", "--window-length", "24h"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
