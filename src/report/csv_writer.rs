//! Writes a CSV file in a [`CsvStyle`]: the byte-order mark and the header, then rows of cells —
//! text, numbers, times, integers or empty — parted by the style's separator and ended by its
//! line end. Every CSV file patchsim writes is made with it, so a style reaches them all alike.

use std::fmt::{Display, Write};

use super::csv_style::CsvStyle;
use crate::scenario::overrides::number_text;

/// A CSV file being written.
#[derive(Debug, Clone)]
pub struct CsvWriter {
    style: CsvStyle,
    out: String,
}

impl CsvWriter {
    /// A file in `style` with its header line: `columns` are the column names, comma-separated
    /// as the `…_HEADER` constants write them (names hold no comma or quote).
    pub fn new(style: CsvStyle, columns: &str, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity + columns.len() + 8);
        out.push_str(style.byte_order_mark());
        let mut writer = Self { style, out };
        let mut row = writer.row();
        for column in columns.split(',') {
            row.text(column);
        }
        row.end();
        writer
    }

    /// The style the file is written in.
    pub fn style(&self) -> CsvStyle {
        self.style
    }

    /// A new row at the end of the file; [`CsvRow::end`] ends it.
    pub fn row(&mut self) -> CsvRow<'_> {
        CsvRow::new(self.style, &mut self.out)
    }

    /// Rows written elsewhere with [`CsvRow`] in this file's style, each ended.
    pub fn push_rows(&mut self, rows: &str) {
        self.out.push_str(rows);
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// One row being written into a text; cells come in column order.
#[derive(Debug)]
pub struct CsvRow<'a> {
    style: CsvStyle,
    out: &'a mut String,
    cells: usize,
}

impl<'a> CsvRow<'a> {
    /// A row in `style` appended to `out`.
    pub fn new(style: CsvStyle, out: &'a mut String) -> Self {
        Self { style, out, cells: 0 }
    }

    /// Starts the next cell: the separator before every cell but the first.
    fn cell(&mut self) -> &mut String {
        if self.cells > 0 {
            self.out.push(self.style.separator());
        }
        self.cells += 1;
        self.out
    }

    /// A text cell: the user's text, quoted and guarded as the style needs
    /// ([`CsvStyle::text`]).
    pub fn text(&mut self, text: &str) -> &mut Self {
        let cell = self.style.text(text);
        self.cell().push_str(&cell);
        self
    }

    /// A number (or a time) written with `.` as its decimal mark, in the style's mark.
    pub fn number(&mut self, text: &str) -> &mut Self {
        let style = self.style;
        self.cell().push_str(&style.decimal(text));
        self
    }

    /// A time of day with a date, ISO 8601 (`2024-01-01 02:05:07.250`), its fraction of a second
    /// in the style's decimal mark.
    pub fn time(&mut self, text: &str) -> &mut Self {
        self.number(text)
    }

    /// A number to at most three decimals, trailing zeros dropped ([`number_text`]).
    pub fn short(&mut self, x: f64) -> &mut Self {
        self.number(&number_text(x))
    }

    /// A number to `decimals` decimals (`0.030516`).
    pub fn fixed(&mut self, x: f64, decimals: usize) -> &mut Self {
        self.number(&format!("{x:.decimals$}"))
    }

    /// A number as Rust writes an `f64` in full (`0.0123`, `12`, never an exponent).
    pub fn full(&mut self, x: f64) -> &mut Self {
        self.number(&x.to_string())
    }

    /// A whole number, a key or anything else that needs no quoting and has no decimal mark.
    pub fn whole(&mut self, value: impl Display) -> &mut Self {
        let _ = write!(self.cell(), "{value}");
        self
    }

    /// An empty cell.
    pub fn empty(&mut self) -> &mut Self {
        self.cell();
        self
    }

    /// `count` empty cells.
    pub fn empties(&mut self, count: usize) -> &mut Self {
        for _ in 0..count {
            self.cell();
        }
        self
    }

    /// Ends the row with the style's line end.
    pub fn end(&mut self) {
        self.out.push_str(self.style.line_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(style: CsvStyle) -> String {
        let mut w = CsvWriter::new(style, "name,value,n,gap", 0);
        w.row().text("a; b, c").short(4.0 / 3.0).whole(-3).empty().end();
        w.row().text("x").fixed(0.5, 6).whole("key").empties(1).end();
        String::from_utf8(w.finish()).unwrap()
    }

    #[test]
    fn each_style_writes_its_separator_mark_and_line_end() {
        assert_eq!(file(CsvStyle::Plain), "name,value,n,gap\n\"a; b, c\",1.333,-3,\nx,0.500000,key,\n");
        assert_eq!(file(CsvStyle::Excel), "\u{feff}name,value,n,gap\r\n\"a; b, c\",1.333,-3,\r\nx,0.500000,key,\r\n");
        let de = "\u{feff}name;value;n;gap\r\n\"a; b, c\";1,333;-3;\r\nx;0,500000;key;\r\n";
        assert_eq!(file(CsvStyle::ExcelDe), de);
        assert_eq!(file(CsvStyle::ExcelFr), de);
    }

    #[test]
    fn rows_written_apart_join_the_file() {
        let mut line = String::new();
        CsvRow::new(CsvStyle::ExcelDe, &mut line).time("2024-01-01 00:00:01.500").text("s").end();
        let mut w = CsvWriter::new(CsvStyle::ExcelDe, "t,s", 0);
        w.push_rows(&line);
        assert_eq!(w.finish(), "\u{feff}t;s\r\n2024-01-01 00:00:01,500;s\r\n".as_bytes());
    }
}
