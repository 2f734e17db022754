//! The format a file's times are written in, as `--time-format` names it: year first (`iso`),
//! day first (`dmy`), month first (`mdy`) or WMI's (`wmi`). Without a name, the file's own
//! values decide ([`super::TimeDetection`]).

use std::fmt;
use std::str::FromStr;

use super::time_value::{DateOrder, TimeLayout, TimeValue};

/// How a file writes its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeFormat {
    /// Year first: ISO 8601 (`2024-01-15T02:05:07`, a fraction, `Z` or an offset), SQL Server
    /// (`2024-01-15 02:05:07.123`) and `yyyy/MM/dd` cultures.
    Iso,
    /// Day first, the year last: `15/01/2024 02:05[:07]` (en-GB, fr-FR), `15.01.2024 02:05[:07]`
    /// (de-DE), `15-01-2024 2:05:07` (nl-NL).
    Dmy,
    /// Month first, with slashes, the year last: `1/15/2024 2:05[:07] [AM|PM]` (en-US).
    Mdy,
    /// WMI's DMTF datetime: `20240115020507.123456+060` (the offset in minutes).
    Wmi,
}

impl TimeFormat {
    /// Every format, in the order `--time-format` lists them.
    pub const ALL: [Self; 4] = [Self::Iso, Self::Dmy, Self::Mdy, Self::Wmi];

    /// The name `--time-format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Iso => "iso",
            Self::Dmy => "dmy",
            Self::Mdy => "mdy",
            Self::Wmi => "wmi",
        }
    }

    /// What the format reads, with examples, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Iso => "year first: 2024-01-15 02:05:07[.fffffff], 2024-01-15T02:05:07Z or +01:00",
            Self::Dmy => "day first: 15/01/2024 02:05[:07], 15.01.2024 02:05[:07]",
            Self::Mdy => "month first: 1/15/2024 2:05[:07] [AM|PM]",
            Self::Wmi => "WMI's: 20240115020507.000000+000",
        }
    }

    /// The format a layout is always read in; `None` for slashes with the year last, which are
    /// day first or month first.
    pub fn of_layout(layout: TimeLayout) -> Option<Self> {
        match layout {
            TimeLayout::YearFirst => Some(Self::Iso),
            TimeLayout::DayFirst => Some(Self::Dmy),
            TimeLayout::Wmi => Some(Self::Wmi),
            TimeLayout::SlashYearLast => None,
        }
    }

    /// A value read in this format, as milliseconds since 1970-01-01 00:00 (UTC when the value
    /// gives an offset, else the value's own wall time); `None` when the value is not written so.
    pub fn ms(self, value: TimeValue) -> Option<i64> {
        let fits = match self {
            Self::Iso => value.layout == TimeLayout::YearFirst,
            Self::Wmi => value.layout == TimeLayout::Wmi,
            Self::Dmy => matches!(value.layout, TimeLayout::SlashYearLast | TimeLayout::DayFirst),
            Self::Mdy => value.layout == TimeLayout::SlashYearLast,
        };
        let order = match self {
            Self::Iso | Self::Wmi => DateOrder::YearFirst,
            Self::Dmy => DateOrder::DayFirst,
            Self::Mdy => DateOrder::MonthFirst,
        };
        if fits { value.ms(order) } else { None }
    }

    /// A text read in this format ([`Self::ms`] of [`TimeValue::read`]).
    ///
    /// ```
    /// use patchsim::input::TimeFormat;
    /// assert_eq!(TimeFormat::Iso.parse("1970-01-02 00:00:01.5"), Some(86_401_500));
    /// assert_eq!(TimeFormat::Dmy.parse("02.01.1970 00:00:01.5"), Some(86_401_500));
    /// assert_eq!(TimeFormat::Iso.parse("02.01.1970 00:00:01.5"), None);
    /// assert_eq!(TimeFormat::Mdy.parse("1/2/1970 12:00:01 AM"), Some(86_401_000));
    /// ```
    pub fn parse(self, text: &str) -> Option<i64> {
        self.ms(TimeValue::read(text)?)
    }
}

impl fmt::Display for TimeFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--time-format` name that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a time format: use iso, dmy, mdy or wmi (or leave it out to detect the format)")]
pub struct UnknownTimeFormat(pub String);

impl FromStr for TimeFormat {
    type Err = UnknownTimeFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownTimeFormat(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_reads_its_own_layouts_only() {
        let t = TimeFormat::Iso.parse("2024-01-15 02:05:07").unwrap();
        assert_eq!(TimeFormat::Dmy.parse("15/01/2024 02:05:07"), Some(t));
        assert_eq!(TimeFormat::Dmy.parse("15.01.2024 02:05:07"), Some(t));
        assert_eq!(TimeFormat::Mdy.parse("1/15/2024 2:05:07 AM"), Some(t));
        assert_eq!(TimeFormat::Wmi.parse("20240115020507.000000+000"), Some(t));
        assert_eq!(TimeFormat::Mdy.parse("15.01.2024 02:05:07"), None, "dotted dates are day first");
        assert_eq!(TimeFormat::Mdy.parse("15/01/2024 02:05:07"), None, "no 15th month");
        assert_eq!(TimeFormat::Iso.parse("15/01/2024 02:05:07"), None);
        assert_eq!(TimeFormat::Dmy.parse("2024-01-15 02:05:07"), None);
        assert_eq!(TimeFormat::Wmi.parse("2024-01-15 02:05:07"), None);
        assert_eq!(TimeFormat::Iso.parse("20240115020507.000000+000"), None);
    }

    #[test]
    fn the_view_s_own_times_read_back() {
        use crate::configmgr::history_view::format_time;
        for ms in [0, 86_401_500, TimeFormat::Iso.parse("2024-02-29 23:59:59.999").unwrap(), -1] {
            assert_eq!(TimeFormat::Iso.parse(&format_time(ms)), Some(ms), "{}", format_time(ms));
        }
    }

    #[test]
    fn names_read_back_and_others_are_refused() {
        for f in TimeFormat::ALL {
            assert_eq!(f.name().parse::<TimeFormat>(), Ok(f));
            assert_eq!(f.to_string().to_uppercase().parse::<TimeFormat>(), Ok(f));
        }
        assert_eq!(
            "d/m/y".parse::<TimeFormat>().unwrap_err().to_string(),
            "\"d/m/y\" is not a time format: use iso, dmy, mdy or wmi (or leave it out to detect the format)"
        );
    }
}
