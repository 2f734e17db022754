//! Reading the files users bring — scenarios, timings, inventories, histories, exports — as
//! users' tools write them, with errors a user can act on.
//!
//! - [`InputError`]: a mistake in a file, naming the file, line, column and key.
//! - [`InputFile`]: reading a named file with its size bound; [`FileSource`]: where a
//!   scenario's other files come from (disk, or the copies a shard carries).
//! - [`encoding`] and [`text`]: UTF-8, UTF-16 with a byte-order mark, Windows-1252.
//! - [`csv_lines`]: CSV separators and line numbers as an editor counts them.
//! - [`time_value`], [`time_format`] and [`time_detection`]: times as Windows tools write them
//!   (ISO 8601, SQL Server, the culture formats of PowerShell and Excel, WMI), the format a
//!   file's times are in (`--time-format`), and telling it from the values.
//!
//! Every reader of users' files (`scenario`, `import`) reads through this module.

pub mod csv_lines;
pub mod encoding;
pub mod error;
pub mod file;
pub mod text;
pub mod time_detection;
pub mod time_format;
pub mod time_value;

pub use csv_lines::{CsvLines, csv_reader, csv_separator, field_place};
pub use error::InputError;
pub use file::{FileSource, InputFile, ReadFile};
pub use text::{decode_text, utf8_bytes};
pub use time_detection::{TimeDetection, TimeFormatError};
pub use time_format::TimeFormat;
pub use time_value::{TimeLayout, TimeValue};
