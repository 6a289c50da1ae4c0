//! The sync worker: takes buckets marked for sync and makes EventBridge Scheduler match them,
//! with a client-side rate limit (in [`SchedulerApi`]) and exponential backoff with jitter.
//!
//! Alert changes never wait for it: they only write the desired state and wake it. When AWS is
//! slow, throttling or down, rows stay `pending` and converge once it answers again.

use std::{sync::Arc, time::Duration};

use alert_platform::clock::SharedClock;
use futures::StreamExt;
use rand::Rng;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::{
    EventBridgeConfig,
    api::{ApiError, ErrorKind, SchedulerApi},
    schedule::ScheduleSpec,
};
use crate::{
    metrics::{BucketStates, SchedulerMetrics},
    store::{BucketSync, SyncOutcome, SyncStore},
};

/// Rows claimed per round.
const BATCH: u32 = 64;
/// Calls in flight at once; the rate limiter spaces them.
const CONCURRENCY: usize = 8;
/// How long a claim keeps other replicas off a row: longer than an attempt may take.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// How often the bucket gauge is read from the store while no round does work; marks made by
/// alert changes and reconciliation show within this.
const BUCKET_STATES_REFRESH: Duration = Duration::from_secs(10);

/// Syncs marked buckets until stopped; cheap to clone.
#[derive(Clone)]
pub struct SyncWorker {
    store: Arc<dyn SyncStore>,
    api: SchedulerApi,
    config: Arc<EventBridgeConfig>,
    clock: SharedClock,
    wake: Arc<Notify>,
    metrics: SchedulerMetrics,
    bucket_states: BucketStates,
}

impl SyncWorker {
    pub fn new(
        store: Arc<dyn SyncStore>,
        api: SchedulerApi,
        config: Arc<EventBridgeConfig>,
        clock: SharedClock,
        wake: Arc<Notify>,
        metrics: SchedulerMetrics,
    ) -> SyncWorker {
        let bucket_states = metrics.bucket_states();
        SyncWorker {
            store,
            api,
            config,
            clock,
            wake,
            metrics,
            bucket_states,
        }
    }

    /// Works until `stop` is cancelled; an attempt in progress completes.
    pub async fn run(self, stop: CancellationToken) {
        let poll = self.config.sync_retry_base.min(Duration::from_secs(1));
        let mut states_read_at: Option<tokio::time::Instant> = None;
        while !stop.is_cancelled() {
            let worked = match self.run_once().await {
                Ok(count) => count > 0,
                Err(error) => {
                    error!(error = %alert_platform::error::error_chain(&error), "bucket sync round failed");
                    false
                }
            };
            if worked || states_read_at.is_none_or(|at| at.elapsed() >= BUCKET_STATES_REFRESH) {
                self.refresh_bucket_states().await;
                states_read_at = Some(tokio::time::Instant::now());
            }
            if worked {
                continue;
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
        info!("bucket sync stopped");
    }

    /// One round: claims due rows and attempts each; returns how many were attempted.
    pub async fn run_once(&self) -> crate::Result<usize> {
        let now = self.clock.now();
        let claimed = self.store.claim_sync(now, now + LEASE, BATCH).await?;
        let count = claimed.len();
        let mut attempts = futures::stream::iter(claimed)
            .map(|row| async move {
                let outcome = self.attempt(&row).await;
                (row, outcome)
            })
            .buffer_unordered(CONCURRENCY);
        while let Some((row, outcome)) = attempts.next().await {
            self.store
                .settle_sync(&row, &outcome, self.clock.now())
                .await?;
        }
        Ok(count)
    }

    /// Reads the buckets per state for the gauge.
    async fn refresh_bucket_states(&self) {
        match self.store.sync_counts().await {
            Ok(counts) => self.bucket_states.set(counts),
            Err(error) => {
                warn!(error = %alert_platform::error::error_chain(&error), "cannot count buckets per sync state")
            }
        }
    }

    async fn attempt(&self, row: &BucketSync) -> SyncOutcome {
        let result = if row.present {
            match (&row.expression, &row.timezone) {
                (Some(expression), Some(timezone)) => {
                    match ScheduleSpec::for_bucket(&row.key, expression, timezone, &self.config) {
                        Ok(spec) => self.api.put(&spec).await,
                        Err(message) => Err(ApiError {
                            operation: "CreateSchedule",
                            kind: ErrorKind::Permanent,
                            code: None,
                            message,
                        }),
                    }
                }
                // The bucket vanished between the mark and the claim: its members left.
                _ => self.api.delete(row.key.as_str()).await,
            }
        } else {
            self.api.delete(row.key.as_str()).await
        };
        let now = self.clock.now();
        self.metrics.sync_attempt(match &result {
            Ok(()) => "synced",
            Err(error) => error.kind.as_str(),
        });
        match result {
            Ok(()) => {
                debug!(schedule_key = %row.key, present = row.present, "bucket schedule synced");
                SyncOutcome::Synced
            }
            Err(error) => {
                let attempts = row.attempts + 1;
                let (delay, permanent) = match error.kind {
                    ErrorKind::Permanent => (self.config.sync_retry_max, true),
                    ErrorKind::Throttled | ErrorKind::Transient => (self.backoff(attempts), false),
                };
                let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                let message = error.to_string();
                if permanent {
                    error!(schedule_key = %row.key, attempts, error = %message, "bucket sync failed");
                    SyncOutcome::Failed { at, error: message }
                } else {
                    warn!(schedule_key = %row.key, attempts, retry_in = ?delay, error = %message, "bucket sync will be retried");
                    SyncOutcome::Retry { at, error: message }
                }
            }
        }
    }

    /// `base * 2^(attempts - 1)`, capped, with jitter over its upper half.
    fn backoff(&self, attempts: u32) -> Duration {
        let exponential = self
            .config
            .sync_retry_base
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
        let cap = exponential.min(self.config.sync_retry_max);
        let half = cap / 2;
        half + half.mul_f64(rand::thread_rng().r#gen::<f64>())
    }
}
