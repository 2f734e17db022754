//! Sizes and rates with units (scenario format 1.1): `"650MB"`, `"2GiB"`, `"1Gbps"`, `"125MB/s"`.
//!
//! A **size** is whole bytes ([`Bytes`]): a number (a decimal fraction allowed, `"1.5KB"`) and a
//! unit, decimal (`B`, `KB` or `kB`, `MB`, `GB`, `TB`: powers of 1000) or binary (`KiB`, `MiB`,
//! `GiB`, `TiB`: powers of 1024), rounded half up to the byte and at most [`MAX_SIZE`]. A
//! **rate** is bytes a millisecond (an `f64`, the unit the engine works in): bits a second
//! (`bps`, `kbps`, `Mbps`, `Gbps`, `Tbps`, also `kbit/s` and `Mb/s`; decimal) or a size unit a
//! second (`"125MB/s"`, `"50MiB/s"`). As with durations, a bare number is never a size or a rate:
//! the user must say which unit they mean. A capital `B` is bytes and a small `b` bits, always:
//! `"100Mb"` is not a size and `"100MBps"` is refused as ambiguous.

use std::fmt;

/// A size in whole bytes.
pub type Bytes = u64;

/// The largest size accepted: 10^12 bytes (1 TB). Content per update or package is megabytes to a
/// few gigabytes; the bound is also the largest value a size distribution draws, so a written
/// size is never silently clamped.
pub const MAX_SIZE: Bytes = super::duration::MAX_DURATION;

/// The slowest rate accepted: one bit a second, in bytes a millisecond.
pub const MIN_RATE: f64 = 1.0 / 8.0 / 1000.0;

/// The fastest rate accepted: 100 Tbps (12.5 TB a second), in bytes a millisecond.
pub const MAX_RATE: f64 = 100.0e12 / 8.0 / 1000.0;

/// Decimal and binary size units: (unit, bytes in one).
const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KB", 1_000),
    ("kB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// The units a size error lists.
const SIZE_UNIT_LIST: &str = "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)";

/// The units a rate error lists.
const RATE_UNIT_LIST: &str =
    "bits a second (bps, kbps, Mbps, Gbps, Tbps) or bytes a second (B/s, KB/s, MB/s, GB/s, MiB/s, …)";

/// Bytes in one of a size unit, if it is one.
fn size_unit(unit: &str) -> Option<u64> {
    SIZE_UNITS.iter().find(|(u, _)| *u == unit).map(|(_, bytes)| *bytes)
}

/// Bits in one of a bit unit written without `ps` or `/s` (`k`, `M`, `Gbit`, `Mb`…), if it is one;
/// the prefix may be in either case.
fn bit_unit(unit: &str) -> Option<f64> {
    let prefix = unit.strip_suffix("bit").or_else(|| unit.strip_suffix('b'))?;
    Some(match prefix {
        "" => 1.0,
        "k" | "K" => 1.0e3,
        "m" | "M" => 1.0e6,
        "g" | "G" => 1.0e9,
        "t" | "T" => 1.0e12,
        _ => return None,
    })
}

/// A number and a unit, split: `"1.5 GB"` → (`"1"`, `"5"`, `"GB"`).
struct Parts<'t> {
    int: &'t str,
    frac: &'t str,
    unit: &'t str,
}

/// Splits `text` (already trimmed, not empty) into a number and a unit; `what` names the kind of
/// value in messages and `example` is one written well.
fn split<'t>(text: &'t str, shown: &str, what: &str, example: &str) -> Result<Parts<'t>, String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let int = &text[..i];
    let mut frac = "";
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        frac = &text[start..i];
    }
    if int.is_empty() && frac.is_empty() {
        return Err(format!("{what} \"{shown}\" is not understood: expected a number then a unit, e.g. {example}"));
    }
    let unit = text[i..].trim_start();
    Ok(Parts { int, frac, unit })
}

/// Parses a size such as `"650MB"`, `"1.2GB"`, `"512MiB"`, `"1.5KB"` or `"0B"` into bytes.
///
/// Decimal units are powers of 1000 (`KB` may be written `kB`), binary ones powers of 1024; a
/// space may stand between the number and the unit; a fraction is rounded half up to the whole
/// byte. A bare number, a negative size, a bit unit (`"100Mb"`) or a size over [`MAX_SIZE`] is
/// an error; errors are sentences ready to show the user.
///
/// ```
/// use patchsim::scenario::size::parse_size;
/// assert_eq!(parse_size("650MB"), Ok(650_000_000));
/// assert_eq!(parse_size("2GiB"), Ok(2 << 30));
/// assert_eq!(parse_size("1.5KB"), Ok(1_500));
/// assert!(parse_size("650").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<Bytes, String> {
    let trimmed = text.trim();
    let example = "\"650MB\" or \"2GiB\"";
    if trimmed.is_empty() {
        return Err(format!("empty size: write it with a unit, e.g. {example}"));
    }
    if trimmed.starts_with('-') {
        return Err(format!("size \"{text}\" is negative; sizes are 0B or more"));
    }
    let Parts { int, frac, unit } = split(trimmed, text, "size", example)?;
    let number = trimmed[..trimmed.len() - unit.len()].trim_end();
    let one = match size_unit(unit) {
        Some(one) => one,
        None if unit.is_empty() => {
            return Err(format!(
                "size \"{text}\" has no unit after {number}: write \"{number}MB\" for megabytes or \"{number}GiB\" for gibibytes"
            ));
        }
        None if bit_unit(unit).is_some() => {
            return Err(format!(
                "size \"{text}\": \"{unit}\" is bits; a size is bytes, written with a capital B (\"{number}{}B\")",
                unit.trim_end_matches("bit").trim_end_matches('b').to_ascii_uppercase()
            ));
        }
        None => return Err(format!("size \"{text}\" has an unknown unit \"{unit}\": use {SIZE_UNIT_LIST}")),
    };
    let absurd = || format!("size \"{text}\" is absurdly large (at most 1TB)");
    if int.len() > 20 || frac.len() > 12 {
        return Err(if int.len() > 20 { absurd() } else { format!("size \"{text}\" is too precise") });
    }
    let int_value: u128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| absurd())? };
    let frac_digits: u128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| absurd())? };
    let scale = 10u128.pow(frac.len() as u32);
    let one = u128::from(one);
    // Whole bytes of the integer part, then the fraction's bytes rounded half up.
    let whole = int_value.checked_mul(one).ok_or_else(absurd)?;
    if whole > u128::from(MAX_SIZE) {
        return Err(absurd());
    }
    let total = whole + (frac_digits * one + scale / 2) / scale;
    if total > u128::from(MAX_SIZE) {
        return Err(absurd());
    }
    Ok(total as Bytes)
}

/// Parses a rate such as `"1Gbps"`, `"100Mbps"`, `"10kbps"` (bits a second, decimal) or
/// `"125MB/s"`, `"50MiB/s"` (bytes a second) into bytes a millisecond.
///
/// Bit units take their prefix in either case (`"1gbps"`) and may be written `kbit/s` or
/// `Mb/s`; byte units are the size units ([`parse_size`]) followed by `/s`. `"MBps"` is refused
/// as ambiguous. The rate must be at least [`MIN_RATE`] (1 bit a second) and at most
/// [`MAX_RATE`] (100 Tbps).
///
/// ```
/// use patchsim::scenario::size::parse_rate;
/// assert_eq!(parse_rate("1Gbps"), Ok(125_000.0));
/// assert_eq!(parse_rate("125MB/s"), Ok(125_000.0));
/// assert!(parse_rate("100").is_err());
/// ```
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let example = "\"1Gbps\" or \"125MB/s\"";
    if trimmed.is_empty() {
        return Err(format!("empty rate: write it with a unit, e.g. {example}"));
    }
    if trimmed.starts_with('-') {
        return Err(format!("rate \"{text}\" is negative; a rate is more than 0"));
    }
    let Parts { int, frac, unit } = split(trimmed, text, "rate", example)?;
    let number = trimmed[..trimmed.len() - unit.len()].trim_end();
    // Bytes a second in one of the unit.
    let per_second: f64 = if let Some(base) = unit.strip_suffix("/s") {
        match (size_unit(base), bit_unit(base)) {
            (Some(bytes), _) => bytes as f64,
            (None, Some(bits)) => bits / 8.0,
            (None, None) => {
                return Err(format!("rate \"{text}\" has an unknown unit \"{unit}\": use {RATE_UNIT_LIST}"));
            }
        }
    } else if let Some(prefix) = unit.strip_suffix("bps") {
        match bit_unit(&format!("{prefix}b")) {
            Some(bits) => bits / 8.0,
            None => return Err(format!("rate \"{text}\" has an unknown unit \"{unit}\": use {RATE_UNIT_LIST}")),
        }
    } else if unit.ends_with("Bps") {
        return Err(format!(
            "rate \"{text}\": \"{unit}\" is read as bytes by some and bits by others; write \"{number}{}/s\" for bytes a second or \"{number}{}bps\" for bits",
            unit.trim_end_matches("Bps").to_owned() + "B",
            unit.trim_end_matches("Bps")
        ));
    } else if unit.is_empty() {
        return Err(format!(
            "rate \"{text}\" has no unit after {number}: write \"{number}Mbps\" for megabits a second or \"{number}MB/s\" for megabytes a second"
        ));
    } else if size_unit(unit).is_some() || bit_unit(unit).is_some() {
        return Err(format!("rate \"{text}\" is an amount, not a rate: write it a second, e.g. \"{number}{unit}/s\""));
    } else {
        return Err(format!("rate \"{text}\" has an unknown unit \"{unit}\": use {RATE_UNIT_LIST}"));
    };
    if int.len() > 15 || frac.len() > 9 {
        return Err(format!("rate \"{text}\" is too long or too precise"));
    }
    let value: f64 = number.parse().map_err(|_| format!("rate \"{text}\" is not understood"))?;
    let rate = value * per_second / 1000.0;
    if rate <= 0.0 {
        return Err(format!("rate \"{text}\" is 0; a rate is more than 0"));
    }
    if rate < MIN_RATE {
        return Err(format!("rate \"{text}\" is below 1 bit a second"));
    }
    if rate > MAX_RATE {
        return Err(format!("rate \"{text}\" is absurdly fast (at most 100Tbps)"));
    }
    Ok(rate)
}

/// A number with at most three decimals and no trailing zeros, when that is exact: `1000 × x`
/// whole.
fn exact3(whole: u64, one: u64) -> Option<String> {
    let thousandths = u128::from(whole) * 1000;
    if !thousandths.is_multiple_of(u128::from(one)) {
        return None;
    }
    let t = thousandths / u128::from(one);
    let (int, frac) = (t / 1000, t % 1000);
    Some(if frac == 0 { int.to_string() } else { format!("{int}.{}", format!("{frac:03}").trim_end_matches('0')) })
}

/// A size in bytes that displays as a size string a scenario accepts, exactly: `"650MB"`,
/// `"1.2GB"`, `"512MiB"`, `"1.5KB"`, `"0B"`.
///
/// ```
/// use patchsim::scenario::size::SizeDisplay;
/// assert_eq!(SizeDisplay(650_000_000).to_string(), "650MB");
/// assert_eq!(SizeDisplay(512 << 20).to_string(), "512MiB");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeDisplay(pub Bytes);

impl fmt::Display for SizeDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        // Megabytes and up when three decimals show the size exactly, else the largest binary
        // unit that divides it, else kilobytes (always exact in three decimals), else bytes.
        for (unit, one) in [("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000)] {
            if b >= one
                && let Some(text) = exact3(b, one)
            {
                return write!(f, "{text}{unit}");
            }
        }
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            if b >= 1 << shift && b.is_multiple_of(1 << shift) {
                return write!(f, "{}{unit}", b >> shift);
            }
        }
        if b >= 1_000
            && let Some(text) = exact3(b, 1_000)
        {
            return write!(f, "{text}KB");
        }
        write!(f, "{b}B")
    }
}

/// A rate in bytes a millisecond that displays in bits a second, as people write link speeds:
/// `"1Gbps"`, `"100Mbps"`, `"12.5kbps"` (three significant decimals at most).
///
/// ```
/// use patchsim::scenario::size::RateDisplay;
/// assert_eq!(RateDisplay(125_000.0).to_string(), "1Gbps");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateDisplay(pub f64);

impl fmt::Display for RateDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = self.0 * 8.0 * 1000.0;
        let (value, unit) = [(1.0e12, "Tbps"), (1.0e9, "Gbps"), (1.0e6, "Mbps"), (1.0e3, "kbps")]
            .into_iter()
            .find(|(one, _)| bits >= *one)
            .map_or((bits, "bps"), |(one, unit)| (bits / one, unit));
        write!(f, "{}{unit}", super::overrides::number_text(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_decimal_and_binary_units() {
        assert_eq!(parse_size("0B"), Ok(0));
        assert_eq!(parse_size("650MB"), Ok(650_000_000));
        assert_eq!(parse_size("1.2GB"), Ok(1_200_000_000));
        assert_eq!(parse_size("500KB"), Ok(500_000));
        assert_eq!(parse_size("500kB"), Ok(500_000));
        assert_eq!(parse_size("512MiB"), Ok(536_870_912));
        assert_eq!(parse_size("2GiB"), Ok(2_147_483_648));
        assert_eq!(parse_size("1TB"), Ok(MAX_SIZE));
        assert_eq!(parse_size(" 650 MB "), Ok(650_000_000));
        assert_eq!(parse_size("17B"), Ok(17));
        assert_eq!(parse_size(".5KB"), Ok(500));
    }

    #[test]
    fn size_fractions_round_half_up_to_whole_bytes() {
        assert_eq!(parse_size("1.5KB"), Ok(1_500));
        assert_eq!(parse_size("1.5KiB"), Ok(1_536));
        assert_eq!(parse_size("0.5B"), Ok(1));
        assert_eq!(parse_size("0.4B"), Ok(0));
        assert_eq!(parse_size("1.0001KB"), Ok(1_000));
        assert_eq!(parse_size("1.0005KB"), Ok(1_001));
        assert_eq!(parse_size("0.1KiB"), Ok(102));
    }

    #[test]
    fn sizes_refuse_what_a_user_might_mistype() {
        for bad in ["", "650", "-5MB", "5XB", "MB", "1..5MB", "5 M B", "5mb", "5Mb", "5 bytes", "1GB 200MB"] {
            assert!(parse_size(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            parse_size("650").unwrap_err(),
            "size \"650\" has no unit after 650: write \"650MB\" for megabytes or \"650GiB\" for gibibytes"
        );
        assert_eq!(parse_size("-5MB").unwrap_err(), "size \"-5MB\" is negative; sizes are 0B or more");
        assert_eq!(
            parse_size("100Mb").unwrap_err(),
            "size \"100Mb\": \"Mb\" is bits; a size is bytes, written with a capital B (\"100MB\")"
        );
        assert_eq!(
            parse_size("5XB").unwrap_err(),
            "size \"5XB\" has an unknown unit \"XB\": use B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)"
        );
    }

    #[test]
    fn huge_sizes_are_errors_not_overflows() {
        assert_eq!(
            parse_size("1.000000000001TB").unwrap_err(),
            "size \"1.000000000001TB\" is absurdly large (at most 1TB)"
        );
        assert!(parse_size("2TB").is_err());
        assert!(parse_size("1000GiB").is_err(), "1000 GiB is more than 10^12 bytes");
        assert!(parse_size("18446744073709551616B").is_err(), "one more than u64::MAX");
        assert!(parse_size("99999999999999999999TiB").is_err());
        assert!(parse_size("999999999999999999999999999999B").is_err());
        assert!(parse_size("1.0000000000001KB").unwrap_err().contains("too precise"));
    }

    #[test]
    fn rates_are_bytes_a_millisecond() {
        assert_eq!(parse_rate("1Gbps"), Ok(125_000.0));
        assert_eq!(parse_rate("125MB/s"), Ok(125_000.0));
        assert_eq!(parse_rate("100Mbps"), Ok(12_500.0));
        assert_eq!(parse_rate("10kbps"), Ok(1.25));
        assert_eq!(parse_rate("10Kbps"), Ok(1.25));
        assert_eq!(parse_rate("1gbps"), Ok(125_000.0));
        assert_eq!(parse_rate("1 Gbps"), Ok(125_000.0));
        assert_eq!(parse_rate("1Gbit/s"), Ok(125_000.0));
        assert_eq!(parse_rate("1Gb/s"), Ok(125_000.0));
        assert_eq!(parse_rate("8bps"), Ok(0.001));
        assert_eq!(parse_rate("1000B/s"), Ok(1.0));
        assert_eq!(parse_rate("500KB/s"), Ok(500.0));
        assert_eq!(parse_rate("1GB/s"), Ok(1_000_000.0));
        assert_eq!(parse_rate("1MiB/s"), Ok(1_048.576));
        assert_eq!(parse_rate("2.5Gbps"), Ok(312_500.0));
    }

    #[test]
    fn rates_refuse_what_a_user_might_mistype() {
        for bad in ["", "100", "0Mbps", "-1Gbps", "1Xbps", "1MBps", "125MB", "1Gb", "1Mibps", "Gbps", "0.0001bps"] {
            assert!(parse_rate(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            parse_rate("100").unwrap_err(),
            "rate \"100\" has no unit after 100: write \"100Mbps\" for megabits a second or \"100MB/s\" for megabytes a second"
        );
        assert_eq!(parse_rate("0Mbps").unwrap_err(), "rate \"0Mbps\" is 0; a rate is more than 0");
        assert_eq!(
            parse_rate("125MBps").unwrap_err(),
            "rate \"125MBps\": \"MBps\" is read as bytes by some and bits by others; write \"125MB/s\" for bytes a second or \"125Mbps\" for bits"
        );
        assert_eq!(
            parse_rate("125MB").unwrap_err(),
            "rate \"125MB\" is an amount, not a rate: write it a second, e.g. \"125MB/s\""
        );
        assert!(parse_rate("101Tbps").unwrap_err().contains("absurdly fast"));
        assert!(parse_rate("99999999999999999999Gbps").is_err());
    }

    #[test]
    fn sizes_and_rates_display_as_they_are_written() {
        for (bytes, text) in [
            (0, "0B"),
            (17, "17B"),
            (1_500, "1.5KB"),
            (650_000_000, "650MB"),
            (1_200_000_000, "1.2GB"),
            (536_870_912, "512MiB"),
            (2_147_483_648, "2GiB"),
            (1_536, "1.536KB"),
            (1_234_567, "1234.567KB"),
            (123_456_789_123, "123456789.123KB"),
            (1_048_577, "1048.577KB"),
            (1_000_000_000_000, "1TB"),
        ] {
            assert_eq!(SizeDisplay(bytes).to_string(), text, "{bytes}");
            assert_eq!(parse_size(text), Ok(bytes), "{text} reads back");
        }
        assert_eq!(SizeDisplay(1_073_741_825).to_string(), "1073741.825KB");
        assert_eq!(SizeDisplay(2_048).to_string(), "2KiB");
        assert_eq!(SizeDisplay(999).to_string(), "999B");
        assert_eq!(RateDisplay(125_000.0).to_string(), "1Gbps");
        assert_eq!(RateDisplay(12_500.0).to_string(), "100Mbps");
        assert_eq!(RateDisplay(1.25).to_string(), "10kbps");
        assert_eq!(RateDisplay(1_048.576).to_string(), "8.389Mbps");
        assert_eq!(RateDisplay(0.001).to_string(), "8bps");
    }
}
