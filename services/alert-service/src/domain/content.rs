//! What an alert's notification says: its own title and body (plain), or the fine-dust reading
//! of an AirKorea station, optionally only when a condition holds.

use alert_airquality::Grade;
use alert_proto::v1::{
    self as pb, air_quality_condition::Threshold as PbThreshold, alert_content::Kind,
};

use crate::error::{Error, Result};

const STATION_FIELD: &str = "content.air_quality.station";
const CONDITION_FIELD: &str = "content.air_quality.condition";
/// Longest station name accepted; AirKorea's are a few characters ("종로구", "서울역").
const MAX_STATION_CHARS: usize = 50;
/// The highest value threshold: well above any PM10 reading ever published (Seoul's record is
/// near 1,000 µg/m³ in a dust storm), so any higher threshold is a typo.
pub const MAX_THRESHOLD_MICROGRAMS: u32 = 1000;

/// An alert's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AlertContent {
    /// The title and body as written.
    #[default]
    Plain,
    AirQuality(AirQualityContent),
}

/// Air quality at one station; the alert's title and body are templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirQualityContent {
    pub station: StationName,
    /// `None`: notify at every scheduled time.
    pub condition: Option<Condition>,
    pub when_unavailable: UnavailablePolicy,
}

/// A station name as the user gave it, trimmed; whether AirKorea knows it is checked against
/// the station list when it can be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationName(String);

impl StationName {
    pub fn parse(raw: &str) -> Result<StationName> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Error::TextEmpty {
                field: STATION_FIELD,
            });
        }
        if name.chars().count() > MAX_STATION_CHARS {
            return Err(Error::TextTooLong {
                field: STATION_FIELD,
                max: MAX_STATION_CHARS,
            });
        }
        Ok(StationName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Notify only when `measure` is at or above `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub measure: Measure,
    pub threshold: Threshold,
}

/// What a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Pm10,
    Pm25,
    /// The worse grade of the two (grades only: PM10 and PM2.5 values are on different scales).
    Worse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    Grade(Grade),
    /// µg/m³.
    Value(u32),
}

/// What a run does when the reading cannot be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnavailablePolicy {
    /// Send the message with a "measurement unavailable" line.
    #[default]
    Send,
    /// Send nothing; the run is recorded as skipped.
    Skip,
}

impl AlertContent {
    /// The content of a create request: absent means plain.
    pub fn parse(content: Option<pb::AlertContent>) -> Result<AlertContent> {
        match content.map(|content| content.kind) {
            None | Some(Some(Kind::Plain(_))) => Ok(AlertContent::Plain),
            Some(Some(Kind::AirQuality(air_quality))) => {
                AirQualityContent::parse(air_quality).map(AlertContent::AirQuality)
            }
            Some(None) => Err(Error::InvalidContent {
                field: "content",
                problem: "must be either plain or air_quality".into(),
            }),
        }
    }

    pub fn air_quality(&self) -> Option<&AirQualityContent> {
        match self {
            AlertContent::Plain => None,
            AlertContent::AirQuality(content) => Some(content),
        }
    }
}

impl AirQualityContent {
    fn parse(content: pb::AirQualityContent) -> Result<AirQualityContent> {
        let when_unavailable =
            match pb::UnavailableMeasurementPolicy::try_from(content.when_unavailable) {
                Ok(
                    pb::UnavailableMeasurementPolicy::Unspecified
                    | pb::UnavailableMeasurementPolicy::Send,
                ) => UnavailablePolicy::Send,
                Ok(pb::UnavailableMeasurementPolicy::Skip) => UnavailablePolicy::Skip,
                Err(_) => {
                    return Err(Error::InvalidContent {
                        field: "content.air_quality.when_unavailable",
                        problem: format!("has no policy numbered {}", content.when_unavailable),
                    });
                }
            };
        Ok(AirQualityContent {
            station: StationName::parse(&content.station)?,
            condition: content.condition.map(Condition::parse).transpose()?,
            when_unavailable,
        })
    }
}

fn condition_error(problem: impl Into<String>) -> Error {
    Error::InvalidContent {
        field: CONDITION_FIELD,
        problem: problem.into(),
    }
}

impl Condition {
    fn parse(condition: pb::AirQualityCondition) -> Result<Condition> {
        let measure = match pb::AirQualityMeasure::try_from(condition.measure) {
            Ok(pb::AirQualityMeasure::Pm10) => Measure::Pm10,
            Ok(pb::AirQualityMeasure::Pm25) => Measure::Pm25,
            Ok(pb::AirQualityMeasure::Worse) => Measure::Worse,
            Ok(pb::AirQualityMeasure::Unspecified) | Err(_) => {
                return Err(condition_error(
                    "needs a measure: PM10, PM2.5 or the worse of the two",
                ));
            }
        };
        let threshold = match condition.threshold {
            None => {
                return Err(condition_error(
                    "needs a threshold: at_least_grade or at_least_value",
                ));
            }
            Some(PbThreshold::AtLeastGrade(grade)) => {
                Threshold::Grade(grade_from_proto(grade).ok_or_else(|| {
                    condition_error("at_least_grade must be good, moderate, bad or very bad")
                })?)
            }
            Some(PbThreshold::AtLeastValue(value)) => {
                if !(1..=MAX_THRESHOLD_MICROGRAMS).contains(&value) {
                    return Err(condition_error(format!(
                        "at_least_value must be 1 to {MAX_THRESHOLD_MICROGRAMS} µg/m³"
                    )));
                }
                if measure == Measure::Worse {
                    return Err(condition_error(
                        "a value threshold needs PM10 or PM2.5: the worse of the two compares grades",
                    ));
                }
                Threshold::Value(value)
            }
        };
        Ok(Condition { measure, threshold })
    }
}

/// A grade from its protobuf number; `None` for UNSPECIFIED or an unknown number.
pub fn grade_from_proto(grade: i32) -> Option<Grade> {
    match pb::AirQualityGrade::try_from(grade) {
        Ok(pb::AirQualityGrade::Good) => Some(Grade::Good),
        Ok(pb::AirQualityGrade::Moderate) => Some(Grade::Moderate),
        Ok(pb::AirQualityGrade::Bad) => Some(Grade::Bad),
        Ok(pb::AirQualityGrade::VeryBad) => Some(Grade::VeryBad),
        Ok(pb::AirQualityGrade::Unspecified) | Err(_) => None,
    }
}

/// A grade's protobuf form; `None` (unavailable) is UNSPECIFIED.
pub fn grade_to_proto(grade: Option<Grade>) -> pb::AirQualityGrade {
    match grade {
        None => pb::AirQualityGrade::Unspecified,
        Some(Grade::Good) => pb::AirQualityGrade::Good,
        Some(Grade::Moderate) => pb::AirQualityGrade::Moderate,
        Some(Grade::Bad) => pb::AirQualityGrade::Bad,
        Some(Grade::VeryBad) => pb::AirQualityGrade::VeryBad,
    }
}

impl From<&AlertContent> for pb::AlertContent {
    fn from(content: &AlertContent) -> pb::AlertContent {
        let kind = match content {
            AlertContent::Plain => Kind::Plain(pb::PlainContent {}),
            AlertContent::AirQuality(air_quality) => Kind::AirQuality(pb::AirQualityContent {
                station: air_quality.station.as_str().to_owned(),
                condition: air_quality
                    .condition
                    .map(|condition| pb::AirQualityCondition {
                        measure: match condition.measure {
                            Measure::Pm10 => pb::AirQualityMeasure::Pm10,
                            Measure::Pm25 => pb::AirQualityMeasure::Pm25,
                            Measure::Worse => pb::AirQualityMeasure::Worse,
                        }
                        .into(),
                        threshold: Some(match condition.threshold {
                            Threshold::Grade(grade) => {
                                PbThreshold::AtLeastGrade(grade_to_proto(Some(grade)).into())
                            }
                            Threshold::Value(value) => PbThreshold::AtLeastValue(value),
                        }),
                    }),
                when_unavailable: match air_quality.when_unavailable {
                    UnavailablePolicy::Send => pb::UnavailableMeasurementPolicy::Send,
                    UnavailablePolicy::Skip => pb::UnavailableMeasurementPolicy::Skip,
                }
                .into(),
            }),
        };
        pb::AlertContent { kind: Some(kind) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn air_quality(condition: Option<pb::AirQualityCondition>) -> pb::AlertContent {
        pb::AlertContent {
            kind: Some(Kind::AirQuality(pb::AirQualityContent {
                station: " 종로구 ".into(),
                condition,
                when_unavailable: 0,
            })),
        }
    }

    fn condition(
        measure: pb::AirQualityMeasure,
        threshold: PbThreshold,
    ) -> pb::AirQualityCondition {
        pb::AirQualityCondition {
            measure: measure.into(),
            threshold: Some(threshold),
        }
    }

    #[test]
    fn absent_content_is_plain_and_air_quality_round_trips() {
        assert_eq!(AlertContent::parse(None).unwrap(), AlertContent::Plain);
        let parsed = AlertContent::parse(Some(air_quality(Some(condition(
            pb::AirQualityMeasure::Pm25,
            PbThreshold::AtLeastValue(35),
        )))))
        .unwrap();
        let AlertContent::AirQuality(content) = &parsed else {
            panic!("{parsed:?}")
        };
        assert_eq!(content.station.as_str(), "종로구");
        assert_eq!(content.when_unavailable, UnavailablePolicy::Send);
        assert_eq!(
            AlertContent::parse(Some(pb::AlertContent::from(&parsed))).unwrap(),
            parsed
        );
    }

    #[test]
    fn invalid_conditions_are_refused_with_what_to_fix() {
        let cases = [
            (
                "no measure",
                condition(
                    pb::AirQualityMeasure::Unspecified,
                    PbThreshold::AtLeastValue(10),
                ),
                "needs a measure",
            ),
            (
                "value zero",
                condition(pb::AirQualityMeasure::Pm10, PbThreshold::AtLeastValue(0)),
                "1 to 1000",
            ),
            (
                "value too high",
                condition(pb::AirQualityMeasure::Pm10, PbThreshold::AtLeastValue(1001)),
                "1 to 1000",
            ),
            (
                "value of the worse",
                condition(pb::AirQualityMeasure::Worse, PbThreshold::AtLeastValue(50)),
                "compares grades",
            ),
            (
                "unspecified grade",
                condition(pb::AirQualityMeasure::Pm25, PbThreshold::AtLeastGrade(0)),
                "at_least_grade",
            ),
            (
                "unknown grade",
                condition(pb::AirQualityMeasure::Pm25, PbThreshold::AtLeastGrade(9)),
                "at_least_grade",
            ),
            (
                "no threshold",
                pb::AirQualityCondition {
                    measure: pb::AirQualityMeasure::Pm25.into(),
                    threshold: None,
                },
                "needs a threshold",
            ),
        ];
        for (case, condition, fragment) in cases {
            let error = AlertContent::parse(Some(air_quality(Some(condition)))).unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::InvalidContent {
                        field: CONDITION_FIELD,
                        ..
                    }
                ),
                "{case}: {error:?}"
            );
            assert!(error.to_string().contains(fragment), "{case}: {error}");
        }
    }

    #[test]
    fn a_station_is_required_and_bounded() {
        for (station, fragment) in [
            ("  ", "must not be empty"),
            (&*"역".repeat(51), "at most 50"),
        ] {
            let content = pb::AlertContent {
                kind: Some(Kind::AirQuality(pb::AirQualityContent {
                    station: station.to_owned(),
                    ..Default::default()
                })),
            };
            let error = AlertContent::parse(Some(content)).unwrap_err();
            assert!(error.to_string().contains(fragment), "{station:?}: {error}");
        }
        let no_kind = AlertContent::parse(Some(pb::AlertContent { kind: None })).unwrap_err();
        assert!(
            no_kind.to_string().contains("plain or air_quality"),
            "{no_kind}"
        );
    }
}
