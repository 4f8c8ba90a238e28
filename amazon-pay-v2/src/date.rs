//! `x-amz-pay-date` values: Amazon's documented form `YYYYMMDDTHHMMSSZ` (the PHP, Java and .NET SDKs) and the
//! extended ISO 8601 form `YYYY-MM-DDTHH:MM:SSZ` (the Node SDK) are both read; this crate writes the first.

use amazon_pay_contract::calendar::{civil_from_days, days_from_civil};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch now (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Formats `unix` seconds as `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Formats `unix` seconds as ISO 8601 `YYYY-MM-DDTHH:MM:SS.000Z` (SNS timestamps).
pub fn format_iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Reads `YYYYMMDDTHHMMSSZ` or `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds allowed) into Unix seconds.
pub fn parse_amz_date(value: &str) -> Option<i64> {
    let compact: String = value.chars().filter(|c| *c != '-' && *c != ':').collect();
    let compact = match compact.find('.') {
        Some(dot) if compact.ends_with('Z') => format!("{}Z", &compact[..dot]),
        Some(_) => return None,
        None => compact,
    };
    let b = compact.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = compact.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_round_trip() {
        let t = 1_569_280_748; // 2019-09-23T23:19:08Z, the date in Amazon's signing example
        assert_eq!(format_amz_date(t), "20190923T231908Z");
        assert_eq!(parse_amz_date("20190923T231908Z"), Some(t));
        assert_eq!(parse_amz_date("2019-09-23T23:19:08Z"), Some(t));
        assert_eq!(parse_amz_date("2019-09-23T23:19:08.123Z"), Some(t));
        assert_eq!(format_iso(t), "2019-09-23T23:19:08.000Z");
    }

    #[test]
    fn garbage_is_refused() {
        for bad in ["", "yesterday", "20191323T231908Z", "20190923 231908Z", "2019092AT231908Z", "20190923T231908"] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
