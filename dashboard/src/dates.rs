//! Dates as the merchant reads and types them, in UTC (the server's times are Unix seconds).

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` (an `<input type="date">`'s value) as Unix seconds at 00:00 UTC; `None` if it is not one.
pub(crate) fn day_start(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?.parse::<i64>().ok()?, parts.next()?.parse::<i64>().ok()?, parts.next()?.parse::<i64>().ok()?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400)
}

/// Unix seconds as `2026-12-06 04:05 UTC`.
pub(crate) fn format(seconds: i64) -> String {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

/// Unix milliseconds as `2026-12-06 04:05:06 UTC`.
pub(crate) fn format_ms(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let base = format(seconds);
    let (day_time, utc) = base.rsplit_once(' ').unwrap_or((&base, ""));
    format!("{day_time}:{:02} {utc}", seconds.rem_euclid(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-12-06"), Some(1_796_515_200));
        assert_eq!(day_start("2024-02-29").map(|s| s / 86_400), Some(19_782));
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "yesterday", "", "2026-1"] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
        assert_eq!(format(1_796_515_200 + 3600 + 120), "2026-12-06 01:02 UTC");
        assert_eq!(format_ms(1_796_515_200_000 + 61_500), "2026-12-06 00:01:01 UTC");
    }
}
