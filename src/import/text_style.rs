//! What an edit in place keeps of a text file's layout besides its content: its line endings,
//! its byte-order mark and its encoding.
//!
//! An editor works on the text with `\n` line endings and without a byte-order mark
//! ([`TextStyle::plain`]); [`TextStyle::apply`] then writes every line — the ones it kept and
//! the ones it added or changed — with the original's line ending and mark, and [`encode_like`]
//! encodes the result as the original file was encoded.

/// How a text ends its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`, as Unix editors write.
    Lf,
    /// `\r\n`, as Windows editors (Notepad, PowerShell's `Set-Content`) write.
    CrLf,
}

/// A text's line endings and byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    /// The line ending every line is written with.
    pub line_ending: LineEnding,
    /// Whether the text starts with a byte-order mark (U+FEFF).
    pub bom: bool,
}

impl TextStyle {
    /// The style of a text: CRLF when more of its line endings are `\r\n` than a lone `\n`
    /// (a text without line endings is LF); a byte-order mark when it starts with U+FEFF.
    pub fn of(text: &str) -> Self {
        let (mut crlf, mut lf) = (0usize, 0usize);
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                if i > 0 && bytes[i - 1] == b'\r' {
                    crlf += 1;
                } else {
                    lf += 1;
                }
            }
        }
        Self {
            line_ending: if crlf > lf { LineEnding::CrLf } else { LineEnding::Lf },
            bom: text.starts_with('\u{feff}'),
        }
    }

    /// The text as an editor works on it: without a byte-order mark, every `\r\n` as `\n`.
    pub fn plain(text: &str) -> String {
        text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n")
    }

    /// The text written in this style: every line ending (`\n` or `\r\n`) as this style's, and
    /// a byte-order mark when the style has one (and the text none).
    pub fn apply(&self, text: &str) -> String {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut out = String::with_capacity(body.len() + body.len() / 32 + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        match self.line_ending {
            LineEnding::Lf => out.push_str(&body.replace("\r\n", "\n")),
            LineEnding::CrLf => out.push_str(&body.replace("\r\n", "\n").replace('\n', "\r\n")),
        }
        out
    }
}

/// `text` encoded as the file `original` is: UTF-16 in the original's byte order, with its
/// byte-order mark, when the original starts with a UTF-16 byte-order mark (what Windows
/// PowerShell's `Out-File` writes); UTF-8 otherwise (a UTF-8 byte-order mark is part of the
/// text, see [`TextStyle`]).
pub fn encode_like(original: &[u8], text: &str) -> Vec<u8> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if original.starts_with(b"\xFF\xFE") {
        [0xFF, 0xFE].into_iter().chain(body.encode_utf16().flat_map(u16::to_le_bytes)).collect()
    } else if original.starts_with(b"\xFE\xFF") {
        [0xFE, 0xFF].into_iter().chain(body.encode_utf16().flat_map(u16::to_be_bytes)).collect()
    } else {
        text.as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_style_is_the_majority_s_line_ending_and_the_mark() {
        assert_eq!(TextStyle::of("a\r\nb\r\nc\n"), TextStyle { line_ending: LineEnding::CrLf, bom: false });
        assert_eq!(TextStyle::of("a\nb\r\nc\n"), TextStyle { line_ending: LineEnding::Lf, bom: false });
        assert_eq!(TextStyle::of("\u{feff}x = 1"), TextStyle { line_ending: LineEnding::Lf, bom: true });
        assert_eq!(TextStyle::of(""), TextStyle { line_ending: LineEnding::Lf, bom: false });
    }

    #[test]
    fn every_line_takes_the_style_s_ending_and_the_mark_stays() {
        let crlf = TextStyle { line_ending: LineEnding::CrLf, bom: true };
        // Kept lines (CRLF), changed and added lines (LF): all CRLF, one mark.
        assert_eq!(crlf.apply("\u{feff}a\r\nb\nc\n"), "\u{feff}a\r\nb\r\nc\r\n");
        assert_eq!(crlf.apply("a\nb"), "\u{feff}a\r\nb");
        let lf = TextStyle { line_ending: LineEnding::Lf, bom: false };
        assert_eq!(lf.apply("\u{feff}a\r\nb\n"), "a\nb\n");
        assert_eq!(TextStyle::plain("\u{feff}a\r\nb\r\n"), "a\nb\n");
        // A round trip through the plain text gives the original back.
        for text in ["\u{feff}x = 1\r\n# c\r\n\r\ny = 2\r\n", "x = 1\n\ny = 2", "x = 1\r\n"] {
            assert_eq!(TextStyle::of(text).apply(&TextStyle::plain(text)), text, "{text:?}");
        }
    }

    #[test]
    fn utf16_files_are_written_back_as_utf16() {
        assert_eq!(encode_like(b"\xFF\xFEx\0", "é\r\n"), [0xFF, 0xFE, 0xE9, 0x00, 0x0D, 0x00, 0x0A, 0x00]);
        assert_eq!(encode_like(b"\xFE\xFF\0x", "é"), [0xFE, 0xFF, 0x00, 0xE9]);
        assert_eq!(encode_like(b"x", "\u{feff}é"), "\u{feff}é".as_bytes());
        assert_eq!(encode_like(b"\xEF\xBB\xBFx", "é"), "é".as_bytes());
    }
}
