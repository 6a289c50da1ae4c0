//! Whether an air-quality alert's condition holds for a reading.

use alert_airquality::{Grade, Language, Measurement, Pollutant};

use crate::domain::{Condition, Measure, Threshold};

/// A condition held against one reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Met,
    /// The reading is below the threshold: why, for the run record.
    NotMet(String),
    /// The reading lacks what the condition compares: why, for the run record.
    Unavailable(String),
}

fn pollutant_name(pollutant: Pollutant) -> &'static str {
    match pollutant {
        Pollutant::Pm10 => "PM10",
        Pollutant::Pm25 => "PM2.5",
    }
}

fn grade_name(grade: Grade) -> String {
    grade.word(Language::En).to_lowercase()
}

pub fn evaluate(condition: Condition, measurement: &Measurement) -> Verdict {
    let pollutant = match condition.measure {
        Measure::Pm10 => Pollutant::Pm10,
        Measure::Pm25 => Pollutant::Pm25,
        Measure::Worse => {
            let Threshold::Grade(threshold) = condition.threshold else {
                // Parsing refuses a value threshold for the worse of the two.
                return Verdict::Unavailable("the worse of PM10 and PM2.5 has no value".into());
            };
            return match measurement.worse_grade() {
                None => Verdict::Unavailable("neither PM10 nor PM2.5 has a reading".into()),
                Some(grade) if grade >= threshold => Verdict::Met,
                Some(grade) => Verdict::NotMet(format!(
                    "the worse of PM10 and PM2.5 is {}, below {}",
                    grade_name(grade),
                    grade_name(threshold)
                )),
            };
        }
    };
    let name = pollutant_name(pollutant);
    let reading = measurement.reading(pollutant);
    let (Some(value), Some(grade)) = (reading.value, reading.grade) else {
        return Verdict::Unavailable(format!("{name} has no reading"));
    };
    match condition.threshold {
        Threshold::Grade(threshold) if grade >= threshold => Verdict::Met,
        Threshold::Grade(threshold) => Verdict::NotMet(format!(
            "{name} is {} ({value} µg/m³), below {}",
            grade_name(grade),
            grade_name(threshold)
        )),
        Threshold::Value(threshold) if value >= threshold => Verdict::Met,
        Threshold::Value(threshold) => {
            Verdict::NotMet(format!("{name} is {value} µg/m³, below {threshold} µg/m³"))
        }
    }
}

#[cfg(test)]
mod tests {
    use alert_airquality::Reading;
    use chrono::DateTime;

    use super::*;

    fn reading(value: Option<u32>, pollutant: Pollutant) -> Reading {
        Reading {
            value,
            grade: value.map(|value| Grade::for_value(pollutant, value)),
        }
    }

    fn measurement(pm10: Option<u32>, pm25: Option<u32>) -> Measurement {
        Measurement {
            station: "종로구".into(),
            measured_at: DateTime::parse_from_rfc3339("2026-03-02T08:00:00+09:00").unwrap(),
            pm10: reading(pm10, Pollutant::Pm10),
            pm25: reading(pm25, Pollutant::Pm25),
        }
    }

    fn condition(measure: Measure, threshold: Threshold) -> Condition {
        Condition { measure, threshold }
    }

    #[test]
    fn thresholds_are_at_or_above() {
        let cases = [
            (
                "PM2.5 36 is bad",
                condition(Measure::Pm25, Threshold::Grade(Grade::Bad)),
                measurement(Some(10), Some(36)),
                true,
            ),
            (
                "PM2.5 35 is moderate",
                condition(Measure::Pm25, Threshold::Grade(Grade::Bad)),
                measurement(Some(10), Some(35)),
                false,
            ),
            (
                "PM10 value equal",
                condition(Measure::Pm10, Threshold::Value(80)),
                measurement(Some(80), Some(1)),
                true,
            ),
            (
                "PM10 value below",
                condition(Measure::Pm10, Threshold::Value(80)),
                measurement(Some(79), Some(1)),
                false,
            ),
            (
                "worse is PM10's bad",
                condition(Measure::Worse, Threshold::Grade(Grade::Bad)),
                measurement(Some(90), Some(5)),
                true,
            ),
            (
                "worse of two moderates",
                condition(Measure::Worse, Threshold::Grade(Grade::Bad)),
                measurement(Some(50), Some(20)),
                false,
            ),
            (
                "worse with one missing",
                condition(Measure::Worse, Threshold::Grade(Grade::Moderate)),
                measurement(None, Some(20)),
                true,
            ),
        ];
        for (case, condition, measurement, met) in cases {
            let verdict = evaluate(condition, &measurement);
            assert_eq!(verdict == Verdict::Met, met, "{case}: {verdict:?}");
        }
    }

    #[test]
    fn the_reason_says_what_was_measured_and_what_was_asked() {
        assert_eq!(
            evaluate(
                condition(Measure::Pm25, Threshold::Grade(Grade::Bad)),
                &measurement(Some(10), Some(12))
            ),
            Verdict::NotMet("PM2.5 is good (12 µg/m³), below bad".into())
        );
        assert_eq!(
            evaluate(
                condition(Measure::Pm10, Threshold::Value(100)),
                &measurement(Some(45), Some(12))
            ),
            Verdict::NotMet("PM10 is 45 µg/m³, below 100 µg/m³".into())
        );
        assert_eq!(
            evaluate(
                condition(Measure::Worse, Threshold::Grade(Grade::VeryBad)),
                &measurement(Some(45), Some(12))
            ),
            Verdict::NotMet("the worse of PM10 and PM2.5 is moderate, below very bad".into())
        );
    }

    #[test]
    fn a_missing_reading_is_unavailable_never_good() {
        assert_eq!(
            evaluate(
                condition(Measure::Pm25, Threshold::Grade(Grade::Moderate)),
                &measurement(Some(10), None)
            ),
            Verdict::Unavailable("PM2.5 has no reading".into())
        );
        assert_eq!(
            evaluate(
                condition(Measure::Worse, Threshold::Grade(Grade::Good)),
                &measurement(None, None)
            ),
            Verdict::Unavailable("neither PM10 nor PM2.5 has a reading".into())
        );
    }
}
