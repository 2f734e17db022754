//! The corpus of real console exports (`../shared/corpus/task-sequences`, not part of the
//! project: the test skips, saying so, when it is absent): every file imports into a scenario
//! that loads, with the groups and steps of the export and, file by file, what the import reads
//! from it — decoded scripts, `like` conditions, the engine's variables, MDT's steps.

use std::path::{Path, PathBuf};

use patchsim::import::{ImportOptions, read_task_sequence, write_scenario};
use patchsim::scenario::{Action, DurationDist, Node, NodeKind, Scenario};

/// Where the corpus lies, beside the project's folder.
fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/task-sequences");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at ../shared/corpus/task-sequences (it is not part of the project)");
        None
    }
}

/// What one file's import must show.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// The `n`-th (from 0) node of this name has this scenario type (`command`, `sleep`, …).
    Type(&'static str, usize, &'static str),
    /// The `n`-th node of this name is a command that exits with this code, always.
    Exits(&'static str, usize, i64),
    /// The `n`-th node of this name takes this duration (as the scenario writes it).
    Takes(&'static str, usize, &'static str),
    /// The `n`-th node of this name has this condition (as the scenario's `Display` writes it).
    Condition(&'static str, usize, &'static str),
    /// A warning contains this text.
    Warns(&'static str),
    /// No warning contains this text.
    Quiet(&'static str),
    /// Exactly one warning contains this text.
    WarnsOnce(&'static str),
}

use Check::{Condition, Exits, Quiet, Takes, Type, Warns, WarnsOnce};

/// The one note of an MDT sequence whose groups are gated on Gather's `PHASE`.
const PHASE_NOTE: &str = "the sequence tests PHASE, which MDT's Gather sets and patchsim does not; give `--variable PHASE=STATERESTORE` (or the phase you simulate) to run that phase";

/// MDT's Gather, as the import times it.
const GATHER: &str = "{ dist = \"lognormal\", median = \"10s\", p95 = \"1m\" }";

/// Every file of the corpus: its steps and groups, and what its import reads.
const FILES: &[(&str, usize, usize, &[Check])] = &[
    (
        "01-garytown-kb5025885-remediation.xml",
        41,
        11,
        &[
            // `Exit 250` command lines fail their step; base64 UTF-16 scripts of one Start-Sleep sleep.
            Exits("OS is not Supported - Needs to be Updated", 0, 250),
            Exits("Exit with Error Code", 0, 254),
            Type("DB Updated Successfully !!", 0, "sleep"),
            Takes("DB Updated Successfully !!", 0, "\"10s\""),
            Type("Confirming if DB Updated...", 0, "command"),
            Warns("line 3211: \"OS is not Supported - Needs to be Updated\" only exits with 250 (Exit 250)"),
            Warns(
                "\"Check for at least 2024-07 CU\" writes its output to OSSupported (OutputVariableName), which patchsim cannot run",
            ),
        ],
    ),
    ("02-garytown-hpia-drivers.xml", 18, 4, &[]),
    ("03-garytown-osdcloud.xml", 50, 10, &[]),
    ("05-drfiles-bios-update.xml", 8, 1, &[]),
    ("06-drfiles-w10-20h2-validation.xml", 2, 6, &[]),
    (
        "08-adamgross-dynvars2.xml",
        18,
        0,
        &[
            Warns(
                "sets Script_GetImageVersion2 to a value with line breaks or control characters, which a scenario value cannot hold: written on one line",
            ),
            Warns(
                "line 432: \"Run Command Line\" has a 1m time-out, but patchsim's default duration for it (lognormal, median 2m, p95 10m) runs longer in 76% of runs",
            ),
        ],
    ),
    ("09-forevan-task-sequence-1.xml", 49, 8, &[]),
    ("10-2pint-osdtk-phase3.xml", 4, 1, &[]),
    (
        "11-2pint-cm-provision-bitlocker.xml",
        20,
        5,
        &[Type("Sleeping for 15 seconds...", 3, "sleep"), Takes("Sleeping for 15 seconds...", 0, "\"15s\"")],
    ),
    (
        "13-winadmins-win10-master.xml",
        114,
        49,
        &[
            Exits("Test for Upgrade Completion", 0, 1),
            // An MDT-integrated sequence testing what Gather sets, without PHASE.
            WarnsOnce("the sequence tests Make, Model, IsVM, IsLaptop, which MDT's Gather sets"),
            Quiet("tests PHASE"),
        ],
    ),
    (
        "15-sysman-multilingual.xml",
        15,
        5,
        &[
            Condition("FR-FR - 2004 + 20H2", 0, "(Language == 'fr-fr' and OSDOS like 'Windows1020*')"),
            Condition("DE-DE - 2004 + 20H2", 0, "(Language == 'de-de' and OSDOS like 'Windows1020*')"),
            Quiet("operator \"like\""),
        ],
    ),
    ("17-mdm-apply-driver.xml", 28, 23, &[]),
    (
        "18-dp250f-gpu-drivers.xml",
        16,
        3,
        &[
            Condition(
                "Stage AMD Radeon Pro Legacy DCH Drivers (Win10x64)",
                0,
                "(GPU-AMD-RadeonProLegacy == 'True' and UIOSDImage like 'Win10x64*')",
            ),
            Quiet("operator \"like\""),
        ],
    ),
    ("19-cmhub-gather-light.xml", 5, 1, &[Warns("writes its output to ChassisType (OutputVariableName)")]),
    (
        "21-cmhub1p-upgrade-compat.xml",
        16,
        8,
        // `cmd /c echo … >> file` writes a file: a command with the default duration.
        &[
            Type("Write marker to CCM", 0, "command"),
            Takes("Write marker to CCM", 0, "{ dist = \"lognormal\", median = \"2m\", p95 = \"10m\" }"),
        ],
    ),
    ("23-cmhubsh-tsdownloadoption.xml", 1, 0, &[]),
    (
        "24-cmhubsh-empty-sequence.xml",
        0,
        1,
        &[Warns("the <sequence> has no group or step: written as one empty group, so a run starts and ends at once")],
    ),
    (
        "25-cmhubsh-empty-group.xml",
        0,
        1,
        &[Warns("the group \"New Group\" has no group or step: it starts and ends at once")],
    ),
    (
        "27-keithga-mdt-sccm-client.xml",
        99,
        22,
        &[
            // BDD_Gather running ZTIGather.wsf from the toolkit package through smsswd.exe.
            Type("Gather", 0, "command"),
            Takes("Gather", 0, GATHER),
            Warns("\"Use Toolkit Package\" runs MDT's ZTISCCM.wsf (BDD_UsePackage), which patchsim does not model"),
            Quiet("has step type BDD_"),
        ],
    ),
    (
        "28-techtoolbox-ws2019.xml",
        52,
        16,
        &[
            // Lite Touch: typeless Windows Update steps, Install Applications from the deployment's list.
            Type("Windows Update (Pre-Application Installation)", 0, "install_updates"),
            Type("Windows Update (Post-Application Installation)", 0, "install_updates"),
            Type("Install Applications", 0, "install_software"),
            WarnsOnce(PHASE_NOTE),
            Warns("\"Apply Patches\" runs MDT's ZTIPatches.wsf (BDD_InstallUpdatesOffline)"),
            Quiet("has step type (no type)"),
        ],
    ),
    (
        "30-sbennell-ts10.xml",
        94,
        30,
        &[
            Type("Windows Update (Pre-Application Installation)", 0, "install_updates"),
            Type("Install - Chocolatey", 0, "install_software"),
            Type("Gather local only", 0, "command"),
            Takes("Gather local only", 0, GATHER),
            WarnsOnce(PHASE_NOTE),
            Warns("\"Capture User State\" runs MDT's ZTIUserState.wsf (no type), which patchsim does not model"),
        ],
    ),
    (
        "31-arthurjd-win11pro.xml",
        69,
        17,
        &[Type("Windows Update (Post-Application Installation)", 0, "install_updates"), WarnsOnce(PHASE_NOTE)],
    ),
    (
        "32-hydrationkit-cm01.xml",
        83,
        23,
        &[
            Type("Windows Update (Pre-Application Installation)", 0, "install_updates"),
            Type("Windows Update", 0, "install_updates"),
            Type("Install - BGInfo", 0, "install_software"),
            WarnsOnce(PHASE_NOTE),
        ],
    ),
    // BDD_InstallApplication running a program of its own is still an application install.
    (
        "33-pscrack-mdtsim-ts.xml",
        1,
        0,
        &[Type("Launching PowerShell with TS Environment Variables", 0, "install_software")],
    ),
    (
        "34-psd-server.xml",
        17,
        5,
        &[
            Type("Install Applications", 0, "install_software"),
            WarnsOnce("the sequence tests IsUEFI, which MDT's Gather sets"),
        ],
    ),
];

fn flatten<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
    for n in nodes {
        out.push(n);
        if let NodeKind::Group(children) = &n.kind {
            flatten(children, out);
        }
    }
}

/// The `n`-th node named `name`.
fn nth<'a>(nodes: &[&'a Node], file: &str, name: &str, n: usize) -> &'a Node {
    nodes
        .iter()
        .filter(|node| node.name == name)
        .nth(n)
        .copied()
        .unwrap_or_else(|| panic!("{file}: no node #{n} named {name:?}"))
}

fn duration_of(node: &Node) -> Option<&DurationDist> {
    match &node.kind {
        NodeKind::Step(s) => match &s.action {
            Action::Sleep { duration } | Action::Command { duration, .. } => Some(duration),
            _ => None,
        },
        NodeKind::Group(_) => None,
    }
}

#[test]
fn every_corpus_file_imports_with_its_tree_and_what_it_reads() {
    let Some(dir) = corpus() else { return };
    // The table lists every file of the corpus, and only those.
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("the corpus folder reads")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = FILES.iter().map(|(f, ..)| *f).collect();
    assert_eq!(on_disk, listed, "the table lists the corpus's files");

    for (file, steps, groups, checks) in FILES {
        let bytes = std::fs::read(dir.join(file)).expect("a corpus file reads");
        let ts = read_task_sequence(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let options = ImportOptions { source: (*file).to_owned(), ..ImportOptions::default() };
        let written = write_scenario(&ts, &options, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        let scenario = Scenario::from_toml(&written.text, "imported.toml")
            .unwrap_or_else(|e| panic!("{file}: does not load: {e}"));
        assert_eq!((written.steps, written.groups), (*steps, *groups), "{file}: steps and groups");
        let mut nodes = Vec::new();
        flatten(&scenario.steps, &mut nodes);
        assert_eq!(nodes.len(), steps + groups, "{file}: every node is in the scenario");
        for check in *checks {
            match *check {
                Type(name, n, expected) => {
                    assert_eq!(nth(&nodes, file, name, n).type_name(), expected, "{file}: {name} #{n}");
                }
                Exits(name, n, code) => {
                    let node = nth(&nodes, file, name, n);
                    let NodeKind::Step(step) = &node.kind else { panic!("{file}: {name} is a group") };
                    let Action::Command { exit, .. } = &step.action else { panic!("{file}: {name} is no command") };
                    assert_eq!(exit.codes, [code], "{file}: {name} #{n} exit codes");
                }
                Takes(name, n, expected) => {
                    let node = nth(&nodes, file, name, n);
                    let d = duration_of(node).unwrap_or_else(|| panic!("{file}: {name} has no duration"));
                    assert_eq!(d.to_toml(), expected, "{file}: {name} #{n} duration");
                }
                Condition(name, n, expected) => {
                    let node = nth(&nodes, file, name, n);
                    let c = node.condition.as_ref().map(ToString::to_string);
                    assert_eq!(c.as_deref(), Some(expected), "{file}: {name} #{n} condition");
                }
                Warns(text) => {
                    assert!(
                        written.warnings.iter().any(|w| w.contains(text)),
                        "{file}: no warning {text:?}: {:#?}",
                        written.warnings
                    );
                }
                WarnsOnce(text) => {
                    let found = written.warnings.iter().filter(|w| w.contains(text)).count();
                    assert_eq!(found, 1, "{file}: {text:?} is not warned once: {:#?}", written.warnings);
                }
                Quiet(text) => {
                    let found: Vec<&String> = written.warnings.iter().filter(|w| w.contains(text)).collect();
                    assert!(found.is_empty(), "{file}: warns {text:?}: {found:#?}");
                }
            }
        }
    }
}
