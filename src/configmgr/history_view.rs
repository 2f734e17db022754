//! The execution-history view (`vSMS_TaskSequenceExecutionStatus`): its columns, and its
//! `ExecutionTime` as the view writes it and as exports of it read.

/// The view's columns, in its order.
pub const COLUMNS: [&str; 10] = [
    "AdvertisementID",
    "ResourceID",
    "ExecutionTime",
    "Step",
    "ActionName",
    "GroupName",
    "LastStatusMsgID",
    "LastStatusMsgName",
    "ExitCode",
    "ActionOutput",
];

/// The columns a history must have for patchsim to time its steps.
pub const REQUIRED_COLUMNS: &[&str] =
    &["AdvertisementID", "ResourceID", "ExecutionTime", "ActionName", "LastStatusMsgID"];

/// The first resource ID (ConfigMgr numbers resources from here).
pub const FIRST_RESOURCE_ID: u64 = 16_777_216;

/// Milliseconds since 1970-01-01 00:00 UTC of `YYYY-MM-DD HH:MM:SS[.fffffff]` or ISO 8601
/// (`T` between date and time, optional `Z` or `±HH:MM`). Times without a zone are taken as
/// they are (the view's times are all in one zone, which is all durations need).
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = t.split_at_checked(10)?;
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if y.len() != 4 || m.len() != 2 || day.len() != 2 || d.next().is_some() {
        return None;
    }
    let (y, m, day): (i64, u32, u32) = (digits(y)? as i64, digits(m)? as u32, digits(day)? as u32);
    if !(1..=12).contains(&m) || day == 0 || day > days_in_month(y, m) {
        return None;
    }
    let rest = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T'))?;
    let (clock, zone_ms) = split_zone(rest)?;
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let (h, mi, s) = (parts.next()?, parts.next()?, parts.next().unwrap_or("00"));
    if h.len() != 2 || mi.len() != 2 || s.len() != 2 || parts.next().is_some() {
        return None;
    }
    let (h, mi, s) = (digits(h)?, digits(mi)?, digits(s)?);
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let ms = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 => {
            let v = digits(f)?;
            (v as f64 / 10f64.powi(f.len() as i32) * 1000.0).round() as i64
        }
        Some(_) => return None,
    };
    let days = days_from_civil(y, m, day);
    Some(((days * 24 + h as i64) * 60 + mi as i64) * 60_000 + s as i64 * 1000 + ms - zone_ms)
}

fn digits(text: &str) -> Option<u64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// Splits a trailing `Z` or `±HH:MM` off a clock time; the zone as an offset in milliseconds.
fn split_zone(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((clock, 0));
    }
    if text.len() > 6 {
        let (clock, zone) = text.split_at(text.len() - 6);
        let sign = match zone.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Some((text, 0)),
        };
        let (zh, zm) = zone[1..].split_once(':')?;
        let (zh, zm) = (digits(zh)? as i64, digits(zm)? as i64);
        if zh > 14 || zm > 59 {
            return None;
        }
        return Some((clock, sign * (zh * 60 + zm) * 60_000));
    }
    Some((text, 0))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats milliseconds since 1970-01-01 as the view writes times: `YYYY-MM-DD HH:MM:SS.fff`.
pub fn format_time(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
        in_day / 3_600_000,
        (in_day / 60_000) % 60,
        (in_day / 1000) % 60,
        in_day % 1000
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_view_s_times_and_iso_8601() {
        assert_eq!(parse_time("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_time("1970-01-02 00:00:01.5"), Some(86_401_500));
        assert_eq!(parse_time("2026-11-03 04:12:33.1234567"), parse_time("2026-11-03T04:12:33.123Z"));
        assert_eq!(parse_time("2026-11-03T06:12:33+02:00"), parse_time("2026-11-03 04:12:33"));
        assert_eq!(parse_time("2024-02-29 12:00"), Some(days_from_civil(2024, 2, 29) * 86_400_000 + 43_200_000));
        for bad in [
            "",
            "03/11/2026 04:12:33",
            "2026-13-01 00:00:00",
            "2026-02-30 00:00:00",
            "2026-11-03 24:00:00",
            "2026-11-03",
            "2026-11-03 4:12:33",
            "x026-11-03 04:12:33",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
        for ms in [0, 86_401_500, parse_time("2024-02-29 23:59:59.999").unwrap(), -1] {
            assert_eq!(parse_time(&format_time(ms)), Some(ms), "{}", format_time(ms));
        }
        assert_eq!(format_time(parse_time("2024-01-01 04:05:06").unwrap()), "2024-01-01 04:05:06.000");
    }
}
