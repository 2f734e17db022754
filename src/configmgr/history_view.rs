//! The execution-history view (`vSMS_TaskSequenceExecutionStatus`): its columns, and its
//! `ExecutionTime` as the view writes it, with the calendar arithmetic behind it. Reading the
//! times exports of it hold, in whichever format the exporting tool wrote them, is
//! [`crate::input::TimeFormat`]'s.

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
    fn writes_the_view_s_times_and_counts_days_both_ways() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00.000");
        assert_eq!(format_time(86_401_500), "1970-01-02 00:00:01.500");
        assert_eq!(format_time(-1), "1969-12-31 23:59:59.999");
        assert_eq!(format_time(days_from_civil(2024, 2, 29) * 86_400_000 + 43_200_000), "2024-02-29 12:00:00.000");
        for days in [-719_468, -1, 0, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }
}
