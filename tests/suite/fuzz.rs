//! Property tests: the readers of outside files — task sequence XML, the console's export
//! archive, inventory and history CSV, conditions — never panic on random or mangled input, and
//! what the importer accepts always becomes a scenario that loads.

use patchsim::import::history::History;
use patchsim::import::{ExportZip, ImportOptions, TaskSequence, ZipLimits, read_task_sequence, write_scenario};
use patchsim::scenario::Scenario;
use patchsim::scenario::condition::Condition;
use patchsim::scenario::inventory::Inventory;
use proptest::prelude::*;

const EXPORT: &str = include_str!("../../scenarios/imported/server-patching.xml");
const TOUR: &str = include_str!("../../scenarios/feature-tour.toml");

/// The feature tour with some bytes cut, some doubled and some replaced by characters a TOML
/// file or a user's typo holds.
fn mangled_scenario() -> impl Strategy<Value = String> {
    let edit = (
        0..TOUR.len(),
        0u8..3,
        prop_oneof![
            Just("0"),
            Just("-1"),
            Just("1e308"),
            Just("\""),
            Just("["),
            Just("]]"),
            Just("{"),
            Just("="),
            Just("\n"),
            Just("h"),
            Just("'"),
            Just("("),
            Just("not "),
            Just("é"),
            Just("\u{202e}"),
            Just("nan"),
        ],
    );
    prop::collection::vec(edit, 1..6).prop_map(|edits| {
        let mut text = TOUR.to_owned();
        for (at, kind, piece) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match kind {
                0 => {
                    let mut end = (at + 7).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                1 => text.insert_str(at, piece),
                _ => {
                    let mut end = (at + 1).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, piece);
                }
            }
        }
        text
    })
}

/// Imports bytes; when the reader accepts them, the written scenario must load (or the writer
/// say, at a line, why it is too large).
fn import_loads(bytes: &[u8]) -> Result<(), TestCaseError> {
    match read_task_sequence(bytes) {
        Ok(ts) => written_loads(&ts),
        Err(_) => Ok(()),
    }
}

/// Imports an archive; when it is accepted, the written scenario must load.
fn zip_import_loads(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(export) = ExportZip::read(std::io::Cursor::new(bytes), &ZipLimits::default()) else { return Ok(()) };
    let Ok(ts) = export.task_sequence(None) else { return Ok(()) };
    written_loads(&ts)
}

/// The scenario written from an accepted sequence loads, or the writer says at a line why not.
fn written_loads(ts: &TaskSequence) -> Result<(), TestCaseError> {
    let written = match write_scenario(ts, &ImportOptions::default(), None) {
        Ok(w) => w,
        Err(e) if e.line.is_some() => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("the writer fails without a line: {e}"))),
    };
    if let Err(e) = Scenario::from_toml(&written.text, "fuzzed.toml") {
        return Err(TestCaseError::fail(format!("the imported scenario does not load: {e}\n{}", written.text)));
    }
    Ok(())
}

/// An export archive of the example (as a bare sequence) and a child that its Run Task Sequence
/// step runs, stored or deflated.
fn export_zip(deflated: bool) -> Vec<u8> {
    use std::io::Write;
    let method = if deflated { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let child = "<INSTANCE CLASSNAME=\"SMS_TaskSequencePackage\"><PROPERTY NAME=\"PackageID\"><VALUE>PS100090</VALUE></PROPERTY><PROPERTY NAME=\"Sequence\"><VALUE>&lt;sequence&gt;&lt;step type=\"SMS_TaskSequence_RebootAction\" name=\"Restart\"/&gt;&lt;/sequence&gt;</VALUE></PROPERTY></INSTANCE>";
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in [
        ("SMS_TaskSequencePackage/PS100001/object.xml", EXPORT.as_bytes()),
        ("SMS_TaskSequencePackage/PS100090/object.xml", child.as_bytes()),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A random name: letters, digits, spaces, quotes, XML specials (escaped), non-ASCII.
fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a".to_owned()),
            Just("Z".to_owned()),
            Just("7".to_owned()),
            Just(" ".to_owned()),
            Just("'".to_owned()),
            Just("&quot;".to_owned()),
            Just("&amp;".to_owned()),
            Just("&lt;".to_owned()),
            Just("\\".to_owned()),
            Just("é".to_owned()),
            Just("#".to_owned()),
            Just("]]".to_owned()),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn expression() -> impl Strategy<Value = String> {
    let ops = prop_oneof![
        Just("exists"),
        Just("notExists"),
        Just("equals"),
        Just("notEquals"),
        Just("less"),
        Just("lessEqual"),
        Just("greater"),
        Just("greaterEqual"),
        Just("like"),
        Just(""),
    ];
    let kinds = prop_oneof![
        Just("SMS_TaskSequence_VariableConditionExpression"),
        Just("SMS_TaskSequence_WMIConditionExpression"),
        Just("SMS_TaskSequence_FileConditionExpression"),
        Just("Something_Else"),
    ];
    (kinds, ops, name(), name()).prop_map(|(kind, op, var, value)| {
        format!(
            "<expression type=\"{kind}\"><variable name=\"Operator\">{op}</variable><variable name=\"Value\">{value}</variable><variable name=\"Variable\">{var}</variable></expression>"
        )
    })
}

fn condition() -> impl Strategy<Value = String> {
    expression().prop_recursive(4, 16, 4, |inner| {
        (prop_oneof![Just("and"), Just("or"), Just("not"), Just("xor")], prop::collection::vec(inner, 0..4))
            .prop_map(|(op, parts)| format!("<operator type=\"{op}\">{}</operator>", parts.concat()))
    })
}

fn flag() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just(" continueOnError=\"true\""),
        Just(" disable=\"true\""),
        Just(" continueOnError=\"maybe\"")
    ]
}

fn step() -> impl Strategy<Value = String> {
    let types = prop_oneof![
        Just("SMS_TaskSequence_RunCommandLineAction"),
        Just("SMS_TaskSequence_InstallUpdateAction"),
        Just("SMS_TaskSequence_InstallApplicationAction"),
        Just("SMS_TaskSequence_RebootAction"),
        Just("SMS_TaskSequence_SetVariableAction"),
        Just("SMS_TaskSequence_SetDynamicVariablesAction"),
        Just("BDD_Gather"),
        Just(""),
    ];
    (types, name(), flag(), prop::option::of(condition()), name(), prop_oneof![Just(""), Just(" successCodeList=\"0 x 3010\""), Just(" timeout=\"99999999\"")])
        .prop_map(|(kind, n, flag, cond, var, codes)| {
            let cond = cond.map(|c| format!("<condition>{c}</condition>")).unwrap_or_default();
            format!(
                "<step type=\"{kind}\" name=\"{n}\"{flag}{codes}>{cond}<defaultVarList><variable name=\"VariableName\">{var}</variable><variable name=\"ApplicationName\">{var}</variable></defaultVarList></step>"
            )
        })
}

fn node() -> impl Strategy<Value = String> {
    step().prop_recursive(5, 40, 5, |inner| {
        (name(), flag(), prop::option::of(condition()), prop::collection::vec(inner, 0..5)).prop_map(
            |(n, flag, cond, children)| {
                let cond = cond.map(|c| format!("<condition>{c}</condition>")).unwrap_or_default();
                format!("<group name=\"{n}\"{flag}>{cond}{}</group>", children.concat())
            },
        )
    })
}

proptest! {
    // 256 cases a property in the test suite; PROPTEST_CASES=100000 for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// A scenario is refused with an error, or it loads and runs: never a panic.
    #[test]
    fn a_mangled_scenario_is_refused_or_runs_never_panics(text in mangled_scenario()) {
        if let Ok(scenario) = Scenario::from_toml(&text, "mangled.toml") {
            let small = Scenario { fleet: patchsim::scenario::Fleet { servers: scenario.fleet.servers.min(200), ..scenario.fleet.clone() }, ..scenario };
            if small.windows.inventory().is_none() {
                let program = patchsim::sequence::Program::compile(&small);
                let options = patchsim::montecarlo::RunOptions::new(1, 1, 1);
                let result = patchsim::montecarlo::run(&small, &program, &options);
                prop_assert!(result.is_ok(), "{:?}", result.err());
            }
        }
    }

    #[test]
    fn xml_import_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        import_loads(&bytes)?;
    }

    #[test]
    fn xml_import_never_panics_on_a_mangled_export(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = EXPORT.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        import_loads(&bytes)?;
    }

    #[test]
    fn zip_import_never_panics_on_a_mangled_archive(
        deflated in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = export_zip(deflated);
        for (at, byte, how) in edits {
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() * 3 / 4));
        zip_import_loads(&bytes)?;
    }

    #[test]
    fn any_generated_sequence_imports_to_a_scenario_that_loads(nodes in prop::collection::vec(node(), 1..6)) {
        let xml = format!("<sequence version=\"3.10\">{}</sequence>", nodes.concat());
        let ts = read_task_sequence(xml.as_bytes());
        prop_assert!(ts.is_ok(), "{:?}", ts.err());
        import_loads(xml.as_bytes())?;
    }

    #[test]
    fn inventory_reader_never_panics(text in "[a-zA-Z0-9 ,;\"\\n\\r:\\t]{0,300}") {
        let s = Scenario::from_toml(
            "name = \"g\"\n[fleet]\nservers = 1\n[windows]\ndays = [\"Mon\"]\nstarts = [\"00:00\"]\nlength = \"2h\"\n[infrastructure]\nstatus_manager_rate = 10\n[[step]]\nname = \"s\"\ntype = \"sleep\"\nduration = \"1m\"\n",
            "g.toml",
        ).unwrap();
        let with_header = format!("name,window,class,extension,Role\n{text}");
        for bytes in [text.as_bytes(), with_header.as_bytes()] {
            let _ = Inventory::parse(bytes, "servers.csv", &s.windows.list, &s.fleet.classes);
        }
    }

    #[test]
    fn history_reader_never_panics(rows in prop::collection::vec("[A-Z0-9 ,:.\\-\"]{0,60}", 0..20), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = format!(
            "AdvertisementID,ResourceID,ExecutionTime,Step,ActionName,GroupName,LastStatusMsgID,LastStatusMsgName,ExitCode,ActionOutput\n{}",
            rows.join("\n")
        );
        let _ = History::parse(text.as_bytes(), "h.csv");
        let _ = History::parse(&bytes, "h.csv");
    }

    #[test]
    fn conditions_never_panic_and_print_back_to_themselves(text in "[a-zA-Z0-9 ()<>=!'\"_.-]{0,60}") {
        if let Ok(c) = Condition::parse(&text) {
            let again = Condition::parse(&c.to_string());
            prop_assert_eq!(again.as_ref().ok(), Some(&c), "`{}` printed as `{}`", text, c);
        }
    }
}

#[test]
fn the_archive_the_fuzzing_mangles_imports_with_its_child_in_place() {
    for deflated in [false, true] {
        let export = ExportZip::read(std::io::Cursor::new(export_zip(deflated)), &ZipLimits::default()).unwrap();
        let ts = export.task_sequence(None).unwrap();
        assert_eq!(ts.entries.len(), 2);
        zip_import_loads(&export_zip(deflated)).unwrap();
    }
}
