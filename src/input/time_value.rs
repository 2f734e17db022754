//! One time value as the tools that export a history write it, read into its fields before the
//! file's order of day and month is known.
//!
//! The reader is a hand-written tokenizer over the value's bytes: no allocation, no regular
//! expression, one pass. It knows four layouts ([`TimeLayout`]):
//!
//! - **year first**: `2024-01-15 02:05:07`, `2024-01-15T02:05:07.1234567+01:00`, `…Z`,
//!   `2024-01-15 02:05:07.123` (SQL Server Management Studio), `2024/01/15 2:05:07` (ja-JP);
//! - **slashes, year last**: `1/15/2024 2:05:07 AM` (en-US), `15/01/2024 02:05:07` (en-GB,
//!   fr-FR): day first or month first, which the file as a whole decides
//!   ([`super::TimeDetection`]);
//! - **dots or dashes, year last**: `15.01.2024 02:05:07` (de-DE), `15-01-2024 2:05:07` (nl-NL):
//!   always day first;
//! - **WMI** (DMTF datetime): `20240115020507.123456+060`, the offset in minutes.
//!
//! Year-last layouts take a time `H:MM`, `H:MM:SS` (one or two digits of hour), optionally with
//! a fraction of a second and ` AM`/` PM` (12-hour clock). A year-first time may end in `Z` or an
//! offset (`±HH:MM`, `±HHMM`, `±HH`). A fraction follows `.` or `,` (ISO 8601 allows both; a
//! decimal-comma locale writes `,`, as `patchsim run --csv-style excel-de` does). Two-digit
//! years are not read.

use crate::configmgr::history_view::days_from_civil;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// How a time value lays out its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeLayout {
    /// Year, month, day (ISO 8601, SQL Server, `yyyy/MM/dd` cultures).
    YearFirst,
    /// Two fields and the year, separated by `/`: day first or month first.
    SlashYearLast,
    /// Day, month and the year, separated by `.` or `-`.
    DayFirst,
    /// WMI's DMTF datetime, `yyyymmddHHMMSS.mmmmmm±UUU`.
    Wmi,
}

impl TimeLayout {
    /// The layout as a message describes it, with an example.
    pub fn describe(self) -> &'static str {
        match self {
            Self::YearFirst => "year first (2024-01-15 02:05:07)",
            Self::SlashYearLast => "with slashes, year last (15/01/2024 02:05:07 or 1/15/2024 2:05:07 AM)",
            Self::DayFirst => "day.month.year (15.01.2024 02:05:07)",
            Self::Wmi => "as WMI writes it (20240115020507.000000+000)",
        }
    }
}

/// The order a value's date is read in: what [`TimeValue::ms`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Year, month, day.
    YearFirst,
    /// Day, month, year.
    DayFirst,
    /// Month, day, year.
    MonthFirst,
}

/// A time value's fields, read; see the module comment for what is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeValue {
    /// How the date is laid out.
    pub layout: TimeLayout,
    year: i32,
    /// The first and second of the date's two short fields as written: month and day when the
    /// year is first, else in the order written.
    first: u8,
    second: u8,
    /// Time of day in milliseconds (rounded to the millisecond).
    clock_ms: u32,
    /// The offset from UTC the value gives, in minutes (0 when none).
    offset_min: i16,
}

/// A cursor over a value's bytes.
struct Cursor<'b> {
    b: &'b [u8],
    i: usize,
}

impl Cursor<'_> {
    /// A number of `min..=max` digits, with how many digits it had.
    fn number(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() && self.i - start < max {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        // More digits than `max` is not this number.
        let more = self.i < self.b.len() && self.b[self.i].is_ascii_digit();
        if n < min || more {
            self.i = start;
            return None;
        }
        Some((v, n))
    }

    /// Exactly two digits, whatever follows.
    fn two_digits(&mut self) -> Option<u32> {
        let d = self.b.get(self.i..self.i + 2)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += 2;
        Some(u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0'))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let yes = self.peek() == Some(byte);
        if yes {
            self.i += 1;
        }
        yes
    }

    /// One or more spaces: the ASCII space, the no-break space (U+00A0) and the narrow no-break
    /// space (U+202F) that .NET on ICU writes before `AM`/`PM`.
    fn spaces(&mut self) -> bool {
        let start = self.i;
        loop {
            let rest = &self.b[self.i..];
            let len = if rest.starts_with(b" ") {
                1
            } else if rest.starts_with("\u{a0}".as_bytes()) {
                2
            } else if rest.starts_with("\u{202f}".as_bytes()) {
                3
            } else {
                break;
            };
            self.i += len;
        }
        self.i > start
    }

    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
}

/// A fraction's digits (1 to 9 of them) as milliseconds, rounded half up.
fn fraction_ms(v: u32, digits: usize) -> u32 {
    if digits <= 3 {
        v * 10u32.pow(3 - digits as u32)
    } else {
        let div = 10u32.pow(digits as u32 - 3);
        (v + div / 2) / div
    }
}

/// Days in a month of the proleptic Gregorian calendar; 0 for a month that is not one.
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    }
}

impl TimeValue {
    /// Reads a value (surrounding spaces allowed); `None` when it is not a time in any layout
    /// patchsim reads, or is a date that no order of its fields makes real (`31/31/2024`).
    pub fn read(text: &str) -> Option<Self> {
        let b = text.trim().as_bytes();
        let value = Self::read_wmi(b).or_else(|| Self::read_dated(b))?;
        let real = match value.layout {
            TimeLayout::YearFirst | TimeLayout::Wmi => value.ms(DateOrder::YearFirst).is_some(),
            TimeLayout::DayFirst => value.ms(DateOrder::DayFirst).is_some(),
            TimeLayout::SlashYearLast => {
                value.ms(DateOrder::DayFirst).is_some() || value.ms(DateOrder::MonthFirst).is_some()
            }
        };
        real.then_some(value)
    }

    /// `yyyymmddHHMMSS.mmmmmm±UUU`.
    fn read_wmi(b: &[u8]) -> Option<Self> {
        if b.len() != 25 || b[14] != b'.' || !matches!(b[21], b'+' | b'-') {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |v, d| d.is_ascii_digit().then(|| v * 10 + u32::from(d - b'0')))
        };
        let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
        let (h, mi, s) = (digits(8..10)?, digits(10..12)?, digits(12..14)?);
        let micros = digits(15..21)?;
        let offset = digits(22..25)?;
        if h > 23 || mi > 59 || s > 59 || offset > 14 * 60 {
            return None;
        }
        let sign = if b[21] == b'-' { -1 } else { 1 };
        Some(Self {
            layout: TimeLayout::Wmi,
            year: year as i32,
            first: month as u8,
            second: day as u8,
            clock_ms: ((h * 60 + mi) * 60 + s) * 1000 + fraction_ms(micros, 6),
            offset_min: sign * offset as i16,
        })
    }

    /// A date of three fields, a time, and an offset or AM/PM.
    fn read_dated(b: &[u8]) -> Option<Self> {
        let mut c = Cursor { b, i: 0 };
        let (a, a_digits) = c.number(1, 4)?;
        let sep = c.peek().filter(|s| matches!(s, b'-' | b'/' | b'.'))?;
        c.i += 1;
        let (m, _) = c.number(1, 2)?;
        if !c.eat(sep) {
            return None;
        }
        let (z, z_digits) = c.number(1, 4)?;
        let (layout, year, first, second) = match (a_digits, z_digits) {
            (4, 1..=2) => (TimeLayout::YearFirst, a, m, z),
            (1..=2, 4) if sep == b'/' => (TimeLayout::SlashYearLast, z, a, m),
            (1..=2, 4) => (TimeLayout::DayFirst, z, a, m),
            _ => return None,
        };
        if year == 0 {
            return None;
        }
        let t_ok = layout == TimeLayout::YearFirst && c.eat(b'T');
        if !t_ok && !c.spaces() {
            return None;
        }
        let (h, _) = c.number(1, 2)?;
        if !c.eat(b':') {
            return None;
        }
        let (mi, _) = c.number(2, 2)?;
        let (mut s, mut frac) = (0, 0);
        if c.eat(b':') {
            s = c.number(2, 2)?.0;
            // ISO 8601 allows either mark before a fraction; a decimal-comma locale writes `,`.
            if c.eat(b'.') || c.eat(b',') {
                let (v, n) = c.number(1, 9)?;
                frac = fraction_ms(v, n);
            }
        }
        let mut offset_min: i16 = 0;
        let mut hour = h;
        match c.peek() {
            None => {}
            Some(b'Z' | b'z') if layout == TimeLayout::YearFirst => c.i += 1,
            Some(sign @ (b'+' | b'-')) if layout == TimeLayout::YearFirst => {
                c.i += 1;
                let zh = c.two_digits()?;
                let zm = if c.eat(b':') { c.two_digits()? } else { c.two_digits().unwrap_or(0) };
                if zh > 14 || zm > 59 {
                    return None;
                }
                let minutes = (zh * 60 + zm) as i16;
                offset_min = if sign == b'-' { -minutes } else { minutes };
            }
            Some(_) if c.spaces() => {
                let rest = &b[c.i..];
                let pm = if rest.eq_ignore_ascii_case(b"AM") {
                    false
                } else if rest.eq_ignore_ascii_case(b"PM") {
                    true
                } else {
                    return None;
                };
                c.i = b.len();
                if !(1..=12).contains(&h) {
                    return None;
                }
                hour = match (h, pm) {
                    (12, false) => 0,
                    (12, true) => 12,
                    (h, false) => h,
                    (h, true) => h + 12,
                };
            }
            Some(_) => return None,
        }
        if !c.at_end() || hour > 23 || mi > 59 || s > 59 {
            return None;
        }
        Some(Self {
            layout,
            year: year as i32,
            first: first as u8,
            second: second as u8,
            clock_ms: ((hour * 60 + mi) * 60 + s) * 1000 + frac,
            offset_min,
        })
    }

    /// Milliseconds since 1970-01-01 00:00 UTC with the date read in `order`: an offset the
    /// value gives is taken off (so the result is UTC), a value without one is taken as it is.
    /// `None` when the layout is not read in that order (a year-first value only year first, a
    /// dotted one only day first, a slashed one day or month first) or the date is not real in
    /// it (month 13, 31 April).
    pub fn ms(self, order: DateOrder) -> Option<i64> {
        let (month, day) = match (self.layout, order) {
            (TimeLayout::YearFirst | TimeLayout::Wmi, DateOrder::YearFirst)
            | (TimeLayout::SlashYearLast, DateOrder::MonthFirst) => (self.first, self.second),
            (TimeLayout::SlashYearLast | TimeLayout::DayFirst, DateOrder::DayFirst) => (self.second, self.first),
            _ => return None,
        };
        if day == 0 || day > days_in_month(self.year, month) {
            return None;
        }
        let days = days_from_civil(i64::from(self.year), u32::from(month), u32::from(day));
        Some(days * DAY_MS + i64::from(self.clock_ms) - i64::from(self.offset_min) * 60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64, ms: i64) -> i64 {
        days_from_civil(y, m, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms
    }

    fn read(text: &str, order: DateOrder) -> Option<i64> {
        TimeValue::read(text)?.ms(order)
    }

    #[test]
    fn reads_every_layout_windows_tools_write() {
        use DateOrder::*;
        let t = at(2024, 1, 15, 2, 5, 7, 0);
        for (text, order, expected) in [
            // ISO and SQL Server.
            ("2024-01-15 02:05:07", YearFirst, t),
            ("2024-01-15T02:05:07", YearFirst, t),
            ("2024-01-15T02:05:07Z", YearFirst, t),
            ("2024-01-15T03:05:07.0000000+01:00", YearFirst, t),
            ("2024-01-14T21:05:07-0500", YearFirst, t),
            ("2024-01-15T04:05:07+02", YearFirst, t),
            ("2024-01-15 02:05:07.123", YearFirst, t + 123),
            ("2024-01-15 02:05:07.1234567", YearFirst, t + 123),
            ("2024-01-15 02:05:07.9995", YearFirst, t + 1000),
            ("2024-01-15 02:05:07,123", YearFirst, t + 123),
            ("2024/01/15 2:05:07", YearFirst, t),
            // Windows PowerShell 5.1 and 7, en-US, en-GB, fr-FR, de-DE, nl-NL.
            ("1/15/2024 2:05:07 AM", MonthFirst, t),
            ("1/15/2024 2:05:07 PM", MonthFirst, t + 12 * 3_600_000),
            ("1/15/2024 12:05:07 AM", MonthFirst, t - 2 * 3_600_000),
            ("1/15/2024 12:05:07 pm", MonthFirst, t + 10 * 3_600_000),
            ("15/01/2024 02:05:07", DayFirst, t),
            ("15.01.2024 02:05:07", DayFirst, t),
            ("15.01.2024 02:05:07,25", DayFirst, t + 250),
            ("15-1-2024 2:05:07", DayFirst, t),
            // Excel: no seconds, 12 or 24 hours.
            ("1/15/2024 2:05", MonthFirst, t - 7000),
            ("1/15/2024 14:05", MonthFirst, t - 7000 + 12 * 3_600_000),
            ("1/15/2024  2:05 PM", MonthFirst, t - 7000 + 12 * 3_600_000),
            ("1/15/2024 2:05:07\u{202f}PM", MonthFirst, t + 12 * 3_600_000),
            ("15/01/2024\u{a0}02:05:07", DayFirst, t),
            ("15/01/2024 02:05", DayFirst, t - 7000),
            ("15.01.2024 02:05", DayFirst, t - 7000),
            // WMI: the offset is in minutes.
            ("20240115020507.000000+000", YearFirst, t),
            ("20240115030507.250000+060", YearFirst, t + 250),
            ("20240114210507.000000-300", YearFirst, t),
            ("  2024-01-15 02:05:07  ", YearFirst, t),
        ] {
            assert_eq!(read(text, order), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn a_slashed_date_reads_in_the_orders_that_make_it_real() {
        let v = TimeValue::read("01/02/2024 00:00").unwrap();
        assert_eq!(v.layout, TimeLayout::SlashYearLast);
        assert_eq!(v.ms(DateOrder::DayFirst), Some(at(2024, 2, 1, 0, 0, 0, 0)));
        assert_eq!(v.ms(DateOrder::MonthFirst), Some(at(2024, 1, 2, 0, 0, 0, 0)));
        assert_eq!(v.ms(DateOrder::YearFirst), None);
        let day_first = TimeValue::read("13/02/2024 00:00").unwrap();
        assert_eq!(day_first.ms(DateOrder::MonthFirst), None);
        let month_first = TimeValue::read("02/29/2024 00:00").unwrap();
        assert_eq!(
            (month_first.ms(DateOrder::DayFirst).is_some(), month_first.ms(DateOrder::MonthFirst).is_some()),
            (false, true)
        );
        // A dotted date is always day first.
        assert_eq!(TimeValue::read("01.02.2024 00:00").unwrap().ms(DateOrder::MonthFirst), None);
    }

    #[test]
    fn what_is_not_a_time_reads_as_none() {
        for bad in [
            "",
            "NULL",
            "not a time",
            "2024-01-15",
            "2024-13-01 00:00:00",
            "2023-02-29 00:00:00",
            "31/31/2024 00:00",
            "30.02.2024 00:00",
            "2024-01-15 24:00:00",
            "2024-01-15 02:60:00",
            "2024-01-15 02:05:60",
            "2024-01-15 02:5",
            "2024-01-15 02:05:07.",
            "2024-01-15 02:05:07,",
            "2024-01-15 02:05:07.,5",
            "2024-01-15 02:05:07.1234567890",
            "2024-01-15 02:05:07 +01:00",
            "2024-01-15 02:05:07+15:00",
            "2024-01-15 02:05:07+021",
            "15/01/2024 02:05:07Z",
            "15/01/2024 02:05:07 XM",
            "1/15/2024 13:05 PM",
            "1/15/2024 0:05 AM",
            "15/01/24 02:05",
            "2024-01-15x02:05:07",
            "0000-01-15 02:05:07",
            "20240115020507.000000+900",
            "20240115020507.000000*000",
            "2024011502050.0000000+000",
            "１/15/2024 2:05",
        ] {
            assert_eq!(TimeValue::read(bad), None, "{bad:?}");
        }
    }
}
