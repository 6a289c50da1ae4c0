//! RFC 3339 timestamps on the wire, Unix milliseconds in the databases (portable across
//! PostgreSQL and SQLite, and sortable).

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

pub fn to_rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn from_millis(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn millis_to_rfc3339(millis: i64) -> String {
    to_rfc3339(from_millis(millis))
}

/// Parses an RFC 3339 timestamp; the error text is meant for the user.
pub fn parse_rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{value:?} is not an RFC 3339 timestamp such as 2026-11-27T08:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_millis() {
        let time = parse_rfc3339("2026-03-08T07:30:00.250Z").unwrap();
        assert_eq!(from_millis(time.timestamp_millis()), time);
        assert_eq!(to_rfc3339(time), "2026-03-08T07:30:00.250Z");
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let time = parse_rfc3339("2026-11-27T08:00:00+09:00").unwrap();
        assert_eq!(to_rfc3339(time), "2026-11-26T23:00:00.000Z");
        assert!(parse_rfc3339("tomorrow").is_err());
    }
}
