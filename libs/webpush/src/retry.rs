//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Parses a `Retry-After` value relative to `now`. A date in the past gives
/// zero; an unparsable value gives `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let when: SystemTime = parse_http_date(value)?.into();
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms recipients must also accept.
fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    let collapsed = value.split_whitespace().collect::<Vec<_>>().join(" ");
    for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&collapsed, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// 1994-11-06T08:49:37Z
    const DATE: u64 = 784_111_777;

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(DATE - 120);
        let two_min = Some(Duration::from_secs(120));
        let cases: &[(&str, Option<Duration>)] = &[
            ("0", Some(Duration::ZERO)),
            ("5", Some(Duration::from_secs(5))),
            (" 3600 ", Some(Duration::from_secs(3600))),
            ("Sun, 06 Nov 1994 08:49:37 GMT", two_min),
            ("Sunday, 06-Nov-94 08:49:37 GMT", two_min),
            ("Sun Nov  6 08:49:37 1994", two_min),
            ("", None),
            ("-5", None),
            ("1.5", None),
            ("soon", None),
            ("99999999999999999999999", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_retry_after(value, now), *expected, "{value:?}");
        }
    }

    #[test]
    fn past_dates_mean_now() {
        let now = UNIX_EPOCH + Duration::from_secs(DATE + 10);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
    }
}
