//! An inventory (CMDB) export: one row per server with its maintenance window, and optionally its
//! class, whether it is on a patching extension, and its collection variables.
//!
//! ```text
//! name,window,class,extension,PrePatchAction,Role
//! SQL01,Tue 04:00,clustered,false,failover.ps1,sql
//! WEB07,Mon 00:00,,,,
//! ```
//!
//! - `name` (required): the server's name, unique in the file.
//! - `window` (required): one of the scenario's windows, written as `"Mon 00:00"`.
//! - `class` (optional column): the name of a `[[fleet.class]]`; an empty cell draws the class
//!   by the shares, as without an inventory.
//! - `extension` (optional column): `true`/`false` (also `yes`/`no`, `1`/`0`); an empty cell draws
//!   by `[fleet] extension`.
//! - Any other column is a collection variable named after its header; an empty cell leaves the
//!   variable unset on that server (even when the server's class sets it).
//!
//! Headers are matched without regard to case or surrounding spaces. Commas separate the
//! fields; a file whose header holds semicolons or tabs and no comma (as Excel writes in some
//! locales) is read with that separator. Every mistake names the file, the line and the column.

use std::collections::HashMap;
use std::path::Path;

use super::fleet::{Class, MAX_SERVERS};
use super::name::{self, TextKind, fold, same};
use super::windows::{Window, parse_week_time};
use crate::input::CsvLines;
use crate::input::InputError;
use crate::input::InputFile;

/// No value in a variable cell.
pub const EMPTY: u32 = u32::MAX;

/// The most columns an inventory may have: name, window, class, extension and up to about a
/// thousand collection variables (a CMDB export has tens). Every cell is kept for every server,
/// so the bound keeps an inventory's memory in proportion to its servers.
pub const MAX_COLUMNS: usize = 1_024;

/// The largest inventory file read (2 GiB): far beyond any real export, and a guard against
/// reading a wrong file into memory.
pub const MAX_INVENTORY_BYTES: u64 = 2 << 30;

/// How an inventory file is named in messages, and how large it may be.
pub(crate) fn inventory_file(shown: &str) -> InputFile<'_> {
    InputFile { shown, what: "inventory", kind: "an inventory CSV file", max_bytes: MAX_INVENTORY_BYTES }
}

/// A checked inventory: per server, its name, window, class, extension and variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// The file as named in messages (relative to where patchsim runs).
    pub file: String,
    /// Each server's name, in file order.
    pub names: Vec<String>,
    /// Each server's window (index into the scenario's windows).
    pub windows: Vec<u32>,
    /// Each server's class, `None` when drawn by the shares.
    pub classes: Vec<Option<u32>>,
    /// Whether each server is on an extension, `None` when drawn by the share.
    pub extension: Vec<Option<bool>>,
    /// The collection-variable columns, in file order.
    pub variables: Vec<String>,
    /// The distinct texts of the variable cells.
    pub values: Vec<String>,
    /// Row-major cells: `cells[server * variables.len() + column]` indexes `values`, or [`EMPTY`].
    pub cells: Vec<u32>,
}

impl Inventory {
    /// Number of servers.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the inventory has no server (never true for a checked inventory).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The value of variable column `column` on server `server`, if set.
    pub fn value(&self, server: usize, column: usize) -> Option<&str> {
        let cell = self.cells[server * self.variables.len() + column];
        (cell != EMPTY).then(|| self.values[cell as usize].as_str())
    }

    /// The index of the server with this name (names compare ignoring case, by Unicode case
    /// folding).
    pub fn find(&self, name: &str) -> Option<usize> {
        let wanted = name.trim();
        self.names.iter().position(|n| same(n, wanted))
    }

    /// Servers per window, in window order.
    pub fn window_counts(&self, windows: usize) -> Vec<u64> {
        let mut counts = vec![0u64; windows];
        for w in &self.windows {
            counts[*w as usize] += 1;
        }
        counts
    }

    /// Reads and checks an inventory file against the scenario's windows and classes; `shown`
    /// names the file in errors.
    pub fn read(path: &Path, shown: &str, windows: &[Window], classes: &[Class]) -> Result<Self, InputError> {
        let bytes = inventory_file(shown).read(path)?;
        Self::parse(&bytes, shown, windows, classes)
    }

    /// Reads and checks an inventory from the bytes of a CSV file.
    pub fn parse(bytes: &[u8], shown: &str, windows: &[Window], classes: &[Class]) -> Result<Self, InputError> {
        let bytes = crate::input::utf8_bytes(bytes).map_err(|m| InputError::file(shown, m))?;
        let bytes: &[u8] = &bytes;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::file(
                shown,
                "the inventory is empty: it needs a header line (name,window,…) and one line per server",
            ));
        }
        let mut lines = CsvLines::new(bytes);
        let mut reader = crate::input::csv_reader(bytes);
        let mut records = reader.byte_records();
        let header = csv_header(&mut records, shown, &mut lines, "the inventory has no header line")?;
        let columns = Columns::from_header(&header).map_err(|m| at(shown, 1, m))?;
        refuse_unclosed_quote(bytes, shown)?;
        let mut rows = Rows::new(shown, &columns, windows, classes);
        for record in records {
            let record = record.map_err(|e| csv_error(shown, &e, &mut lines))?;
            let line = line_of(&mut lines, record.position());
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            rows.add(&record, line)?;
        }
        if rows.inventory.names.is_empty() {
            return Err(InputError::file(shown, "the inventory has a header but no server"));
        }
        Ok(rows.inventory)
    }
}

/// The line (as an editor counts it) of the inventory file `bytes` that lists server `server`
/// (0-based, in inventory order), read again the way [`Inventory::parse`] reads it: for an error
/// about a server found after the file was read, which only then needs its line. `None` when
/// the file has no such server.
pub fn line_of_server(bytes: &[u8], server: usize) -> Option<u64> {
    let bytes = crate::input::utf8_bytes(bytes).ok()?;
    let bytes: &[u8] = &bytes;
    let mut lines = CsvLines::new(bytes);
    let mut reader = crate::input::csv_reader(bytes);
    let mut records = reader.byte_records().skip(1).filter_map(Result::ok);
    let record = records.by_ref().filter(|r| !r.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))).nth(server)?;
    Some(line_of(&mut lines, record.position()))
}

/// An error on line `line` of the inventory `shown`.
fn at(shown: &str, line: u64, message: String) -> InputError {
    InputError { file: shown.to_owned(), line: Some(line as usize), column: None, key: None, message }
}

/// An odd number of double quotes may mean one is never closed: the reader then takes the rest
/// of the file, line breaks and all, as one field of the last record it returns. That is an
/// error on the line the quote opens.
pub(crate) fn refuse_unclosed_quote(bytes: &[u8], shown: &str) -> Result<(), InputError> {
    if bytes.iter().filter(|b| **b == b'"').count() % 2 == 0 {
        return Ok(());
    }
    let mut again = crate::input::csv_reader(bytes);
    if let Some(last) = again.byte_records().filter_map(Result::ok).last()
        && last.iter().any(|field| field.contains(&b'\n'))
    {
        let line = line_of(&mut CsvLines::new(bytes), last.position());
        return Err(at(shown, line, "a double quote on this line is never closed".to_owned()));
    }
    Ok(())
}

/// The inventory being read, row by row, with what checking a row needs.
struct Rows<'a> {
    shown: &'a str,
    columns: &'a Columns,
    windows: &'a [Window],
    classes: &'a [Class],
    /// Window index by start.
    by_start: HashMap<u64, u32>,
    /// Variable cell text → index into `inventory.values`.
    value_ids: HashMap<String, u32>,
    /// Folded name → (line, name as written there).
    seen: HashMap<String, (u64, String)>,
    inventory: Inventory,
}

impl<'a> Rows<'a> {
    fn new(shown: &'a str, columns: &'a Columns, windows: &'a [Window], classes: &'a [Class]) -> Self {
        let by_start = windows.iter().enumerate().map(|(i, w)| (w.start, i as u32)).collect();
        let inventory = Inventory {
            file: shown.to_owned(),
            names: Vec::new(),
            windows: Vec::new(),
            classes: Vec::new(),
            extension: Vec::new(),
            variables: columns.variables.iter().map(|(_, name)| name.clone()).collect(),
            values: Vec::new(),
            cells: Vec::new(),
        };
        Self { shown, columns, windows, classes, by_start, value_ids: HashMap::new(), seen: HashMap::new(), inventory }
    }

    /// Checks one server's row (on `line`) and adds it.
    fn add(&mut self, record: &csv::ByteRecord, line: u64) -> Result<(), InputError> {
        let (shown, columns) = (self.shown, self.columns);
        if record.len() != columns.count {
            return Err(at(
                shown,
                line,
                format!(
                    "has {} fields but the header has {} ({}); a field with the separator in it needs double quotes",
                    record.len(),
                    columns.count,
                    columns.names.join(", ")
                ),
            ));
        }
        if self.inventory.names.len() as i64 >= MAX_SERVERS {
            return Err(at(shown, line, format!("more than {MAX_SERVERS} servers")));
        }
        let cell = |index: usize| -> Result<&str, InputError> {
            let raw = &record[index];
            let text = std::str::from_utf8(raw).map(unnull).map_err(|_| {
                at(
                    shown,
                    line,
                    format!("column \"{}\": not UTF-8 text; save the export as UTF-8", columns.names[index]),
                )
            })?;
            checked(text, TextKind::Value)
                .map_err(|m| at(shown, line, format!("column \"{}\": {m}", columns.names[index])))?;
            Ok(text)
        };
        let name = cell(columns.name)?;
        self.check_name(name, line)?;
        let window = window_of(cell(columns.window)?, &self.by_start, self.windows)
            .map_err(|m| at(shown, line, format!("column \"window\": {m}")))?;
        let class = match columns.class {
            Some(c) => self.class_of(cell(c)?, line)?,
            None => None,
        };
        let extension = match columns.extension {
            Some(c) => parse_flag(cell(c)?).map_err(|m| at(shown, line, format!("column \"extension\": {m}")))?,
            None => None,
        };
        for (index, _) in &columns.variables {
            let id = self.value_id(cell(*index)?);
            self.inventory.cells.push(id);
        }
        self.inventory.names.push(name.to_owned());
        self.inventory.windows.push(window);
        self.inventory.classes.push(class);
        self.inventory.extension.push(extension);
        Ok(())
    }

    /// A server's name: present, a valid name, and not listed before (ignoring case).
    fn check_name(&mut self, name: &str, line: u64) -> Result<(), InputError> {
        if name.is_empty() {
            return Err(at(self.shown, line, "column \"name\": the server has no name".to_owned()));
        }
        checked(name, TextKind::Name).map_err(|m| at(self.shown, line, format!("column \"name\": {m}")))?;
        if let Some((first, spelt)) = self.seen.insert(fold(name), (line, name.to_owned())) {
            let message = if spelt == name {
                format!("column \"name\": server \"{name}\" is listed twice (first on line {first})")
            } else {
                format!(
                    "column \"name\": server \"{name}\" is listed twice (first on line {first} as \"{spelt}\"): server names are compared ignoring case"
                )
            };
            return Err(at(self.shown, line, message));
        }
        Ok(())
    }

    /// The class a cell names (`None` when empty: drawn by the shares).
    fn class_of(&self, text: &str, line: u64) -> Result<Option<u32>, InputError> {
        if text.is_empty() {
            return Ok(None);
        }
        // A scenario has a handful of classes: compare, without allocating a folded copy.
        match self.classes.iter().position(|c| same(&c.name, text)) {
            Some(i) => Ok(Some(i as u32)),
            None => {
                let known: Vec<&str> = self.classes.iter().map(|c| c.name.as_str()).collect();
                Err(at(
                    self.shown,
                    line,
                    format!(
                        "column \"class\": \"{text}\" is not a class of the scenario; [[fleet.class]] defines: {}",
                        known.join(", ")
                    ),
                ))
            }
        }
    }

    /// The index of a variable cell's text among the distinct values ([`EMPTY`] when empty).
    fn value_id(&mut self, text: &str) -> u32 {
        if text.is_empty() {
            return EMPTY;
        }
        // Most cells repeat a value seen before: look it up without allocating.
        if let Some(id) = self.value_ids.get(text) {
            return *id;
        }
        let id = self.value_ids.len() as u32;
        self.value_ids.insert(text.to_owned(), id);
        self.inventory.values.push(text.to_owned());
        id
    }
}

/// Where the known columns are.
pub(crate) struct Columns {
    pub(crate) count: usize,
    pub(crate) names: Vec<String>,
    pub(crate) name: usize,
    pub(crate) window: usize,
    pub(crate) class: Option<usize>,
    pub(crate) extension: Option<usize>,
    pub(crate) variables: Vec<(usize, String)>,
}

impl Columns {
    pub(crate) fn from_header(header: &csv::ByteRecord) -> Result<Self, String> {
        if header.len() > MAX_COLUMNS {
            return Err(format!(
                "the header has {} columns; an inventory has at most {MAX_COLUMNS} (name, window, class, extension and collection variables): is this the right file, or is the separator wrong?",
                header.len()
            ));
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let text = std::str::from_utf8(raw)
                .map_err(|_| format!("header column {}: not UTF-8 text; save the export as UTF-8", i + 1))?;
            let text = text.trim();
            checked(text, TextKind::Name).map_err(|m| format!("header column {}: {m}", i + 1))?;
            names.push(text.to_owned());
        }
        // Column names are variable names, which compare ignoring case.
        let lower: Vec<String> = names.iter().map(|n| fold(n)).collect();
        for (i, n) in lower.iter().enumerate() {
            if n.is_empty() {
                return Err(format!("header column {} has no name", i + 1));
            }
            if let Some(j) = lower[..i].iter().position(|m| m == n) {
                return Err(format!("header column \"{}\" appears twice (columns {} and {})", names[i], j + 1, i + 1));
            }
        }
        let find = |wanted: &str| lower.iter().position(|n| n == wanted);
        let missing = |what: &str| {
            format!(
                "the header has no \"{what}\" column; it needs name and window (optional: class, extension, then any collection variables), found: {}",
                names.join(", ")
            )
        };
        let name = find("name").ok_or_else(|| missing("name"))?;
        let window = find("window").ok_or_else(|| missing("window"))?;
        let class = find("class");
        let extension = find("extension");
        let known = [Some(name), Some(window), class, extension];
        let variables =
            names.iter().enumerate().filter(|(i, _)| !known.contains(&Some(*i))).map(|(i, n)| (i, n.clone())).collect();
        Ok(Self { count: names.len(), names, name, window, class, extension, variables })
    }
}

/// Checks a cell or header as a text of `kind`; the message quotes it (refused characters
/// written as escapes).
pub(crate) fn checked(text: &str, kind: TextKind) -> Result<(), String> {
    name::check(text, kind).map_err(|e| {
        let quoted: String = if text.chars().count() > 48 {
            text.chars().take(40).chain(std::iter::once('…')).collect()
        } else {
            text.to_owned()
        };
        format!("\"{}\" {}", crate::input::text::shown(&quoted), e.message)
    })
}

/// A cell's text, trimmed; `NULL` (how SQL Server Management Studio saves an empty cell) is
/// empty.
pub(crate) fn unnull(text: &str) -> &str {
    match text.trim() {
        "NULL" => "",
        t => t,
    }
}

/// The line (as an editor counts it) where a record starts.
pub(crate) fn line_of(lines: &mut CsvLines<'_>, position: Option<&csv::Position>) -> u64 {
    lines.record_start(position.map_or(0, csv::Position::byte)).1
}

/// A CSV's first record, its header; `missing` says what is wrong when the file has none.
pub(crate) fn csv_header(
    records: &mut csv::ByteRecordsIter<'_, &[u8]>,
    shown: &str,
    lines: &mut CsvLines<'_>,
    missing: &str,
) -> Result<csv::ByteRecord, InputError> {
    match records.next() {
        Some(Ok(h)) => Ok(h),
        Some(Err(e)) => Err(csv_error(shown, &e, lines)),
        None => Err(InputError::file(shown, missing)),
    }
}

/// A CSV reader's error as a user reads it: the file, the line, what is wrong.
pub(crate) fn csv_error(shown: &str, e: &csv::Error, lines: &mut CsvLines<'_>) -> InputError {
    let line = e.position().map(|p| line_of(lines, Some(p)) as usize);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text; save the export as UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields but the header has {expected_len}")
        }
        _ => format!("cannot read the CSV: {e}"),
    };
    InputError { file: shown.to_owned(), line, column: None, key: None, message }
}

fn window_of(text: &str, by_start: &HashMap<u64, u32>, windows: &[Window]) -> Result<u32, String> {
    if text.is_empty() {
        return Err("the server has no window".to_owned());
    }
    let start = parse_week_time(text)?;
    by_start.get(&start).copied().ok_or_else(|| {
        let names: Vec<&str> = windows.iter().map(|w| w.name.as_str()).collect();
        let shown = if names.len() > 12 {
            format!("{} … {} ({} windows)", names[..6].join(", "), names[names.len() - 2..].join(", "), names.len())
        } else {
            names.join(", ")
        };
        format!("\"{text}\" is not one of the scenario's windows (days × starts): {shown}")
    })
}

/// `true`/`false`, `yes`/`no`, `1`/`0` (any case); empty: not given.
fn parse_flag(text: &str) -> Result<Option<bool>, String> {
    match text.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "1" => Ok(Some(true)),
        "false" | "no" | "0" => Ok(Some(false)),
        _ => Err(format!("\"{text}\" is not true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn grid() -> Scenario {
        Scenario::from_toml(
            r#"
name = "g"
[fleet]
servers = 1
[[fleet.class]]
name = "general"
share = 0.5
[[fleet.class]]
name = "Clustered"
share = 0.5
[windows]
days = ["Mon", "Tue"]
starts = ["00:00", "04:00"]
length = "2h"
[infrastructure]
status_manager_rate = 10
[[step]]
name = "s"
type = "sleep"
duration = "1m"
"#,
            "g.toml",
        )
        .unwrap()
    }

    fn parse(text: &str) -> Result<Inventory, InputError> {
        let s = grid();
        Inventory::parse(text.as_bytes(), "servers.csv", &s.windows.list, &s.fleet.classes)
    }

    #[test]
    fn reads_names_windows_classes_extension_and_variables() {
        let inv = parse(
            "\u{feff}Name, Window ,CLASS,extension,PrePatchAction,Role\r\nSQL01,Tue 04:00,clustered,false,failover.ps1,sql\r\n\"WEB,07\",mon 00:00,,,,\r\n\r\nAPP3,Monday 04:00,general,YES,,web\r\n",
        )
        .unwrap();
        assert_eq!(inv.names, ["SQL01", "WEB,07", "APP3"]);
        assert_eq!(inv.windows, [3, 0, 1]);
        assert_eq!(inv.classes, [Some(1), None, Some(0)]);
        assert_eq!(inv.extension, [Some(false), None, Some(true)]);
        assert_eq!(inv.variables, ["PrePatchAction", "Role"]);
        assert_eq!(inv.value(0, 0), Some("failover.ps1"));
        assert_eq!(inv.value(1, 1), None, "an empty cell is unset");
        assert_eq!(inv.value(2, 1), Some("web"));
        assert_eq!(inv.window_counts(4), [1, 1, 0, 1]);
        assert_eq!(inv.find("web,07"), Some(1));
        let inv = parse("name,window,class\nSTRASSE01,Mon 00:00,CLUSTERED\n").unwrap();
        assert_eq!(inv.find("straße01"), Some(0), "names are found by Unicode case folding");
        assert_eq!(inv.classes, [Some(1)], "classes are matched by case folding");
    }

    #[test]
    fn reads_semicolon_exports_and_literal_quotes() {
        let inv = parse("name;window;Role\nA;Mon 00:00;x,y\n").unwrap();
        assert_eq!(inv.value(0, 0), Some("x,y"));
        let inv = parse("name,window,Disk\nA,Mon 00:00,5\" SSD\n").unwrap();
        assert_eq!(inv.value(0, 0), Some("5\" SSD"), "a quote inside a field is text");
    }

    #[test]
    fn mistakes_name_the_line_and_column() {
        for (text, expected) in [
            ("", "servers.csv: the inventory is empty"),
            ("name,window\n", "servers.csv: the inventory has a header but no server"),
            ("name,slot\nA,Mon 00:00\n", "servers.csv:1: the header has no \"window\" column"),
            ("name,window,Name\nA,Mon 00:00,x\n", "servers.csv:1: header column \"Name\" appears twice"),
            ("name,window\nA,Mon 00:00\nB,Wed 00:00\n", "servers.csv:3: column \"window\": \"Wed 00:00\" is not one"),
            ("name,window\nA,Mon 01:00\n", "servers.csv:2: column \"window\": \"Mon 01:00\" is not one"),
            ("name,window\nA,Mon\n", "servers.csv:2: column \"window\": \"Mon\" is not a moment of the week"),
            ("name,window\nA,\n", "servers.csv:2: column \"window\": the server has no window"),
            ("name,window\n,Mon 00:00\n", "servers.csv:2: column \"name\": the server has no name"),
            (
                "name,window\nA,Mon 00:00\nA,Mon 04:00\n",
                "servers.csv:3: column \"name\": server \"A\" is listed twice (first on line 2)",
            ),
            (
                "name,window\nSTRASSE01,Mon 00:00\nstraße01,Mon 04:00\n",
                "servers.csv:3: column \"name\": server \"straße01\" is listed twice (first on line 2 as \"STRASSE01\"): server names are compared ignoring case",
            ),
            (
                "name,window\nWEB\u{202e}01,Mon 00:00\n",
                "servers.csv:2: column \"name\": \"WEB\\u{202e}01\" contains the bidirectional formatting character U+202E (right-to-left override) at character 4, which makes text display differently from what it holds: remove it",
            ),
            (
                "name,window,Role\nA,Mon 00:00,\"sql\u{1b}[2J\"\n",
                "servers.csv:2: column \"Role\": \"sql\\u{1b}[2J\" contains the control character U+001B (escape) at character 4: values are one line of printable text",
            ),
            (
                "name,window,\"Ro\nle\"\nA,Mon 00:00,x\n",
                "servers.csv:1: header column 3: \"Ro\\u{a}le\" contains the control character U+000A (line feed) at character 3: names are one line of printable text",
            ),
            (
                "name,window,Straße,STRASSE\nA,Mon 00:00,x,y\n",
                "servers.csv:1: header column \"STRASSE\" appears twice (columns 3 and 4)",
            ),
            (
                "name,window,class\nA,Mon 00:00,sql\n",
                "servers.csv:2: column \"class\": \"sql\" is not a class of the scenario; [[fleet.class]] defines: general, Clustered",
            ),
            (
                "name,window,extension\nA,Mon 00:00,maybe\n",
                "servers.csv:2: column \"extension\": \"maybe\" is not true or false",
            ),
            ("name,window\nA,Mon 00:00,extra\n", "servers.csv:2: has 3 fields but the header has 2"),
            ("name,window\nA,\"Mon 00:00\nB,Mon 00:00\n", "servers.csv:2: a double quote on this line is never closed"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}\n  got: {err}\n want: {expected}");
        }
        let long = format!("name,window\n{},Mon 00:00\n", "S".repeat(257));
        assert_eq!(
            parse(&long).unwrap_err().to_string(),
            format!(
                "servers.csv:2: column \"name\": \"{}…\" is 257 characters long: names are at most 256 characters",
                "S".repeat(40)
            )
        );
        assert!(parse(&format!("name,window\n{},Mon 00:00\n", "S".repeat(256))).is_ok());
        let wide = format!(
            "name,window,{}\nA,Mon 00:00{}\n",
            (0..2_000).map(|k| format!("V{k}")).collect::<Vec<_>>().join(","),
            ",x".repeat(2_000)
        );
        assert_eq!(
            parse(&wide).unwrap_err().to_string(),
            "servers.csv:1: the header has 2002 columns; an inventory has at most 1024 (name, window, class, extension and collection variables): is this the right file, or is the separator wrong?"
        );
        // SQL Server Management Studio writes NULL in an empty cell: it is empty here too.
        let ssms = "name,window,class,extension,Role\nA,Mon 00:00,NULL,NULL,NULL\n";
        let read = parse(ssms).unwrap();
        assert_eq!((read.classes[0], read.extension[0], read.value(0, 0)), (None, None, None));
        // Lines are counted as an editor counts them, in CRLF files too (the csv crate is one short).
        let crlf = "name,window\r\nA,Mon 00:00\r\nB,Mon 00:00\r\nC,Xyz 00:00\r\n";
        assert_eq!(parse(crlf).unwrap_err().line, Some(4));
        // A file that is not UTF-8 is Windows-1252, as Excel's "CSV (Comma delimited)" writes it.
        let read = Inventory::parse(b"name,window\nZ\xfcrich01,Mon 00:00\n", "servers.csv", &grid().windows.list, &[]);
        assert_eq!(read.unwrap().names, ["Zürich01"]);
    }
}
