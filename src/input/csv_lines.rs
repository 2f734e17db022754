//! CSV files as users' tools write them: the field separator, and the line numbers of records as
//! a text editor shows them. The csv crate counts a CRLF file's
//! lines one short after the first (and not at all inside quoted fields); these count the bytes.

/// Turns byte offsets of the CSV text into 1-based line numbers, counting `\r\n`, `\n` and a
/// lone `\r` as one line ending each. Offsets are asked in ascending order, so counting on from
/// the last answer keeps the whole file linear.
pub struct CsvLines<'b> {
    bytes: &'b [u8],
    at: usize,
    line: u64,
}

impl<'b> CsvLines<'b> {
    pub fn new(bytes: &'b [u8]) -> Self {
        Self { bytes, at: 0, line: 1 }
    }

    /// The line of the first byte of a record that the CSV reader says starts at `offset`:
    /// the reader's offset may stand before the line endings (and blank lines) it skips.
    pub fn record_start(&mut self, offset: u64) -> (usize, u64) {
        let mut start = (offset as usize).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        (start, self.line_of(start))
    }

    /// The line of a byte offset at or after the last one asked.
    pub fn line_of(&mut self, offset: usize) -> u64 {
        let end = offset.min(self.bytes.len());
        if end < self.at {
            // Not asked in order: count from the start (never happens with one reader).
            self.at = 0;
            self.line = 1;
        }
        for i in self.at..end {
            match self.bytes[i] {
                b'\r' => self.line += 1,
                b'\n' if i == 0 || self.bytes[i - 1] != b'\r' => self.line += 1,
                _ => {}
            }
        }
        self.at = end;
        self.line
    }
}

/// Where field `index` (0-based) of a record starts: how many line breaks inside quoted fields
/// come before it, and its 1-based column on its line, in characters. `raw` is the record's
/// text from its first byte, `separator` the file's ([`csv_separator`]). Meant for the few
/// fields an error names, not for every field of every row.
pub fn field_place(raw: &[u8], separator: u8, index: usize) -> (u64, usize) {
    let (mut field, mut quoted, mut breaks, mut line_start, mut start) = (0, false, 0u64, 0, 0);
    let mut i = 0;
    while field < index && i < raw.len() {
        match raw[i] {
            b'"' => quoted = !quoted,
            b if b == separator && !quoted => {
                field += 1;
                start = i + 1;
            }
            b'\r' | b'\n' if !quoted => break,
            b'\n' => {
                if i == 0 || raw[i - 1] != b'\r' {
                    breaks += 1;
                }
                line_start = i + 1;
            }
            b'\r' => {
                breaks += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let chars = raw[line_start..start.max(line_start)].iter().filter(|b| (**b & 0xC0) != 0x80).count();
    (breaks, chars + 1)
}

/// The field separator of a CSV file, from its header line: a comma when it has one, else a
/// semicolon (Excel in locales with a decimal comma), else a tab.
pub fn csv_separator(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or(bytes);
    [b',', b';', b'\t'].into_iter().find(|s| header.contains(s)).unwrap_or(b',')
}

/// A reader of a user's CSV file as patchsim reads them all: the separator from the header
/// line ([`csv_separator`]), the header returned as the first record (each reader checks its
/// own), and records of any length (each reader names a short or long line itself).
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(csv_separator(bytes)).has_headers(false).flexible(true).from_reader(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_s_place_counts_characters_and_quoted_line_breaks() {
        assert_eq!(field_place(b"a,bb,ccc", b',', 0), (0, 1));
        assert_eq!(field_place(b"a,bb,ccc", b',', 2), (0, 6));
        assert_eq!(field_place("\"x,\u{e4}\";y;z".as_bytes(), b';', 2), (0, 9));
        assert_eq!(field_place(b"\"one\r\ntwo\",three", b',', 1), (1, 6));
        // A record's own end is not crossed: a field it lacks is placed at its last line's start.
        assert_eq!(field_place(b"\"one\ntwo\"\n,next", b',', 1), (1, 1));
    }
}
