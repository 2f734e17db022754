//! When a history export is too little usable to calibrate from, and the error that says why.
//!
//! A history is refused, rather than fitted from what is left, when
//!
//! - **fewer than half of its rows are usable** ([`MIN_USABLE_SHARE`]): the file is then
//!   most likely not the view's export, or exported wrongly (times in another format, a field
//!   with line breaks but no quotes), and what is left would not describe the month; or
//! - **no step and no restart can be timed**: every completion opens its run or takes no
//!   measurable time, as when the query kept only the completion messages (11134/11135) and
//!   dropped the start (11140) and the other messages a duration is measured from.
//!
//! The error lists the main reasons rows were not used, each with example line numbers, so the
//! export can be fixed; nothing is written.

use std::fmt;

use crate::input::{InputError, TimeFormatError};

/// The least share of a history's rows that must be usable: below it the file is refused.
pub const MIN_USABLE_SHARE: f64 = 0.5;

/// How many reasons the error lists (the ones with most rows); the rest are summed up.
const REASONS_SHOWN: usize = 3;

/// Rows left out for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRows {
    /// Why.
    pub reason: String,
    /// How many rows.
    pub count: u64,
    /// The first few lines (1-based, in the file).
    pub lines: Vec<u64>,
    /// The value at fault on the first of them, when a value is (a time patchsim does not
    /// read), cut to 40 characters, control characters escaped.
    pub example: Option<String>,
}

impl BadRows {
    /// `line 4 has "…"` for the example, when there is one.
    pub fn example_text(&self) -> Option<String> {
        let (example, line) = (self.example.as_ref()?, self.lines.first()?);
        Some(format!("line {line} has \"{example}\""))
    }
}

/// Why a history could not be read or used.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryError {
    /// The file itself: missing, unreadable, not text, without the view's header.
    File(InputError),
    /// The format of the times cannot be told from the values: day and month read both ways,
    /// dates written both ways, or times of more than one layout.
    Times(Box<TimeFormatError>),
    /// The file reads, but too little of it is usable to calibrate from.
    Unusable(Unusable),
}

/// A history of which too little is usable.
#[derive(Debug, Clone, PartialEq)]
pub struct Unusable {
    /// The file, as the user named it.
    pub file: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows usable.
    pub usable: u64,
    /// Rows not used, by reason, most rows first.
    pub reasons: Vec<BadRows>,
    /// Which of the two thresholds the file fails.
    pub why: UnusableWhy,
}

/// Which threshold a history fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnusableWhy {
    /// Fewer than [`MIN_USABLE_SHARE`] of the rows are usable.
    FewRowsUsable,
    /// Enough rows are usable, but no step or restart duration can be measured from them.
    NothingTimed {
        /// Step completions with no message of their run before them.
        untimed: u64,
        /// Step completions at the same moment as the message before them.
        zero: u64,
    },
}

impl Unusable {
    /// Judges a rebuilt history: `None` when it is usable. `timed` counts the step and restart
    /// durations measured.
    pub fn judge(file: &str, rows: u64, bad: &[BadRows], timed: u64, untimed: u64, zero: u64) -> Option<Self> {
        let not_used: u64 = bad.iter().map(|b| b.count).sum();
        let usable = rows.saturating_sub(not_used);
        let why = if (usable as f64) < MIN_USABLE_SHARE * rows as f64 || usable == 0 {
            UnusableWhy::FewRowsUsable
        } else if timed == 0 {
            UnusableWhy::NothingTimed { untimed, zero }
        } else {
            return None;
        };
        let mut reasons = bad.to_vec();
        reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.lines.first().cmp(&b.lines.first())));
        Some(Self { file: file.to_owned(), rows, usable, reasons, why })
    }

    /// The main reasons, as `reason (N rows: lines a, b, …)` joined by `; `.
    fn reasons_text(&self) -> String {
        let mut parts: Vec<String> = self
            .reasons
            .iter()
            .take(REASONS_SHOWN)
            .map(|b| {
                let lines: Vec<String> = b.lines.iter().map(u64::to_string).collect();
                format!(
                    "{} ({} row{}: line{} {}{}{})",
                    b.reason,
                    b.count,
                    if b.count == 1 { "" } else { "s" },
                    if b.lines.len() == 1 { "" } else { "s" },
                    lines.join(", "),
                    if b.count as usize > b.lines.len() { ", …" } else { "" },
                    b.example_text().map(|e| format!("; {e}")).unwrap_or_default()
                )
            })
            .collect();
        let rest = &self.reasons[self.reasons.len().min(REASONS_SHOWN)..];
        if !rest.is_empty() {
            let n: u64 = rest.iter().map(|b| b.count).sum();
            parts.push(format!(
                "{n} more row{} for {} other reason{}",
                if n == 1 { "" } else { "s" },
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ));
        }
        parts.join("; ")
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        match self.why {
            UnusableWhy::FewRowsUsable if self.rows == 0 => {
                f.write_str("the history has a header but no rows: export the view's rows with it")
            }
            UnusableWhy::FewRowsUsable if self.usable == 0 => write!(f, "no usable row: {}", self.reasons_text()),
            UnusableWhy::FewRowsUsable => write!(
                f,
                "only {} of {} rows are usable, fewer than half, so nothing is fitted: {}. Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?",
                self.usable,
                self.rows,
                self.reasons_text()
            ),
            UnusableWhy::NothingTimed { untimed, zero } => {
                write!(
                    f,
                    "no step or restart can be timed from the {} usable rows: {untimed} step completion{} had no message of their run before them and {zero} took no measurable time",
                    self.usable,
                    if untimed == 1 { "" } else { "s" }
                )?;
                if !self.reasons.is_empty() {
                    write!(f, "; rows not used: {}", self.reasons_text())?;
                }
                f.write_str(". A step is timed from the run's previous status message: export every message of the runs (the query in docs/import.md), not only the completions")
            }
        }
    }
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(e) => e.fmt(f),
            Self::Times(e) => e.fmt(f),
            Self::Unusable(u) => u.fmt(f),
        }
    }
}

impl std::error::Error for HistoryError {}

impl From<InputError> for HistoryError {
    fn from(e: InputError) -> Self {
        Self::File(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(reason: &str, count: u64, lines: &[u64]) -> BadRows {
        BadRows { reason: reason.to_owned(), count, lines: lines.to_vec(), example: None }
    }

    #[test]
    fn half_the_rows_usable_is_enough_and_fewer_is_not() {
        let one = [bad("x", 5, &[2, 3, 4, 5, 6])];
        assert_eq!(Unusable::judge("h.csv", 10, &one, 1, 0, 0), None, "5 of 10 usable");
        let u = Unusable::judge("h.csv", 9, &one, 1, 0, 0).unwrap();
        assert_eq!((u.usable, u.why), (4, UnusableWhy::FewRowsUsable));
        assert_eq!(
            u.to_string(),
            "h.csv: only 4 of 9 rows are usable, fewer than half, so nothing is fitted: x (5 rows: lines 2, 3, 4, 5, 6). Is this an export of vSMS_TaskSequenceExecutionStatus with the columns docs/import.md lists?"
        );
    }

    #[test]
    fn the_main_reasons_come_first_and_the_rest_are_summed() {
        let reasons = [
            bad("a", 1, &[9]),
            bad("b", 7, &[2, 3, 4, 5, 6]),
            bad("c", 2, &[7, 8]),
            bad("d", 1, &[12]),
            bad("e", 1, &[15]),
        ];
        let u = Unusable::judge("h.csv", 12, &reasons, 0, 0, 0).unwrap();
        assert_eq!(
            u.to_string(),
            "h.csv: no usable row: b (7 rows: lines 2, 3, 4, 5, 6, …); c (2 rows: lines 7, 8); a (1 row: line 9); 2 more rows for 2 other reasons"
        );
    }

    #[test]
    fn a_history_that_times_nothing_is_refused() {
        let u = Unusable::judge("h.csv", 40, &[], 0, 20, 0).unwrap();
        assert_eq!(u.why, UnusableWhy::NothingTimed { untimed: 20, zero: 0 });
        assert_eq!(
            u.to_string(),
            "h.csv: no step or restart can be timed from the 40 usable rows: 20 step completions had no message of their run before them and 0 took no measurable time. A step is timed from the run's previous status message: export every message of the runs (the query in docs/import.md), not only the completions"
        );
        assert_eq!(Unusable::judge("h.csv", 40, &[], 1, 20, 0), None);
    }
}
