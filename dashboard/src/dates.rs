//! Dates as the merchant reads and types them, in UTC (the server's times are Unix seconds).

use amazon_pay_contract::calendar::{civil_from_days, days_from_civil};

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
