//! What an inventory holds, read without a scenario to check it against: the windows and
//! classes an imported scenario's grid and classes are written from.

use std::path::Path;

use crate::input::{CsvLines, InputError};
use crate::scenario::inventory::{Columns, checked, csv_error, csv_header, inventory_file, line_of, unnull};
use crate::scenario::name::{TextKind, same};
use crate::scenario::windows::parse_week_time;

/// What an inventory holds, read without a scenario to check it against: enough to write a
/// scenario's grid of windows and its classes (`import configmgr --inventory`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySketch {
    /// Number of servers.
    pub servers: u64,
    /// The distinct windows, as moments of the week (milliseconds since Monday 00:00), sorted.
    pub windows: Vec<u64>,
    /// The distinct classes named, with how many servers each, in order of first appearance.
    pub classes: Vec<(String, u64)>,
    /// Servers whose class cell is empty.
    pub unclassed: u64,
}

impl InventorySketch {
    /// Reads the windows and classes of an inventory file; errors name the file and line.
    pub fn read(path: &Path, shown: &str) -> Result<Self, InputError> {
        let bytes = inventory_file(shown).read(path)?;
        let bytes = crate::input::utf8_bytes(&bytes).map_err(|m| InputError::file(shown, m))?;
        let bytes: &[u8] = &bytes;
        let mut lines = CsvLines::new(bytes);
        let mut reader = crate::input::csv_reader(bytes);
        let mut records = reader.byte_records();
        let header = csv_header(&mut records, shown, &mut lines, "the inventory is empty: it needs a header line")?;
        let at = |line: u64, message: String| InputError {
            file: shown.to_owned(),
            line: Some(line as usize),
            column: None,
            key: None,
            message,
        };
        let columns = Columns::from_header(&header).map_err(|m| at(1, m))?;
        let mut sketch = Self { servers: 0, windows: Vec::new(), classes: Vec::new(), unclassed: 0 };
        for record in records {
            let record = record.map_err(|e| csv_error(shown, &e, &mut lines))?;
            let line = line_of(&mut lines, record.position());
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let cell = |index: usize| -> Result<&str, InputError> {
                let raw = record.get(index).unwrap_or_default();
                let text = std::str::from_utf8(raw).map(unnull).map_err(|_| {
                    at(line, format!("column \"{}\": not UTF-8 text; save the export as UTF-8", columns.names[index]))
                })?;
                checked(text, TextKind::Value)
                    .map_err(|m| at(line, format!("column \"{}\": {m}", columns.names[index])))?;
                Ok(text)
            };
            let window = cell(columns.window)?;
            let start = parse_week_time(window).map_err(|m| at(line, format!("column \"window\": {m}")))?;
            if let Err(i) = sketch.windows.binary_search(&start) {
                sketch.windows.insert(i, start);
            }
            match columns.class.map(cell).transpose()?.filter(|c| !c.is_empty()) {
                Some(class) => match sketch.classes.iter_mut().find(|(c, _)| same(c, class)) {
                    Some((_, n)) => *n += 1,
                    None => sketch.classes.push((class.to_owned(), 1)),
                },
                None => sketch.unclassed += 1,
            }
            sketch.servers += 1;
        }
        if sketch.servers == 0 {
            return Err(InputError::file(shown, "the inventory has a header but no server"));
        }
        Ok(sketch)
    }
}
