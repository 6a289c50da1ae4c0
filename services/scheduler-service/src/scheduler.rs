//! The SchedulerService logic: filing alerts into buckets and recording fires.

use std::sync::Arc;

use alert_platform::{clock::SharedClock, timestamp::to_rfc3339};
use tokio::sync::Notify;
use tracing::info;

use crate::{
    backend::ScheduleBackend,
    domain::{AlertId, BucketKey, Fire, ScheduleRequest},
    error::Result,
    metrics::SchedulerMetrics,
    store::{Bucket, RecordedFire, Store},
};

/// Files alerts into buckets and records fires; the fan-out to alert-service happens in the
/// background ([`crate::fanout::FanOutWorker`]), woken through `fanout_wake`.
pub struct Scheduler {
    store: Arc<dyn Store>,
    backend: Arc<dyn ScheduleBackend>,
    clock: SharedClock,
    fanout_wake: Arc<Notify>,
    metrics: SchedulerMetrics,
}

impl Scheduler {
    pub fn new(
        store: Arc<dyn Store>,
        backend: Arc<dyn ScheduleBackend>,
        clock: SharedClock,
        fanout_wake: Arc<Notify>,
        metrics: SchedulerMetrics,
    ) -> Scheduler {
        Scheduler {
            store,
            backend,
            clock,
            fanout_wake,
            metrics,
        }
    }

    /// Files the alert into the bucket of its schedule; returns the bucket's key. Idempotent.
    pub async fn upsert_schedule(&self, request: ScheduleRequest) -> Result<BucketKey> {
        let now = self.clock.now();
        let schedule = &request.schedule;
        let bucket = Bucket {
            key: schedule.bucket_key(),
            expression: schedule.cron.normalized(),
            timezone: schedule.timezone.name().to_owned(),
            next_fire_at: schedule.next_after(now),
        };
        let previous = self.store.member(&request.alert_id).await?;
        let change = self
            .store
            .upsert_member(&request.alert_id, &bucket, request.enabled, now)
            .await?;
        self.backend.sync_bucket(&bucket).await?;
        if let Some(removed) = &change.removed_bucket {
            self.backend.remove_bucket(removed).await?;
            info!(schedule_key = %removed, "empty bucket removed");
        } else if let Some(left) = previous.map(|m| m.bucket_key).filter(|k| *k != bucket.key) {
            self.backend.refresh_bucket(&left).await?;
        }
        info!(
            alert_id = %request.alert_id,
            schedule_key = %bucket.key,
            enabled = request.enabled,
            bucket_created = change.bucket_created,
            backend = self.backend.name(),
            "schedule synced"
        );
        Ok(bucket.key)
    }

    /// Takes the alert out of its bucket; an unknown alert is fine.
    pub async fn delete_schedule(&self, alert_id: &AlertId) -> Result<()> {
        let previous = self.store.member(alert_id).await?;
        if let Some(removed) = self.store.remove_member(alert_id).await? {
            self.backend.remove_bucket(&removed).await?;
            info!(schedule_key = %removed, "empty bucket removed");
        } else if let Some(left) = previous {
            self.backend.refresh_bucket(&left.bucket_key).await?;
        }
        info!(alert_id = %alert_id, "schedule deleted");
        Ok(())
    }

    /// Records a fire (once per target and scheduled time) and wakes the fan-out. Never waits
    /// for alert-service: this answers the trigger webhook within its time budget.
    pub async fn fire(&self, fire: &Fire) -> Result<RecordedFire> {
        let recorded = self.store.record_fire(fire, self.clock.now()).await?;
        if recorded.first_delivery && recorded.alerts > 0 {
            self.fanout_wake.notify_one();
        }
        self.metrics.fire_recorded(&fire.target, recorded);
        info!(
            target = %fire.target,
            scheduled_time = %to_rfc3339(fire.scheduled_at),
            execution_id = %fire.execution_id,
            alerts = recorded.alerts,
            first_delivery = recorded.first_delivery,
            "fire recorded"
        );
        Ok(recorded)
    }
}
