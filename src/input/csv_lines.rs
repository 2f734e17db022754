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
