//! Real inputs: what an organisation already has, turned into scenario parts.
//!
//! - [`inventory`]: a CMDB export assigning each server its window, class, extension and
//!   collection variables (`[windows] assign = { inventory = "servers.csv" }`).
//! - [`xml`] and [`task_sequence`]: a task sequence as the console exports it, read safely into
//!   groups and steps; [`scenario_writer`] writes it as a complete scenario
//!   (`patchsim import configmgr`), within the bounds of a scenario ([`limits`]).
//! - [`timings`]: step timings by name, from `calibrate` or by hand, and how a whole-step time
//!   becomes a per-item time.
//! - [`history`], [`fit`] and [`calibration`]: an export of the execution-history view rebuilt
//!   into step and restart durations, fitted, and written as timings or into a scenario
//!   (`patchsim calibrate`); [`usable`] says when too little of a history is usable, and
//!   [`text_style`] keeps a scenario's line endings and encoding through `calibrate --into`.
//!
//! Every reader here takes untrusted files: it bounds what it reads, never panics, and names
//! the file, line and column of each mistake.

pub mod calibration;
pub mod csv_lines;
pub mod fit;
pub mod history;
pub mod inventory;
pub mod limits;
pub mod scenario_writer;
pub mod task_sequence;
pub mod text_style;
pub mod timings;
pub mod usable;
pub mod xml;

pub use calibration::{Applied, Calibration, apply_into};

use std::borrow::Cow;

/// The field separator of a CSV file, from its header line: a comma when it has one, else a
/// semicolon (Excel in locales with a decimal comma), else a tab.
pub fn csv_separator(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    [b',', b';', b'\t'].into_iter().find(|s| header.contains(s)).unwrap_or(b',')
}

/// A CSV file's bytes as UTF-8, without a byte-order mark: UTF-8 files as they are, UTF-16 files
/// with a byte-order mark (what Windows PowerShell's `Out-File` and Excel's "Unicode text"
/// write) transcoded, and files that are not UTF-8 read as Windows-1252 (what Excel's "CSV
/// (Comma delimited)" and Windows PowerShell 5.1's `Export-Csv -Encoding Default` write).
pub fn utf8_bytes(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(Cow::Borrowed(rest));
    }
    match crate::encoding::utf16_with_bom(bytes) {
        Some(decoded) => decoded.map(|(text, _)| Cow::Owned(text.into_bytes())),
        None if std::str::from_utf8(bytes).is_err() => {
            Ok(Cow::Owned(crate::encoding::windows_1252(bytes).into_bytes()))
        }
        None => Ok(Cow::Borrowed(bytes)),
    }
}
pub use history::History;
pub use inventory::{Inventory, InventorySketch};
pub use scenario_writer::{ImportOptions, ImportedScenario, InventoryChoice, write_scenario};
pub use task_sequence::{TaskSequence, read_task_sequence};
pub use timings::Timings;
