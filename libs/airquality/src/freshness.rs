//! How long a cached answer stays good (see docs/decisions/0009-air-quality-cache.md).
//!
//! AirKorea labels an hourly average by the hour it ends ("13:00" is 12:00–13:00 KST) and
//! publishes it a little after that hour. So once we hold the reading labelled H, the next one
//! (H+1) is expected shortly after H+1:00: we keep ours until then plus a publishing margin.

use chrono::{DateTime, Duration, FixedOffset, Utc};

/// How long after the hour AirKorea has usually published that hour's average.
pub const PUBLISH_MARGIN: Duration = Duration::minutes(15);
/// When the next hour is late (past its expected time, or the station lags), look again this
/// often rather than on every call.
pub const LATE_RECHECK: Duration = Duration::minutes(5);
/// No measurement is kept longer than this, whatever its label says (a clock far off, a label
/// in the future).
pub const MAX_MEASUREMENT_AGE: Duration = Duration::minutes(75);
/// The station list changes a few times a year.
pub const STATION_LIST_TTL: Duration = Duration::hours(24);
/// A quota or key failure holds for every station: short, so a fixed key or a new day is seen
/// soon, but long enough that a burst of alerts does not spend the rest of the quota.
pub const KEY_FAILURE_TTL: Duration = Duration::seconds(60);
/// An unknown station stays unknown; a short memory keeps a mistyped alert from spending quota.
pub const UNKNOWN_STATION_TTL: Duration = Duration::minutes(5);

/// Until when a measurement labelled `measured_at` is the newest one there is, seen at `now`.
pub fn measurement_fresh_until(
    measured_at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let next_expected = measured_at.with_timezone(&Utc) + Duration::hours(1) + PUBLISH_MARGIN;
    if next_expected > now {
        next_expected.min(now + MAX_MEASUREMENT_AGE)
    } else {
        now + LATE_RECHECK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measurement::parse_data_time;

    fn at(kst: &str) -> DateTime<Utc> {
        parse_data_time(kst).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_reading_is_kept_until_the_next_hour_is_expected() {
        let measured_at = parse_data_time("2024-05-01 08:00").unwrap();
        // Fetched at 08:20, just after it appeared: good until 09:15.
        assert_eq!(
            measurement_fresh_until(measured_at, at("2024-05-01 08:20")),
            at("2024-05-01 09:15")
        );
    }

    #[test]
    fn a_late_next_hour_is_looked_for_every_few_minutes() {
        let measured_at = parse_data_time("2024-05-01 08:00").unwrap();
        let now = at("2024-05-01 09:16");
        assert_eq!(
            measurement_fresh_until(measured_at, now),
            now + LATE_RECHECK
        );
        let stale_station = at("2024-05-01 14:00");
        assert_eq!(
            measurement_fresh_until(measured_at, stale_station),
            stale_station + LATE_RECHECK
        );
    }

    #[test]
    fn a_label_in_the_future_is_not_kept_for_long() {
        let measured_at = parse_data_time("2024-05-01 12:00").unwrap();
        let now = at("2024-05-01 08:00");
        assert_eq!(
            measurement_fresh_until(measured_at, now),
            now + MAX_MEASUREMENT_AGE
        );
    }

    #[test]
    fn a_24_00_label_expects_the_01_00_reading() {
        let measured_at = parse_data_time("2024-05-01 24:00").unwrap();
        assert_eq!(
            measurement_fresh_until(measured_at, at("2024-05-02 00:20")),
            at("2024-05-02 01:15")
        );
    }
}
