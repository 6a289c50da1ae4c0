//! The parsed cron schedule: parsing, canonical form and interval analysis.

use std::fmt;
use std::str::FromStr;

use crate::error::{CronError, CronField};
use crate::field::{FieldSet, parse_field};

/// A validated 5-field unix cron expression, stored as one set of values per
/// field.
///
/// This is the single parsed form shared by alert validation, the "next runs"
/// preview, the local scheduler and the EventBridge Scheduler conversion, so
/// all of them agree on what a schedule means. Two spellings of the same
/// schedule (`0 8 * * 1-5`, `00 08 * * mon-fri`) parse to equal values.
///
/// At most one of day-of-month and day-of-week is restricted (see
/// [`CronError::BothDaysRestricted`]), so a day matches when its month matches
/// and the restricted day field (if any) matches.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CronSchedule {
    pub(crate) minutes: FieldSet,
    pub(crate) hours: FieldSet,
    pub(crate) days_of_month: FieldSet,
    pub(crate) months: FieldSet,
    /// Unix numbering, 0 = Sunday .. 6 = Saturday.
    pub(crate) days_of_week: FieldSet,
}

/// Longest month length for each month (February counted as 29 so that
/// `29 2` is allowed: it fires in leap years).
const MAX_DAYS_IN_MONTH: [u8; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

impl CronSchedule {
    /// Parses a 5-field unix cron expression (`minute hour day-of-month month
    /// day-of-week`) or one of the macros `@hourly`, `@daily`, `@midnight`,
    /// `@weekly`, `@monthly`, `@yearly`, `@annually`.
    ///
    /// Rejects what EventBridge Scheduler could not run the same way: seconds
    /// or year fields, Quartz extensions (`L`, `W`, `#`), `@reboot`, both day
    /// fields restricted, and day/month combinations that never occur.
    pub fn parse(expression: &str) -> Result<Self, CronError> {
        let trimmed = expression.trim();
        if trimmed.is_empty() {
            return Err(CronError::Empty);
        }
        let expanded;
        let source = if trimmed.starts_with('@') {
            expanded = expand_macro(trimmed)?;
            expanded
        } else {
            trimmed
        };

        let fields: Vec<&str> = source.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = fields[..] else {
            return Err(match fields.len() {
                count @ (6 | 7) => CronError::SecondsOrYearField { count },
                count => CronError::WrongFieldCount { count },
            });
        };

        let schedule = CronSchedule {
            minutes: parse_field(CronField::Minute, minute)?,
            hours: parse_field(CronField::Hour, hour)?,
            days_of_month: parse_field(CronField::DayOfMonth, dom)?,
            months: parse_field(CronField::Month, month)?,
            days_of_week: parse_field(CronField::DayOfWeek, dow)?,
        };

        if schedule.day_of_month_restricted() && schedule.day_of_week_restricted() {
            return Err(CronError::BothDaysRestricted {
                day_of_month: dom.to_owned(),
                day_of_week: dow.to_owned(),
            });
        }
        // Unix cron ORs the day fields unless one is written as a wildcard; a field that merely
        // covers every day (`1-31`) would make that OR fire every day.
        for (full_field, full_text, full, other_field, other_text, other_restricted) in [
            (
                CronField::DayOfMonth,
                dom,
                !schedule.day_of_month_restricted(),
                CronField::DayOfWeek,
                dow,
                schedule.day_of_week_restricted(),
            ),
            (
                CronField::DayOfWeek,
                dow,
                !schedule.day_of_week_restricted(),
                CronField::DayOfMonth,
                dom,
                schedule.day_of_month_restricted(),
            ),
        ] {
            if full && other_restricted && !matches!(full_text, "*" | "?") {
                return Err(CronError::AmbiguousFullDayField {
                    full_field,
                    full_text: full_text.to_owned(),
                    other_field,
                    other_text: other_text.to_owned(),
                });
            }
        }
        if !schedule.some_day_exists() {
            return Err(CronError::NeverFires {
                day_of_month: dom.to_owned(),
                month: month.to_owned(),
            });
        }
        Ok(schedule)
    }

    /// Canonical spelling: equivalent spellings give the same string.
    ///
    /// Per field: `*` when every value matches, otherwise a sorted comma list
    /// with runs of three or more consecutive values written `a-b`. Months and
    /// days of the week are numbers, Sunday is `0`. `parse(normalized())`
    /// gives back an equal schedule, so the string can be used as a key
    /// (e.g. to bucket alerts that share a schedule).
    pub fn normalized(&self) -> String {
        let number = |v: u8| v.to_string();
        format!(
            "{} {} {} {} {}",
            self.minutes.render(CronField::Minute, number),
            self.hours.render(CronField::Hour, number),
            self.days_of_month.render(CronField::DayOfMonth, number),
            self.months.render(CronField::Month, number),
            self.days_of_week.render(CronField::DayOfWeek, number),
        )
    }

    /// Smallest gap between two consecutive fire times, in minutes, measured
    /// on the local wall clock.
    ///
    /// The fire times of a day are every (hour, minute) pair of the hour and
    /// minute sets. The result is the smallest of:
    /// - the gap between consecutive minute values within an hour;
    /// - from the last minute of an hour to the first minute of the next
    ///   hour in the set (`60 * hour gap - last minute + first minute`);
    /// - from the last fire of a day to the first fire of the next day, as if
    ///   the next day always fires.
    ///
    /// The last rule ignores day-of-month, month and day-of-week, so the value
    /// may under-estimate (e.g. `0 8 * * 1` gives 1440, not a week) but never
    /// over-estimates wall-clock gaps. Examples: `*/5 * * * *` → 5,
    /// `0 * * * *` → 60, `0,3 8 * * *` → 3, `58 8,9 * * *` → 60,
    /// `0 8 * * *` → 1440.
    ///
    /// Caveat: on a spring-forward day the skipped hour makes the real gap
    /// between the fires around it shorter than on the wall clock (by the DST
    /// shift, usually 60 minutes); e.g. `0,59 1,3 * * *` fires at 01:59 and
    /// 03:00 local one minute apart in America/New_York on 2026-03-08.
    pub fn min_interval_minutes(&self) -> u32 {
        let minutes: Vec<u32> = self.minutes.iter().map(u32::from).collect();
        let hours: Vec<u32> = self.hours.iter().map(u32::from).collect();
        let (Some(&first_minute), Some(&last_minute)) = (minutes.first(), minutes.last()) else {
            return 0; // unreachable: parsing never yields an empty set
        };
        let (Some(&first_hour), Some(&last_hour)) = (hours.first(), hours.last()) else {
            return 0;
        };

        let within_hour = minutes.windows(2).map(|w| w[1] - w[0]);
        let across_hours = hours
            .windows(2)
            .map(|w| 60 * (w[1] - w[0]) + first_minute - last_minute);
        let across_days = 60 * (24 + first_hour - last_hour) + first_minute - last_minute;

        within_hour.chain(across_hours).fold(across_days, u32::min)
    }

    /// Whether day-of-month restricts the days (is not `*`, `?` or `1-31`).
    pub(crate) fn day_of_month_restricted(&self) -> bool {
        !self.days_of_month.is_full(CronField::DayOfMonth)
    }

    /// Whether day-of-week restricts the days (is not `*`, `?` or `0-6`).
    pub(crate) fn day_of_week_restricted(&self) -> bool {
        !self.days_of_week.is_full(CronField::DayOfWeek)
    }

    /// Whether some selected month has some selected day of the month.
    fn some_day_exists(&self) -> bool {
        self.months.iter().any(|month| {
            let days = MAX_DAYS_IN_MONTH[usize::from(month - 1)];
            self.days_of_month.iter().any(|day| day <= days)
        })
    }
}

/// Expands a macro (`@daily`, ...) into its 5-field form.
fn expand_macro(text: &str) -> Result<&'static str, CronError> {
    match text.to_ascii_lowercase().as_str() {
        "@hourly" => Ok("0 * * * *"),
        "@daily" | "@midnight" => Ok("0 0 * * *"),
        "@weekly" => Ok("0 0 * * 0"),
        "@monthly" => Ok("0 0 1 * *"),
        "@yearly" | "@annually" => Ok("0 0 1 1 *"),
        "@reboot" => Err(CronError::RebootNotSupported),
        _ => Err(CronError::UnknownMacro {
            text: text.to_owned(),
        }),
    }
}

impl fmt::Display for CronSchedule {
    /// Writes [`CronSchedule::normalized`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized())
    }
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronSchedule")
            .field(&self.normalized())
            .finish()
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;

    /// Same as [`CronSchedule::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CronSchedule::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(expression: &str) -> CronSchedule {
        CronSchedule::parse(expression)
            .unwrap_or_else(|e| panic!("`{expression}` should parse: {e}"))
    }

    #[test]
    fn macros_expand_to_their_five_field_form() {
        let cases = [
            ("@hourly", "0 * * * *"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@weekly", "0 0 * * 0"),
            ("@monthly", "0 0 1 * *"),
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@DAILY", "0 0 * * *"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).normalized(), expected, "macro {input}");
        }
    }

    #[test]
    fn normalized_form_is_parsed_back_to_an_equal_schedule() {
        for expression in [
            "*/7 1-3,5 1,15 */2 *",
            "0 8 * * 1-5",
            "5 4 * 2-12/3 sun,sat",
        ] {
            let schedule = parse(expression);
            assert_eq!(
                parse(&schedule.normalized()),
                schedule,
                "round trip of {expression}"
            );
        }
    }

    #[test]
    fn display_is_the_normalized_form() {
        let schedule = parse("00 08 * * mon-fri");
        assert_eq!(schedule.to_string(), "0 8 * * 1-5");
        assert_eq!(format!("{schedule:?}"), "CronSchedule(\"0 8 * * 1-5\")");
    }

    #[test]
    fn min_interval_follows_the_documented_rule() {
        let cases = [
            ("*/5 * * * *", 5),
            ("*/2 * * * *", 2),
            ("* * * * *", 1),
            ("0 * * * *", 60),
            ("0,3 8 * * *", 3),
            ("58 8,9 * * *", 60),
            ("0 8 * * *", 1440),
            ("0 */2 * * *", 120),
            ("50 8 * * *", 1440),
            ("0,30 8,20 * * *", 30),
            ("0 8,20 * * *", 720),
            ("55 23 * * *", 1440),
            ("0,59 1,3 * * *", 59),
            ("59 0 * * *", 1440),
            ("5,55 0,23 * * *", 10),
            ("0 0 1 * *", 1440),
        ];
        for (expression, expected) in cases {
            assert_eq!(
                parse(expression).min_interval_minutes(),
                expected,
                "min interval of `{expression}`"
            );
        }
    }

    #[test]
    fn february_the_thirtieth_is_rejected_as_never_firing() {
        assert!(matches!(
            CronSchedule::parse("0 8 30 2 *"),
            Err(CronError::NeverFires { .. })
        ));
        assert!(
            CronSchedule::parse("0 8 29 2 *").is_ok(),
            "leap day fires in leap years"
        );
        assert!(
            CronSchedule::parse("0 8 30,31 1-2 *").is_ok(),
            "january has them"
        );
    }
}
