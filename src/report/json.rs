//! The JSON documents patchsim writes (`summary.json`, `compare.json`, `plan.json`, a report
//! folder's marker): pretty-printed, with a final newline, and ASCII only.
//!
//! Every character outside ASCII is written as a `\uXXXX` escape (a UTF-16 surrogate pair above
//! U+FFFF), so a file reads the same in any encoding a tool assumes: Windows PowerShell 5.1's
//! `Get-Content` reads a UTF-8 file without a byte-order mark as Windows-1252 and would turn
//! `ä` into `Ã¤`; an escaped `\u00e4` is ASCII and means `ä` to every JSON reader.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::montecarlo::summary::Summary;

/// Serializes a summary as pretty, ASCII-only JSON with a final newline.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    // A Summary has string keys and finite numbers only: serialization cannot fail.
    pretty_ascii_json(summary).unwrap_or_default()
}

/// Serializes `value` as pretty JSON (two-space indents, as `serde_json::to_vec_pretty`) with a
/// final newline, every non-ASCII character escaped (see the module's comment).
///
/// ```
/// let bytes = patchsim::report::json::pretty_ascii_json(&["Zürich €", "😀"]).unwrap();
/// assert_eq!(bytes, b"[\n  \"Z\\u00fcrich \\u20ac\",\n  \"\\ud83d\\ude00\"\n]\n");
/// ```
pub fn pretty_ascii_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = Vec::with_capacity(4096);
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, AsciiFormatter::default());
    value.serialize(&mut serializer)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// serde_json's pretty formatter, with every non-ASCII character of a string (keys included)
/// written as `\uXXXX`.
#[derive(Debug, Default)]
pub struct AsciiFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| !c.is_ascii()) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_text_is_escaped_and_reads_back_the_same() {
        let value = serde_json::json!({
            "Größe": ["Zürich ä é €", "😀 grinning", "plain", "tab\tquote\"back\\slash\u{1}"],
            "nested": { "n": 1.5, "list": [], "empty": {} }
        });
        let bytes = pretty_ascii_json(&value).unwrap();
        assert!(bytes.is_ascii(), "{}", String::from_utf8_lossy(&bytes));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("Gr\\u00f6\\u00dfe"), "{text}");
        assert!(text.contains("\\ud83d\\ude00 grinning"), "{text}");
        assert!(text.contains("\\u20ac"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }

    #[test]
    fn ascii_documents_are_byte_for_byte_serde_json_pretty() {
        let value = serde_json::json!({ "a": [1, 2, { "b": null }], "c": "d", "e": [], "f": {} });
        let mut pretty = serde_json::to_vec_pretty(&value).unwrap();
        pretty.push(b'\n');
        assert_eq!(pretty_ascii_json(&value).unwrap(), pretty);
    }
}
