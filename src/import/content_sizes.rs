//! Content sizes: a CSV the admin exports from the console or PowerShell that gives the size of
//! each package (by `PackageID`) and application (by name), for `import configmgr
//! --content-sizes`.
//!
//! ```text
//! PackageID,Name,PackageSize
//! PS100012,HP Image Assistant,25536
//! PS10001A,Dell Command Update,51200
//! ```
//!
//! A task sequence export names its content but not its size (except Download Package Content,
//! which records each package's size as the step was saved). ConfigMgr gives sizes in
//! **kilobytes**: `PackageSize` of `SMS_PackageBaseclass` (what `Get-CMPackage`,
//! `Get-CMDriverPackage` and the other package cmdlets return), `SourceSize` of the content
//! summaries (`SMS_PackageStatusRootSummarizer`, `SMS_DPGroupContentInfo`, which list packages and
//! applications alike) and `Size` of `SMS_TaskSequence_PackageInfo`. A kilobyte here is 1,024
//! bytes, as Windows counts them.
//!
//! The header must have a size column — `PackageSize`, `SourceSize` or `Size`, the first of these
//! present is read — and at least one name column: `PackageID`, `Name`, `LocalizedDisplayName`,
//! `ModelName` or `ObjectID`. Every name column of a row names the same content: a step's package
//! ID or application name is looked up in all of them, ignoring case. Other columns are ignored.
//! A row named twice with the same size is fine (a summary lists a package once per distribution
//! point group); with two sizes it is an error. Every error names the file, the line and the
//! column.

use std::collections::HashMap;
use std::path::Path;

use crate::input::{CsvLines, InputError, InputFile};
use crate::scenario::inventory::{csv_error, csv_header, line_of, refuse_unclosed_quote, unnull};
use crate::scenario::size::{Bytes, MAX_SIZE};

/// The largest content-sizes file read (64 MiB: a site's every package and application a line).
pub const MAX_CONTENT_SIZES_BYTES: u64 = 64 << 20;

/// Columns that hold a size in kilobytes, in the order one is chosen.
pub const SIZE_COLUMNS: &[&str] = &["PackageSize", "SourceSize", "Size"];

/// Columns that name content.
pub const NAME_COLUMNS: &[&str] = &["PackageID", "Name", "LocalizedDisplayName", "ModelName", "ObjectID"];

/// Bytes in one of ConfigMgr's kilobytes.
pub const KILOBYTE: Bytes = 1024;

/// The sizes of a content-sizes file, by every name each row gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentSizes {
    /// The file as named in messages.
    pub file: String,
    /// The size column read (`PackageSize`, `SourceSize` or `Size`).
    pub size_column: String,
    /// Lower-cased name → (kilobytes, the line that gives it).
    sizes: HashMap<String, (u64, u64)>,
    /// Rows read.
    pub rows: u64,
}

/// A size found for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundSize {
    /// The size in ConfigMgr's kilobytes.
    pub kilobytes: u64,
    /// The line of the file that gives it.
    pub line: u64,
}

impl ContentSizes {
    /// Reads a content-sizes file; `shown` names it in errors.
    pub fn read(path: &Path, shown: &str) -> Result<Self, InputError> {
        let file = InputFile {
            shown,
            what: "content sizes",
            kind: "a content-sizes CSV file",
            max_bytes: MAX_CONTENT_SIZES_BYTES,
        };
        let bytes = file.read(path)?;
        Self::parse(&bytes, shown)
    }

    /// Reads content sizes from the bytes of a CSV file (UTF-8, UTF-16 with a byte-order mark or
    /// Windows-1252; commas, or semicolons or tabs when the header has no comma).
    pub fn parse(bytes: &[u8], shown: &str) -> Result<Self, InputError> {
        let bytes = crate::input::utf8_bytes(bytes).map_err(|m| InputError::file(shown, m))?;
        let bytes: &[u8] = &bytes;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::file(
                shown,
                "the content sizes are empty: they need a header line (PackageID,PackageSize) and one line per package",
            ));
        }
        let mut lines = CsvLines::new(bytes);
        let mut reader = crate::input::csv_reader(bytes);
        let mut records = reader.byte_records();
        let header = csv_header(&mut records, shown, &mut lines, "the content sizes have no header line")?;
        let header_line = line_of(&mut lines, header.position());
        let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_owned()).collect();
        let find = |wanted: &str| names.iter().position(|n| n.eq_ignore_ascii_case(wanted));
        let at = |line: u64, key: Option<&str>, message: String| InputError {
            file: shown.to_owned(),
            line: Some(line as usize),
            column: None,
            key: key.map(str::to_owned),
            message,
        };
        let Some((size_index, size_name)) = SIZE_COLUMNS.iter().find_map(|c| find(c).map(|i| (i, names[i].clone())))
        else {
            return Err(at(
                header_line,
                None,
                format!(
                    "the header has no size column: give one of {} (kilobytes, as ConfigMgr writes them), e.g. Get-CMPackage | Select-Object PackageID, Name, PackageSize",
                    SIZE_COLUMNS.join(", ")
                ),
            ));
        };
        let name_columns: Vec<usize> = NAME_COLUMNS.iter().filter_map(|c| find(c)).collect();
        if name_columns.is_empty() {
            return Err(at(
                header_line,
                None,
                format!("the header has no column naming the content: give one of {}", NAME_COLUMNS.join(", ")),
            ));
        }
        refuse_unclosed_quote(bytes, shown)?;
        let mut sizes = Self { file: shown.to_owned(), size_column: size_name.clone(), sizes: HashMap::new(), rows: 0 };
        for record in records {
            let record = record.map_err(|e| csv_error(shown, &e, &mut lines))?;
            let line = line_of(&mut lines, record.position());
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if record.len() < names.len() {
                return Err(at(
                    line,
                    None,
                    format!(
                        "has {} field{} but the header has {}",
                        record.len(),
                        if record.len() == 1 { "" } else { "s" },
                        names.len()
                    ),
                ));
            }
            let cell = |index: usize| -> Result<&str, InputError> {
                let raw = record.get(index).unwrap_or_default();
                std::str::from_utf8(raw)
                    .map(unnull)
                    .map_err(|_| at(line, Some(&names[index]), "not UTF-8 text".to_owned()))
            };
            let size_text = cell(size_index)?;
            let kilobytes = parse_kilobytes(size_text).map_err(|m| at(line, Some(&size_name), m))?;
            let mut named = false;
            for &column in &name_columns {
                let name = cell(column)?;
                if name.is_empty() {
                    continue;
                }
                named = true;
                match sizes.sizes.get(&name.to_lowercase()) {
                    Some((other, first)) if *other != kilobytes => {
                        return Err(at(
                            line,
                            Some(&names[column]),
                            format!(
                                "\"{}\" has {kilobytes} KB here and {other} KB on line {first}: give each package or application one size",
                                crate::input::text::shown(name)
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        sizes.sizes.insert(name.to_lowercase(), (kilobytes, line));
                    }
                }
            }
            if !named {
                let listed: Vec<&str> = name_columns.iter().map(|c| names[*c].as_str()).collect();
                return Err(at(line, Some(&listed.join(", ")), "the row names no package or application".to_owned()));
            }
            sizes.rows += 1;
        }
        if sizes.rows == 0 {
            return Err(InputError::file(shown, "the content sizes have a header but no row"));
        }
        Ok(sizes)
    }

    /// The size given for a package ID or application name (ignoring case).
    pub fn find(&self, name: &str) -> Option<FoundSize> {
        self.sizes
            .get(&name.trim().to_lowercase())
            .map(|(kilobytes, line)| FoundSize { kilobytes: *kilobytes, line: *line })
    }
}

/// A size cell: a whole number of kilobytes, at most [`MAX_SIZE`] bytes.
fn parse_kilobytes(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err("no size: give the size in kilobytes (0 for a package without content)".to_owned());
    }
    let kilobytes: u64 = text.parse().map_err(|_| {
        format!(
            "\"{}\" is not a whole number of kilobytes (ConfigMgr writes sizes in KB, without a unit)",
            crate::input::text::shown(text)
        )
    })?;
    if kilobytes.checked_mul(KILOBYTE).is_none_or(|b| b > MAX_SIZE) {
        return Err(format!("{kilobytes} KB is more than the 1TB a scenario's size may be"));
    }
    Ok(kilobytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_found_by_any_name_column_ignoring_case() {
        let csv =
            "Name;PackageID;PackageSize;Other\r\nHP Image Assistant;PS100012;25536;x\r\n\r\nDrivers;ps100013;0;\r\n";
        let s = ContentSizes::parse(csv.as_bytes(), "sizes.csv").unwrap();
        assert_eq!((s.rows, s.size_column.as_str()), (2, "PackageSize"));
        assert_eq!(s.find("PS100012"), Some(FoundSize { kilobytes: 25_536, line: 2 }));
        assert_eq!(s.find("hp image assistant"), s.find("PS100012"));
        assert_eq!(s.find("PS100013"), Some(FoundSize { kilobytes: 0, line: 4 }));
        assert_eq!(s.find("PS100014"), None);
    }
}
