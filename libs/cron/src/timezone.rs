//! Validated IANA time zone names.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::error::CronError;

/// Time zone used when an alert does not name one.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Seoul";

/// A validated IANA time zone, the zone a schedule's wall-clock times are
/// read in (and the `ScheduleExpressionTimezone` sent to EventBridge
/// Scheduler).
///
/// Names are matched ignoring ASCII case and surrounding whitespace, and kept
/// in the database's canonical spelling (`asia/seoul` → `Asia/Seoul`), so the
/// stored name is always one EventBridge accepts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(Tz);

impl TimeZone {
    /// Looks up an IANA time zone name such as `Asia/Seoul` or `UTC`.
    pub fn parse(name: &str) -> Result<Self, CronError> {
        let trimmed = name.trim();
        if let Ok(tz) = trimmed.parse::<Tz>() {
            return Ok(TimeZone(tz));
        }
        // Case-insensitive fallback; a linear scan of ~600 names is cheap and
        // avoids chrono-tz's build-time `case-insensitive` feature.
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
            .map(|&tz| TimeZone(tz))
            .ok_or_else(|| CronError::UnknownTimeZone {
                name: name.to_owned(),
            })
    }

    /// The zone for date arithmetic.
    pub fn tz(&self) -> Tz {
        self.0
    }

    /// The canonical IANA name, e.g. `Asia/Seoul`.
    pub fn name(&self) -> &str {
        self.0.name()
    }
}

impl Default for TimeZone {
    /// [`DEFAULT_TIME_ZONE`] (Asia/Seoul).
    fn default() -> Self {
        TimeZone(Tz::Asia__Seoul)
    }
}

impl From<Tz> for TimeZone {
    fn from(tz: Tz) -> Self {
        TimeZone(tz)
    }
}

impl FromStr for TimeZone {
    type Err = CronError;

    /// Same as [`TimeZone::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimeZone::parse(s)
    }
}

impl fmt::Display for TimeZone {
    /// Writes the canonical IANA name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TimeZone").field(&self.name()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_time_zone_constant_parses_to_the_default() {
        assert_eq!(TimeZone::parse(DEFAULT_TIME_ZONE), Ok(TimeZone::default()));
        assert_eq!(TimeZone::default().name(), DEFAULT_TIME_ZONE);
    }

    #[test]
    fn names_are_matched_ignoring_case_and_kept_canonical() {
        let zone = TimeZone::parse(" america/new_york ").expect("known zone");
        assert_eq!(zone.name(), "America/New_York");
        assert_eq!(zone.to_string(), "America/New_York");
        assert_eq!(zone.tz(), Tz::America__New_York);
    }

    #[test]
    fn unknown_names_are_rejected_with_an_example() {
        let err = TimeZone::parse("Mars/Olympus").expect_err("not a zone");
        assert_eq!(
            err,
            CronError::UnknownTimeZone {
                name: "Mars/Olympus".to_owned()
            }
        );
        assert!(err.to_string().contains("Asia/Seoul"), "{err}");
        assert!(TimeZone::parse("").is_err(), "empty name is not a zone");
    }
}
