//! Conversion to AWS EventBridge Scheduler `cron(...)` expressions.
//!
//! EventBridge's cron has six fields (`minutes hours day-of-month month
//! day-of-week year`), numbers days of the week 1 (SUN) to 7 (SAT), and needs
//! exactly one of the two day fields to be `?`. Parsing already rejects
//! schedules that restrict both, so the conversion is exact.

use crate::error::CronField;
use crate::field::DAY_NAMES;
use crate::schedule::CronSchedule;

impl CronSchedule {
    /// AWS EventBridge Scheduler form: `cron(min hour dom month dow *)`.
    ///
    /// Fields come from the normalised form (steps are written out as lists,
    /// which is exact). The unrestricted day field becomes `?`; when neither
    /// is restricted day-of-month is `*`. Days of the week are written as
    /// names (`MON-FRI`, `SUN,SAT`), which avoids the 0-vs-1 Sunday mix-up
    /// between unix cron and EventBridge.
    ///
    /// Examples: `0 8 * * 1-5` → `cron(0 8 ? * MON-FRI *)`,
    /// `30 7 1 * *` → `cron(30 7 1 * ? *)`.
    ///
    /// Evaluate it in the schedule's time zone (the
    /// `ScheduleExpressionTimezone` of the EventBridge schedule).
    pub fn to_eventbridge(&self) -> String {
        let number = |v: u8| v.to_string();
        let minutes = self.minutes.render(CronField::Minute, number);
        let hours = self.hours.render(CronField::Hour, number);
        let months = self.months.render(CronField::Month, number);
        let (day_of_month, day_of_week) = if self.day_of_week_restricted() {
            let names = self.days_of_week.render(CronField::DayOfWeek, |v| {
                DAY_NAMES
                    .get(usize::from(v))
                    .copied()
                    .unwrap_or("?")
                    .to_owned()
            });
            ("?".to_owned(), names)
        } else {
            (
                self.days_of_month.render(CronField::DayOfMonth, number),
                "?".to_owned(),
            )
        };
        format!("cron({minutes} {hours} {day_of_month} {months} {day_of_week} *)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eventbridge(expression: &str) -> String {
        CronSchedule::parse(expression)
            .unwrap_or_else(|e| panic!("`{expression}` should parse: {e}"))
            .to_eventbridge()
    }

    #[test]
    fn weekday_schedules_put_the_question_mark_in_day_of_month() {
        assert_eq!(eventbridge("0 8 * * 1-5"), "cron(0 8 ? * MON-FRI *)");
        assert_eq!(eventbridge("0 9 * * 0"), "cron(0 9 ? * SUN *)");
        assert_eq!(eventbridge("0 9 * * 7"), "cron(0 9 ? * SUN *)");
        assert_eq!(eventbridge("0 9 * * 6,0"), "cron(0 9 ? * SUN,SAT *)");
        assert_eq!(eventbridge("0 9 * * 0-2,6"), "cron(0 9 ? * SUN-TUE,SAT *)");
    }

    #[test]
    fn day_of_month_schedules_put_the_question_mark_in_day_of_week() {
        assert_eq!(eventbridge("30 7 1 * *"), "cron(30 7 1 * ? *)");
        assert_eq!(eventbridge("0 0 1,15 1-6 ?"), "cron(0 0 1,15 1-6 ? *)");
    }

    #[test]
    fn unrestricted_days_use_a_star_and_a_question_mark() {
        assert_eq!(eventbridge("*/15 * * * *"), "cron(0,15,30,45 * * * ? *)");
        assert_eq!(eventbridge("0 8 ? * ?"), "cron(0 8 * * ? *)");
        assert_eq!(eventbridge("0 8 1-31 * 0-7"), "cron(0 8 * * ? *)");
    }
}
