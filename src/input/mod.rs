//! Reading the files users bring — scenarios, timings, inventories, histories, exports — as
//! users' tools write them, with errors a user can act on.
//!
//! - [`InputError`]: a mistake in a file, naming the file, line, column and key.
//! - [`InputFile`]: reading a named file with its size bound; [`FileSource`]: where a
//!   scenario's other files come from (disk, or the copies a shard carries).
//! - [`encoding`] and [`text`]: UTF-8, UTF-16 with a byte-order mark, Windows-1252.
//! - [`csv_lines`]: CSV separators and line numbers as an editor counts them.
//!
//! Every reader of users' files (`scenario`, `import`) reads through this module.

pub mod csv_lines;
pub mod encoding;
pub mod error;
pub mod file;
pub mod text;

pub use csv_lines::{CsvLines, csv_reader, csv_separator};
pub use error::InputError;
pub use file::{FileSource, InputFile, ReadFile};
pub use text::{decode_text, utf8_bytes};
