//! What a file's bytes say: UTF-8 or UTF-16 text (scenarios, timings), and CSV files as Windows
//! writes them (a byte-order mark, UTF-16, Windows-1252) turned into UTF-8 for the CSV reader.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::encoding::{utf16_with_bom, utf16_without_bom, windows_1252};

/// Checks that bytes are text — UTF-8, or UTF-16 with a byte-order mark (as Windows PowerShell
/// writes) — and returns the text; `what` the file should be, for the message when it is not.
pub fn decode_text<'b>(bytes: &'b [u8], what: &str) -> Result<Cow<'b, str>, String> {
    // Windows PowerShell 5.1 writes UTF-16 with a byte-order mark (`>` and `Out-File`).
    if let Some(decoded) = utf16_with_bom(bytes) {
        let (text, _) = decoded?;
        if text.contains('\0') {
            return Err(format!("not a text file (it contains NUL characters): is this the {what}?"));
        }
        return Ok(Cow::Owned(text));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not a text file (invalid UTF-8 at byte {}): is this the {what}?", e.valid_up_to()))?;
    if text.contains('\0') {
        return Err(format!("not a text file (it contains NUL bytes): is this the {what}?"));
    }
    Ok(Cow::Borrowed(text))
}

/// A CSV file's bytes as UTF-8, without a byte-order mark: UTF-8 files as they are, UTF-16 files
/// with a byte-order mark (what Windows PowerShell's `Out-File` and Excel's "Unicode text"
/// write) or without one ([`utf16_without_bom`]) transcoded, and files that are not UTF-8 read
/// as Windows-1252 (what Excel's "CSV (Comma delimited)" and Windows PowerShell 5.1's
/// `Export-Csv -Encoding Default` write).
pub fn utf8_bytes(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(Cow::Borrowed(rest));
    }
    match utf16_with_bom(bytes).or_else(|| utf16_without_bom(bytes)) {
        Some(decoded) => decoded.map(|(text, _)| Cow::Owned(text.into_bytes())),
        None if std::str::from_utf8(bytes).is_err() => Ok(Cow::Owned(windows_1252(bytes).into_bytes())),
        None => Ok(Cow::Borrowed(bytes)),
    }
}

/// Whether a character is one of the bidirectional formatting characters: the embeddings and
/// overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether a character may not stand in any name or value a user writes, nor be echoed to a
/// terminal as it is: control characters, line and paragraph separators, bidirectional
/// formatting characters (the name checker allows line breaks and tabs only in descriptions).
pub fn is_hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// Text with every [`is_hostile`] character written as `\u{…}`, for messages that quote
/// what the user wrote before it was checked (a terminal must not run an escape sequence from a
/// scenario file).
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_writes_refused_characters_as_escapes() {
        assert_eq!(shown("plain"), "plain");
        assert_eq!(shown("a\u{1b}[31mb\u{202e}"), "a\\u{1b}[31mb\\u{202e}");
    }
}
