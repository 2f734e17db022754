//! Durations with units: `"90s"`, `"12m"`, `"1h30m"`, `"500ms"`, `"1.5h"`.
//!
//! patchsim keeps time as integer milliseconds ([`Millis`]) so that ordering and results are exact
//! and portable. A bare number is never a duration: the user must say whether it is seconds or
//! minutes.

use std::fmt;

/// Simulated time and durations, in whole milliseconds.
pub type Millis = u64;

/// One second in milliseconds.
pub const SECOND: Millis = 1_000;
/// One minute in milliseconds.
pub const MINUTE: Millis = 60 * SECOND;
/// One hour in milliseconds.
pub const HOUR: Millis = 60 * MINUTE;
/// One day in milliseconds.
pub const DAY: Millis = 24 * HOUR;
/// One week in milliseconds: the simulated patch cycle, Monday 00:00 to the next Monday 00:00.
pub const WEEK: Millis = 7 * DAY;

/// The longest duration patchsim accepts (about 30 years), so sums of durations never overflow.
pub const MAX_DURATION: Millis = 1_000_000_000_000;

/// Parses a duration string such as `"1h30m"`, `"90s"`, `"0.5m"` or `"250ms"`.
///
/// Units: `d`, `h`, `m`, `s`, `ms`, also spelled out as people write them (`day`/`days`,
/// `hr`/`hrs`/`hour`/`hours`, `min`/`mins`/`minute`/`minutes`, `sec`/`secs`/`second`/`seconds`,
/// `msec`/`millisecond`/`milliseconds`, in any case but `M`, which could mean months); parts may
/// repeat units in any order and be separated by spaces, also between a number and its unit;
/// each part may have a decimal fraction. The result is rounded to the nearest millisecond.
/// Errors are sentences ready to show the user.
///
/// ```
/// use patchsim::scenario::duration::parse_duration;
/// assert_eq!(parse_duration("1h30m"), Ok(90 * 60 * 1000));
/// assert_eq!(parse_duration("90s"), Ok(90_000));
/// assert_eq!(parse_duration("90 m"), Ok(90 * 60 * 1000));
/// assert_eq!(parse_duration("3 hours"), Ok(3 * 60 * 60 * 1000));
/// assert_eq!(parse_duration("1 hr 30 mins"), Ok(90 * 60 * 1000));
/// assert!(parse_duration("90").is_err());
/// assert!(parse_duration("-5m").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration: write it with a unit, e.g. \"90s\" or \"12m\"".to_owned());
    }
    if trimmed.starts_with('-') {
        return Err(format!("duration \"{text}\" is negative; durations are 0s or more"));
    }
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    // Accumulate in microseconds·1000 (nanoseconds) with u128 so fractions round exactly once.
    let mut total_ns: u128 = 0;
    let mut parts = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_part = &trimmed[start..i];
        let mut frac_part = "";
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let fstart = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            frac_part = &trimmed[fstart..i];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!(
                "duration \"{text}\" is not understood: expected a number then a unit (d, h, m, s, ms), e.g. \"1h30m\""
            ));
        }
        let number = &trimmed[start..i];
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let ustart = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &trimmed[ustart..i];
        let unit_ns: u128 = match unit_nanoseconds(unit) {
            Some(ns) => ns,
            None if unit.is_empty() && i < bytes.len() => {
                return Err(format!(
                    "duration \"{text}\" is not understood: expected a unit (d, h, m, s, ms) after {number}, e.g. \"1h30m\""
                ));
            }
            None if unit.is_empty() => {
                return Err(format!(
                    "duration \"{text}\" has no unit after {number}: write \"{number}s\" for seconds or \"{number}m\" for minutes"
                ));
            }
            None if unit == "M" => {
                return Err(format!(
                    "duration \"{text}\": \"M\" could mean months or minutes; write \"{number}m\" for minutes"
                ));
            }
            None => {
                return Err(format!(
                    "duration \"{text}\" has an unknown unit \"{unit}\": use d, h, m, s or ms (or days, hours, minutes, seconds)"
                ));
            }
        };
        if int_part.len() > 15 || frac_part.len() > 9 {
            return Err(format!("duration \"{text}\" is too long or too precise"));
        }
        let int_value: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| format!("duration \"{text}\" is not understood"))?
        };
        let mut frac_ns: u128 = 0;
        if !frac_part.is_empty() {
            let digits: u128 = frac_part.parse().map_err(|_| format!("duration \"{text}\" is not understood"))?;
            let scale = 10u128.pow(frac_part.len() as u32);
            frac_ns = digits * unit_ns / scale;
        }
        total_ns += int_value * unit_ns + frac_ns;
        parts += 1;
        if total_ns > u128::from(MAX_DURATION) * 1_000_000 {
            return Err(format!("duration \"{text}\" is absurdly long (over 30 years)"));
        }
    }
    if parts == 0 {
        return Err(format!("duration \"{text}\" is not understood"));
    }
    // Round half up to whole milliseconds.
    Ok(((total_ns + 500_000) / 1_000_000) as Millis)
}

/// Nanoseconds in one of a unit as people write it; `None` for anything else (and for `M`).
fn unit_nanoseconds(unit: &str) -> Option<u128> {
    if unit == "M" {
        return None;
    }
    Some(match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => 86_400_000_000_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000_000_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000_000_000,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000_000_000,
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1_000_000,
        _ => return None,
    })
}

/// Formats milliseconds the way users write durations: `"1h30m"`, `"42m7s"`, `"0s"`, `"1.5s"`.
///
/// ```
/// use patchsim::scenario::duration::format_duration;
/// assert_eq!(format_duration(90 * 60 * 1000), "1h30m");
/// assert_eq!(format_duration(2_527_000), "42m7s");
/// assert_eq!(format_duration(0), "0s");
/// assert_eq!(format_duration(1_500), "1.5s");
/// ```
pub fn format_duration(ms: Millis) -> String {
    DurationDisplay(ms).to_string()
}

/// A [`Millis`] value that displays as a duration string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationDisplay(pub Millis);

impl fmt::Display for DurationDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms == 0 {
            return f.write_str("0s");
        }
        let days = ms / DAY;
        let hours = (ms % DAY) / HOUR;
        let minutes = (ms % HOUR) / MINUTE;
        let seconds = (ms % MINUTE) / SECOND;
        let millis = ms % SECOND;
        if days > 0 {
            write!(f, "{days}d")?;
        }
        if hours > 0 {
            write!(f, "{hours}h")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        if millis > 0 {
            if seconds == 0 && days == 0 && hours == 0 && minutes == 0 {
                write!(f, "{millis}ms")?;
            } else {
                let frac = format!("{millis:03}");
                write!(f, "{seconds}.{}s", frac.trim_end_matches('0'))?;
            }
        } else if seconds > 0 {
            write!(f, "{seconds}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_combination() {
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("12m"), Ok(720_000));
        assert_eq!(parse_duration("2h"), Ok(7_200_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("1h 30m 15s"), Ok(5_415_000));
        assert_eq!(parse_duration("1d"), Ok(86_400_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("1.5h"), Ok(5_400_000));
        assert_eq!(parse_duration(".5s"), Ok(500));
        assert_eq!(parse_duration("0m"), Ok(0));
        assert_eq!(parse_duration("0.0004s"), Ok(0));
        assert_eq!(parse_duration("0.0005s"), Ok(1));
    }

    #[test]
    fn rejects_what_a_user_might_mistype() {
        for bad in ["", "90", "5", "-5m", "5x", "m", "1h30", "abc", "1..5m", "5 m m"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let err = parse_duration("90").unwrap_err();
        assert!(err.contains("no unit"), "{err}");
        let err = parse_duration("-5m").unwrap_err();
        assert!(err.contains("negative"), "{err}");
        assert!(parse_duration("99999999999999h").is_err());
    }

    #[test]
    fn common_spellings_read_as_people_mean_them() {
        let minutes = |m: u64| Ok(m * 60_000);
        for (text, expected) in [
            ("90 m", minutes(90)),
            ("90 min", minutes(90)),
            ("90 Minutes", minutes(90)),
            ("2 h", minutes(120)),
            ("3 hours", minutes(180)),
            ("1 hr 30 mins", minutes(90)),
            ("2H", minutes(120)),
            ("1 day", minutes(1_440)),
            ("45 sec", Ok(45_000)),
            ("45 seconds", Ok(45_000)),
            ("250 msec", Ok(250)),
        ] {
            assert_eq!(parse_duration(text), expected, "{text}");
        }
        assert_eq!(
            parse_duration("90").unwrap_err(),
            "duration \"90\" has no unit after 90: write \"90s\" for seconds or \"90m\" for minutes"
        );
        assert_eq!(
            parse_duration("1h30").unwrap_err(),
            "duration \"1h30\" has no unit after 30: write \"30s\" for seconds or \"30m\" for minutes"
        );
        assert_eq!(
            parse_duration("5M").unwrap_err(),
            "duration \"5M\": \"M\" could mean months or minutes; write \"5m\" for minutes"
        );
        assert_eq!(
            parse_duration("2 weeks").unwrap_err(),
            "duration \"2 weeks\" has an unknown unit \"weeks\": use d, h, m, s or ms (or days, hours, minutes, seconds)"
        );
    }

    #[test]
    fn formats_round_trip() {
        for ms in [0, 1, 999, 1_000, 1_500, 59_000, 60_000, 2_527_000, 5_400_000, 90_061_001] {
            assert_eq!(parse_duration(&format_duration(ms)), Ok(ms), "{ms}");
        }
        assert_eq!(format_duration(90_061_001), "1d1h1m1.001s");
    }
}
