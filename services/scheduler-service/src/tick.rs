//! The local durable scheduler: every tick it fires the buckets whose next fire is due.
//!
//! A bucket row holds its next fire time. A tick claims a due bucket by moving that time forward
//! with a compare-and-set (only one replica wins each time) and records the fire in the same
//! transaction. Fires missed while no replica ran collapse into the latest one, which is skipped
//! if it is older than the grace period.

use std::{sync::Arc, time::Duration};

use alert_platform::{clock::SharedClock, error::error_chain, timestamp::to_rfc3339};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use crate::{
    domain::{BucketKey, Fire, FireTarget, Schedule},
    error::Result,
    metrics::SchedulerMetrics,
    store::{AdvanceOutcome, Bucket, BucketAdvance, RecordedFire, Store},
};

/// Due buckets settled per tick; the rest wait for the next tick.
const BUCKETS_PER_TICK: u32 = 500;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Buckets this replica fired, with the scheduled time of each fire.
    pub fired: Vec<(BucketKey, DateTime<Utc>, RecordedFire)>,
    /// Buckets whose due fire was older than the grace period.
    pub skipped: Vec<BucketKey>,
    /// Buckets another replica claimed first.
    pub lost: usize,
}

/// Fires due buckets; cheap to clone.
#[derive(Clone)]
pub struct LocalScheduler {
    store: Arc<dyn Store>,
    clock: SharedClock,
    grace: chrono::Duration,
    fanout_wake: Arc<Notify>,
    metrics: SchedulerMetrics,
}

impl LocalScheduler {
    pub fn new(
        store: Arc<dyn Store>,
        clock: SharedClock,
        grace: Duration,
        fanout_wake: Arc<Notify>,
        metrics: SchedulerMetrics,
    ) -> LocalScheduler {
        let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
        LocalScheduler {
            store,
            clock,
            grace,
            fanout_wake,
            metrics,
        }
    }

    /// Ticks every `interval` until `stop` is cancelled; a tick in progress completes.
    pub async fn run(self, interval: Duration, stop: CancellationToken) {
        // The first tick comes one interval after start, not at once, so a tick never races the
        // caller that just built the scheduler.
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                _ = ticker.tick() => {}
            }
            if let Err(error) = self.run_due(self.clock.now()).await {
                error!(error = %error_chain(&error), "scheduler tick failed");
            }
        }
        info!("scheduler tick stopped");
    }

    /// One tick at `now`: fires (or skips) every bucket due by then.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<TickReport> {
        let mut report = TickReport::default();
        for bucket in self.store.due_buckets(now, BUCKETS_PER_TICK).await? {
            self.settle(bucket, now, &mut report).await?;
        }
        if report
            .fired
            .iter()
            .any(|(_, _, fire)| fire.first_delivery && fire.alerts > 0)
        {
            self.fanout_wake.notify_one();
        }
        Ok(report)
    }

    async fn settle(
        &self,
        bucket: Bucket,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<()> {
        let Some(expected_next) = bucket.next_fire_at else {
            return Ok(());
        };
        let (fire_at, new_next) = match Schedule::parse(&bucket.expression, &bucket.timezone) {
            Ok(schedule) => (
                self.latest_fire_within_grace(&schedule, expected_next, now),
                schedule.next_after(now),
            ),
            Err(error) => {
                // Stored expressions were parsed before they were stored; stop a bad one
                // rather than retrying it every tick.
                error!(schedule_key = %bucket.key, error = %error_chain(&error), "stored schedule unreadable, disabled");
                (None, None)
            }
        };
        let fire = fire_at.map(|scheduled_at| Fire {
            target: FireTarget::Bucket(bucket.key.clone()),
            scheduled_at,
            execution_id: format!("local-{}", uuid::Uuid::now_v7()),
        });
        let advance = BucketAdvance {
            key: bucket.key.clone(),
            expected_next,
            new_next,
            fire,
        };
        match self.store.advance_bucket(&advance, now).await? {
            AdvanceOutcome::Lost => {
                debug!(schedule_key = %bucket.key, "bucket claimed by another replica");
                report.lost += 1;
            }
            AdvanceOutcome::Skipped => {
                warn!(bucket = %bucket.key, scheduled_time = %to_rfc3339(expected_next), "missed fire skipped");
                self.metrics.fire_skipped();
                report.skipped.push(bucket.key);
            }
            AdvanceOutcome::Fired(recorded) => {
                let scheduled_at = fire_at.unwrap_or(expected_next);
                info!(
                    schedule_key = %bucket.key,
                    scheduled_time = %to_rfc3339(scheduled_at),
                    alerts = recorded.alerts,
                    "bucket fired"
                );
                if let Some(fire) = &advance.fire {
                    self.metrics.fire_recorded(&fire.target, recorded);
                }
                report.fired.push((bucket.key, scheduled_at, recorded));
            }
        }
        Ok(())
    }

    /// The latest fire time in `[max(expected_next, now - grace), now]`, if any: missed fires
    /// collapse into the latest one, and one older than the grace period is not sent.
    fn latest_fire_within_grace(
        &self,
        schedule: &Schedule,
        expected_next: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let window_start = now
            .checked_sub_signed(self.grace)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let first = if expected_next >= window_start {
            expected_next
        } else {
            // Fire times are whole minutes, so stepping back one millisecond finds a fire
            // exactly at the window's start too.
            schedule.next_after(window_start - chrono::Duration::milliseconds(1))?
        };
        if first > now {
            return None;
        }
        let mut latest = first;
        while let Some(next) = schedule.next_after(latest)
            && next <= now
        {
            latest = next;
        }
        Some(latest)
    }
}
