//! How patchsim writes its CSV files (`--csv-style`): the separator between cells, the decimal
//! mark of numbers, the line end and the byte-order mark.
//!
//! `plain`, the default, is what patchsim has always written: commas, `1.5`, LF line ends, no
//! byte-order mark — what scripts, Power Query and the `csv` readers of every language expect.
//! Excel opening a CSV file by double-click is another reader: it takes a file without a
//! byte-order mark for the ANSI code page (Windows-1252: `Zürich` comes out `ZÃ¼rich`), and
//! parts cells and reads numbers by Windows' regional settings. `excel` is for a Windows whose
//! decimal mark is `.` (en-US, en-GB, …); `excel-de` and `excel-fr` for one whose decimal mark is
//! `,` and list separator `;` (de-DE, de-AT, de-CH's Excel in German, fr-FR, fr-BE, …) — the two
//! write the same bytes, named for who looks for them. All three are UTF-8 with a byte-order
//! mark and CRLF line ends.
//!
//! Only a number's decimal mark changes (`1.333` becomes `1,333`), and a time's fraction of a
//! second (`2024-01-01 02:05:07.250` becomes `…07,250`, which ISO 8601 allows as well); week
//! times (`Mon 02:15`), names and keys are written as they are, quoted when they hold the
//! separator, a double quote or a line break ([`csv_cell`]).

use std::borrow::Cow;

use super::escape::csv_cell;

/// The style of every CSV file a command writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum CsvStyle {
    /// Comma, 1.5, LF, no byte-order mark: for scripts and Power Query (the bytes patchsim always wrote)
    #[default]
    Plain,
    /// For Excel with 1.5 (en-US, en-GB): UTF-8 with byte-order mark, comma, CRLF
    Excel,
    /// For Excel with 1,5 (de-DE, de-AT): UTF-8 with byte-order mark, semicolon, 1,5, CRLF
    ExcelDe,
    /// For Excel with 1,5 (fr-FR, fr-BE): the same bytes as excel-de
    ExcelFr,
}

impl CsvStyle {
    /// Every style, `plain` first.
    pub const ALL: [Self; 4] = [Self::Plain, Self::Excel, Self::ExcelDe, Self::ExcelFr];

    /// Its name on the command line: `plain`, `excel`, `excel-de`, `excel-fr`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Excel => "excel",
            Self::ExcelDe => "excel-de",
            Self::ExcelFr => "excel-fr",
        }
    }

    /// What parts the cells of a line.
    pub const fn separator(self) -> char {
        match self {
            Self::Plain | Self::Excel => ',',
            Self::ExcelDe | Self::ExcelFr => ';',
        }
    }

    /// The decimal mark of numbers (and of a time's fraction of a second).
    pub const fn decimal_mark(self) -> char {
        match self {
            Self::Plain | Self::Excel => '.',
            Self::ExcelDe | Self::ExcelFr => ',',
        }
    }

    /// What ends a line.
    pub const fn line_end(self) -> &'static str {
        match self {
            Self::Plain => "\n",
            Self::Excel | Self::ExcelDe | Self::ExcelFr => "\r\n",
        }
    }

    /// What the file starts with: UTF-8's byte-order mark (`EF BB BF`) for Excel, else nothing.
    pub const fn byte_order_mark(self) -> &'static str {
        match self {
            Self::Plain => "",
            Self::Excel | Self::ExcelDe | Self::ExcelFr => "\u{feff}",
        }
    }

    /// A text cell: the user's text as it is, quoted when it holds the separator, a double quote
    /// or a line break, guarded when a spreadsheet would run it as a formula ([`csv_cell`]).
    pub fn text(self, text: &str) -> String {
        csv_cell(text, self.separator(), self.decimal_mark())
    }

    /// A number or a time written with `.` as its decimal mark, with the style's mark instead.
    ///
    /// ```
    /// use patchsim::report::csv_style::CsvStyle;
    /// assert_eq!(CsvStyle::Plain.decimal("1.333"), "1.333");
    /// assert_eq!(CsvStyle::ExcelDe.decimal("1.333"), "1,333");
    /// assert_eq!(CsvStyle::ExcelFr.decimal("2024-01-01 02:05:07.250"), "2024-01-01 02:05:07,250");
    /// ```
    pub fn decimal(self, text: &str) -> Cow<'_, str> {
        match self.decimal_mark() {
            '.' => Cow::Borrowed(text),
            mark => Cow::Owned(text.replace('.', mark.encode_utf8(&mut [0; 4]))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_what_patchsim_always_wrote() {
        let s = CsvStyle::default();
        assert_eq!(s, CsvStyle::Plain);
        assert_eq!((s.separator(), s.decimal_mark(), s.line_end(), s.byte_order_mark()), (',', '.', "\n", ""));
        assert_eq!(s.text("a, b"), "\"a, b\"");
        assert_eq!(s.text("a; b"), "a; b");
    }

    #[test]
    fn the_excel_styles_quote_their_own_separator() {
        assert_eq!(CsvStyle::Excel.text("a, b"), "\"a, b\"");
        for s in [CsvStyle::ExcelDe, CsvStyle::ExcelFr] {
            assert_eq!(s.text("a; b"), "\"a; b\"");
            assert_eq!(s.text("a, b"), "a, b");
            assert_eq!(s.text("say \"hi\""), "\"say \"\"hi\"\"\"");
            assert_eq!(s.text("-1,5"), "-1,5");
            assert_eq!(s.text("=1+2"), "\"'=1+2\"");
            assert_eq!(s.decimal("-0.25"), "-0,25");
        }
        for s in CsvStyle::ALL.into_iter().skip(1) {
            assert_eq!((s.line_end(), s.byte_order_mark().as_bytes()), ("\r\n", &[0xef, 0xbb, 0xbf][..]));
        }
    }

    #[test]
    fn keys_are_the_flag_s_values() {
        use clap::ValueEnum;
        for s in CsvStyle::ALL {
            assert_eq!(s.to_possible_value().map(|v| v.get_name().to_owned()).as_deref(), Some(s.key()));
        }
    }
}
