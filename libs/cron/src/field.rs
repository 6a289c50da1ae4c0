//! One cron field: parsing its text into a set of values, and printing the
//! set back in canonical form.

use std::fmt;

use crate::error::{CronError, CronField};

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Day-of-week names indexed by unix number (0 = Sunday). Also used for the
/// EventBridge form, whose names are the same.
pub(crate) const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The values a field matches, as a bitset (bit `v` set = value `v` matches).
///
/// Day-of-week is stored as 0-6: 7 is folded into 0 while parsing, so every
/// spelling of a schedule has exactly one representation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct FieldSet(u64);

impl FieldSet {
    /// Every value the field can hold (day-of-week: 0-6).
    pub(crate) fn full(field: CronField) -> Self {
        let mut set = FieldSet::default();
        for v in field.min()..=stored_max(field) {
            set.insert(v);
        }
        set
    }

    /// Whether the set matches every value of the field, i.e. the field does
    /// not restrict anything (`*`, `?`, `*/1`, `0-59`, ...).
    pub(crate) fn is_full(self, field: CronField) -> bool {
        self == FieldSet::full(field)
    }

    pub(crate) fn contains(self, v: u8) -> bool {
        v < 64 && self.0 & (1 << v) != 0
    }

    fn insert(&mut self, v: u8) {
        self.0 |= 1 << v;
    }

    /// Values in ascending order.
    pub(crate) fn iter(self) -> impl DoubleEndedIterator<Item = u8> + Clone {
        (0u8..64).filter(move |&v| self.contains(v))
    }

    pub(crate) fn last(self) -> Option<u8> {
        self.iter().next_back()
    }

    /// Canonical text: `*` when full, else a sorted comma list where runs of
    /// three or more consecutive values become `a-b`.
    pub(crate) fn render(self, field: CronField, name: impl Fn(u8) -> String) -> String {
        if self.is_full(field) {
            return "*".to_owned();
        }
        let values: Vec<u8> = self.iter().collect();
        let mut parts = Vec::new();
        let mut i = 0;
        while i < values.len() {
            // Extend j to the end of the run of consecutive values starting at i.
            let mut j = i;
            while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
                j += 1;
            }
            if j - i >= 2 {
                parts.push(format!("{}-{}", name(values[i]), name(values[j])));
            } else {
                parts.extend(values[i..=j].iter().map(|&v| name(v)));
            }
            i = j + 1;
        }
        parts.join(",")
    }
}

impl fmt::Debug for FieldSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Largest value stored for a field (day-of-week 7 is stored as 0).
fn stored_max(field: CronField) -> u8 {
    match field {
        CronField::DayOfWeek => 6,
        other => other.max(),
    }
}

/// Parses one field's text (e.g. `1-5`, `*/15`, `MON,WED`) into its set.
pub(crate) fn parse_field(field: CronField, text: &str) -> Result<FieldSet, CronError> {
    let mut set = FieldSet::default();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(CronError::EmptyItem {
                field,
                text: text.to_owned(),
            });
        }
        parse_item(field, item, &mut set)?;
    }
    Ok(set)
}

/// Parses one list item (`*`, `5`, `1-5`, `*/15`, `1-30/2`, `5/10`) into `set`.
fn parse_item(field: CronField, item: &str, set: &mut FieldSet) -> Result<(), CronError> {
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(parse_step(field, item, step)?)),
        None => (item, None),
    };

    let (start, end) = if base == "*" {
        (field.min(), field.max())
    } else if base == "?" {
        if !matches!(field, CronField::DayOfMonth | CronField::DayOfWeek) {
            return Err(CronError::QuestionMarkNotAllowed { field });
        }
        if step.is_some() {
            // `?` means "no specific value"; a step on it is meaningless.
            return Err(CronError::InvalidValue {
                field,
                text: item.to_owned(),
            });
        }
        (field.min(), field.max())
    } else if let Some((a, b)) = base.split_once('-') {
        let start = parse_value(field, a, item)?;
        let end = parse_value(field, b, item)?;
        if start > end {
            return Err(CronError::ReversedRange {
                field,
                text: base.to_owned(),
            });
        }
        (start, end)
    } else {
        let value = parse_value(field, base, item)?;
        // `a/n` means "from a to the end of the field, every n" (cronie).
        if step.is_some() {
            (value, field.max())
        } else {
            (value, value)
        }
    };

    let step = step.unwrap_or(1);
    let mut v = start;
    while v <= end {
        // Sunday may be written 7; store it as 0.
        let stored = if field == CronField::DayOfWeek && v == 7 {
            0
        } else {
            v
        };
        set.insert(stored);
        match v.checked_add(step) {
            Some(next) => v = next,
            None => break,
        }
    }
    Ok(())
}

/// Parses the step after `/`: a whole number from 1 to the field's span.
fn parse_step(field: CronField, item: &str, step: &str) -> Result<u8, CronError> {
    let max = field.max() - field.min() + 1;
    let invalid = || CronError::InvalidStep {
        field,
        text: item.to_owned(),
        max,
    };
    match parse_number(step) {
        Some(n) if (1..=u32::from(max)).contains(&n) => u8::try_from(n).map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

/// Parses a single value: a number or (month, day-of-week) a three-letter name.
fn parse_value(field: CronField, token: &str, item: &str) -> Result<u8, CronError> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        return match parse_number(token) {
            Some(n) if (u32::from(field.min())..=u32::from(field.max())).contains(&n) => {
                u8::try_from(n).map_err(|_| out_of_range(field, token))
            }
            _ => Err(out_of_range(field, token)),
        };
    }
    let names: &[&str] = match field {
        CronField::Month => &MONTH_NAMES,
        CronField::DayOfWeek => &DAY_NAMES,
        _ => &[],
    };
    if let Some(index) = names.iter().position(|n| n.eq_ignore_ascii_case(token)) {
        // Months are 1-based, days of the week 0-based.
        let offset = field.min() as usize;
        return u8::try_from(index + offset).map_err(|_| out_of_range(field, token));
    }
    if is_quartz_special(token) || item.contains('#') {
        return Err(CronError::UnsupportedSpecial {
            field,
            text: item.to_owned(),
        });
    }
    Err(CronError::InvalidValue {
        field,
        // An empty token (`-5`, `1-`) says nothing; show the whole item.
        text: if token.is_empty() { item } else { token }.to_owned(),
    })
}

fn out_of_range(field: CronField, token: &str) -> CronError {
    CronError::OutOfRange {
        field,
        text: token.to_owned(),
    }
}

/// Parses ASCII digits; `None` for anything else or absurdly long numbers.
fn parse_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Quartz/AWS extensions: `L`, `LW`, `5L`, `15W`, `3#2`.
fn is_quartz_special(token: &str) -> bool {
    let upper = token.to_ascii_uppercase();
    if upper == "L" || upper == "LW" || upper.contains('#') {
        return true;
    }
    match upper.strip_suffix('L').or_else(|| upper.strip_suffix('W')) {
        Some(digits) => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(field: CronField, text: &str) -> Vec<u8> {
        parse_field(field, text)
            .unwrap_or_else(|e| panic!("`{text}` should parse as {field}: {e}"))
            .iter()
            .collect()
    }

    #[test]
    fn star_with_step_counts_from_the_field_minimum() {
        assert_eq!(values(CronField::Minute, "*/15"), vec![0, 15, 30, 45]);
        assert_eq!(values(CronField::DayOfMonth, "*/10"), vec![1, 11, 21, 31]);
    }

    #[test]
    fn a_single_value_with_a_step_runs_to_the_field_maximum() {
        assert_eq!(values(CronField::Hour, "20/2"), vec![20, 22]);
    }

    #[test]
    fn a_range_with_a_step_stays_inside_the_range() {
        assert_eq!(values(CronField::Minute, "10-20/5"), vec![10, 15, 20]);
    }

    #[test]
    fn sunday_written_as_seven_is_stored_as_zero() {
        assert_eq!(values(CronField::DayOfWeek, "7"), vec![0]);
        assert_eq!(values(CronField::DayOfWeek, "5-7"), vec![0, 5, 6]);
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(values(CronField::Month, "jan,Feb,DEC"), vec![1, 2, 12]);
        assert_eq!(values(CronField::DayOfWeek, "mon-Fri"), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn question_mark_is_a_wildcard_only_in_day_fields() {
        assert!(
            parse_field(CronField::DayOfMonth, "?").is_ok_and(|s| s.is_full(CronField::DayOfMonth))
        );
        assert_eq!(
            parse_field(CronField::Hour, "?"),
            Err(CronError::QuestionMarkNotAllowed {
                field: CronField::Hour
            })
        );
    }

    #[test]
    fn render_collapses_runs_of_three_or_more() {
        let set = parse_field(CronField::Minute, "1,2,4,5,6,9").expect("valid minutes");
        assert_eq!(
            set.render(CronField::Minute, |v| v.to_string()),
            "1,2,4-6,9"
        );
    }

    #[test]
    fn render_prints_a_full_set_as_a_star() {
        let set = parse_field(CronField::DayOfWeek, "0-7").expect("valid days");
        assert_eq!(set.render(CronField::DayOfWeek, |v| v.to_string()), "*");
    }

    #[test]
    fn quartz_specials_are_recognised_without_catching_names() {
        assert!(is_quartz_special("L"));
        assert!(is_quartz_special("5L"));
        assert!(is_quartz_special("15W"));
        assert!(is_quartz_special("3#2"));
        assert!(!is_quartz_special("JUL"));
        assert!(!is_quartz_special("WED"));
    }
}
