//! An alert's `content` in REST bodies, shaped like its protobuf (`{"plain": {}}` or
//! `{"airQuality": {…}}`) so that the fields alert-service names in its errors are the fields of
//! the body; enum values are lowercase words, as elsewhere in the REST API.

use alert_proto::v1::{
    AirQualityCondition, AirQualityContent, AirQualityGrade, AirQualityMeasure, AlertContent,
    PlainContent, UnavailableMeasurementPolicy, air_quality_condition::Threshold,
    alert_content::Kind,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContentJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plain: Option<PlainJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    air_quality: Option<AirQualityJson>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlainJson {}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AirQualityJson {
    station: String,
    #[serde(default)]
    condition: Option<ConditionJson>,
    #[serde(default)]
    when_unavailable: PolicyJson,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConditionJson {
    measure: MeasureJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least_grade: Option<GradeJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least_value: Option<u32>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureJson {
    Pm10,
    Pm25,
    Worse,
}

/// A grade as the REST API writes it; `None` in answers for an unavailable reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum GradeJson {
    Good,
    Moderate,
    Bad,
    VeryBad,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyJson {
    #[default]
    Send,
    Skip,
}

impl GradeJson {
    pub fn from_proto(grade: AirQualityGrade) -> Option<GradeJson> {
        match grade {
            AirQualityGrade::Unspecified => None,
            AirQualityGrade::Good => Some(GradeJson::Good),
            AirQualityGrade::Moderate => Some(GradeJson::Moderate),
            AirQualityGrade::Bad => Some(GradeJson::Bad),
            AirQualityGrade::VeryBad => Some(GradeJson::VeryBad),
        }
    }

    fn to_proto(self) -> AirQualityGrade {
        match self {
            GradeJson::Good => AirQualityGrade::Good,
            GradeJson::Moderate => AirQualityGrade::Moderate,
            GradeJson::Bad => AirQualityGrade::Bad,
            GradeJson::VeryBad => AirQualityGrade::VeryBad,
        }
    }
}

impl ContentJson {
    /// The protobuf content; exactly one kind must be given.
    pub fn into_proto(self) -> Result<AlertContent> {
        let kind = match (self.plain, self.air_quality) {
            (Some(_), None) => Kind::Plain(PlainContent {}),
            (None, Some(air_quality)) => Kind::AirQuality(air_quality.into_proto()?),
            _ => {
                return Err(Error::invalid_field(
                    "content",
                    "content must have exactly one of plain and airQuality",
                ));
            }
        };
        Ok(AlertContent { kind: Some(kind) })
    }

    /// The JSON of a stored alert's content; absent (an older alert-service) reads as plain.
    pub fn from_proto(content: Option<AlertContent>) -> ContentJson {
        match content.and_then(|content| content.kind) {
            None | Some(Kind::Plain(_)) => ContentJson {
                plain: Some(PlainJson {}),
                air_quality: None,
            },
            Some(Kind::AirQuality(air_quality)) => ContentJson {
                plain: None,
                air_quality: Some(AirQualityJson::from_proto(air_quality)),
            },
        }
    }
}

impl AirQualityJson {
    fn into_proto(self) -> Result<AirQualityContent> {
        let condition = self
            .condition
            .map(|condition| {
                let threshold = match (condition.at_least_grade, condition.at_least_value) {
                    (Some(grade), None) => Some(Threshold::AtLeastGrade(grade.to_proto().into())),
                    (None, Some(value)) => Some(Threshold::AtLeastValue(value)),
                    (None, None) => None,
                    (Some(_), Some(_)) => {
                        return Err(Error::invalid_field(
                            "content.airQuality.condition",
                            "a condition has atLeastGrade or atLeastValue, not both",
                        ));
                    }
                };
                let measure = match condition.measure {
                    MeasureJson::Pm10 => AirQualityMeasure::Pm10,
                    MeasureJson::Pm25 => AirQualityMeasure::Pm25,
                    MeasureJson::Worse => AirQualityMeasure::Worse,
                };
                Ok(AirQualityCondition {
                    measure: measure.into(),
                    threshold,
                })
            })
            .transpose()?;
        let when_unavailable = match self.when_unavailable {
            PolicyJson::Send => UnavailableMeasurementPolicy::Send,
            PolicyJson::Skip => UnavailableMeasurementPolicy::Skip,
        };
        Ok(AirQualityContent {
            station: self.station,
            condition,
            when_unavailable: when_unavailable.into(),
        })
    }

    fn from_proto(content: AirQualityContent) -> AirQualityJson {
        let when_unavailable = match content.when_unavailable() {
            UnavailableMeasurementPolicy::Skip => PolicyJson::Skip,
            UnavailableMeasurementPolicy::Send | UnavailableMeasurementPolicy::Unspecified => {
                PolicyJson::Send
            }
        };
        let condition = content.condition.and_then(|condition| {
            let measure = match condition.measure() {
                AirQualityMeasure::Pm10 => MeasureJson::Pm10,
                AirQualityMeasure::Pm25 => MeasureJson::Pm25,
                AirQualityMeasure::Worse => MeasureJson::Worse,
                AirQualityMeasure::Unspecified => return None,
            };
            let (at_least_grade, at_least_value) = match condition.threshold {
                Some(Threshold::AtLeastGrade(grade)) => (
                    AirQualityGrade::try_from(grade)
                        .ok()
                        .and_then(GradeJson::from_proto),
                    None,
                ),
                Some(Threshold::AtLeastValue(value)) => (None, Some(value)),
                None => (None, None),
            };
            Some(ConditionJson {
                measure,
                at_least_grade,
                at_least_value,
            })
        });
        AirQualityJson {
            station: content.station,
            condition,
            when_unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn air_quality_content_reads_and_writes_the_same_json() {
        let body = json!({"airQuality": {"station": "종로구",
            "condition": {"measure": "pm25", "atLeastGrade": "veryBad"}, "whenUnavailable": "skip"}});
        let content: ContentJson = serde_json::from_value(body.clone()).unwrap();
        let proto = content.into_proto().unwrap();
        assert_eq!(
            serde_json::to_value(ContentJson::from_proto(Some(proto))).unwrap(),
            body
        );
        assert_eq!(
            serde_json::to_value(ContentJson::from_proto(None)).unwrap(),
            json!({"plain": {}})
        );
    }

    #[test]
    fn a_content_of_two_kinds_or_a_condition_of_two_thresholds_is_refused() {
        let both: ContentJson =
            serde_json::from_value(json!({"plain": {}, "airQuality": {"station": "중구"}}))
                .unwrap();
        assert!(
            both.into_proto()
                .unwrap_err()
                .to_string()
                .contains("exactly one")
        );
        let two_thresholds: ContentJson = serde_json::from_value(json!({"airQuality": {
            "station": "중구", "condition": {"measure": "pm10", "atLeastGrade": "bad", "atLeastValue": 80}}}))
        .unwrap();
        assert!(
            two_thresholds
                .into_proto()
                .unwrap_err()
                .to_string()
                .contains("not both")
        );
    }
}
