//! The body EventBridge posts to `POST /scheduler/trigger`, and its parser.
//!
//! The EventBridge schedule of a bucket sends
//! `{"scheduleKey": …, "scheduledTime": "<aws.scheduler.scheduled-time>", "executionId": "<aws.scheduler.execution-id>"}`;
//! a single-alert schedule sends `{"alertId": …, "scheduledTime": …}`. Other fields (`userId`,
//! `alertTypes`, … from older schedules) are accepted and ignored. When the rule forwards the
//! whole event instead of its input, the body is the event envelope and our input is its
//! `detail`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// What a trigger fires: a bucket of alerts, or one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FireTarget {
    ScheduleKey(String),
    AlertId(String),
}

/// A parsed trigger body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerTarget {
    pub target: FireTarget,
    pub scheduled_time: DateTime<Utc>,
    /// EventBridge's execution id, for the logs and the fire record.
    pub execution_id: Option<String>,
}

impl TriggerTarget {
    /// The scheduled time as RFC 3339 in UTC, the form the scheduler records fires under.
    pub fn scheduled_time_rfc3339(&self) -> String {
        self.scheduled_time
            .to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

/// Why a trigger body was refused; each names the field at fault where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("request body must be a JSON object")]
    NotAnObject,
    #[error("scheduleKey or alertId is required")]
    NoTarget,
    #[error("give either scheduleKey or alertId, not both")]
    BothTargets,
    #[error("{field} must be a string")]
    NotAString { field: &'static str },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("scheduledTime is required")]
    MissingScheduledTime,
    #[error("scheduledTime must be an RFC 3339 timestamp such as 2024-01-01T08:00:00Z")]
    InvalidScheduledTime,
}

impl TriggerError {
    /// The body field at fault, as the body spells it.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            TriggerError::MalformedJson(_) | TriggerError::NotAnObject => None,
            TriggerError::NoTarget | TriggerError::BothTargets => Some("scheduleKey"),
            TriggerError::NotAString { field } | TriggerError::Empty { field } => Some(field),
            TriggerError::MissingScheduledTime | TriggerError::InvalidScheduledTime => {
                Some("scheduledTime")
            }
        }
    }
}

/// Parses a trigger body: exactly one of `scheduleKey` and `alertId`, an RFC 3339
/// `scheduledTime`, and an optional `executionId`.
pub fn parse_trigger_body(bytes: &[u8]) -> Result<TriggerTarget, TriggerError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|error| TriggerError::MalformedJson(error.to_string()))?;
    let Value::Object(object) = value else {
        return Err(TriggerError::NotAnObject);
    };
    let input = match object.get("detail") {
        Some(Value::Object(detail)) if !has_target(&object) => detail,
        _ => &object,
    };

    let schedule_key = string_field(input, "scheduleKey")?;
    let alert_id = string_field(input, "alertId")?;
    let target = match (schedule_key, alert_id) {
        (Some(key), None) => FireTarget::ScheduleKey(key),
        (None, Some(id)) => FireTarget::AlertId(id),
        (Some(_), Some(_)) => return Err(TriggerError::BothTargets),
        (None, None) => return Err(TriggerError::NoTarget),
    };

    let scheduled_time = match input.get("scheduledTime") {
        None | Some(Value::Null) => return Err(TriggerError::MissingScheduledTime),
        Some(Value::String(raw)) => DateTime::parse_from_rfc3339(raw.trim())
            .map_err(|_| TriggerError::InvalidScheduledTime)?
            .with_timezone(&Utc),
        Some(_) => return Err(TriggerError::InvalidScheduledTime),
    };

    Ok(TriggerTarget {
        target,
        scheduled_time,
        execution_id: string_field(input, "executionId")?,
    })
}

fn has_target(object: &Map<String, Value>) -> bool {
    ["scheduleKey", "alertId"]
        .iter()
        .any(|field| object.get(*field).is_some_and(|value| !value.is_null()))
}

/// A non-empty string field; absent and `null` are both `None`.
fn string_field(
    object: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, TriggerError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Err(TriggerError::Empty { field }),
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(_) => Err(TriggerError::NotAString { field }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_bucket_body_fires_the_bucket() {
        let parsed = parse_trigger_body(
            br#"{"scheduleKey":"b-0800-seoul","scheduledTime":"2024-01-01T08:00:00Z","executionId":"e-1"}"#,
        )
        .unwrap();
        assert_eq!(
            parsed.target,
            FireTarget::ScheduleKey("b-0800-seoul".into())
        );
        assert_eq!(parsed.scheduled_time, at("2024-01-01T08:00:00Z"));
        assert_eq!(parsed.execution_id.as_deref(), Some("e-1"));
        assert_eq!(parsed.scheduled_time_rfc3339(), "2024-01-01T08:00:00Z");
    }

    #[test]
    fn an_alert_body_with_extra_fields_fires_the_alert() {
        let parsed = parse_trigger_body(
            br#"{"alertId":"a-1","userId":"u-1","alertTypes":["pm25"],"scheduledTime":"2024-01-01T17:00:00+09:00"}"#,
        )
        .unwrap();
        assert_eq!(parsed.target, FireTarget::AlertId("a-1".into()));
        assert_eq!(parsed.scheduled_time_rfc3339(), "2024-01-01T08:00:00Z");
        assert_eq!(parsed.execution_id, None);
    }

    #[test]
    fn an_event_envelope_is_read_through_its_detail() {
        let parsed = parse_trigger_body(
            br#"{"version":"0","detail-type":"alert.trigger","source":"alert-system","detail":{"scheduleKey":"k","scheduledTime":"2024-01-01T08:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(parsed.target, FireTarget::ScheduleKey("k".into()));
    }

    #[test]
    fn malformed_bodies_name_the_field_at_fault() {
        let cases: &[(&str, &[u8], TriggerError)] = &[
            (
                "not json",
                b"schedule please",
                TriggerError::MalformedJson(String::new()),
            ),
            ("an array", b"[]", TriggerError::NotAnObject),
            (
                "no target",
                br#"{"scheduledTime":"2024-01-01T08:00:00Z"}"#,
                TriggerError::NoTarget,
            ),
            (
                "both targets",
                br#"{"scheduleKey":"k","alertId":"a","scheduledTime":"2024-01-01T08:00:00Z"}"#,
                TriggerError::BothTargets,
            ),
            (
                "numeric key",
                br#"{"scheduleKey":5,"scheduledTime":"2024-01-01T08:00:00Z"}"#,
                TriggerError::NotAString {
                    field: "scheduleKey",
                },
            ),
            (
                "blank alert id",
                br#"{"alertId":" ","scheduledTime":"2024-01-01T08:00:00Z"}"#,
                TriggerError::Empty { field: "alertId" },
            ),
            (
                "no time",
                br#"{"scheduleKey":"k"}"#,
                TriggerError::MissingScheduledTime,
            ),
            (
                "bad time",
                br#"{"scheduleKey":"k","scheduledTime":"tomorrow at 8"}"#,
                TriggerError::InvalidScheduledTime,
            ),
            (
                "numeric time",
                br#"{"scheduleKey":"k","scheduledTime":1704096000}"#,
                TriggerError::InvalidScheduledTime,
            ),
            (
                "numeric execution id",
                br#"{"scheduleKey":"k","scheduledTime":"2024-01-01T08:00:00Z","executionId":7}"#,
                TriggerError::NotAString {
                    field: "executionId",
                },
            ),
        ];
        for (case, body, expected) in cases {
            let error = parse_trigger_body(body).expect_err(case);
            match (&error, expected) {
                (TriggerError::MalformedJson(_), TriggerError::MalformedJson(_)) => {}
                _ => assert_eq!(&error, expected, "case {case:?}"),
            }
            if let Some(field) = error.field() {
                assert!(
                    error.to_string().contains(field),
                    "case {case:?}: message {error:?} does not name {field}"
                );
            }
        }
    }
}
