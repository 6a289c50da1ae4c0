//! Fire times: when a schedule fires in a time zone, following EventBridge
//! Scheduler's daylight-saving rule.
//!
//! The schedule is read on the zone's local wall clock. EventBridge
//! Scheduler skips a fire time that does not exist (the spring-forward gap)
//! and fires only once for a time that occurs twice (the repeated fall-back
//! hour), at its first occurrence. Computing fire times the same way keeps the
//! preview and the local scheduler in step with what EventBridge will do.

use chrono::{DateTime, Datelike, MappedLocalTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;

use crate::schedule::CronSchedule;

/// How many days ahead to look before giving up. Nine years covers the
/// longest possible gap, `29 2` across a non-leap century year (2096 → 2104).
const SEARCH_DAYS: u64 = 9 * 366;

impl CronSchedule {
    /// Next fire strictly after `after`, in time zone `tz`, with EventBridge's
    /// DST rule: local times in the spring-forward gap are skipped, local
    /// times in the repeated fall-back hour fire once, at their first
    /// (earlier) occurrence.
    ///
    /// Returns `None` if nothing fires within about nine years (only possible
    /// near the end of chrono's date range, since parsing rejects schedules
    /// that never fire).
    pub fn next_after(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_timezone(&tz).date_naive();
        let limit = start
            .checked_add_days(chrono::Days::new(SEARCH_DAYS))
            .unwrap_or(NaiveDate::MAX);
        let mut date = start;
        while date <= limit {
            if !self.months.contains(month_of(date)) {
                // Skip the whole month rather than testing each of its days.
                date = first_of_next_month(date)?;
                continue;
            }
            if self.day_matches(date)
                && let Some(fire) = self.first_fire_on(tz, date, after, date == start)
            {
                return Some(fire);
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Iterator of fire times strictly after `after`, in ascending order
    /// (each is [`CronSchedule::next_after`] the previous one). Ends only if
    /// `next_after` gives up.
    pub fn fires_after(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let mut cursor = Some(after);
        std::iter::from_fn(move || {
            let next = self.next_after(tz, cursor.take()?);
            cursor = next;
            next
        })
    }

    /// Whether the schedule fires on `date` (month already checked). Only one
    /// of the day fields is restricted; the other is full and always matches,
    /// so AND-ing them is the restricted field's test.
    fn day_matches(&self, date: NaiveDate) -> bool {
        let day = u8::try_from(date.day()).unwrap_or(u8::MAX);
        let weekday = u8::try_from(date.weekday().num_days_from_sunday()).unwrap_or(u8::MAX);
        self.days_of_month.contains(day) && self.days_of_week.contains(weekday)
    }

    /// The earliest fire on local `date` that is after `after`.
    ///
    /// Relies on the local → UTC mapping (taking the earliest occurrence)
    /// being increasing, which holds for real time zone transitions; so the
    /// first candidate in wall-clock order is the earliest in UTC.
    fn first_fire_on(
        &self,
        tz: Tz,
        date: NaiveDate,
        after: DateTime<Utc>,
        is_start_day: bool,
    ) -> Option<DateTime<Utc>> {
        let last_minute = self.minutes.last()?;
        for hour in self.hours.iter() {
            // On the day of `after`, skip whole hours already past: if the
            // hour's last fire is not after `after`, none of its fires are.
            if is_start_day
                && let Some(last) = fire_time(tz, date, hour, last_minute)
                && last <= after
            {
                continue;
            }
            for minute in self.minutes.iter() {
                if let Some(fire) = fire_time(tz, date, hour, minute)
                    && fire > after
                {
                    return Some(fire);
                }
            }
        }
        None
    }
}

/// The UTC instant of local `date hour:minute` in `tz` under EventBridge's
/// rule: `None` in a spring-forward gap, the first occurrence in a repeated
/// fall-back hour.
fn fire_time(tz: Tz, date: NaiveDate, hour: u8, minute: u8) -> Option<DateTime<Utc>> {
    let local = date.and_hms_opt(u32::from(hour), u32::from(minute), 0)?;
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) | MappedLocalTime::Ambiguous(t, _) => {
            Some(t.with_timezone(&Utc))
        }
        MappedLocalTime::None => None,
    }
}

fn month_of(date: NaiveDate) -> u8 {
    u8::try_from(date.month()).unwrap_or(u8::MAX)
}

fn first_of_next_month(date: NaiveDate) -> Option<NaiveDate> {
    if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year().checked_add(1)?, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("bad test instant {text}: {e}"))
            .with_timezone(&Utc)
    }

    fn schedule(expression: &str) -> CronSchedule {
        CronSchedule::parse(expression)
            .unwrap_or_else(|e| panic!("`{expression}` should parse: {e}"))
    }

    #[test]
    fn next_fire_is_strictly_after_the_given_instant() {
        let s = schedule("0 8 * * *");
        assert_eq!(
            s.next_after(Tz::UTC, utc("2026-01-01T08:00:00Z")),
            Some(utc("2026-01-02T08:00:00Z"))
        );
        assert_eq!(
            s.next_after(Tz::UTC, utc("2026-01-01T07:59:59Z")),
            Some(utc("2026-01-01T08:00:00Z"))
        );
    }

    #[test]
    fn months_without_a_match_are_skipped() {
        let s = schedule("0 0 1 6 *");
        assert_eq!(
            s.next_after(Tz::UTC, utc("2026-06-01T00:00:00Z")),
            Some(utc("2027-06-01T00:00:00Z"))
        );
    }

    #[test]
    fn leap_day_is_found_across_a_non_leap_century() {
        let s = schedule("0 0 29 2 *");
        assert_eq!(
            s.next_after(Tz::UTC, utc("2096-03-01T00:00:00Z")),
            Some(utc("2104-02-29T00:00:00Z"))
        );
    }

    #[test]
    fn iterator_ends_when_no_more_fires_can_be_found() {
        let s = schedule("0 0 * * *");
        let near_the_end = NaiveDate::MAX
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .expect("representable");
        assert_eq!(s.fires_after(Tz::UTC, near_the_end).count(), 0);
    }
}
