//! `import configmgr export.zip`: the console's export archive, built here with the zip
//! crate's writer. The main task sequence's Run Task Sequence steps become groups holding their
//! children's steps (nested, repeated, disabled, with their conditions), a child the archive
//! lacks stays a command with a note naming it, notes and errors name the archive's entry and
//! line, and hostile archives (bombs, damage, odd names, cycles) are refused with the file and
//! entry, never a panic.

use std::io::{Cursor, Write};

use crate::common::{patchsim_in, temp_dir};
use patchsim::import::{ExportZip, ImportOptions, MAX_INLINED_BYTES, ZipError, ZipLimits, write_scenario};
use patchsim::scenario::{Node, NodeKind, Scenario};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The lines an [`instance`] puts before its sequence's first line.
const INSTANCE_LINES: usize = 4;

/// An `object.xml` as the console writes it: the WMI instance of the package, its `Sequence`
/// property the sequence as escaped text, starting on line 5.
fn instance(package_id: &str, name: &str, sequence: &str) -> String {
    let escaped = sequence.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<INSTANCE CLASSNAME=\"SMS_TaskSequencePackage\">\n  <PROPERTY NAME=\"Name\" TYPE=\"string\"><VALUE>{name}</VALUE></PROPERTY>\n  <PROPERTY NAME=\"PackageID\" TYPE=\"string\"><VALUE>{package_id}</VALUE></PROPERTY>\n  <PROPERTY NAME=\"Sequence\" TYPE=\"string\"><VALUE>{escaped}</VALUE></PROPERTY>\n</INSTANCE>\n"
    )
}

/// The same instance with the sequence in CDATA.
fn instance_cdata(package_id: &str, name: &str, sequence: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<INSTANCE CLASSNAME=\"SMS_TaskSequencePackage\">\n  <PROPERTY NAME=\"PackageID\" TYPE=\"string\"><VALUE>{package_id}</VALUE></PROPERTY>\n  <PROPERTY NAME=\"Name\" TYPE=\"string\"><VALUE>{name}</VALUE></PROPERTY>\n  <PROPERTY NAME=\"Sequence\" TYPE=\"string\"><VALUE><![CDATA[{sequence}]]></VALUE></PROPERTY>\n</INSTANCE>\n"
    )
}

/// The same instance with the sequence as elements, not text.
fn instance_element(package_id: &str, name: &str, sequence: &str) -> String {
    instance(package_id, name, "").replace(
        "<VALUE></VALUE></PROPERTY>\n</INSTANCE>",
        &format!("<VALUE>{sequence}</VALUE></PROPERTY>\n</INSTANCE>"),
    )
}

/// A zip of these entries, deflated (or stored).
fn zip_of(entries: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn entry(id: &str) -> String {
    format!("SMS_TaskSequencePackage/{id}/object.xml")
}

/// A Run Task Sequence step, as the console writes it, with more attributes and a condition.
fn run_step_with(name: &str, package: &str, attributes: &str, condition: &str) -> String {
    format!(
        "<step type=\"SMS_TaskSequence_RunTaskSequenceAction\" name=\"{name}\" description=\"\" runIn=\"WinPEandFullOS\" successCodeList=\"0\" retryCount=\"0\" runFromNet=\"false\"{attributes}>{condition}<defaultVarList><variable name=\"TsPackageID\" property=\"TsPackageID\" hidden=\"true\">{package}</variable></defaultVarList></step>"
    )
}

fn run_step(name: &str, package: &str, attributes: &str) -> String {
    run_step_with(name, package, attributes, "")
}

fn command(name: &str) -> String {
    format!(
        "<step type=\"SMS_TaskSequence_RunCommandLineAction\" name=\"{name}\"><defaultVarList><variable name=\"CommandLine\" property=\"CommandLine\">cmd /c work.cmd</variable></defaultVarList></step>"
    )
}

/// The archive's main sequence with its children in place, written and loaded as a scenario.
fn import(zip: &[u8], choice: Option<&str>) -> Result<(Scenario, Vec<String>, usize, usize), ZipError> {
    let export = ExportZip::read(Cursor::new(zip), &ZipLimits::default())?;
    let ts = export.task_sequence(choice)?;
    let written = write_scenario(&ts, &ImportOptions { source: "export.zip".into(), ..ImportOptions::default() }, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let s = Scenario::from_toml(&written.text, "imported.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    Ok((s, written.warnings, written.steps, written.groups))
}

fn tree(nodes: &[Node], depth: usize, out: &mut Vec<(usize, String, &'static str, bool, bool)>) {
    for n in nodes {
        out.push((depth, n.name.clone(), n.type_name(), n.continue_on_error, n.disabled));
        if let NodeKind::Group(children) = &n.kind {
            tree(children, depth + 1, out);
        }
    }
}

fn node<'a>(nodes: &'a [Node], name: &str) -> &'a Node {
    fn find<'a>(nodes: &'a [Node], name: &str) -> Option<&'a Node> {
        nodes.iter().find_map(|n| match &n.kind {
            _ if n.name == name => Some(n),
            NodeKind::Group(children) => find(children, name),
            NodeKind::Step(_) => None,
        })
    }
    find(nodes, name).unwrap_or_else(|| panic!("no node {name}"))
}

/// The line of the first line holding `text` in an [`instance`] of `sequence`.
fn line_of(sequence: &str, text: &str) -> usize {
    INSTANCE_LINES + 1 + sequence.lines().position(|l| l.contains(text)).unwrap()
}

/// A parent that runs a child with a grandchild, a disabled one, one the archive lacks and
/// the grandchild again: written in the four forms an `object.xml` takes (the sequence as
/// escaped text, as CDATA, as elements, and a bare `<sequence>` document).
fn family() -> (Vec<u8>, String) {
    let parent = format!(
        r#"<sequence version="3.10">
  {}
  <group name="Patch">
    {}
    {}
  </group>
  {}
  {}
  <step type="SMS_TaskSequence_RebootAction" name="Restart"/>
</sequence>"#,
        command("Pre-check"),
        run_step_with(
            "Run Updates Child",
            "PS100002",
            " continueOnError=\"true\"",
            "<condition><expression type=\"SMS_TaskSequence_VariableConditionExpression\"><variable name=\"Operator\">equals</variable><variable name=\"Value\">1</variable><variable name=\"Variable\">Ring</variable></expression></condition>"
        ),
        run_step("Run Agent Child", "PS100003", " disable=\"true\""),
        run_step("Run Missing Child", "PS100099", ""),
        run_step("Run Nested Again", "PS100004", ""),
    );
    let updates = r#"<sequence version="3.10">
  <step type="SMS_TaskSequence_InstallUpdateAction" name="Install Updates"/>
  <subtasksequence type="SMS_TaskSequence_SubTasksequence" name="Run Nested"><defaultVarList><variable name="TsPackageID" property="TsPackageID">ps100004</variable></defaultVarList></subtasksequence>
</sequence>"#;
    // The agent child is a bare <sequence> document: its package ID is its folder's.
    let agent = r#"<sequence version="3.10"><step type="SMS_TaskSequence_SetVariableAction" name="Mark"><defaultVarList><variable name="VariableName" property="VariableName">Agent</variable><variable name="VariableValue" property="VariableValue">ok</variable></defaultVarList></step></sequence>"#;
    let nested = format!("<sequence version=\"3.10\">\n  {}\n</sequence>", command("Nested Work"));
    let (p, u, a, n) = (
        instance("PS100001", "Server Patching", &parent),
        instance_cdata("PS100002", "Updates Child", updates),
        agent.to_owned(),
        instance_element("PS100004", "Nested", &nested),
    );
    let zip = zip_of(
        &[
            ("export.xml", b"<Manifest/>"),
            (&entry("PS100004"), n.as_bytes()),
            ("SMS_Package/PS100010/object.xml", b"<INSTANCE CLASSNAME=\"SMS_Package\"/>"),
            (&entry("PS100002"), u.as_bytes()),
            (&entry("PS100001"), p.as_bytes()),
            (&entry("PS100003"), a.as_bytes()),
        ],
        CompressionMethod::Deflated,
    );
    (zip, parent)
}

#[test]
fn children_are_inlined_as_groups_at_their_run_task_sequence_steps() {
    let (zip, parent) = family();
    let (s, warnings, steps, groups) = import(&zip, None).unwrap();
    let mut got = Vec::new();
    tree(&s.steps, 0, &mut got);
    let expected: Vec<(usize, String, &str, bool, bool)> = [
        (0, "Pre-check", "command", false, false),
        (0, "Patch", "group", false, false),
        (1, "Run Updates Child", "group", true, false),
        (2, "Install Updates", "install_updates", false, false),
        (2, "Run Nested", "group", false, false),
        (3, "Nested Work", "command", false, false),
        (1, "Run Agent Child", "group", false, true),
        (2, "Mark", "set_variable", false, false),
        (0, "Run Missing Child", "command", false, false),
        (0, "Run Nested Again", "group", false, false),
        (1, "Nested Work", "command", false, false),
        (0, "Restart", "restart", false, false),
    ]
    .into_iter()
    .map(|(d, n, t, c, x)| (d, n.to_owned(), t, c, x))
    .collect();
    assert_eq!(got, expected);
    assert_eq!((steps, groups), (7, 5));
    // The step's condition is the group's.
    let condition = node(&s.steps, "Run Updates Child").condition.as_ref().expect("the condition is kept");
    assert_eq!(condition.to_string(), "Ring == '1'");
    assert!(node(&s.steps, "Run Agent Child").condition.is_none());
    // Notes name the entry and its line: the child's own, and the missing child's.
    let updates_line = INSTANCE_LINES + 2; // the CDATA sequence's second line
    assert_eq!(
        warnings,
        [
            format!(
                "{}:{updates_line}: \"Install Updates\": content of the updates has no size: give --content-sizes to model downloads (a row named \"Install Updates\", the size of one update)",
                entry("PS100002")
            ),
            format!(
                "{}:{}: \"Run Missing Child\" runs the child task sequence PS100099, which the export does not hold: kept as one command step; export with its dependencies (-WithDependence $true) to simulate the child's steps",
                entry("PS100001"),
                line_of(&parent, "Run Missing Child")
            ),
        ]
    );
}

#[test]
fn the_written_scenario_says_where_its_children_come_from() {
    let (zip, _) = family();
    let export = ExportZip::read(Cursor::new(&zip), &ZipLimits::default()).unwrap();
    let ts = export.task_sequence(None).unwrap();
    let entries: Vec<(&str, &str)> = ts.entries.iter().map(|e| (e.file.as_str(), e.package_id.as_str())).collect();
    assert_eq!(
        entries,
        [
            ("SMS_TaskSequencePackage/PS100001/object.xml", "PS100001"),
            ("SMS_TaskSequencePackage/PS100002/object.xml", "PS100002"),
            ("SMS_TaskSequencePackage/PS100004/object.xml", "PS100004"),
            ("SMS_TaskSequencePackage/PS100003/object.xml", "PS100003"),
        ]
    );
    let written =
        write_scenario(&ts, &ImportOptions { source: "export.zip".into(), ..ImportOptions::default() }, None).unwrap();
    assert!(written.text.starts_with(
        "# Imported by `patchsim import configmgr` from export.zip (UTF-8).\n# \"Server Patching\" (PS100001): 7 steps in 5 groups, in the console's order.\n# Child task sequences, as groups at their Run Task Sequence steps: PS100002 \"Updates Child\", PS100004 \"Nested\", PS100003.\n"
    ), "{}", written.text);
    // The step the archive lacks keeps the default timing of a step patchsim cannot see into.
    assert!(written.text.contains(
        "name = \"Run Missing Child\"\ntype = \"command\"\nduration = { dist = \"lognormal\", median = \"5m\", p95 = \"30m\" }   # assumed: a child task sequence patchsim cannot see into\n"
    ), "{}", written.text);
}

#[test]
fn the_command_names_the_archive_and_entry_and_finds_a_zip_by_its_bytes() {
    let (zip, parent) = family();
    let dir = temp_dir("import_zip", "cli");
    // Named .dat: the archive is known by its first bytes.
    std::fs::write(dir.join("export.dat"), &zip).unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "export.dat", "--out", "month.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let missing = format!(
        "warning: export.dat!SMS_TaskSequencePackage/PS100001/object.xml:{}: \"Run Missing Child\" runs the child task sequence PS100099",
        line_of(&parent, "Run Missing Child")
    );
    assert!(stderr.lines().any(|l| l.starts_with(&missing)), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Wrote month.toml: 7 steps in 5 groups, 2 notes"));
    let out = patchsim_in(&dir, &["validate", "month.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // --sequence is for archives only.
    std::fs::write(dir.join("one.xml"), "<sequence/>").unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "one.xml", "--sequence", "PS1", "--out", "one.toml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sequence chooses among the task sequences"));
    // The help shows the archive.
    let out = patchsim_in(&dir, &["import", "configmgr", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for expected in ["export .zip", "--sequence <PACKAGEID|NAME>", "Export-CMTaskSequence", "-WithDependence $true"] {
        assert!(help.contains(expected), "no {expected:?} in the help:\n{help}");
    }
}

#[test]
fn a_run_task_sequence_step_of_one_xml_file_is_a_command_with_a_note() {
    let xml = format!("<sequence version=\"3.10\">\n  {}\n</sequence>", run_step("Run Agent", "PS100090", ""));
    let ts = patchsim::import::read_task_sequence(xml.as_bytes()).unwrap();
    let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
    assert_eq!(
        written.warnings,
        [
            "line 2: \"Run Agent\" runs a child task sequence (PS100090): kept as one command step; import the console's export of this sequence with its dependencies (a .zip, docs/import.md) to simulate the child's steps"
        ]
    );
    assert!(written.text.contains("# console: SMS_TaskSequence_RunTaskSequenceAction — child task sequence PS100090\nname = \"Run Agent\"\ntype = \"command\"\n"), "{}", written.text);
}

/// A package whose sequence runs the given packages, one step each.
fn runner(id: &str, runs: &[&str]) -> String {
    let steps: Vec<String> = runs.iter().map(|r| run_step(&format!("Run {r}"), r, "")).collect();
    instance(id, &format!("Sequence {id}"), &format!("<sequence version=\"3.10\">\n{}\n</sequence>", steps.join("\n")))
}

fn archive(packages: &[(&str, String)]) -> Vec<u8> {
    let entries: Vec<(String, &[u8])> = packages.iter().map(|(id, xml)| (entry(id), xml.as_bytes())).collect();
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    zip_of(&refs, CompressionMethod::Deflated)
}

#[test]
fn cycles_and_chains_too_deep_are_refused_naming_them() {
    let zip = archive(&[
        ("PS1", runner("PS1", &["PS2"])),
        ("PS2", runner("PS2", &["PS3"])),
        ("PS3", runner("PS3", &["PS2"])),
    ]);
    let err = import(&zip, None).unwrap_err();
    assert!(err.begins_with_entry());
    assert_eq!(
        err.to_string(),
        format!(
            "{}:{}: \"Run PS2\" runs PS2, which is already running: the task sequences run each other in a cycle (PS1 → PS2 → PS3 → PS2)",
            entry("PS3"),
            INSTANCE_LINES + 2
        )
    );
    // A sequence that runs itself.
    let err = import(&archive(&[("PS1", runner("PS1", &["PS1"]))]), None).unwrap_err().to_string();
    assert!(err.ends_with("in a cycle (PS1 → PS1)"), "{err}");
    // Only a cycle: no sequence is the main one.
    let zip = archive(&[("PS2", runner("PS2", &["PS3"])), ("PS3", runner("PS3", &["PS2"]))]);
    let err = import(&zip, None).unwrap_err().to_string();
    assert!(err.starts_with("every task sequence in the archive is run by another"), "{err}");
    assert!(err.contains("PS2 \"Sequence PS2\", PS3 \"Sequence PS3\""), "{err}");
    let err = import(&zip, Some("PS3")).unwrap_err().to_string();
    assert!(err.ends_with("(PS3 → PS2 → PS3)"), "{err}");

    // A chain of 16 children imports, 16 groups deep; one more is refused.
    let chain = |n: usize| {
        let ids: Vec<String> = (0..n).map(|i| format!("PS{i:02}")).collect();
        let packages: Vec<(&str, String)> = (0..n)
            .map(|i| {
                let xml = match ids.get(i + 1) {
                    Some(next) => runner(&ids[i], &[next]),
                    None => instance(&ids[i], "Last", &format!("<sequence>{}</sequence>", command("Work"))),
                };
                (ids[i].as_str(), xml)
            })
            .collect();
        archive(&packages)
    };
    let (s, _, steps, groups) = import(&chain(17), None).unwrap();
    let mut got = Vec::new();
    tree(&s.steps, 0, &mut got);
    assert_eq!((steps, groups, got.last().map(|n| (n.0, n.1.as_str()))), (1, 16, Some((16, "Work"))));
    let err = import(&chain(18), None).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}:{}: \"Run PS17\" runs PS17, a child task sequence more than 16 deep (PS00 → PS01",
            entry("PS16"),
            INSTANCE_LINES + 2
        )),
        "{err}"
    );
}

#[test]
fn groups_too_deep_once_children_are_in_place_are_refused() {
    let deep = |levels: usize, inner: &str| {
        format!("<sequence>{}{inner}{}</sequence>", "<group name=\"G\">".repeat(levels), "</group>".repeat(levels))
    };
    let zip = archive(&[
        ("PS1", instance("PS1", "Main", &deep(60, &run_step("Run Child", "PS2", "")))),
        ("PS2", instance("PS2", "Child", &deep(5, &command("Work")))),
    ]);
    let err = import(&zip, None).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}:{}: with its child task sequences in place as groups, groups nest more than 64 deep here, the most a scenario holds",
            entry("PS2"),
            INSTANCE_LINES + 1
        )
    );
}

#[test]
fn several_main_sequences_need_a_choice_by_id_or_name() {
    let lone = |id: &str, name: &str| {
        instance(id, name, &format!("<sequence>{}</sequence>", command(&format!("{name} work"))))
    };
    let zip = archive(&[("PS100001", lone("PS100001", "Alpha")), ("PS100005", lone("PS100005", "Beta"))]);
    let err = import(&zip, None).unwrap_err();
    assert!(!err.begins_with_entry());
    assert_eq!(
        err.to_string(),
        "the archive holds 2 task sequences that no other runs: PS100001 \"Alpha\", PS100005 \"Beta\"; choose the one to import with --sequence PACKAGEID (or its name)"
    );
    for (choice, step) in [("ps100005", "Beta work"), ("PS100001", "Alpha work"), (" beta ", "Beta work")] {
        let (s, _, _, _) = import(&zip, Some(choice)).unwrap();
        assert_eq!(s.steps.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), [step], "{choice}");
    }
    let err = import(&zip, Some("Gamma")).unwrap_err().to_string();
    assert_eq!(
        err,
        "--sequence Gamma: no task sequence of the archive has that package ID or name; it holds PS100001 \"Alpha\", PS100005 \"Beta\""
    );
    let twins = archive(&[("PS1", lone("PS1", "Same")), ("PS2", lone("PS2", "Same"))]);
    let err = import(&twins, Some("same")).unwrap_err().to_string();
    assert_eq!(err, "--sequence same: PS1 \"Same\", PS2 \"Same\" all have that name; give the package ID");

    // The command says the same, with the file, and takes the choice.
    let dir = temp_dir("import_zip", "choice");
    std::fs::write(dir.join("two.zip"), &zip).unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "two.zip", "--out", "m.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("two.zip: the archive holds 2 task sequences that no other runs"), "{stderr}");
    let out = patchsim_in(&dir, &["import", "configmgr", "two.zip", "--sequence", "Beta", "--out", "m.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(dir.join("m.toml")).unwrap().contains("name = \"Beta work\""));
}

#[test]
fn zip_bombs_and_oversized_archives_are_refused_at_the_entry() {
    // 40 MiB of spaces inside a sequence deflate to a few dozen KB: more than an entry may be.
    let mut bomb = b"<sequence>".to_vec();
    bomb.resize(40 << 20, b' ');
    bomb.extend_from_slice(b"</sequence>");
    let zip = zip_of(&[(&entry("PS1"), &bomb)], CompressionMethod::Deflated);
    assert!(zip.len() < 1 << 20, "{} bytes", zip.len());
    let err = import(&zip, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: uncompressed it is more than 33554432 bytes, more than a task sequence can plausibly be: refused (a zip bomb?)",
            entry("PS1")
        )
    );
    let dir = temp_dir("import_zip", "bomb");
    std::fs::write(dir.join("bomb.zip"), &zip).unwrap();
    let out = patchsim_in(&dir, &["import", "configmgr", "bomb.zip", "--out", "m.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("bomb.zip!{}: uncompressed it is more than", entry("PS1"))), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.join("m.toml").exists());

    // The bounds on all entries together, on their number and on the archive.
    let small = |id: &str| instance(id, id, &format!("<sequence>{}</sequence>", command("Work")));
    let (a, b, c) = (small("PS1"), small("PS2"), small("PS3"));
    let zip = archive(&[("PS1", a.clone()), ("PS2", b), ("PS3", c)]);
    let limits = ZipLimits {
        max_entry_bytes: a.len() as u64 + 100,
        max_total_bytes: 2 * a.len() as u64 + 100,
        ..ZipLimits::default()
    };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: with it the task sequences make more than", entry("PS3"))), "{err}");
    let limits = ZipLimits { max_entry_bytes: 100, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: uncompressed it is more than 100 bytes", entry("PS1"))), "{err}");
    let limits = ZipLimits { max_entries: 2, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert_eq!(err, "the archive lists 3 entries, more than the 2 a console export can plausibly hold");
    let limits = ZipLimits { max_sequences: 2, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert_eq!(err, "the archive holds 3 task sequences, more than the 2 an import reads");
    let limits = ZipLimits { max_archive_bytes: 100, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert!(err.starts_with(&format!("the archive is {} bytes, more than the 100", zip.len())), "{err}");

    // An entry that declares fewer bytes than it holds is read no further than the bound.
    let liar = zip_of(&[(&entry("PS1"), a.as_bytes())], CompressionMethod::Deflated);
    let declared = (a.len() as u32).to_le_bytes();
    let mut patched = liar.clone();
    let mut replaced = 0;
    for i in 0..patched.len().saturating_sub(4) {
        if patched[i..i + 4] == declared {
            patched[i..i + 4].copy_from_slice(&10u32.to_le_bytes());
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2, "the local and central headers give the size");
    let limits = ZipLimits { max_entry_bytes: 100, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&patched), &limits).unwrap_err();
    assert!(err.begins_with_entry(), "{err}");
    assert!(err.to_string().starts_with(&entry("PS1")), "{err}");
}

#[test]
fn damaged_archives_and_entries_fail_naming_the_file_and_entry() {
    let dir = temp_dir("import_zip", "damaged");
    let run = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).unwrap();
        let out = patchsim_in(&dir, &["import", "configmgr", name, "--out", "m.toml"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        stderr
    };
    let good = archive(&[("PS1", runner("PS1", &[]))]);
    // Cut short: no end record.
    let err = run("cut.zip", &good[..good.len() - 30]);
    assert!(err.contains("cut.zip: not a readable zip archive ("), "{err}");
    // Not a zip at all, but named one.
    let err = run("text.zip", b"<sequence/>");
    assert!(err.contains("text.zip: not a readable zip archive ("), "{err}");
    // A zip's first bytes, then nothing a zip has, named .xml.
    let err = run("fake.xml", b"PK\x03\x04 and then nothing");
    assert!(err.contains("fake.xml: not a readable zip archive ("), "{err}");
    // An empty archive.
    let err = run("empty.zip", &zip_of(&[], CompressionMethod::Deflated));
    assert!(err.contains("empty.zip: no task sequence in the archive: none of its 0 entries is"), "{err}");
    // A stored entry whose bytes changed: its checksum says so.
    let xml = runner("PS1", &[]);
    let mut stored = zip_of(&[(&entry("PS1"), xml.as_bytes())], CompressionMethod::Stored);
    let at = stored.windows(15).position(|w| w == b"NAME=\"Sequence\"").unwrap();
    stored[at + 6] = b'X';
    let err = run("crc.zip", &stored);
    assert!(err.contains(&format!("crc.zip!{}: cannot be read: ", entry("PS1"))), "{err}");
    // Bad XML in an entry: its line and column.
    let broken = instance("PS1", "Broken", "<sequence>\n<step name=\"a\">\n</sequence>");
    let err = run("xml.zip", &archive(&[("PS1", broken)]));
    assert!(
        err.contains(&format!(
            "xml.zip!{}:7:1: in the sequence text held by <VALUE>: </sequence> closes <step>",
            entry("PS1")
        )),
        "{err}"
    );
    // The same package twice; a package ID no console gives.
    let err = run(
        "twice.zip",
        &zip_of(
            &[(&entry("PS1"), xml.as_bytes()), (&format!("copy/{}", entry("PS1")), xml.as_bytes())],
            CompressionMethod::Deflated,
        ),
    );
    assert!(
        err.contains(&format!(
            "twice.zip!copy/{}: the archive holds task sequence PS1 twice (also as {})",
            entry("PS1"),
            entry("PS1")
        )),
        "{err}"
    );
    let odd = instance("PS 1;rm", "Odd", "<sequence/>");
    let err = run("odd.zip", &archive(&[("PS1", odd)]));
    assert!(err.contains(&format!("odd.zip!{}: \"PS 1;rm\" is not a ConfigMgr package ID", entry("PS1"))), "{err}");
    assert!(!dir.join("m.toml").exists());
}

#[test]
fn odd_entry_names_are_read_in_memory_and_written_nowhere() {
    let dir = temp_dir("import_zip", "names");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let main = instance(
        "PS100001",
        "Main",
        &format!("<sequence>{}{}</sequence>", command("Main work"), run_step("Run Child", "PS100002", "")),
    );
    let child = instance("PS100002", "Child", &format!("<sequence>{}</sequence>", command("Child work")));
    let zip = zip_of(
        &[
            ("../../escaped.txt", b"outside"),
            ("/absolute/escaped.txt", b"outside"),
            ("../../outside/SMS_TaskSequencePackage/Q7Q7/object.xml", main.as_bytes()),
            ("SMS_Package/Q8Q8/object.xml", b"<INSTANCE/>"),
            ("SMS_TaskSequencePackage/PS100002/object.xml", child.as_bytes()),
        ],
        CompressionMethod::Deflated,
    );
    // Names that are not UTF-8 (nor anything else): the task sequence's folder and a package's.
    let mut zip = zip;
    for (from, to) in [(b"Q7Q7", b"\xff\xfe\x01\x1b"), (b"Q8Q8", b"\xfd\xfc\xfb\xfa")] {
        let places: Vec<usize> = zip.windows(4).enumerate().filter(|(_, w)| w == from).map(|(i, _)| i).collect();
        assert_eq!(places.len(), 2, "the local and central headers name the entry");
        for i in places {
            zip[i..i + 4].copy_from_slice(to);
        }
    }
    let (s, warnings, _, _) = import(&zip, None).unwrap();
    let mut got = Vec::new();
    tree(&s.steps, 0, &mut got);
    let names: Vec<(usize, &str)> = got.iter().map(|n| (n.0, n.1.as_str())).collect();
    assert_eq!(names, [(0, "Main work"), (0, "Run Child"), (1, "Child work")]);
    assert!(warnings.is_empty(), "{warnings:?}");
    let export = ExportZip::read(Cursor::new(&zip), &ZipLimits::default()).unwrap();
    let entries: Vec<&str> = export.packages().iter().map(|p| p.entry.as_str()).collect();
    assert_eq!(
        entries,
        [
            "../../outside/SMS_TaskSequencePackage/\u{FFFD}\u{FFFD}??/object.xml",
            "SMS_TaskSequencePackage/PS100002/object.xml"
        ]
    );

    std::fs::write(work.join("odd.zip"), &zip).unwrap();
    let out = patchsim_in(&work, &["import", "configmgr", "odd.zip", "--out", "m.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut left: Vec<String> = Vec::new();
    for folder in [&dir, &work] {
        for e in std::fs::read_dir(folder).unwrap() {
            left.push(e.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    left.sort();
    assert_eq!(left, ["m.toml", "odd.zip", "work"]);
}

#[test]
fn a_declared_entry_count_over_the_bound_is_refused_before_the_directory_is_read() {
    // The end record says 65,534 entries: refused on that alone, before the central directory
    // (which the zip reader holds in memory) is read.
    let small = instance("PS1", "PS1", &format!("<sequence>{}</sequence>", command("Work")));
    let mut zip = archive(&[("PS1", small)]);
    let end = zip.windows(4).rposition(|w| w == [0x50, 0x4B, 0x05, 0x06]).expect("an end record");
    zip[end + 8..end + 10].copy_from_slice(&65_534u16.to_le_bytes());
    zip[end + 10..end + 12].copy_from_slice(&65_534u16.to_le_bytes());
    let limits = ZipLimits { max_entries: 10, ..ZipLimits::default() };
    let err = ExportZip::read(Cursor::new(&zip), &limits).unwrap_err().to_string();
    assert_eq!(err, "the archive lists 65534 entries, more than the 10 a console export can plausibly hold");
}

#[test]
fn two_entries_of_one_name_are_refused() {
    // The zip writer refuses a name twice; renaming the second entry in its headers makes one.
    let a = instance("PS1", "First", &format!("<sequence>{}</sequence>", command("Work")));
    let b = instance("PS2", "Second", &format!("<sequence>{}</sequence>", command("Other")));
    let mut zip = archive(&[("PS1", a), ("PS2", b)]);
    let (from, to) = (entry("PS2"), entry("PS1"));
    let mut renamed = 0;
    let mut i = 0;
    while i + from.len() <= zip.len() {
        if zip[i..i + from.len()] == *from.as_bytes() {
            zip[i..i + from.len()].copy_from_slice(to.as_bytes());
            renamed += 1;
        }
        i += 1;
    }
    assert_eq!(renamed, 2, "the local and the central header name it");
    let err = ExportZip::read(Cursor::new(&zip), &ZipLimits::default()).unwrap_err().to_string();
    assert_eq!(err, "two entries of the archive have the same name: it was not written by the console's export");
}

#[test]
fn a_large_child_run_very_many_times_is_refused_not_copied_without_bound() {
    // A child of about 100 kB (a long comment in its object.xml) run 700 times would copy 70 MB.
    let child = instance("PS2", "Child", &format!("<sequence>{}</sequence>", command("Work")))
        .replace("<INSTANCE", &format!("<!-- {} -->\n<INSTANCE", "x".repeat(100_000)));
    let runs: Vec<&str> = vec!["PS2"; 700];
    let zip = archive(&[("PS1", runner("PS1", &runs)), ("PS2", child.clone())]);
    let export = ExportZip::read(Cursor::new(&zip), &ZipLimits::default()).unwrap();
    let err = export.task_sequence(None).unwrap_err().to_string();
    assert!(err.starts_with(&entry("PS1")), "{err}");
    assert!(err.contains(&format!("copies more than {MAX_INLINED_BYTES} bytes of their text")), "{err}");
    // Run a few times, it is put in place.
    let zip = archive(&[("PS1", runner("PS1", &runs[..3])), ("PS2", child)]);
    let (s, _, steps, groups) = import(&zip, None).unwrap();
    assert_eq!((steps, groups, s.steps.len()), (3, 3, 3));
}
