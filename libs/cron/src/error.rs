//! Errors for cron expressions and time zones.
//!
//! Messages are shown to users as-is (alert validation), so each one says
//! what is wrong and how to fix it, in lowercase without a trailing period.

use std::fmt;

/// One of the five fields of a cron expression, named as users see it in
/// error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Minute of the hour, 0-59.
    Minute,
    /// Hour of the day, 0-23.
    Hour,
    /// Day of the month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or JAN-DEC.
    Month,
    /// Day of the week, 0-7 (0 and 7 are Sunday) or SUN-SAT.
    DayOfWeek,
}

impl CronField {
    /// All fields in expression order.
    pub const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    /// The name used in messages, e.g. `day-of-month`.
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    /// Smallest value accepted in the expression.
    pub(crate) fn min(self) -> u8 {
        match self {
            CronField::Minute | CronField::Hour | CronField::DayOfWeek => 0,
            CronField::DayOfMonth | CronField::Month => 1,
        }
    }

    /// Largest value accepted in the expression (7 for day-of-week, an alias
    /// of Sunday).
    pub(crate) fn max(self) -> u8 {
        match self {
            CronField::Minute => 59,
            CronField::Hour => 23,
            CronField::DayOfMonth => 31,
            CronField::Month => 12,
            CronField::DayOfWeek => 7,
        }
    }

    /// What a valid value looks like, for the "how to fix it" half of messages.
    pub(crate) fn accepted_values(self) -> &'static str {
        match self {
            CronField::Minute => "a number from 0 to 59",
            CronField::Hour => "a number from 0 to 23",
            CronField::DayOfMonth => "a number from 1 to 31",
            CronField::Month => "a number from 1 to 12 or a name JAN-DEC",
            CronField::DayOfWeek => "a number from 0 to 7 (0 and 7 are Sunday) or a name SUN-SAT",
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a cron expression or time zone was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum CronError {
    /// The expression was empty or only whitespace.
    #[error(
        "cron expression is empty: write 5 fields (minute hour day-of-month month day-of-week), e.g. `0 8 * * *`"
    )]
    Empty,

    /// 6 or 7 fields: a Quartz/Spring-style seconds field or an AWS-style year field.
    #[error(
        "cron expression has {count} fields, but a seconds or year field is not supported: use only 5 fields (minute hour day-of-month month day-of-week)"
    )]
    SecondsOrYearField {
        /// Number of fields found.
        count: usize,
    },

    /// Any other wrong number of fields.
    #[error(
        "cron expression has {count} field(s), but exactly 5 are needed: minute hour day-of-month month day-of-week"
    )]
    WrongFieldCount {
        /// Number of fields found.
        count: usize,
    },

    /// `@reboot` has no time, so it cannot schedule an alert.
    #[error("`@reboot` is not supported: alerts need a time-based schedule such as `0 8 * * *`")]
    RebootNotSupported,

    /// An `@name` macro that is not one of the supported ones.
    #[error(
        "unknown cron macro `{text}`: use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually, alone, or write 5 fields"
    )]
    UnknownMacro {
        /// The offending text.
        text: String,
    },

    /// A list with an empty item, e.g. `1,,2` or a trailing comma.
    #[error("{field} field `{text}` has an empty list item: remove the extra comma")]
    EmptyItem {
        /// Field the error is in.
        field: CronField,
        /// The whole field text.
        text: String,
    },

    /// A value that is neither a number nor a known name.
    #[error("{field} value `{text}` is not valid: use {expected}", expected = field.accepted_values())]
    InvalidValue {
        /// Field the error is in.
        field: CronField,
        /// The offending value.
        text: String,
    },

    /// A number outside the field's range.
    #[error("{field} value `{text}` is out of range: use {expected}", expected = field.accepted_values())]
    OutOfRange {
        /// Field the error is in.
        field: CronField,
        /// The offending value.
        text: String,
    },

    /// A range whose start is after its end.
    #[error(
        "{field} range `{text}` goes backwards: write the smaller value first (wrap-around ranges are not supported; use a list such as `22-23,0-2`)"
    )]
    ReversedRange {
        /// Field the error is in.
        field: CronField,
        /// The offending range.
        text: String,
    },

    /// A step that is zero, not a number, or larger than the field's span.
    #[error("{field} step in `{text}` is not valid: use a whole number from 1 to {max} after `/`")]
    InvalidStep {
        /// Field the error is in.
        field: CronField,
        /// The offending item.
        text: String,
        /// Largest accepted step for the field.
        max: u8,
    },

    /// Quartz extensions (`L`, `W`, `#`) that unix cron and this service do not support.
    #[error(
        "{field} value `{text}` uses `L`, `W` or `#`, which is not supported: use numbers, names, ranges, lists and steps"
    )]
    UnsupportedSpecial {
        /// Field the error is in.
        field: CronField,
        /// The offending value.
        text: String,
    },

    /// `?` outside day-of-month and day-of-week.
    #[error(
        "`?` is only allowed in the day-of-month and day-of-week fields: use `*` in the {field} field"
    )]
    QuestionMarkNotAllowed {
        /// Field the error is in.
        field: CronField,
    },

    /// Both day fields are restricted; unix cron would OR them, EventBridge
    /// Scheduler needs one of them to be `?`.
    #[error(
        "restricting both day-of-month (`{day_of_month}`) and day-of-week (`{day_of_week}`) is not supported because EventBridge Scheduler cannot express it: pick one and set the other to `*`"
    )]
    BothDaysRestricted {
        /// The day-of-month field as written.
        day_of_month: String,
        /// The day-of-week field as written.
        day_of_week: String,
    },

    /// One day field covers every day but is not written `*` (e.g. `1-31`, `*/1`, `0-6`) while
    /// the other restricts the days. Unix cron implementations read that differently: vixie
    /// cron and croniter OR the two fields (every day) for `1-31`, croniter also for `*/1`,
    /// so the schedule would not mean what it seems to.
    #[error(
        "{full_field} `{full_text}` covers every day but is not written `*`, while {other_field} `{other_text}` restricts the days: unix cron would then fire when either field matches (every day); write `*` in the {full_field} field to fire only on {other_field} `{other_text}`"
    )]
    AmbiguousFullDayField {
        /// The day field that covers every day.
        full_field: CronField,
        /// That field as written.
        full_text: String,
        /// The restricted day field.
        other_field: CronField,
        /// That field as written.
        other_text: String,
    },

    /// The day-of-month values never occur in the chosen months (e.g. `30 2`).
    #[error(
        "schedule never fires: day-of-month `{day_of_month}` does not occur in month `{month}`; pick days that exist in those months"
    )]
    NeverFires {
        /// The day-of-month field as written.
        day_of_month: String,
        /// The month field as written.
        month: String,
    },

    /// A time zone name that is not in the IANA database.
    #[error(
        "unknown time zone `{name}`: use an IANA name such as `Asia/Seoul` or `America/New_York`"
    )]
    UnknownTimeZone {
        /// The name as given.
        name: String,
    },
}
