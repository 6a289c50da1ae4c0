//! Behaviour of `alert-cron` through its public API: rejected inputs and
//! their messages, canonical forms, EventBridge conversion, fire times across
//! daylight-saving transitions, and property tests.

use alert_cron::{CronError, CronField, CronSchedule, DEFAULT_TIME_ZONE, TimeZone};
use chrono::{DateTime, Datelike, Duration, MappedLocalTime, TimeZone as _, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad test instant {text}: {e}"))
        .with_timezone(&Utc)
}

fn schedule(expression: &str) -> CronSchedule {
    CronSchedule::parse(expression).unwrap_or_else(|e| panic!("`{expression}` should parse: {e}"))
}

fn zone(name: &str) -> Tz {
    TimeZone::parse(name)
        .unwrap_or_else(|e| panic!("`{name}` should be a zone: {e}"))
        .tz()
}

fn fires(expression: &str, tz: &str, after: &str, count: usize) -> Vec<DateTime<Utc>> {
    let schedule = schedule(expression);
    schedule
        .fires_after(zone(tz), utc(after))
        .take(count)
        .collect()
}

fn instants(texts: &[&str]) -> Vec<DateTime<Utc>> {
    texts.iter().map(|t| utc(t)).collect()
}

// ---------------------------------------------------------------------------
// Rejected input
// ---------------------------------------------------------------------------

#[test]
fn six_fields_are_rejected_with_a_seconds_message() {
    let err = CronSchedule::parse("0 0 8 * * *").expect_err("six fields");
    assert_eq!(err, CronError::SecondsOrYearField { count: 6 });
    let message = err.to_string();
    assert!(
        message.contains("seconds"),
        "message should mention seconds: {message}"
    );
    assert!(
        message.contains("5 fields"),
        "message should say 5 fields: {message}"
    );
}

#[test]
fn seven_fields_are_rejected_with_a_year_message() {
    let err = CronSchedule::parse("0 0 8 * * ? 2026").expect_err("seven fields");
    assert_eq!(err, CronError::SecondsOrYearField { count: 7 });
    assert!(err.to_string().contains("year"), "{err}");
}

#[test]
fn invalid_inputs_are_rejected_with_a_specific_error() {
    use CronField::*;
    let value = |text: &str| text.to_owned();
    // One case per line: (input, expected error, fragment the message must contain, why the case exists).
    #[rustfmt::skip]
    let cases: Vec<(&str, CronError, &str, &str)> = vec![
        ("", CronError::Empty, "empty", "empty input"),
        ("   \t ", CronError::Empty, "empty", "whitespace only"),
        ("0 8 * *", CronError::WrongFieldCount { count: 4 }, "4 field", "too few fields"),
        ("8", CronError::WrongFieldCount { count: 1 }, "exactly 5", "single field"),
        ("0 8 * * * * * *", CronError::WrongFieldCount { count: 8 }, "8 field", "too many fields"),
        ("@reboot", CronError::RebootNotSupported, "@reboot", "@reboot has no time"),
        ("@every 5m", CronError::UnknownMacro { text: value("@every 5m") }, "@every 5m", "go-cron style macro"),
        ("@fortnightly", CronError::UnknownMacro { text: value("@fortnightly") }, "@hourly", "unknown macro lists the known ones"),
        ("60 * * * *", CronError::OutOfRange { field: Minute, text: value("60") }, "minute value `60`", "minute too large"),
        ("* 24 * * *", CronError::OutOfRange { field: Hour, text: value("24") }, "0 to 23", "hour too large"),
        ("* * 0 * *", CronError::OutOfRange { field: DayOfMonth, text: value("0") }, "day-of-month value `0`", "day-of-month starts at 1"),
        ("* * 32 * *", CronError::OutOfRange { field: DayOfMonth, text: value("32") }, "1 to 31", "day-of-month too large"),
        ("* * * 0 *", CronError::OutOfRange { field: Month, text: value("0") }, "JAN-DEC", "month starts at 1"),
        ("* * * 13 *", CronError::OutOfRange { field: Month, text: value("13") }, "month value `13`", "month too large"),
        ("* * * * 8", CronError::OutOfRange { field: DayOfWeek, text: value("8") }, "SUN-SAT", "day-of-week too large"),
        ("99999999999 * * * *", CronError::OutOfRange { field: Minute, text: value("99999999999") }, "out of range", "huge number"),
        ("* * * FOO *", CronError::InvalidValue { field: Month, text: value("FOO") }, "month value `FOO`", "unknown month name"),
        ("* * * * funday", CronError::InvalidValue { field: DayOfWeek, text: value("funday") }, "day-of-week", "unknown day name"),
        ("MON * * * *", CronError::InvalidValue { field: Minute, text: value("MON") }, "minute value `MON`", "names only in month and day-of-week"),
        ("1.5 * * * *", CronError::InvalidValue { field: Minute, text: value("1.5") }, "not valid", "decimal"),
        ("-5 * * * *", CronError::InvalidValue { field: Minute, text: value("-5") }, "`-5`", "negative number"),
        ("1-2-3 * * * *", CronError::InvalidValue { field: Minute, text: value("2-3") }, "`2-3`", "double range"),
        ("5-1 * * * *", CronError::ReversedRange { field: Minute, text: value("5-1") }, "goes backwards", "reversed range"),
        ("* * * * FRI-MON", CronError::ReversedRange { field: DayOfWeek, text: value("FRI-MON") }, "wrap-around", "wrap-around day range"),
        ("* 22-2 * * *", CronError::ReversedRange { field: Hour, text: value("22-2") }, "22-23,0-2", "wrap-around hour range"),
        ("*/0 * * * *", CronError::InvalidStep { field: Minute, text: value("*/0"), max: 60 }, "1 to 60", "step zero"),
        ("*/x * * * *", CronError::InvalidStep { field: Minute, text: value("*/x"), max: 60 }, "step in `*/x`", "step not a number"),
        ("*/61 * * * *", CronError::InvalidStep { field: Minute, text: value("*/61"), max: 60 }, "minute step", "step larger than the field"),
        ("* */ * * *", CronError::InvalidStep { field: Hour, text: value("*/"), max: 24 }, "hour step", "missing step"),
        ("*/5/2 * * * *", CronError::InvalidStep { field: Minute, text: value("*/5/2"), max: 60 }, "`*/5/2`", "double step"),
        ("1,,2 * * * *", CronError::EmptyItem { field: Minute, text: value("1,,2") }, "extra comma", "empty list item"),
        ("0 8, * * *", CronError::EmptyItem { field: Hour, text: value("8,") }, "hour field `8,`", "trailing comma"),
        ("0 8 L * *", CronError::UnsupportedSpecial { field: DayOfMonth, text: value("L") }, "`L`, `W` or `#`", "last day of month"),
        ("0 8 15W * *", CronError::UnsupportedSpecial { field: DayOfMonth, text: value("15W") }, "day-of-month value `15W`", "nearest weekday"),
        ("0 8 * * 5L", CronError::UnsupportedSpecial { field: DayOfWeek, text: value("5L") }, "day-of-week value `5L`", "last friday"),
        ("0 8 * * 1#2", CronError::UnsupportedSpecial { field: DayOfWeek, text: value("1#2") }, "`1#2`", "second monday"),
        ("? * * * *", CronError::QuestionMarkNotAllowed { field: Minute }, "in the minute field", "question mark in minutes"),
        ("0 8 * ? *", CronError::QuestionMarkNotAllowed { field: Month }, "only allowed in the day-of-month and day-of-week", "question mark in months"),
        ("0 8 1 * 1", CronError::BothDaysRestricted { day_of_month: value("1"), day_of_week: value("1") },
            "restricting both day-of-month (`1`) and day-of-week (`1`) is not supported because EventBridge Scheduler cannot express it", "unix OR semantics"),
        ("0 8 1-15 * MON-FRI", CronError::BothDaysRestricted { day_of_month: value("1-15"), day_of_week: value("MON-FRI") }, "pick one", "both day fields as ranges"),
        ("0 8 1-31 * 1-5", CronError::AmbiguousFullDayField { full_field: DayOfMonth, full_text: value("1-31"), other_field: DayOfWeek, other_text: value("1-5") },
            "unix cron would then fire when either field matches", "vixie cron and croniter OR `1-31` with the weekdays: every day"),
        ("0 8 */1 * MON", CronError::AmbiguousFullDayField { full_field: DayOfMonth, full_text: value("*/1"), other_field: DayOfWeek, other_text: value("MON") },
            "write `*` in the day-of-month field", "croniter ORs `*/1`, vixie cron does not"),
        ("0 8 15 * 0-7", CronError::AmbiguousFullDayField { full_field: DayOfWeek, full_text: value("0-7"), other_field: DayOfMonth, other_text: value("15") },
            "day-of-week `0-7` covers every day", "a full day-of-week range beside a restricted day-of-month"),
        ("0 8 31 4,6 *", CronError::NeverFires { day_of_month: value("31"), month: value("4,6") }, "never fires", "31st of 30-day months"),
        ("0 8 30 FEB *", CronError::NeverFires { day_of_month: value("30"), month: value("FEB") }, "does not occur", "30th of february"),
    ];

    for (input, expected, fragment, why) in cases {
        let err =
            CronSchedule::parse(input).expect_err(&format!("`{input}` should be rejected ({why})"));
        assert_eq!(err, expected, "wrong error for `{input}` ({why})");
        let message = err.to_string();
        assert!(
            message.contains(fragment),
            "message for `{input}` ({why}) should contain `{fragment}`, got: {message}"
        );
    }
}

#[test]
fn error_messages_are_lowercase_without_a_trailing_period() {
    let inputs = [
        "",
        "0 0 8 * * *",
        "0 8 * *",
        "@reboot",
        "@nope",
        "60 * * * *",
        "* * * FOO *",
        "5-1 * * * *",
        "*/0 * * * *",
        "1,,2 * * * *",
        "0 8 L * *",
        "? * * * *",
        "0 8 1 * 1",
        "0 8 1-31 * 1",
        "0 8 30 2 *",
    ];
    let mut messages: Vec<String> = inputs
        .iter()
        .filter_map(|input| CronSchedule::parse(input).err())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        messages.len(),
        inputs.len(),
        "every input should be rejected"
    );
    messages.extend(
        TimeZone::parse("Nowhere/Special")
            .err()
            .map(|e| e.to_string()),
    );
    for message in messages {
        let first = message.chars().next().unwrap_or(' ');
        assert!(
            !first.is_ascii_uppercase(),
            "message should start lowercase: {message}"
        );
        assert!(
            !message.ends_with('.'),
            "message should not end with a period: {message}"
        );
    }
}

// ---------------------------------------------------------------------------
// Canonical form
// ---------------------------------------------------------------------------

#[test]
fn equivalent_spellings_normalise_identically() {
    let groups: [(&str, &[&str]); 8] = [
        (
            "0 8 * * 1-5",
            &[
                "0 8 * * 1-5",
                "0 8 * * MON-FRI",
                "00 08 * * mon,tue,wed,thu,fri",
                "0 8 ? * 1-5",
                "0 8 * * 1-5/1",
                " 0  8 * *\t1,2,3,4,5 ",
            ],
        ),
        (
            "* * * * *",
            &[
                "* * * * *",
                "*/1 * * * *",
                "0-59 0-23 1-31 1-12 0-7",
                "* * ? * ?",
                "* * * JAN-DEC SUN-SAT",
                "* * * * 0-6",
            ],
        ),
        (
            "0,15,30,45 * * * *",
            &[
                "*/15 * * * *",
                "0,15,30,45 * * * *",
                "0-59/15 * * * *",
                "0/15 * * * *",
                "45,30,15,0 * * * *",
            ],
        ),
        (
            "0 0 * * 0",
            &[
                "0 0 * * 0",
                "0 0 * * 7",
                "0 0 * * SUN",
                "@weekly",
                "0 0 * * sun,7",
            ],
        ),
        (
            "0 0 * * 0,6",
            &[
                "0 0 * * 6,7",
                "0 0 * * 0,6",
                "0 0 * * SAT,SUN",
                "0 0 * * 6-7",
                "0 0 * * 6/1",
            ],
        ),
        (
            "0 0 1 1-3 *",
            &[
                "0 0 1 jan,feb,mar *",
                "0 0 1 1-3 *",
                "0 0 1 JAN-MAR *",
                "0 0 1 1,2,3 ?",
            ],
        ),
        (
            "1,2 0 * * *",
            &["1,2 0 * * *", "2,1 0 * * *", "1-2 0 * * *", "1,1,2 0 * * *"],
        ),
        (
            "0 0 * * *",
            &["@daily", "@midnight", "0 0 * * *", "0 00 */1 * *"],
        ),
    ];
    for (canonical, spellings) in groups {
        for spelling in spellings {
            assert_eq!(
                schedule(spelling).normalized(),
                canonical,
                "normalised form of `{spelling}`"
            );
            assert_eq!(
                schedule(spelling),
                schedule(canonical),
                "`{spelling}` should equal `{canonical}`"
            );
        }
    }
}

#[test]
fn different_schedules_normalise_differently() {
    assert_ne!(
        schedule("0 8 * * 1-5").normalized(),
        schedule("0 8 * * 1-6").normalized()
    );
    assert_ne!(
        schedule("0 8 1 * *").normalized(),
        schedule("0 8 * * 1").normalized()
    );
}

#[test]
fn display_writes_the_normalised_form() {
    assert_eq!(
        schedule("*/20 9-17 * * mon-fri").to_string(),
        "0,20,40 9-17 * * 1-5"
    );
}

// ---------------------------------------------------------------------------
// EventBridge
// ---------------------------------------------------------------------------

#[test]
fn eventbridge_expressions_match_the_unix_schedule() {
    let cases = [
        ("0 8 * * 1-5", "cron(0 8 ? * MON-FRI *)"),
        ("*/15 * * * *", "cron(0,15,30,45 * * * ? *)"),
        ("30 7 1 * *", "cron(30 7 1 * ? *)"),
        ("0 9 * * 0", "cron(0 9 ? * SUN *)"),
        ("0 9 * * 7", "cron(0 9 ? * SUN *)"),
        ("0 9 * * sat,sun", "cron(0 9 ? * SUN,SAT *)"),
        ("0 9 * * 1,3,5", "cron(0 9 ? * MON,WED,FRI *)"),
        ("0 9 * * 3-6", "cron(0 9 ? * WED-SAT *)"),
        ("@hourly", "cron(0 * * * ? *)"),
        ("@monthly", "cron(0 0 1 * ? *)"),
        ("@yearly", "cron(0 0 1 1 ? *)"),
        ("0 12 1,15 */3 *", "cron(0 12 1,15 1,4,7,10 ? *)"),
        ("5 0-6,22,23 * * ?", "cron(5 0-6,22,23 * * ? *)"),
    ];
    for (unix, expected) in cases {
        assert_eq!(
            schedule(unix).to_eventbridge(),
            expected,
            "EventBridge form of `{unix}`"
        );
    }
}

// ---------------------------------------------------------------------------
// Fire times and daylight saving
// ---------------------------------------------------------------------------

#[test]
fn new_york_spring_forward_skips_the_nonexistent_half_past_two() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day.
    assert_eq!(
        fires("30 2 * * *", "America/New_York", "2026-03-07T00:00:00Z", 2),
        instants(&["2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"])
    );
}

#[test]
fn new_york_spring_forward_keeps_the_fires_around_the_gap() {
    assert_eq!(
        fires(
            "*/30 * * * *",
            "America/New_York",
            "2026-03-08T06:00:00Z",
            3
        ),
        // 01:30 EST, then 03:00 EDT: 02:00 and 02:30 do not exist.
        instants(&[
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:30:00Z"
        ])
    );
}

#[test]
fn new_york_fall_back_fires_the_repeated_half_past_one_once() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    assert_eq!(
        fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
        instants(&["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
    );
    // Asking from just after the first 01:30 must not give the second one.
    let s = schedule("30 1 * * *");
    assert_eq!(
        s.next_after(zone("America/New_York"), utc("2026-11-01T05:30:00Z")),
        Some(utc("2026-11-02T06:30:00Z"))
    );
}

#[test]
fn new_york_fall_back_does_not_repeat_the_hour_for_frequent_schedules() {
    assert_eq!(
        fires(
            "*/30 * * * *",
            "America/New_York",
            "2026-11-01T04:00:00Z",
            5
        ),
        // 00:30 EDT, 01:00 EDT, 01:30 EDT, then 02:00 EST: the EST 01:xx are not repeated.
        instants(&[
            "2026-11-01T04:30:00Z",
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T07:00:00Z",
            "2026-11-01T07:30:00Z",
        ])
    );
}

#[test]
fn berlin_fall_back_fires_the_repeated_half_past_two_once() {
    // 2026-10-25 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    assert_eq!(
        fires("30 2 * * *", "Europe/Berlin", "2026-10-24T00:00:00Z", 3),
        instants(&[
            "2026-10-24T00:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-26T01:30:00Z"
        ])
    );
}

#[test]
fn seoul_weekday_mornings_follow_the_calendar_without_dst() {
    // 2026-01-01 is a Thursday; 08:00 KST is 23:00Z the day before.
    assert_eq!(
        fires("0 8 * * 1-5", DEFAULT_TIME_ZONE, "2026-01-01T00:00:00Z", 7),
        instants(&[
            "2026-01-01T23:00:00Z", // Fri 2 Jan
            "2026-01-04T23:00:00Z", // Mon 5 Jan
            "2026-01-05T23:00:00Z", // Tue
            "2026-01-06T23:00:00Z", // Wed
            "2026-01-07T23:00:00Z", // Thu
            "2026-01-08T23:00:00Z", // Fri
            "2026-01-11T23:00:00Z", // Mon 12 Jan
        ])
    );
}

#[test]
fn seoul_summer_has_the_same_offset_as_winter() {
    assert_eq!(
        fires("0 8 * * 1-5", DEFAULT_TIME_ZONE, "2026-07-01T00:00:00Z", 1),
        instants(&["2026-07-01T23:00:00Z"]) // Thu 2 Jul 08:00 KST
    );
}

#[test]
fn day_of_month_schedules_fire_on_that_day_in_local_time() {
    assert_eq!(
        fires("30 7 1 * *", DEFAULT_TIME_ZONE, "2026-01-15T00:00:00Z", 3),
        instants(&[
            "2026-01-31T22:30:00Z",
            "2026-02-28T22:30:00Z",
            "2026-03-31T22:30:00Z"
        ])
    );
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// One list item for a field with values `min..=max`, in any accepted form.
fn item(min: u8, max: u8, names: &'static [&'static str]) -> BoxedStrategy<String> {
    let span = max - min + 1;
    let mut options = vec![
        Just("*".to_owned()).boxed(),
        (1..=span).prop_map(|s| format!("*/{s}")).boxed(),
        (min..=max).prop_map(|v| format!("{v}")).boxed(),
        (min..=max).prop_map(|v| format!("{v:02}")).boxed(),
        (min..=max, min..=max)
            .prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b)))
            .boxed(),
        (min..=max, min..=max, 1..=span)
            .prop_map(|(a, b, s)| format!("{}-{}/{s}", a.min(b), a.max(b)))
            .boxed(),
        (min..=max, 1..=span)
            .prop_map(|(a, s)| format!("{a}/{s}"))
            .boxed(),
    ];
    if !names.is_empty() {
        options.push(prop::sample::select(names).prop_map(str::to_owned).boxed());
        options.push(
            prop::sample::select(names)
                .prop_map(str::to_lowercase)
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

fn field(min: u8, max: u8, names: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(item(min, max, names), 1..4).prop_map(|items| items.join(","))
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Expressions that are valid apart from possibly never firing (e.g. `31 2`).
fn expression() -> impl Strategy<Value = String> {
    let days = prop_oneof![
        field(1, 31, &[]).prop_map(|dom| (dom, "*".to_owned())),
        field(0, 7, DAYS).prop_map(|dow| ("?".to_owned(), dow)),
        Just(("*".to_owned(), "*".to_owned())),
    ];
    (
        field(0, 59, &[]),
        field(0, 23, &[]),
        days,
        field(1, 12, MONTHS),
    )
        .prop_map(|(minute, hour, (dom, dow), month)| {
            format!("{minute} {hour} {dom} {month} {dow}")
        })
}

/// Which values each field of a normalised expression matches, read by a
/// deliberately simple parser of the canonical form (`*`, `a`, `a-b` lists),
/// so the oracle below does not share code with the crate.
fn canonical_sets(normalized: &str) -> Vec<Vec<bool>> {
    normalized
        .split(' ')
        .map(|field| {
            let mut set = vec![field == "*"; 60];
            if field != "*" {
                for part in field.split(',') {
                    let (a, b) = part.split_once('-').unwrap_or((part, part));
                    let (a, b): (usize, usize) =
                        (a.parse().expect("number"), b.parse().expect("number"));
                    set[a..=b].iter_mut().for_each(|v| *v = true);
                }
            }
            set
        })
        .collect()
}

/// Simple but slow oracle for EventBridge's rule: walk UTC minute by minute;
/// a minute fires when its local time matches the fields and it is not the
/// second occurrence of a repeated local time.
fn brute_force_next(
    schedule: &CronSchedule,
    tz: Tz,
    after: DateTime<Utc>,
    minutes: i64,
) -> Option<DateTime<Utc>> {
    let sets = canonical_sets(&schedule.normalized());
    let start = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
    (0..minutes)
        .map(|i| start + Duration::minutes(i))
        .find(|&instant| {
            let local = instant.with_timezone(&tz);
            let matches = sets[0][local.minute() as usize]
                && sets[1][local.hour() as usize]
                && sets[2][local.day() as usize]
                && sets[3][local.month() as usize]
                && sets[4][local.weekday().num_days_from_sunday() as usize];
            let first_occurrence = match tz.from_local_datetime(&local.naive_local()) {
                MappedLocalTime::Ambiguous(earliest, _) => earliest.with_timezone(&Utc) == instant,
                _ => true,
            };
            matches && first_occurrence
        })
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(input in any::<String>()) {
        let _ = CronSchedule::parse(&input);
    }

    #[test]
    fn parse_never_panics_on_cron_like_strings(input in "[0-9*/,?LW#@A-Za-z -]{0,40}") {
        if let Ok(schedule) = CronSchedule::parse(&input) {
            prop_assert_eq!(CronSchedule::parse(&schedule.normalized()), Ok(schedule));
        }
    }

    #[test]
    fn generated_expressions_parse_and_round_trip(expression in expression()) {
        match CronSchedule::parse(&expression) {
            Ok(schedule) => {
                let normalized = schedule.normalized();
                let reparsed = CronSchedule::parse(&normalized);
                prop_assert_eq!(reparsed.as_ref(), Ok(&schedule), "round trip via `{}`", normalized);
                prop_assert_eq!(reparsed.map(|s| s.normalized()), Ok(normalized.clone()));
                let eventbridge = schedule.to_eventbridge();
                prop_assert!(eventbridge.starts_with("cron(") && eventbridge.ends_with(" *)"), "{}", eventbridge);
                prop_assert!(eventbridge.matches('?').count() == 1, "exactly one `?` in {}", eventbridge);
                prop_assert!(schedule.min_interval_minutes() >= 1);
            }
            Err(CronError::NeverFires { .. }) => {}
            Err(other) => prop_assert!(false, "`{}` should parse, got {}", expression, other),
        }
    }

}

proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn next_fire_matches_a_minute_by_minute_walk_across_dst(
        expression in expression(),
        // Mostly the hours around New York's 2026 transitions (07:00Z on
        // 8 March, 06:00Z on 1 November), where the rule matters.
        start in prop_oneof![
            (0i64..6 * 60).prop_map(|m| utc("2026-03-08T03:00:00Z") + Duration::minutes(m)),
            (0i64..6 * 60).prop_map(|m| utc("2026-11-01T02:00:00Z") + Duration::minutes(m)),
            (0i64..4 * 24 * 60).prop_map(|m| utc("2026-10-30T00:00:00Z") + Duration::minutes(m)),
        ],
    ) {
        let Ok(schedule) = CronSchedule::parse(&expression) else { return Ok(()); };
        let tz = Tz::America__New_York;
        let window = 3 * 24 * 60;
        let expected = brute_force_next(&schedule, tz, start, window);
        let actual = schedule.next_after(tz, start);
        match expected {
            Some(expected) => prop_assert_eq!(actual, Some(expected), "`{}` after {}", schedule, start),
            None => prop_assert!(actual.is_none_or(|t| t > start + Duration::minutes(window)), "`{}` after {}: {:?}", schedule, start, actual),
        }
    }
}
