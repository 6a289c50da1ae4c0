//! Keeps scheduler-service's copy of every alert's schedule in step with ours.
//!
//! Each write bumps the alert's `schedule_version` in the same statement that changes it. After
//! the write commits, the change is pushed to the scheduler at once; if the scheduler is down the
//! user's write still succeeds and the alert stays behind (`synced_version < schedule_version`)
//! until the background pass, every `SCHEDULE_SYNC_INTERVAL`, pushes it. An acknowledgement marks
//! only the version that was pushed, so a newer edit is never marked synced by an older push.

use std::{sync::Arc, time::Duration};

use alert_proto::v1::{
    DeleteScheduleRequest, UpsertScheduleRequest, scheduler_service_client::SchedulerServiceClient,
};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tracing::{debug, info, warn};

use alert_platform::error::{UpstreamError, error_chain};

use crate::{
    error::{Error, Result},
    store::{AlertRecord, Store},
};

/// How long one scheduler call may take before it counts as failed (a user's write waits on it).
const SCHEDULER_CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Alerts pushed per batch of a background pass.
const BATCH_SIZE: u32 = 100;
/// Batches per background pass, so a pass always ends even while alerts keep changing.
const MAX_BATCHES_PER_PASS: usize = 50;

/// Pushes alert schedules to scheduler-service.
#[derive(Clone)]
pub struct ScheduleSync {
    store: Arc<dyn Store>,
    scheduler: SchedulerServiceClient<Channel>,
}

impl ScheduleSync {
    pub fn new(store: Arc<dyn Store>, scheduler: Channel) -> ScheduleSync {
        ScheduleSync {
            store,
            scheduler: SchedulerServiceClient::new(scheduler),
        }
    }

    /// Pushes a change right after it committed; a failure is left to the background pass.
    pub async fn sync_soon(&self, alert: &AlertRecord) {
        if let Err(error) = self.sync(alert).await {
            warn!(alert_id = %alert.id, version = alert.schedule_version, error = %error_chain(&error), "schedule sync failed, will retry");
        }
    }

    /// Pushes one alert's state at its `schedule_version`: an upsert for a live alert, a delete
    /// (and then removal of the row) for a deleted one.
    pub async fn sync(&self, alert: &AlertRecord) -> Result<()> {
        let mut scheduler = self.scheduler.clone();
        if alert.deleted_at.is_some() {
            let request = DeleteScheduleRequest {
                alert_id: alert.id.clone(),
            };
            tokio::time::timeout(SCHEDULER_CALL_TIMEOUT, scheduler.delete_schedule(request))
                .await
                .map_err(|_| Error::SchedulerTimeout)?
                .map_err(|status| {
                    Error::Scheduler(UpstreamError::new("delete schedule", status))
                })?;
            let purged = self
                .store
                .purge_deleted_alert(&alert.id, alert.schedule_version)
                .await?;
            debug!(alert_id = %alert.id, purged, "schedule deleted");
        } else {
            let request = UpsertScheduleRequest {
                alert_id: alert.id.clone(),
                cron: alert.schedule.clone(),
                timezone: alert.timezone.clone(),
                enabled: alert.enabled,
            };
            tokio::time::timeout(SCHEDULER_CALL_TIMEOUT, scheduler.upsert_schedule(request))
                .await
                .map_err(|_| Error::SchedulerTimeout)?
                .map_err(|status| {
                    Error::Scheduler(UpstreamError::new("upsert schedule", status))
                })?;
            let marked = self
                .store
                .mark_synced(&alert.id, alert.schedule_version)
                .await?;
            debug!(alert_id = %alert.id, version = alert.schedule_version, marked, "schedule synced");
        }
        Ok(())
    }

    /// One background pass over every alert the scheduler has not acknowledged. Stops at the
    /// first failure (the scheduler is most likely down; the next pass retries) or on shutdown.
    /// Returns how many alerts were synced.
    pub async fn sync_pending(&self, shutdown: &CancellationToken) -> Result<usize> {
        let mut synced = 0;
        for _ in 0..MAX_BATCHES_PER_PASS {
            let pending = self.store.unsynced_alerts(BATCH_SIZE).await?;
            if pending.is_empty() {
                break;
            }
            for alert in &pending {
                if shutdown.is_cancelled() {
                    return Ok(synced);
                }
                self.sync(alert).await?;
                synced += 1;
            }
        }
        Ok(synced)
    }

    /// Runs a pass at start and then every `interval` until `shutdown`; a pass in progress
    /// finishes the alert it holds.
    pub async fn run(self, interval: Duration, shutdown: CancellationToken) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticker.tick() => {}
            }
            match self.sync_pending(&shutdown).await {
                Ok(0) => {}
                Ok(synced) => info!(synced, "pending schedules synced"),
                Err(error) => {
                    warn!(error = %error_chain(&error), "schedule sync pass stopped, will retry")
                }
            }
        }
        debug!("schedule sync loop stopped");
    }
}
