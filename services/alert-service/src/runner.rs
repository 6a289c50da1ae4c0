//! Runs an alert at a scheduled time: builds its notification (for air-quality content, from the
//! station's reading, if its condition holds) and hands it to notifier-service.
//!
//! A run is idempotent on (alert, scheduled time) twice over: notifier-service queues nothing new
//! for a repeated dedupe key, and the `alert_runs` row answers a repeat with DUPLICATE. The
//! scheduler delivers at least once, and a crash between the two steps is safe to retry.

use std::sync::Arc;

use alert_platform::{clock::SharedClock, error::UpstreamError, timestamp};
use alert_proto::v1::{
    NotificationMessage, NotifyRequest, RunAlertRequest, RunOutcome, Urgency,
    notifier_service_client::NotifierServiceClient,
};
use chrono::{DateTime, Utc};
use tonic::transport::Channel;
use tracing::{debug, info};

use crate::{
    error::{Error, Result},
    message::{self, Fetched, Plan, fit_to_push},
    stations::Stations,
    store::{AlertRecord, RunRecord, Store},
};

/// A parsed `RunAlert` request.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub alert_id: String,
    pub scheduled_time: DateTime<Utc>,
}

impl TryFrom<RunAlertRequest> for RunRequest {
    type Error = Error;

    fn try_from(request: RunAlertRequest) -> Result<RunRequest> {
        let scheduled_time = timestamp::parse_rfc3339(&request.scheduled_time)
            .map_err(Error::InvalidScheduledTime)?;
        Ok(RunRequest {
            alert_id: request.alert_id.trim().to_owned(),
            scheduled_time,
        })
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    pub outcome: RunOutcome,
    /// Deliveries notifier-service queued for this run.
    pub deliveries: u32,
    /// Why the run skipped, or why its message lacks the reading; empty otherwise.
    pub reason: String,
}

impl RunResult {
    fn nothing(outcome: RunOutcome) -> RunResult {
        RunResult {
            outcome,
            deliveries: 0,
            reason: String::new(),
        }
    }
}

/// The logic behind `alert.v1.AlertRunnerService`.
#[derive(Clone)]
pub struct Runner {
    store: Arc<dyn Store>,
    notifier: NotifierServiceClient<Channel>,
    stations: Stations,
    clock: SharedClock,
    app_url: String,
}

impl Runner {
    pub fn new(
        store: Arc<dyn Store>,
        notifier: Channel,
        stations: Stations,
        clock: SharedClock,
        app_url: String,
    ) -> Runner {
        Runner {
            store,
            notifier: NotifierServiceClient::new(notifier),
            stations,
            clock,
            app_url,
        }
    }

    /// What this run of `alert` sends, if anything. A reading that cannot be had is not an
    /// error: the alert's policy decides, and the run records why.
    async fn plan(&self, alert: &AlertRecord) -> Result<Plan> {
        let Some(content) = alert.content.air_quality() else {
            return Ok(message::plain(alert));
        };
        let language = self
            .store
            .user_by_id(&alert.user_id)
            .await?
            .map(|user| user.language)
            .unwrap_or_default();
        let reading = self.stations.reading_for_run(&content.station).await;
        let fetched = match &reading {
            Ok(measurement) => Fetched::Reading(measurement),
            Err(why) => Fetched::Unavailable(why.clone()),
        };
        Ok(message::air_quality(alert, content, language, fetched))
    }

    /// Records a run; `false` when a concurrent run of the same time got there first.
    async fn record(
        &self,
        alert: &AlertRecord,
        scheduled_millis: i64,
        outcome: &str,
        deliveries: u32,
        reason: &str,
    ) -> Result<bool> {
        let run = RunRecord {
            alert_id: alert.id.clone(),
            scheduled_time: scheduled_millis,
            outcome: outcome.to_owned(),
            deliveries: i64::from(deliveries),
            reason: reason.to_owned(),
            created_at: self.clock.now().timestamp_millis(),
        };
        self.store.record_run(&run).await
    }

    /// Skips unknown, deleted and disabled alerts with an OK answer, so the scheduler does not
    /// retry them; fails with UNAVAILABLE when notifier-service is, so it does. A skip for the
    /// alert's content (condition not met, no reading) is recorded, with its reason.
    pub async fn run(&self, request: RunRequest) -> Result<RunResult> {
        let RunRequest {
            alert_id,
            scheduled_time,
        } = request;
        let scheduled_millis = scheduled_time.timestamp_millis();
        let alert = match self.store.alert(&alert_id).await? {
            Some(alert) if alert.deleted_at.is_none() && alert.enabled => alert,
            _ => {
                debug!(alert_id, "alert unknown, deleted or disabled, run skipped");
                return Ok(RunResult::nothing(RunOutcome::Skipped));
            }
        };
        if self.store.run_recorded(&alert.id, scheduled_millis).await? {
            return Ok(RunResult::nothing(RunOutcome::Duplicate));
        }

        let (message, reason) = match self.plan(&alert).await? {
            Plan::Send { message, reason } => (message, reason),
            Plan::Skip { reason } => {
                if !self
                    .record(&alert, scheduled_millis, "skipped", 0, &reason)
                    .await?
                {
                    return Ok(RunResult::nothing(RunOutcome::Duplicate));
                }
                info!(alert_id = %alert.id, scheduled_time = %timestamp::to_rfc3339(scheduled_time), reason, "alert run skipped");
                return Ok(RunResult {
                    outcome: RunOutcome::Skipped,
                    deliveries: 0,
                    reason,
                });
            }
        };
        let message = fit_to_push(message, &self.app_url, &alert.id);
        let notify = NotifyRequest {
            user_id: alert.user_id.clone(),
            message: Some(NotificationMessage {
                title: message.title,
                body: message.body,
                url: self.app_url.clone(),
                tag: alert.id.clone(),
            }),
            dedupe_key: format!("alert:{}:{scheduled_millis}", alert.id),
            alert_id: alert.id.clone(),
            ttl_seconds: 0,
            urgency: Urgency::Normal.into(),
        };
        let queued = self
            .notifier
            .clone()
            .notify(notify)
            .await
            .map_err(|status| Error::Notifier(UpstreamError::new("notify", status)))?
            .into_inner()
            .queued;

        if !self
            .record(&alert, scheduled_millis, "sent", queued, &reason)
            .await?
        {
            // A concurrent run of the same time got there first; its Notify and ours share the
            // dedupe key, so nothing was sent twice.
            return Ok(RunResult::nothing(RunOutcome::Duplicate));
        }
        info!(alert_id = %alert.id, scheduled_time = %timestamp::to_rfc3339(scheduled_time), deliveries = queued, reason, "alert run sent");
        Ok(RunResult {
            outcome: RunOutcome::Sent,
            deliveries: queued,
            reason,
        })
    }
}
