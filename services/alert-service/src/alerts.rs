//! The caller's alerts: create, read, change, delete, and preview fire times. Every operation is
//! scoped to the caller; another user's alert does not exist for them.

use std::sync::Arc;

use alert_cron::{CronSchedule, TimeZone};
use alert_platform::clock::SharedClock;
use chrono::SecondsFormat;
use tracing::info;

use crate::{
    domain::{AlertContent, AlertDraft, AlertPatch, AlertSchedule, AlertText, parse_time_zone},
    error::{Error, Result},
    stations::Stations,
    store::{AlertChanges, AlertRecord, RunRecord, Store},
    sync::ScheduleSync,
};

const DEFAULT_PREVIEW_COUNT: u32 = 5;
const MAX_PREVIEW_COUNT: u32 = 50;
const DEFAULT_RUNS_LIMIT: u32 = 20;
const MAX_RUNS_LIMIT: u32 = 100;

/// A parsed `ListAlertRuns` request.
#[derive(Debug, Clone)]
pub struct RunsRequest {
    pub id: String,
    pub limit: u32,
}

impl TryFrom<alert_proto::v1::ListAlertRunsRequest> for RunsRequest {
    type Error = Error;

    fn try_from(request: alert_proto::v1::ListAlertRunsRequest) -> Result<RunsRequest> {
        let limit = match request.limit {
            0 => DEFAULT_RUNS_LIMIT,
            limit @ 1..=MAX_RUNS_LIMIT => limit,
            _ => {
                return Err(Error::InvalidLimit {
                    max: MAX_RUNS_LIMIT,
                });
            }
        };
        Ok(RunsRequest {
            id: request.id.trim().to_owned(),
            limit,
        })
    }
}

/// What to preview: a stored alert, or a schedule being typed.
#[derive(Debug, Clone)]
pub enum PreviewTarget {
    Alert {
        id: String,
    },
    Schedule {
        schedule: AlertSchedule,
        timezone: TimeZone,
    },
}

/// A parsed `PreviewNextRuns` request.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    pub target: PreviewTarget,
    pub count: usize,
}

impl TryFrom<alert_proto::v1::PreviewNextRunsRequest> for PreviewRequest {
    type Error = Error;

    fn try_from(request: alert_proto::v1::PreviewNextRunsRequest) -> Result<PreviewRequest> {
        let count = match request.count {
            0 => DEFAULT_PREVIEW_COUNT,
            count @ 1..=MAX_PREVIEW_COUNT => count,
            _ => return Err(Error::InvalidCount),
        };
        let id = request.id.trim();
        let target = if id.is_empty() {
            PreviewTarget::Schedule {
                schedule: AlertSchedule::parse(&request.schedule)?,
                timezone: parse_time_zone(&request.timezone)?,
            }
        } else {
            PreviewTarget::Alert { id: id.to_owned() }
        };
        Ok(PreviewRequest {
            target,
            count: count as usize,
        })
    }
}

/// Upcoming fire times, RFC 3339 in the zone's own offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub next_runs: Vec<String>,
    pub timezone: String,
}

/// The alert logic behind `alert.v1.AlertService`.
#[derive(Clone)]
pub struct Alerts {
    store: Arc<dyn Store>,
    clock: SharedClock,
    sync: ScheduleSync,
    stations: Stations,
    max_alerts_per_user: u32,
    min_interval_minutes: u32,
}

impl Alerts {
    pub fn new(
        store: Arc<dyn Store>,
        clock: SharedClock,
        sync: ScheduleSync,
        stations: Stations,
        max_alerts_per_user: u32,
        min_interval_minutes: u32,
    ) -> Alerts {
        Alerts {
            store,
            clock,
            sync,
            stations,
            max_alerts_per_user,
            min_interval_minutes,
        }
    }

    /// Refuses air-quality content this server cannot serve or whose station AirKorea does not
    /// list.
    async fn ensure_content_available(&self, content: &AlertContent) -> Result<()> {
        match content.air_quality() {
            Some(air_quality) => self.stations.ensure_known(&air_quality.station).await,
            None => Ok(()),
        }
    }

    pub async fn create(&self, user_id: &str, draft: AlertDraft) -> Result<AlertRecord> {
        draft
            .schedule
            .ensure_interval_at_least(self.min_interval_minutes)?;
        self.ensure_content_available(&draft.content).await?;
        let now = self.clock.now().timestamp_millis();
        let alert = AlertRecord {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_owned(),
            name: draft.name.into_inner(),
            schedule: draft.schedule.expression().to_owned(),
            timezone: draft.timezone.name().to_owned(),
            title: draft.text.title.into_inner(),
            body: draft.text.body.into_inner(),
            content: draft.content,
            enabled: draft.enabled,
            schedule_version: 1,
            synced_version: 0,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        if !self
            .store
            .insert_alert(&alert, self.max_alerts_per_user)
            .await?
        {
            return Err(Error::TooManyAlerts {
                limit: self.max_alerts_per_user,
            });
        }
        info!(alert_id = %alert.id, user_id, "alert created");
        self.sync.sync_soon(&alert).await;
        Ok(alert)
    }

    pub async fn get(&self, user_id: &str, id: &str) -> Result<AlertRecord> {
        self.store
            .alert_of_user(user_id, id)
            .await?
            .ok_or(Error::AlertNotFound)
    }

    pub async fn list(&self, user_id: &str) -> Result<Vec<AlertRecord>> {
        self.store.alerts_of_user(user_id).await
    }

    pub async fn update(&self, user_id: &str, patch: AlertPatch) -> Result<AlertRecord> {
        if let Some(schedule) = &patch.schedule {
            schedule.ensure_interval_at_least(self.min_interval_minutes)?;
        }
        if let Some(content) = &patch.content {
            self.ensure_content_available(content).await?;
        }
        let current = self.get(user_id, &patch.id).await?;
        let content = patch.content.unwrap_or_else(|| current.content.clone());
        let text = AlertText::parse(
            &content,
            patch.title.as_deref().unwrap_or(&current.title),
            patch.body.as_deref().unwrap_or(&current.body),
        )?;
        let changes = AlertChanges {
            name: patch
                .name
                .map_or(current.name.clone(), |name| name.into_inner()),
            schedule: patch
                .schedule
                .map_or(current.schedule.clone(), |s| s.expression().to_owned()),
            timezone: patch
                .timezone
                .map_or(current.timezone.clone(), |tz| tz.name().to_owned()),
            title: text.title.into_inner(),
            body: text.body.into_inner(),
            content,
            enabled: patch.enabled.unwrap_or(current.enabled),
            schedule_changed: false,
            updated_at: self.clock.now().timestamp_millis(),
        };
        let schedule_changed = changes.schedule != current.schedule
            || changes.timezone != current.timezone
            || changes.enabled != current.enabled;
        let changes = AlertChanges {
            schedule_changed,
            ..changes
        };
        let updated = self
            .store
            .update_alert(user_id, &patch.id, &changes)
            .await?
            .ok_or(Error::AlertNotFound)?;
        info!(alert_id = %updated.id, schedule_changed, "alert updated");
        if schedule_changed {
            self.sync.sync_soon(&updated).await;
        }
        Ok(updated)
    }

    pub async fn toggle(&self, user_id: &str, id: &str) -> Result<AlertRecord> {
        let now = self.clock.now().timestamp_millis();
        let toggled = self
            .store
            .toggle_alert(user_id, id, now)
            .await?
            .ok_or(Error::AlertNotFound)?;
        info!(alert_id = %toggled.id, enabled = toggled.enabled, "alert toggled");
        self.sync.sync_soon(&toggled).await;
        Ok(toggled)
    }

    pub async fn delete(&self, user_id: &str, id: &str) -> Result<()> {
        let now = self.clock.now().timestamp_millis();
        let deleted = self
            .store
            .soft_delete_alert(user_id, id, now)
            .await?
            .ok_or(Error::AlertNotFound)?;
        info!(alert_id = %deleted.id, "alert deleted");
        self.sync.sync_soon(&deleted).await;
        Ok(())
    }

    /// The latest runs of one of the caller's alerts, newest first.
    pub async fn runs(&self, user_id: &str, request: RunsRequest) -> Result<Vec<RunRecord>> {
        let alert = self.get(user_id, &request.id).await?;
        self.store.runs_of_alert(&alert.id, request.limit).await
    }

    pub async fn preview(&self, user_id: &str, request: PreviewRequest) -> Result<Preview> {
        let (cron, timezone) = match request.target {
            PreviewTarget::Alert { id } => {
                let alert = self.get(user_id, &id).await?;
                let cron = CronSchedule::parse(&alert.schedule).map_err(Error::InvalidSchedule)?;
                (cron, parse_time_zone(&alert.timezone)?)
            }
            PreviewTarget::Schedule { schedule, timezone } => {
                schedule.ensure_interval_at_least(self.min_interval_minutes)?;
                (schedule.cron().clone(), timezone)
            }
        };
        let zone = timezone.tz();
        let next_runs = cron
            .fires_after(zone, self.clock.now())
            .take(request.count)
            .map(|fire| {
                fire.with_timezone(&zone)
                    .to_rfc3339_opts(SecondsFormat::Secs, false)
            })
            .collect();
        Ok(Preview {
            next_runs,
            timezone: timezone.name().to_owned(),
        })
    }
}
