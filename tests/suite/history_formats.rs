//! Issue 15's test: a history written in each of the formats Windows tools write — Windows
//! PowerShell 5.1 and PowerShell 7 in en-US, en-GB, de-DE and fr-FR, SQL Server Management
//! Studio, Excel in the same cultures, WMI, ISO 8601 with an offset — calibrates to the same
//! timings file as the ISO history it was written from.
//!
//! The ISO history is the imported example's month (`scenarios/imported/history.csv`), with
//! three steps renamed to names with letters outside ASCII (so that Windows-1252 and UTF-16
//! matter) and moved twelve days on (so that a day above 12 tells day-first dates from
//! month-first ones). A format without milliseconds or seconds cannot say what the ISO history
//! says: it is compared with the ISO history cut to seconds or minutes, the way the tool cuts
//! them. Every timings file but its first line (the file's name) must be identical: the rows,
//! runs, servers and span, every fit, every exit-code share and the coupling check.

use std::path::Path;

use patchsim::configmgr::history_view::civil_from_days;
use patchsim::input::TimeFormat;

use crate::common::{patchsim_in, temp_dir};

/// The steps renamed, and their names in the test's history.
const RENAMED: [(&str, &str); 3] = [
    ("Inject Random Sleep", "Zufällige Wartezeit"),
    ("Pre-Patch Custom Actions", "Mise à jour préalable"),
    ("Install Required Software Updates", "Installation der Updates"),
];

/// Milliseconds in a day.
const DAY: i64 = 86_400_000;

/// How precise a format's times are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Precision {
    Millis,
    Seconds,
    Minutes,
}

impl Precision {
    fn cut(self, ms: i64) -> i64 {
        match self {
            Self::Millis => ms,
            Self::Seconds => ms.div_euclid(1000) * 1000,
            Self::Minutes => ms.div_euclid(60_000) * 60_000,
        }
    }
}

/// A moment's calendar fields: year, month, day, hour, minute, second, millisecond.
fn fields(ms: i64) -> (i64, u32, u32, i64, i64, i64, i64) {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY));
    let t = ms.rem_euclid(DAY);
    (y, m, d, t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000)
}

/// The 12-hour clock's hour and designator.
fn twelve(h: i64) -> (i64, &'static str) {
    (if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { "AM" } else { "PM" })
}

/// How each tool writes a moment.
#[derive(Clone, Copy, Debug)]
enum Writes {
    /// The ISO history itself, at a precision: `2024-01-13 00:01:26.673`.
    Iso(Precision),
    /// ISO 8601 with `T`, seven digits of fraction and `+01:00` (PowerShell 7's `o` format).
    IsoOffset,
    /// ISO 8601 with `Z`.
    IsoZ,
    /// SQL Server Management Studio: `datetime` (three digits) or `datetime2` (seven).
    Ssms { digits: usize },
    /// en-US: `1/13/2024 12:01:26 AM`, or Excel's `1/13/2024 0:01` (24 h) / `1/13/2024 12:01 AM`.
    EnUs { seconds: bool, twelve_hour: bool },
    /// en-GB and fr-FR: `13/01/2024 00:01:26`, Excel without seconds.
    DayFirstSlash { seconds: bool },
    /// de-DE: `13.01.2024 00:01:26`, Excel without seconds.
    Dotted { seconds: bool },
    /// WMI's DMTF datetime at UTC−5: `20240112190126.673000-300`.
    Wmi,
}

impl Writes {
    fn precision(self) -> Precision {
        match self {
            Self::Iso(p) => p,
            Self::IsoOffset | Self::IsoZ | Self::Ssms { .. } | Self::Wmi => Precision::Millis,
            Self::EnUs { seconds, .. } | Self::DayFirstSlash { seconds } | Self::Dotted { seconds } => {
                if seconds {
                    Precision::Seconds
                } else {
                    Precision::Minutes
                }
            }
        }
    }

    fn text(self, ms: i64) -> String {
        let ms = self.precision().cut(ms);
        let (y, m, d, h, mi, s, f) = fields(ms);
        match self {
            Self::Iso(Precision::Millis) => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{f:03}"),
            Self::Iso(Precision::Seconds) => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
            Self::Iso(Precision::Minutes) => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}"),
            Self::IsoOffset => {
                let (y, m, d, h, mi, s, f) = fields(ms + 3_600_000);
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}0000+01:00")
            }
            Self::IsoZ => format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}Z"),
            Self::Ssms { digits } => {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{f:03}{}", "0".repeat(digits - 3))
            }
            Self::EnUs { seconds, twelve_hour } => {
                let secs = if seconds { format!(":{s:02}") } else { String::new() };
                if twelve_hour {
                    let (h, ampm) = twelve(h);
                    format!("{m}/{d}/{y} {h}:{mi:02}{secs} {ampm}")
                } else {
                    format!("{m}/{d}/{y} {h}:{mi:02}{secs}")
                }
            }
            Self::DayFirstSlash { seconds } => {
                let secs = if seconds { format!(":{s:02}") } else { String::new() };
                format!("{d:02}/{m:02}/{y} {h:02}:{mi:02}{secs}")
            }
            Self::Dotted { seconds } => {
                let secs = if seconds { format!(":{s:02}") } else { String::new() };
                format!("{d:02}.{m:02}.{y} {h:02}:{mi:02}{secs}")
            }
            Self::Wmi => {
                let (y, m, d, h, mi, s, f) = fields(ms - 5 * 3_600_000);
                format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}.{f:03}000-300")
            }
        }
    }
}

/// How a tool writes the file around the times.
#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16LeNoBom,
    Windows1252,
}

/// One file as a tool writes it.
#[derive(Clone, Copy, Debug)]
struct Written {
    name: &'static str,
    writes: Writes,
    separator: char,
    /// PowerShell's `Export-Csv` quotes every field; the others only those that need it (SSMS
    /// none at all).
    quote_all: bool,
    /// SQL Server Management Studio writes `NULL` in every empty cell.
    null_cells: bool,
    encoding: Encoding,
    /// The `--time-format` to name, when the values cannot tell it.
    named: Option<TimeFormat>,
}

const fn file(name: &'static str, writes: Writes, separator: char, quote_all: bool, encoding: Encoding) -> Written {
    Written { name, writes, separator, quote_all, null_cells: false, encoding, named: None }
}

/// Every format the issue lists.
fn formats() -> Vec<Written> {
    use Encoding::*;
    let ssms = |name, digits, encoding| Written {
        null_cells: true,
        ..file(name, Writes::Ssms { digits }, ',', false, encoding)
    };
    let ps_us = Writes::EnUs { seconds: true, twelve_hour: true };
    vec![
        // Windows PowerShell 5.1: Export-Csv -Encoding Unicode (UTF-16LE, a mark) or Default (ANSI).
        file("ps51-en-us-utf16.csv", ps_us, ',', true, Utf16LeBom),
        file("ps51-en-us-1252.csv", ps_us, ',', true, Windows1252),
        file("ps51-en-gb-utf16.csv", Writes::DayFirstSlash { seconds: true }, ',', true, Utf16LeBom),
        file("ps51-en-gb-1252.csv", Writes::DayFirstSlash { seconds: true }, ',', true, Windows1252),
        // -UseCulture: de-DE and fr-FR separate with semicolons.
        file("ps51-de-de-utf16.csv", Writes::Dotted { seconds: true }, ';', true, Utf16LeBom),
        file("ps51-de-de-1252.csv", Writes::Dotted { seconds: true }, ';', true, Windows1252),
        // PowerShell 7: UTF-8 without a mark, the same culture formats.
        file("ps7-fr-fr.csv", Writes::DayFirstSlash { seconds: true }, ';', true, Utf8),
        file("ps7-en-us.csv", ps_us, ',', true, Utf8),
        // ISO 8601 as PowerShell 7's round-trip format and with Z; UTF-16 without a mark.
        file("iso-offset.csv", Writes::IsoOffset, ',', true, Utf8Bom),
        file("iso-z-utf16-no-mark.csv", Writes::IsoZ, ',', false, Utf16LeNoBom),
        // SQL Server Management Studio's Save Results As: datetime and datetime2, NULL cells.
        ssms("ssms-datetime.csv", 3, Windows1252),
        ssms("ssms-datetime2.csv", 7, Utf8Bom),
        // Excel's CSV (Comma delimited): ANSI, no seconds; de-DE and fr-FR with semicolons.
        file("excel-en-us.csv", Writes::EnUs { seconds: false, twelve_hour: false }, ',', false, Windows1252),
        file("excel-en-us-12h.csv", Writes::EnUs { seconds: false, twelve_hour: true }, ',', false, Windows1252),
        file("excel-en-us-seconds.csv", Writes::EnUs { seconds: true, twelve_hour: true }, ',', false, Windows1252),
        file("excel-en-gb.csv", Writes::DayFirstSlash { seconds: false }, ',', false, Windows1252),
        file("excel-de-de.csv", Writes::Dotted { seconds: false }, ';', false, Windows1252),
        file("excel-fr-fr.csv", Writes::DayFirstSlash { seconds: false }, ';', false, Windows1252),
        // WMI (Get-CimInstance | Export-Csv -Encoding Unicode).
        file("wmi.csv", Writes::Wmi, ',', true, Utf16LeBom),
    ]
}

/// The ISO history's rows: its header and records, steps renamed, times `shift` ms later.
fn iso_rows(shift: i64) -> (Vec<String>, Vec<(i64, Vec<String>)>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/imported/history.csv");
    let mut reader = csv::Reader::from_path(path).expect("the example history");
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let time = header.iter().position(|h| h == "ExecutionTime").unwrap();
    let action = header.iter().position(|h| h == "ActionName").unwrap();
    let rows = reader
        .records()
        .map(|r| {
            let mut fields: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
            let ms = TimeFormat::Iso.parse(&fields[time]).expect("an ISO time") + shift;
            if let Some((_, new)) = RENAMED.iter().find(|(old, _)| *old == fields[action]) {
                fields[action] = (*new).to_owned();
            }
            (ms, fields)
        })
        .collect();
    (header, rows)
}

/// The history as `w` writes it, as bytes.
fn written(w: &Written, header: &[String], rows: &[(i64, Vec<String>)]) -> Vec<u8> {
    let time = header.iter().position(|h| h == "ExecutionTime").unwrap();
    let cell = |text: &str| -> String {
        let text = if w.null_cells && text.is_empty() { "NULL" } else { text };
        let needs = text.contains([w.separator, '"', '\n', '\r']);
        if w.quote_all || needs { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
    };
    let line = |fields: &[String]| -> String {
        fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(&w.separator.to_string())
    };
    let mut text = line(header) + "\r\n";
    for (ms, fields) in rows {
        let mut fields = fields.clone();
        fields[time] = w.writes.text(*ms);
        text.push_str(&line(&fields));
        text.push_str("\r\n");
    }
    encode(&text, w.encoding)
}

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        Encoding::Utf16LeBom => {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        }
        Encoding::Utf16LeNoBom => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        // Latin-1 letters only here: Windows-1252 has them at their code points.
        Encoding::Windows1252 => text.chars().map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 letter")).collect(),
    }
}

/// Runs `calibrate` on `bytes` written as `name` in `dir`: its timings file without the first
/// line (which names the file), and its standard output; panics with stderr when it fails.
fn calibrated(dir: &Path, name: &str, bytes: &[u8], named: Option<TimeFormat>) -> (String, String) {
    std::fs::write(dir.join(name), bytes).unwrap();
    let out_name = format!("{name}.toml");
    let mut args = vec!["calibrate", name, "--out", &out_name];
    if let Some(f) = named {
        args.extend(["--time-format", f.name()]);
    }
    let out = patchsim_in(dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: {stderr}");
    assert!(stderr.is_empty(), "{name}: no row left out, no warning: {stderr}");
    let timings = std::fs::read_to_string(dir.join(&out_name)).unwrap();
    let (first, rest) = timings.split_once('\n').unwrap();
    assert!(first.contains(name), "{first}");
    (rest.to_owned(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_history_in_each_windows_format_calibrates_to_the_same_timings_as_the_iso_one() {
    let dir = temp_dir("history_formats", "each");
    let (header, rows) = iso_rows(12 * DAY);
    let mut references = Vec::new();
    for precision in [Precision::Millis, Precision::Seconds, Precision::Minutes] {
        let iso = file("iso.csv", Writes::Iso(precision), ',', false, Encoding::Utf8);
        let name = format!("iso-{precision:?}.csv");
        let (timings, _) = calibrated(&dir, &name, &written(&iso, &header, &rows), None);
        assert!(timings.contains("Zufällige Wartezeit") && timings.contains("Mise à jour préalable"), "{timings}");
        references.push((precision, timings));
    }
    // Cutting times to minutes changes the fits (a check that the comparison can fail).
    assert_ne!(references[0].1, references[2].1);
    assert!(references[0].1.contains("2024-01-13 00:00:00.000 to 2024-01-19 21:57:24.539"), "{}", references[0].1);
    for w in formats() {
        let bytes = written(&w, &header, &rows);
        let (timings, stdout) = calibrated(&dir, w.name, &bytes, w.named);
        let expected = &references.iter().find(|(p, _)| *p == w.writes.precision()).unwrap().1;
        assert!(
            timings == *expected,
            "{}: other timings than the ISO history cut to {:?}:\n{timings}",
            w.name,
            w.writes.precision()
        );
        // What the values told is said.
        let told = match w.writes {
            Writes::EnUs { .. } => Some("mdy"),
            Writes::DayFirstSlash { .. } | Writes::Dotted { .. } => Some("dmy"),
            Writes::Wmi => Some("wmi"),
            _ => None,
        };
        if let Some(told) = told {
            assert!(stdout.contains(&format!("Times read as --time-format {told} (")), "{}: {stdout}", w.name);
            assert!(stdout.contains("), told from the values."), "{}: {stdout}", w.name);
        }
    }
}

#[test]
fn a_first_week_s_history_with_slashes_asks_which_order_and_reads_either_when_told() {
    // 1 to 7 January: every date reads both ways.
    let dir = temp_dir("history_formats", "first-week");
    let (header, rows) = iso_rows(0);
    let iso = file("iso.csv", Writes::Iso(Precision::Seconds), ',', false, Encoding::Utf8);
    let (expected, _) = calibrated(&dir, "iso.csv", &written(&iso, &header, &rows), None);
    for (w, order) in [
        (file("en-gb.csv", Writes::DayFirstSlash { seconds: true }, ',', true, Encoding::Utf16LeBom), TimeFormat::Dmy),
        (
            file("en-us.csv", Writes::EnUs { seconds: true, twelve_hour: true }, ',', true, Encoding::Windows1252),
            TimeFormat::Mdy,
        ),
    ] {
        let bytes = written(&w, &header, &rows);
        std::fs::write(dir.join(w.name), &bytes).unwrap();
        let out = patchsim_in(&dir, &["calibrate", w.name, "--out", "x.toml"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        // Line 2, column 23: after "SIM00001","16777216", (quotes counted).
        let first = w.writes.text(rows[0].0);
        assert_eq!(
            stderr.trim_end(),
            format!(
                "error: {}:2:23: key `ExecutionTime`: \"{first}\" and every other date in the column (9165 values) have the day and the month both 12 or less, so they read day first and month first alike, and patchsim cannot tell which is meant: say it with --time-format dmy (day first, as en-GB and fr-FR write) or --time-format mdy (month first, as en-US writes)",
                w.name
            )
        );
        assert!(!dir.join("x.toml").exists());
        let (timings, _) = calibrated(&dir, w.name, &bytes, Some(order));
        assert!(timings == expected, "{}: --time-format {order} gives other timings", w.name);
        // The other order reads other dates (2 January is not 1 February): not the same timings,
        // or not a history at all.
        let wrong = if order == TimeFormat::Dmy { TimeFormat::Mdy } else { TimeFormat::Dmy };
        let out = patchsim_in(&dir, &["calibrate", w.name, "--time-format", wrong.name(), "--out", "wrong.toml"]);
        let differs = !out.status.success()
            || std::fs::read_to_string(dir.join("wrong.toml")).unwrap().split_once('\n').unwrap().1 != expected;
        assert!(differs, "{}: the wrong order gave the same timings", w.name);
    }
}

#[test]
fn calibrate_s_help_names_the_formats_with_an_example() {
    let out = crate::common::patchsim(&["calibrate", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("patchsim calibrate history.csv --time-format dmy --out timings.toml"), "{help}");
    assert!(help.contains("[possible values: auto, iso, dmy, mdy, wmi]"), "{help}");
    let out = crate::common::patchsim(&["calibrate", "h.csv", "--out", "x.toml", "--time-format", "d/m/y"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
}
