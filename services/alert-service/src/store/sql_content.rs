//! An alert's content and a user's language in SQL columns (portable TEXT and BIGINT, ADR 0002).

use alert_airquality::{Grade, Language};
use sqlx::{Row, any::AnyRow};

use crate::domain::{
    AirQualityContent, AlertContent, Condition, Measure, StationName, Threshold, UnavailablePolicy,
};

/// The content columns of an `alerts` row.
pub(super) struct ContentColumns {
    pub kind: &'static str,
    pub station: Option<String>,
    pub measure: Option<&'static str>,
    pub grade: Option<&'static str>,
    pub value: Option<i64>,
    pub when_unavailable: &'static str,
}

impl ContentColumns {
    pub fn of(content: &AlertContent) -> ContentColumns {
        let Some(air_quality) = content.air_quality() else {
            return ContentColumns {
                kind: "plain",
                station: None,
                measure: None,
                grade: None,
                value: None,
                when_unavailable: policy_code(UnavailablePolicy::Send),
            };
        };
        let condition = air_quality.condition;
        ContentColumns {
            kind: "air_quality",
            station: Some(air_quality.station.as_str().to_owned()),
            measure: condition.map(|condition| measure_code(condition.measure)),
            grade: condition.and_then(|condition| match condition.threshold {
                Threshold::Grade(grade) => Some(grade_code(grade)),
                Threshold::Value(_) => None,
            }),
            value: condition.and_then(|condition| match condition.threshold {
                Threshold::Value(value) => Some(i64::from(value)),
                Threshold::Grade(_) => None,
            }),
            when_unavailable: policy_code(air_quality.when_unavailable),
        }
    }
}

fn measure_code(measure: Measure) -> &'static str {
    match measure {
        Measure::Pm10 => "pm10",
        Measure::Pm25 => "pm25",
        Measure::Worse => "worse",
    }
}

fn grade_code(grade: Grade) -> &'static str {
    match grade {
        Grade::Good => "good",
        Grade::Moderate => "moderate",
        Grade::Bad => "bad",
        Grade::VeryBad => "very_bad",
    }
}

fn policy_code(policy: UnavailablePolicy) -> &'static str {
    match policy {
        UnavailablePolicy::Send => "send",
        UnavailablePolicy::Skip => "skip",
    }
}

fn corrupt(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("alerts.{column} holds an unknown value {value:?}").into())
}

/// The content stored in an `alerts` row.
pub(super) fn content_from_row(row: &AnyRow) -> Result<AlertContent, sqlx::Error> {
    let kind: String = row.try_get("content_kind")?;
    match kind.as_str() {
        "plain" => return Ok(AlertContent::Plain),
        "air_quality" => {}
        other => return Err(corrupt("content_kind", other)),
    }
    let station: Option<String> = row.try_get("station")?;
    let station = StationName::parse(station.as_deref().unwrap_or_default())
        .map_err(|_| corrupt("station", station.as_deref().unwrap_or_default()))?;
    let measure: Option<String> = row.try_get("condition_measure")?;
    let condition = match measure {
        None => None,
        Some(measure) => {
            let measure = match measure.as_str() {
                "pm10" => Measure::Pm10,
                "pm25" => Measure::Pm25,
                "worse" => Measure::Worse,
                other => return Err(corrupt("condition_measure", other)),
            };
            let grade: Option<String> = row.try_get("condition_grade")?;
            let value: Option<i64> = row.try_get("condition_value")?;
            let threshold = match (grade.as_deref(), value) {
                (Some(grade), _) => Threshold::Grade(
                    Grade::ALL
                        .into_iter()
                        .find(|known| grade_code(*known) == grade)
                        .ok_or_else(|| corrupt("condition_grade", grade))?,
                ),
                (None, Some(value)) => Threshold::Value(
                    u32::try_from(value)
                        .map_err(|_| corrupt("condition_value", &value.to_string()))?,
                ),
                (None, None) => return Err(corrupt("condition_grade", "")),
            };
            Some(Condition { measure, threshold })
        }
    };
    let policy: String = row.try_get("when_unavailable")?;
    let when_unavailable = match policy.as_str() {
        "send" => UnavailablePolicy::Send,
        "skip" => UnavailablePolicy::Skip,
        other => return Err(corrupt("when_unavailable", other)),
    };
    Ok(AlertContent::AirQuality(AirQualityContent {
        station,
        condition,
        when_unavailable,
    }))
}

pub(super) fn language_code(language: Language) -> &'static str {
    match language {
        Language::Ko => "ko",
        Language::En => "en",
    }
}

pub(super) fn language_from_code(code: &str) -> Result<Language, sqlx::Error> {
    match code {
        "ko" => Ok(Language::Ko),
        "en" => Ok(Language::En),
        other => Err(sqlx::Error::Decode(
            format!("users.language holds an unknown value {other:?}").into(),
        )),
    }
}
