//! Content and downloads in `import configmgr`: with `--content-sizes`, Download Package Content,
//! Install Package, Install Application and Install Software Updates download their content from
//! a `dp` resource and the scenario validates and runs; without sizes each step is imported as
//! before with a warning naming its line and packages; a bad sizes file is an error naming its
//! file, line and column; the real exports of the corpus import their recorded sizes.

use std::path::{Path, PathBuf};

use crate::common::{patchsim_in, temp_dir};
use patchsim::import::{ContentSizes, ImportOptions, Timings, read_task_sequence, write_scenario};
use patchsim::scenario::distribution::DurationDist;
use patchsim::scenario::resource::SizeDist;
use patchsim::scenario::{Action, NodeKind, Scenario, Step};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/suite/fixtures/content");

/// A scratch folder holding the fixture export and sizes.
fn with_fixtures(name: &str) -> PathBuf {
    let dir = temp_dir("import-content", name);
    for f in ["downloads.xml", "sizes.csv"] {
        std::fs::copy(Path::new(FIXTURES).join(f), dir.join(f)).unwrap();
    }
    dir
}

fn steps(s: &Scenario) -> Vec<(&str, &Step)> {
    s.steps
        .iter()
        .map(|n| match &n.kind {
            NodeKind::Step(step) => (n.name.as_str(), step),
            NodeKind::Group(_) => panic!("the fixture has no group"),
        })
        .collect()
}

/// A step's type, its items (for the two install types) and its download size in bytes.
type Shape = (&'static str, Option<String>, Option<u64>);

/// The [`Shape`] of a step.
fn shape(step: &Step) -> Shape {
    let size = step.download.as_ref().map(|d| match d.size {
        SizeDist(DurationDist::Fixed(bytes)) => bytes,
        ref other => panic!("a fixed size, not {other:?}"),
    });
    match &step.action {
        Action::InstallSoftware { items, .. } => ("install_software", Some(items.to_string()), size),
        Action::InstallUpdates(u) => ("install_updates", Some(u.items.to_string()), size),
        Action::Command { .. } => ("command", None, size),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn content_with_sizes_downloads_from_a_dp_resource_and_the_scenario_validates_and_runs() {
    let dir = with_fixtures("with-sizes");
    let out =
        patchsim_in(&dir, &["import", "configmgr", "downloads.xml", "--content-sizes", "sizes.csv", "--out", "s.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "every content step has its size");
    let text = std::fs::read_to_string(dir.join("s.toml")).unwrap();
    assert!(
        text.contains(concat!(
            "[[resource]]\nname = \"dp\"\nkind = \"shared\"\n",
            "instances = 1             # CHANGE: your distribution points (servers spread evenly over them)\n",
            "capacity = \"1Gbps\"        # CHANGE: assumed; your DP's speed (its network link, or what the WAN to it carries)\n"
        )),
        "{text}"
    );
    assert!(text.contains("download = { size = \"65740800B\" }   # each item the mean of 128400 KB in all: PS100012 26000 KB (sizes.csv:2), PS100013 102400 KB (sizes.csv:3)\n"), "{text}");
    assert!(
        text.contains("per_item = \"0s\"   # the step only downloads: its time is the transfer from `dp`\n"),
        "{text}"
    );

    let s = Scenario::from_toml(&text, &dir.join("s.toml").display().to_string()).unwrap();
    assert_eq!(s.resources.len(), 1);
    assert_eq!(s.resources[0].name, "dp");
    let got: Vec<(&str, Shape, bool)> =
        steps(&s).into_iter().map(|(n, st)| (n, shape(st), st.uses.download.is_some())).collect();
    let kib = |k: u64| Some(k * 1024);
    assert_eq!(
        got,
        [
            // The recorded 25536 KB of PS100012 is replaced by the file's 26000; the mean of the two.
            ("Download drivers", ("install_software", Some("2".into()), kib(64_200)), true),
            ("Install BIOS tool", ("install_software", Some("1".into()), kib(2048)), true),
            ("Install agents", ("install_software", Some("2".into()), kib(6144)), true),
            ("Install Software Updates", ("install_updates", Some("count \"updates\"".into()), kib(307_200)), true),
            ("Tidy", ("command", None, None), false),
        ]
    );
    let out = patchsim_in(&dir, &["validate", "s.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = patchsim_in(&dir, &["run", "s.toml", "--set", "fleet.servers=200", "-r", "1", "-q", "--out", "r"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("r/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["resources"][0]["name"], "dp", "{}", summary["resources"]);
}

#[test]
fn content_without_sizes_is_imported_as_before_with_a_warning_naming_the_line_and_packages() {
    let dir = with_fixtures("without-sizes");
    let out = patchsim_in(&dir, &["import", "configmgr", "downloads.xml", "--out", "s.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "warning: downloads.xml: line 4: \"Download drivers\": content of 1 package has no size (PS100013): give --content-sizes to model downloads",
            "warning: downloads.xml: line 20: \"Install BIOS tool\": content of 1 package has no size (PS100020): give --content-sizes to model downloads",
            "warning: downloads.xml: line 27: \"Install agents\": content of 2 applications has no size (Contoso Agent, Fabrikam Monitor): give --content-sizes to model downloads",
            "warning: downloads.xml: line 30: \"Install Software Updates\": content of the updates has no size: give --content-sizes to model downloads (a row named \"Install Software Updates\", the size of one update)",
        ]
    );
    let text = std::fs::read_to_string(dir.join("s.toml")).unwrap();
    assert!(!text.contains("[[resource]]") && !text.contains("download ="), "{text}");
    let s = Scenario::from_toml(&text, "s.toml").unwrap();
    let got: Vec<(&str, &str)> = steps(&s).into_iter().map(|(n, st)| (n, shape(st).0)).collect();
    assert_eq!(
        got,
        [
            ("Download drivers", "command"),
            ("Install BIOS tool", "command"),
            ("Install agents", "install_software"),
            ("Install Software Updates", "install_updates"),
            ("Tidy", "command"),
        ]
    );

    // A sizes file that lists some of the content names what it lacks.
    std::fs::write(dir.join("some.csv"), "PackageID,PackageSize\nPS100013,100\n").unwrap();
    let out =
        patchsim_in(&dir, &["import", "configmgr", "downloads.xml", "--content-sizes", "some.csv", "--out", "t.toml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 20: \"Install BIOS tool\": content of 1 package has no size (PS100020): add it to some.csv to model downloads"),
        "{stderr}"
    );
    // Download drivers now has a size for both packages: one recorded, one from the file.
    assert!(!stderr.contains("Download drivers"), "{stderr}");
}

#[test]
fn a_bad_sizes_file_is_an_error_naming_its_file_line_and_column_and_nothing_is_written() {
    let cases: &[(&str, &str)] = &[
        (
            "PackageID,PackageSize\nPS1,10\nPS2,12 MB\n",
            "sizes.csv:3: key `PackageSize`: \"12 MB\" is not a whole number of kilobytes (ConfigMgr writes sizes in KB, without a unit)",
        ),
        (
            "PackageID,PackageSize\nPS1,10\n\nps1,11\n",
            "sizes.csv:4: key `PackageID`: \"ps1\" has 11 KB here and 10 KB on line 2: give each package or application one size",
        ),
        (
            "PackageID,PackageSize\nPS1,\n",
            "sizes.csv:2: key `PackageSize`: no size: give the size in kilobytes (0 for a package without content)",
        ),
        (
            "PackageID,PackageSize\nPS1,-5\n",
            "sizes.csv:2: key `PackageSize`: \"-5\" is not a whole number of kilobytes (ConfigMgr writes sizes in KB, without a unit)",
        ),
        (
            "PackageID,PackageSize\nPS1,1000000000\n",
            "sizes.csv:2: key `PackageSize`: 1000000000 KB is more than the 1TB a scenario's size may be",
        ),
        (
            "PackageID,Name,PackageSize\n,,10\n",
            "sizes.csv:2: key `PackageID, Name`: the row names no package or application",
        ),
        ("PackageID,PackageSize\nPS1\n", "sizes.csv:2: has 1 field but the header has 2"),
        (
            "PackageID,Bytes\nPS1,10\n",
            "sizes.csv:1: the header has no size column: give one of PackageSize, SourceSize, Size (kilobytes, as ConfigMgr writes them), e.g. Get-CMPackage | Select-Object PackageID, Name, PackageSize",
        ),
        (
            "\r\nPath,PackageSize\r\nx,10\r\n",
            "sizes.csv:2: the header has no column naming the content: give one of PackageID, Name, LocalizedDisplayName, ModelName, ObjectID",
        ),
        ("PackageID,PackageSize\r\n", "sizes.csv: the content sizes have a header but no row"),
        (
            "",
            "sizes.csv: the content sizes are empty: they need a header line (PackageID,PackageSize) and one line per package",
        ),
    ];
    for (csv, expected) in cases {
        let err = ContentSizes::parse(csv.as_bytes(), "sizes.csv").unwrap_err();
        assert_eq!(err.to_string(), *expected, "{csv:?}");
    }
    // The same through the command line: the error, exit status 1, no scenario written.
    let dir = with_fixtures("bad-sizes");
    std::fs::write(dir.join("sizes.csv"), "PackageID;PackageSize\r\nPS100012;25536\r\nPS100013;lots\r\n").unwrap();
    let out =
        patchsim_in(&dir, &["import", "configmgr", "downloads.xml", "--content-sizes", "sizes.csv", "--out", "s.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sizes.csv:3: key `PackageSize`: \"lots\" is not a whole number of kilobytes"), "{stderr}");
    assert!(!dir.join("s.toml").exists());
}

#[test]
fn sizes_files_as_windows_writes_them_read_alike() {
    // Export-Csv's quoted UTF-8, Windows PowerShell's UTF-16 with semicolons, and Excel's
    // Windows-1252: the same sizes, the same lines.
    let plain = "\"PackageID\",\"Name\",\"PackageSize\"\r\n\"PS100012\",\"Mise à jour\",\"26000\"\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(plain.replace(',', ";").encode_utf16().flat_map(u16::to_le_bytes));
    let cp1252: Vec<u8> = plain.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
    for (what, bytes) in [("UTF-8", plain.as_bytes()), ("UTF-16", &utf16[..]), ("Windows-1252", &cp1252[..])] {
        let s = ContentSizes::parse(bytes, "sizes.csv").unwrap_or_else(|e| panic!("{what}: {e}"));
        let found = s.find("mise à jour").unwrap_or_else(|| panic!("{what}"));
        assert_eq!((found.kilobytes, found.line), (26_000, 2), "{what}");
        assert_eq!(s.find("ps100012"), Some(found), "{what}");
    }
}

#[test]
fn a_download_only_step_takes_no_timing_and_says_so() {
    let xml = std::fs::read(Path::new(FIXTURES).join("downloads.xml")).unwrap();
    let ts = read_task_sequence(&xml).unwrap();
    let sizes = ContentSizes::read(&Path::new(FIXTURES).join("sizes.csv"), "sizes.csv").unwrap();
    let timings = Timings::parse(
        "[[step]]\nname = \"Download drivers\"\nduration = \"4m\"\n[[step]]\nname = \"Install BIOS tool\"\nduration = \"3m\"\n",
        "t.toml",
    )
    .unwrap();
    let options =
        ImportOptions { source: "downloads.xml".into(), content_sizes: Some(sizes), ..ImportOptions::default() };
    let written = write_scenario(&ts, &options, Some(&timings)).unwrap();
    assert_eq!(
        written.warnings,
        [
            "timings for \"Download drivers\" are not applied: the step only downloads, and its time now comes from its content's size and the `dp` resource"
        ]
    );
    let s = Scenario::from_toml(&written.text, "s.toml").unwrap();
    let by_name = steps(&s);
    let Action::InstallSoftware { per_item, .. } = &by_name[0].1.action else { panic!() };
    assert_eq!(*per_item, DurationDist::Fixed(0));
    // Install BIOS tool installs after its download: its timing is applied, as its one item's.
    assert!(matches!(by_name[1].1.action, Action::InstallSoftware { .. }));
    let bios = written.text.split("name = \"Install BIOS tool\"").nth(1).unwrap();
    let per_item = bios.lines().find(|l| l.starts_with("per_item = ")).unwrap();
    assert!(per_item.contains("   # from the timings file"), "{per_item}");
}

#[test]
fn the_corpus_exports_import_the_sizes_download_package_content_recorded() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/task-sequences");
    let file = corpus.join("02-garytown-hpia-drivers.xml");
    if !file.exists() {
        eprintln!("skipped: the shared corpus ({}) is not here", corpus.display());
        return;
    }
    let ts = read_task_sequence(&std::fs::read(&file).unwrap()).unwrap();
    let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
    let s = Scenario::from_toml(&written.text, "garytown.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    assert_eq!(s.resources.len(), 1);
    let mut sizes = Vec::new();
    fn walk<'a>(nodes: &'a [patchsim::scenario::Node], out: &mut Vec<(&'a str, u64)>) {
        for n in nodes {
            match &n.kind {
                NodeKind::Group(children) => walk(children, out),
                NodeKind::Step(step) => {
                    if let Some(d) = &step.download {
                        let SizeDist(DurationDist::Fixed(bytes)) = d.size else { panic!("{:?}", d.size) };
                        out.push((n.name.as_str(), bytes));
                    }
                }
            }
        }
    }
    walk(&s.steps, &mut sizes);
    // The three Download Package Content steps, with the kilobytes the export records.
    assert_eq!(sizes.len(), 3, "{sizes:?}");
    let mut kilobytes: Vec<u64> = sizes.iter().map(|(_, b)| b / 1024).collect();
    kilobytes.sort_unstable();
    assert_eq!(kilobytes, [72, 25_536, 381_471]);
    // The other exports with content steps import and load, sized or with their warnings.
    for name in ["09-forevan-task-sequence-1.xml", "10-2pint-osdtk-phase3.xml", "27-keithga-mdt-sccm-client.xml"] {
        let ts = read_task_sequence(&std::fs::read(corpus.join(name)).unwrap()).unwrap();
        let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
        Scenario::from_toml(&written.text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(written.warnings.iter().any(|w| w.contains("has no size")), "{name}: {:?}", written.warnings);
    }
}

#[test]
fn a_download_step_listing_too_many_packages_fails_at_its_line_and_hostile_ids_stay_in_comments() {
    let mut xml = String::from(
        "<sequence>\n<step type=\"SMS_TaskSequence_DownloadPackageContentAction\" name=\"Get\"><defaultVarList>",
    );
    for i in 0..100_001 {
        xml.push_str(&format!("<variable name=\"OSDPackage{i}PackageId\">P{i}</variable>"));
    }
    xml.push_str("</defaultVarList></step>\n</sequence>\n");
    let err = read_task_sequence(xml.as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert_eq!(err.message, "\"Get\" downloads 100001 packages; a scenario's step holds at most 100000 items");

    // A package ID with a line break and TOML in it: one step, its text only in comments.
    let xml = r#"<sequence><step type="SMS_TaskSequence_DownloadPackageContentAction" name="Get"><defaultVarList>
<variable name="OSDPackage0PackageId">PS1&#10;[[step]]&#10;name = "injected"</variable>
<variable name="OSDPackage0Size">10</variable>
</defaultVarList></step></sequence>"#;
    let ts = read_task_sequence(xml.as_bytes()).unwrap();
    let written = write_scenario(&ts, &ImportOptions::default(), None).unwrap();
    let s = Scenario::from_toml(&written.text, "s.toml").unwrap_or_else(|e| panic!("{e}\n{}", written.text));
    assert_eq!(steps(&s).len(), 1);
    assert_eq!(shape(steps(&s)[0].1), ("install_software", Some("1".into()), Some(10 * 1024)));
    assert!(!written.text.contains("\nname = \"injected\""), "{}", written.text);
}
