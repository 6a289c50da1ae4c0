//! An alert's schedule and the requests that create or change an alert, parsed from their
//! protobuf form.

use alert_cron::{CronSchedule, TimeZone};
use alert_proto::v1::{CreateAlertRequest, UpdateAlertRequest};

use super::{
    content::AlertContent,
    text::{AlertName, AlertText},
};
use crate::error::{Error, Result};

/// A valid cron schedule, kept as the user typed it (trimmed): the normalised form is the
/// scheduler's business, and the user recognises their own spelling.
#[derive(Debug, Clone)]
pub struct AlertSchedule {
    expression: String,
    parsed: CronSchedule,
}

impl AlertSchedule {
    pub fn parse(raw: &str) -> Result<AlertSchedule> {
        let expression = raw.trim().to_owned();
        let parsed = CronSchedule::parse(&expression).map_err(Error::InvalidSchedule)?;
        Ok(AlertSchedule { expression, parsed })
    }

    /// Refuses schedules that fire more often than every `minimum_minutes`.
    pub fn ensure_interval_at_least(&self, minimum_minutes: u32) -> Result<()> {
        if self.parsed.min_interval_minutes() < minimum_minutes {
            return Err(Error::ScheduleTooFrequent { minimum_minutes });
        }
        Ok(())
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn cron(&self) -> &CronSchedule {
        &self.parsed
    }
}

/// The alert's time zone; empty means [`alert_cron::DEFAULT_TIME_ZONE`].
pub fn parse_time_zone(raw: &str) -> Result<TimeZone> {
    if raw.trim().is_empty() {
        return Ok(TimeZone::default());
    }
    TimeZone::parse(raw).map_err(Error::InvalidTimeZone)
}

/// A new alert, every field valid except what depends on configuration: the schedule's interval
/// and whether AirKorea knows the station.
#[derive(Debug, Clone)]
pub struct AlertDraft {
    pub name: AlertName,
    pub schedule: AlertSchedule,
    pub timezone: TimeZone,
    pub text: AlertText,
    pub content: AlertContent,
    pub enabled: bool,
}

impl TryFrom<CreateAlertRequest> for AlertDraft {
    type Error = Error;

    fn try_from(request: CreateAlertRequest) -> Result<AlertDraft> {
        let content = AlertContent::parse(request.content)?;
        Ok(AlertDraft {
            name: AlertName::parse(&request.name)?,
            schedule: AlertSchedule::parse(&request.schedule)?,
            timezone: parse_time_zone(&request.timezone)?,
            text: AlertText::parse(&content, &request.title, &request.body)?,
            content,
            enabled: request.enabled.unwrap_or(true),
        })
    }
}

/// A partial update: `None` keeps the stored value. The title and body are read once merged
/// with the stored alert, as the (possibly changed) content needs them.
#[derive(Debug, Clone)]
pub struct AlertPatch {
    pub id: String,
    pub name: Option<AlertName>,
    pub schedule: Option<AlertSchedule>,
    pub timezone: Option<TimeZone>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub content: Option<AlertContent>,
    pub enabled: Option<bool>,
}

impl TryFrom<UpdateAlertRequest> for AlertPatch {
    type Error = Error;

    fn try_from(request: UpdateAlertRequest) -> Result<AlertPatch> {
        Ok(AlertPatch {
            id: request.id,
            name: request.name.as_deref().map(AlertName::parse).transpose()?,
            schedule: request
                .schedule
                .as_deref()
                .map(AlertSchedule::parse)
                .transpose()?,
            timezone: request
                .timezone
                .as_deref()
                .map(parse_time_zone)
                .transpose()?,
            title: request.title,
            body: request.body,
            content: request
                .content
                .map(|content| AlertContent::parse(Some(content)))
                .transpose()?,
            enabled: request.enabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_keep_the_users_spelling() {
        let schedule = AlertSchedule::parse("  0 8 * * mon-fri ").unwrap();
        assert_eq!(schedule.expression(), "0 8 * * mon-fri");
    }

    #[test]
    fn frequent_schedules_are_refused_below_the_minimum() {
        let schedule = AlertSchedule::parse("*/2 * * * *").unwrap();
        assert!(matches!(
            schedule.ensure_interval_at_least(5),
            Err(Error::ScheduleTooFrequent { minimum_minutes: 5 })
        ));
        assert!(
            AlertSchedule::parse("*/5 * * * *")
                .unwrap()
                .ensure_interval_at_least(5)
                .is_ok()
        );
    }

    #[test]
    fn an_empty_time_zone_means_seoul() {
        assert_eq!(parse_time_zone(" ").unwrap().name(), "Asia/Seoul");
        assert!(matches!(
            parse_time_zone("Mars/Olympus"),
            Err(Error::InvalidTimeZone(_))
        ));
    }
}
