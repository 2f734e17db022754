//! Reports: the [`Summary`] document and the exporters that turn it into bytes.
//!
//! Exporters return bytes or text and never touch files; the command line writes them.

pub mod json;
pub mod load_csv;
pub mod summary;
pub mod table;

pub use summary::Summary;
