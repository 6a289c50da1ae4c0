//! Domain types, parsed once at the gRPC boundary.

use std::fmt;

use alert_cron::{CronSchedule, TimeZone};
use alert_platform::timestamp;
use alert_proto::v1 as pb;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Longest id accepted from a caller; alert ids are UUID strings.
const MAX_ID_CHARS: usize = 128;

/// The id of an alert (owned by alert-service).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlertId(String);

impl AlertId {
    pub fn parse(raw: &str) -> Result<AlertId, Error> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Error::MissingAlertId);
        }
        if trimmed.chars().count() > MAX_ID_CHARS {
            return Err(Error::AlertIdTooLong { max: MAX_ID_CHARS });
        }
        Ok(AlertId(trimmed.to_owned()))
    }

    /// An id read back from our own database.
    pub(crate) fn from_stored(id: String) -> AlertId {
        AlertId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a bucket: `alert-` and 24 hex digits of a hash of its schedule. Stable across
/// releases and at most 64 characters, so it can name an EventBridge schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey(String);

impl BucketKey {
    /// A key received from a caller (the trigger webhook); unknown keys are allowed.
    pub fn parse(raw: &str) -> Result<BucketKey, Error> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Error::MissingScheduleKey);
        }
        if trimmed.chars().count() > MAX_ID_CHARS {
            return Err(Error::ScheduleKeyTooLong { max: MAX_ID_CHARS });
        }
        Ok(BucketKey(trimmed.to_owned()))
    }

    /// A key read back from our own database.
    pub(crate) fn from_stored(key: String) -> BucketKey {
        BucketKey(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BucketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When a bucket fires: a cron expression read on a time zone's wall clock.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub cron: CronSchedule,
    pub timezone: TimeZone,
}

impl Schedule {
    pub fn parse(cron: &str, timezone: &str) -> Result<Schedule, Error> {
        let cron = CronSchedule::parse(cron).map_err(Error::InvalidCron)?;
        let timezone = TimeZone::parse(timezone).map_err(Error::InvalidTimeZone)?;
        Ok(Schedule { cron, timezone })
    }

    /// The bucket of every alert with this schedule, however its expression was spelled.
    pub fn bucket_key(&self) -> BucketKey {
        let digest = Sha256::digest(format!(
            "{}\n{}",
            self.cron.normalized(),
            self.timezone.name()
        ));
        let hex = format!("{digest:x}");
        BucketKey(format!("alert-{}", &hex[..24]))
    }

    /// The first fire strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.next_after(self.timezone.tz(), after)
    }
}

/// What an UpsertSchedule asks for.
#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    pub alert_id: AlertId,
    pub schedule: Schedule,
    pub enabled: bool,
}

impl TryFrom<pb::UpsertScheduleRequest> for ScheduleRequest {
    type Error = Error;

    fn try_from(request: pb::UpsertScheduleRequest) -> Result<Self, Error> {
        Ok(ScheduleRequest {
            alert_id: AlertId::parse(&request.alert_id)?,
            schedule: Schedule::parse(&request.cron, &request.timezone)?,
            enabled: request.enabled,
        })
    }
}

/// What a fire runs: every member of a bucket, or one alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FireTarget {
    Bucket(BucketKey),
    Alert(AlertId),
}

impl FireTarget {
    /// The form stored in the fire records: `bucket:<key>` or `alert:<id>`.
    pub fn stored(&self) -> String {
        match self {
            FireTarget::Bucket(key) => format!("bucket:{key}"),
            FireTarget::Alert(id) => format!("alert:{id}"),
        }
    }
}

impl fmt::Display for FireTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

/// One delivery of a schedule's fire (EventBridge delivers at least once).
#[derive(Debug, Clone)]
pub struct Fire {
    pub target: FireTarget,
    pub scheduled_at: DateTime<Utc>,
    pub execution_id: String,
}

impl TryFrom<pb::FireRequest> for Fire {
    type Error = Error;

    fn try_from(request: pb::FireRequest) -> Result<Self, Error> {
        let target = match request.target {
            Some(pb::fire_request::Target::ScheduleKey(key)) => {
                FireTarget::Bucket(BucketKey::parse(&key)?)
            }
            Some(pb::fire_request::Target::AlertId(id)) => FireTarget::Alert(AlertId::parse(&id)?),
            None => return Err(Error::MissingTarget),
        };
        if request.scheduled_time.trim().is_empty() {
            return Err(Error::MissingScheduledTime);
        }
        let scheduled_at = timestamp::parse_rfc3339(&request.scheduled_time)
            .map_err(Error::InvalidScheduledTime)?;
        let execution_id = match request.execution_id.trim() {
            "" => format!("unnamed-{}", uuid::Uuid::now_v7()),
            id => id.chars().take(MAX_ID_CHARS).collect(),
        };
        Ok(Fire {
            target,
            scheduled_at,
            execution_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_keys_are_short_and_stable() {
        let schedule = Schedule::parse("0 8 * * 1-5", "Asia/Seoul").unwrap();
        let key = schedule.bucket_key();
        assert!(key.as_str().starts_with("alert-"));
        assert_eq!(key.as_str().len(), "alert-".len() + 24);
        assert_eq!(
            key,
            Schedule::parse("0 8 * * MON-FRI", "asia/seoul")
                .unwrap()
                .bucket_key()
        );
        assert_ne!(
            key,
            Schedule::parse("0 8 * * 1-5", "Asia/Tokyo")
                .unwrap()
                .bucket_key()
        );
    }

    #[test]
    fn fire_targets_have_distinct_stored_forms() {
        let bucket = FireTarget::Bucket(BucketKey::parse("x").unwrap());
        let alert = FireTarget::Alert(AlertId::parse("x").unwrap());
        assert_ne!(bucket.stored(), alert.stored());
    }
}
