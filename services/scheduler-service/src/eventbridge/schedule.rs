//! The EventBridge schedule of a bucket: built from our own parsed form and checked here,
//! because the stand-in used by the tests (moto) validates nothing.

use alert_cron::{CronSchedule, TimeZone};

use super::{EventBridgeConfig, api::RemoteSchedule};
use crate::domain::BucketKey;

/// `source` of the events schedules put on the bus; the rule matches it.
pub const EVENT_SOURCE: &str = "alert-system.scheduler";
/// `detail-type` of those events; the rule matches it.
pub const EVENT_DETAIL_TYPE: &str = "ScheduledNotification";
/// Every schedule we own is named with this prefix (the bucket key's); reconciliation deletes
/// only schedules with it.
pub const SCHEDULE_NAME_PREFIX: &str = "alert-";

/// Everything we set on a bucket's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSpec {
    pub name: String,
    pub description: String,
    /// `cron(m h dom mon dow *)`.
    pub expression: String,
    /// IANA name: `ScheduleExpressionTimezone`.
    pub timezone: String,
    pub target_arn: String,
    pub role_arn: String,
    /// `{"scheduleKey", "scheduledTime", "executionId"}` with EventBridge Scheduler's context
    /// attributes, which it fills in at each invocation.
    pub input: String,
    pub source: String,
    pub detail_type: String,
    pub retry_max_attempts: i32,
    pub retry_max_event_age_seconds: i32,
    pub dead_letter_arn: Option<String>,
}

impl ScheduleSpec {
    /// The schedule of bucket `key` with the stored (normalised) `expression` and `timezone`.
    pub fn for_bucket(
        key: &BucketKey,
        expression: &str,
        timezone: &str,
        config: &EventBridgeConfig,
    ) -> Result<ScheduleSpec, String> {
        let name = key.as_str();
        if !is_schedule_name(name) {
            return Err(format!(
                "bucket key {name:?} is not a valid schedule name (1-64 letters, digits, `-`, `_`, `.`)"
            ));
        }
        let cron = CronSchedule::parse(expression)
            .map_err(|e| format!("stored expression {expression:?} is invalid: {e}"))?;
        let zone = TimeZone::parse(timezone)
            .map_err(|e| format!("stored time zone {timezone:?} is invalid: {e}"))?;
        let input = serde_json::json!({
            "scheduleKey": name,
            "scheduledTime": "<aws.scheduler.scheduled-time>",
            "executionId": "<aws.scheduler.execution-id>",
        })
        .to_string();
        Ok(ScheduleSpec {
            name: name.to_owned(),
            description: format!(
                "alert-system bucket: {} in {}",
                cron.normalized(),
                zone.name()
            ),
            expression: cron.to_eventbridge(),
            timezone: zone.name().to_owned(),
            target_arn: config.target_arn.clone(),
            role_arn: config.role_arn.clone(),
            input,
            source: EVENT_SOURCE.to_owned(),
            detail_type: EVENT_DETAIL_TYPE.to_owned(),
            retry_max_attempts: config.retry_max_attempts,
            retry_max_event_age_seconds: i32::try_from(config.retry_max_event_age.as_secs())
                .unwrap_or(86_400),
            dead_letter_arn: config.dead_letter_arn.clone(),
        })
    }

    /// What differs between `remote` and this spec; empty when it is in step.
    pub fn drift(&self, remote: &RemoteSchedule) -> Vec<&'static str> {
        let mut drift = Vec::new();
        let same = |a: Option<&str>, b: &str| a == Some(b);
        if !same(remote.expression.as_deref(), &self.expression) {
            drift.push("expression");
        }
        if !same(remote.timezone.as_deref(), &self.timezone) {
            drift.push("timezone");
        }
        if !same(remote.state.as_deref(), "ENABLED") {
            drift.push("state");
        }
        if !remote.flexible_window_off {
            drift.push("flexible time window");
        }
        if !same(remote.target_arn.as_deref(), &self.target_arn) {
            drift.push("target");
        }
        if !same(remote.role_arn.as_deref(), &self.role_arn) {
            drift.push("role");
        }
        let remote_input = remote
            .input
            .as_deref()
            .and_then(|i| serde_json::from_str::<serde_json::Value>(i).ok());
        if remote_input != serde_json::from_str(&self.input).ok() {
            drift.push("input");
        }
        if !same(remote.source.as_deref(), &self.source)
            || !same(remote.detail_type.as_deref(), &self.detail_type)
        {
            drift.push("event parameters");
        }
        if remote.retry_max_attempts != Some(self.retry_max_attempts)
            || remote.retry_max_event_age_seconds != Some(self.retry_max_event_age_seconds)
        {
            drift.push("retry policy");
        }
        if remote.dead_letter_arn != self.dead_letter_arn {
            drift.push("dead-letter queue");
        }
        drift
    }
}

/// EventBridge Scheduler's rule for schedule names.
pub fn is_schedule_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
