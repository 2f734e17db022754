//! Which format a file's times are in, told from the values themselves, and the error when they
//! do not tell.
//!
//! Every value of the column is noted ([`TimeDetection::note`]); then ([`TimeDetection::decide`]):
//!
//! - values of more than one layout (`2024-01-15 …` and `15.01.2024 …` in one file) are an
//!   error naming the first value of the second layout and the first of the first: one export
//!   writes every time the same way;
//! - year-first values are read as `iso`, dotted or dashed ones as `dmy`, WMI's as `wmi`;
//! - slashed values with the year last are `dmy` when one of them is a real date only day first
//!   (`15/01/2024`), `mdy` when one is only month first (`1/15/2024`); both at once is an error
//!   naming the two; neither (every day and month 12 or less) is an error that says to choose
//!   with `--time-format dmy` or `--time-format mdy`.
//!
//! The decision depends only on which values the column holds, never on their order (the lines
//! a message names are the first ones in the file).

use std::fmt;

use super::error::InputError;
use super::time_format::TimeFormat;
use super::time_value::{DateOrder, TimeLayout, TimeValue};

/// A value seen at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: usize,
    /// The value as written.
    pub text: String,
}

/// What a column's values say about their format, noted value by value.
#[derive(Debug, Clone, Default)]
pub struct TimeDetection {
    /// The first value of each layout, in [`TimeLayout`] order.
    first: [Option<Seen>; 4],
    /// The first slashed value that is a real date only day first.
    day_first_only: Option<Seen>,
    /// The first slashed value that is a real date only month first.
    month_first_only: Option<Seen>,
    /// Slashed values noted.
    slashed: u64,
}

/// The index of a layout in [`TimeDetection::first`].
fn slot(layout: TimeLayout) -> usize {
    match layout {
        TimeLayout::YearFirst => 0,
        TimeLayout::SlashYearLast => 1,
        TimeLayout::DayFirst => 2,
        TimeLayout::Wmi => 3,
    }
}

const LAYOUTS: [TimeLayout; 4] =
    [TimeLayout::YearFirst, TimeLayout::SlashYearLast, TimeLayout::DayFirst, TimeLayout::Wmi];

impl TimeDetection {
    /// Notes one value, written `text` at `line` (values are noted in the file's order);
    /// `column` gives its column, asked only for the few values a message may name.
    pub fn note(&mut self, value: TimeValue, text: &str, line: u64, column: impl Fn() -> usize) {
        let seen = || Seen { line, column: column(), text: text.to_owned() };
        let first = &mut self.first[slot(value.layout)];
        if first.is_none() {
            *first = Some(seen());
        }
        if value.layout == TimeLayout::SlashYearLast {
            self.slashed += 1;
            let day_first = value.ms(DateOrder::DayFirst).is_some();
            let month_first = value.ms(DateOrder::MonthFirst).is_some();
            if day_first && !month_first && self.day_first_only.is_none() {
                self.day_first_only = Some(seen());
            }
            if month_first && !day_first && self.month_first_only.is_none() {
                self.month_first_only = Some(seen());
            }
        }
    }

    /// The format the values are in, or why it cannot be told; `Ok(None)` when no value was
    /// noted. `file` and `key` (the column's name) place the error.
    pub fn decide(&self, file: &str, key: &str) -> Result<Option<TimeFormat>, Box<TimeFormatError>> {
        let mut present: Vec<(TimeLayout, &Seen)> =
            LAYOUTS.into_iter().filter_map(|l| self.first[slot(l)].as_ref().map(|s| (l, s))).collect();
        present.sort_by_key(|(_, s)| s.line);
        let place = |seen: &Seen| (file.to_owned(), key.to_owned(), seen.clone());
        match present.as_slice() {
            [] => Ok(None),
            [(TimeLayout::SlashYearLast, first)] => match (&self.day_first_only, &self.month_first_only) {
                (Some(day), Some(month)) => {
                    let (earlier, later, later_is_day) =
                        if day.line <= month.line { (day, month, false) } else { (month, day, true) };
                    let (file, key, at) = place(later);
                    Err(Box::new(TimeFormatError::Contradictory {
                        file,
                        key,
                        at,
                        later_is_day_first: later_is_day,
                        earlier: earlier.clone(),
                    }))
                }
                (Some(_), None) => Ok(Some(TimeFormat::Dmy)),
                (None, Some(_)) => Ok(Some(TimeFormat::Mdy)),
                (None, None) => {
                    let (file, key, at) = place(first);
                    Err(Box::new(TimeFormatError::Ambiguous { file, key, at, values: self.slashed }))
                }
            },
            [(layout, _)] => Ok(TimeFormat::of_layout(*layout)),
            [(first_layout, first), (other_layout, other), ..] => {
                let (file, key, at) = place(other);
                Err(Box::new(TimeFormatError::Mixed {
                    file,
                    key,
                    at,
                    layout: *other_layout,
                    first: (*first_layout, (*first).clone()),
                }))
            }
        }
    }
}

/// Why a file's time format cannot be told from its values. Every variant names the file, the
/// line and column of a value, and the column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormatError {
    /// Every date is slashed with day and month both 12 or less: day first and month first both
    /// read every one.
    Ambiguous {
        /// The file, as the user named it.
        file: String,
        /// The column.
        key: String,
        /// The first such value.
        at: Seen,
        /// How many values there are.
        values: u64,
    },
    /// One slashed date is real only day first, another only month first.
    Contradictory {
        /// The file, as the user named it.
        file: String,
        /// The column.
        key: String,
        /// The later of the two values.
        at: Seen,
        /// Whether the later one is the day-first one.
        later_is_day_first: bool,
        /// The earlier of the two.
        earlier: Seen,
    },
    /// Values of more than one layout.
    Mixed {
        /// The file, as the user named it.
        file: String,
        /// The column.
        key: String,
        /// The first value of the second layout in the file.
        at: Seen,
        /// Its layout.
        layout: TimeLayout,
        /// The first value of the file, and its layout.
        first: (TimeLayout, Seen),
    },
}

impl TimeFormatError {
    /// The error as an [`InputError`]: file, line, column, key and what to do.
    pub fn place(&self) -> InputError {
        let (file, key, at, message) = match self {
            Self::Ambiguous { file, key, at, values } => (
                file,
                key,
                at,
                format!(
                    "\"{}\" and every other date in the column ({values} value{}) have the day and the month both 12 or less, so they read day first and month first alike, and patchsim cannot tell which is meant: say it with --time-format dmy (day first, as en-GB and fr-FR write) or --time-format mdy (month first, as en-US writes)",
                    at.text,
                    if *values == 1 { "" } else { "s" }
                ),
            ),
            Self::Contradictory { file, key, at, later_is_day_first, earlier } => {
                let (this, that) =
                    if *later_is_day_first { ("day first", "month first") } else { ("month first", "day first") };
                (
                    file,
                    key,
                    at,
                    format!(
                        "\"{}\" is a date only {this}, but line {} has \"{}\", a date only {that}: the file writes dates both ways. Fix the export, or read it with --time-format dmy or --time-format mdy (the rows that are not dates that way are then not used)",
                        at.text, earlier.line, earlier.text
                    ),
                )
            }
            Self::Mixed { file, key, at, layout, first } => (
                file,
                key,
                at,
                format!(
                    "\"{}\" is written {}, but line {} has \"{}\", written {}: one export writes every time the same way. Fix the export, or say which to read with --time-format iso, dmy, mdy or wmi (rows written otherwise are then not used)",
                    at.text,
                    layout.describe(),
                    first.1.line,
                    first.1.text,
                    first.0.describe()
                ),
            ),
        };
        InputError {
            file: file.clone(),
            line: usize::try_from(at.line).ok(),
            column: Some(at.column),
            key: Some(key.clone()),
            message,
        }
    }
}

impl fmt::Display for TimeFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.place().fmt(f)
    }
}

impl std::error::Error for TimeFormatError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decision for values on lines 2, 3, …, each at column 5.
    fn decide(values: &[&str]) -> Result<Option<TimeFormat>, String> {
        let mut d = TimeDetection::default();
        for (i, text) in values.iter().enumerate() {
            d.note(TimeValue::read(text).unwrap(), text, i as u64 + 2, || 5);
        }
        d.decide("h.csv", "ExecutionTime").map_err(|e| e.to_string())
    }

    #[test]
    fn one_unambiguous_value_fixes_the_order_of_all() {
        assert_eq!(decide(&[]), Ok(None));
        assert_eq!(decide(&["2024-01-02 00:00", "2024-01-03T00:00:00Z"]), Ok(Some(TimeFormat::Iso)));
        assert_eq!(decide(&["01.02.2024 00:00"]), Ok(Some(TimeFormat::Dmy)));
        assert_eq!(decide(&["20240102000000.000000+000"]), Ok(Some(TimeFormat::Wmi)));
        assert_eq!(decide(&["01/02/2024 00:00", "13/02/2024 00:00"]), Ok(Some(TimeFormat::Dmy)));
        assert_eq!(decide(&["01/02/2024 00:00", "1/13/2024 1:00 PM"]), Ok(Some(TimeFormat::Mdy)));
        // In any order.
        assert_eq!(decide(&["1/13/2024 1:00 PM", "01/02/2024 00:00"]), Ok(Some(TimeFormat::Mdy)));
    }

    #[test]
    fn ambiguous_contradictory_and_mixed_files_are_refused_with_their_place() {
        assert_eq!(
            decide(&["01/02/2024 00:00", "12/11/2024 00:00"]),
            Err("h.csv:2:5: key `ExecutionTime`: \"01/02/2024 00:00\" and every other date in the column (2 values) have the day and the month both 12 or less, so they read day first and month first alike, and patchsim cannot tell which is meant: say it with --time-format dmy (day first, as en-GB and fr-FR write) or --time-format mdy (month first, as en-US writes)".to_owned())
        );
        assert_eq!(
            decide(&["01/02/2024 00:00", "1/13/2024 00:00", "13/1/2024 00:00"]),
            Err("h.csv:4:5: key `ExecutionTime`: \"13/1/2024 00:00\" is a date only day first, but line 3 has \"1/13/2024 00:00\", a date only month first: the file writes dates both ways. Fix the export, or read it with --time-format dmy or --time-format mdy (the rows that are not dates that way are then not used)".to_owned())
        );
        assert_eq!(
            decide(&["2024-01-15 02:05:07", "2024-01-15 02:06:07", "15.01.2024 02:05:07"]),
            Err("h.csv:4:5: key `ExecutionTime`: \"15.01.2024 02:05:07\" is written day.month.year (15.01.2024 02:05:07), but line 2 has \"2024-01-15 02:05:07\", written year first (2024-01-15 02:05:07): one export writes every time the same way. Fix the export, or say which to read with --time-format iso, dmy, mdy or wmi (rows written otherwise are then not used)".to_owned())
        );
        // A slashed value beside another layout is mixed, not ambiguous.
        assert!(decide(&["01/02/2024 00:00", "2024-01-15 02:05:07"]).unwrap_err().starts_with("h.csv:3:5:"));
    }
}
