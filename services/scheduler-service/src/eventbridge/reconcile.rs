//! Reconciliation: at start and every `RECONCILE_INTERVAL`, compares the schedule group with the
//! buckets and marks for sync what is missing, what drifted and our orphans. The sync worker
//! then makes the calls, so reconciliation shares its rate limit and backoff.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};

use alert_platform::clock::SharedClock;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::{
    EventBridgeConfig,
    api::{ApiError, SchedulerApi},
    schedule::{SCHEDULE_NAME_PREFIX, ScheduleSpec},
};
use crate::{
    domain::BucketKey,
    error::Error,
    metrics::SchedulerMetrics,
    store::{MarkReason, SyncStore},
};

/// GetSchedule calls in flight during a reconciliation.
const GET_CONCURRENCY: usize = 8;

/// What one reconciliation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Schedules in the group with our prefix.
    pub listed: usize,
    /// Buckets whose schedule should exist.
    pub desired: usize,
    pub missing: Vec<String>,
    pub drifted: Vec<String>,
    pub orphans: Vec<String>,
    /// Schedule API calls it made.
    pub calls: u64,
}

/// Why a reconciliation did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(
        "schedule group {0:?} does not exist: create it (Terraform) before enabling the EventBridge backend"
    )]
    GroupMissing(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] Error),
}

/// The last reconciliation, for the sync-state RPC.
#[derive(Debug, Clone, Default)]
pub struct ReconcileStatus {
    pub finished_at: Option<DateTime<Utc>>,
    pub report: Option<ReconcileReport>,
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct Reconciler {
    store: Arc<dyn SyncStore>,
    api: SchedulerApi,
    config: Arc<EventBridgeConfig>,
    clock: SharedClock,
    sync_wake: Arc<Notify>,
    status: Arc<Mutex<ReconcileStatus>>,
    metrics: SchedulerMetrics,
}

impl Reconciler {
    pub fn new(
        store: Arc<dyn SyncStore>,
        api: SchedulerApi,
        config: Arc<EventBridgeConfig>,
        clock: SharedClock,
        sync_wake: Arc<Notify>,
        metrics: SchedulerMetrics,
    ) -> Reconciler {
        Reconciler {
            store,
            api,
            config,
            clock,
            sync_wake,
            status: Arc::default(),
            metrics,
        }
    }

    pub fn status(&self) -> ReconcileStatus {
        self.status.lock().expect("status lock").clone()
    }

    /// Reconciles now and then every interval until stopped; a failed run is retried sooner
    /// (after the sync retry ceiling, at most the interval).
    pub async fn run(self, stop: CancellationToken) {
        loop {
            let wait = match self.reconcile().await {
                Ok(_) => self.config.reconcile_interval,
                Err(_) => self
                    .config
                    .sync_retry_max
                    .min(self.config.reconcile_interval),
            };
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        info!("reconciliation stopped");
    }

    /// One reconciliation; its outcome is also kept for [`Reconciler::status`].
    pub async fn reconcile(&self) -> Result<ReconcileReport, ReconcileError> {
        let result = self.reconcile_inner().await;
        self.metrics.reconcile_run(result.as_ref().ok());
        let mut status = self.status.lock().expect("status lock");
        status.finished_at = Some(self.clock.now());
        match &result {
            Ok(report) => {
                info!(
                    listed = report.listed,
                    desired = report.desired,
                    missing = report.missing.len(),
                    drifted = report.drifted.len(),
                    orphans = report.orphans.len(),
                    calls = report.calls,
                    "schedule group reconciled"
                );
                status.report = Some(report.clone());
                status.error = None;
            }
            Err(error) => {
                match error {
                    ReconcileError::GroupMissing(_) => {
                        error!(error = %error, "reconciliation failed")
                    }
                    _ => warn!(error = %error, "reconciliation failed, will retry"),
                }
                status.error = Some(error.to_string());
            }
        }
        result
    }

    async fn reconcile_inner(&self) -> Result<ReconcileReport, ReconcileError> {
        let calls_before = self.api.calls();
        if !self.api.group_exists().await? {
            return Err(ReconcileError::GroupMissing(
                self.api.group_name().to_owned(),
            ));
        }
        let remote: BTreeSet<String> = self
            .api
            .list_names(SCHEDULE_NAME_PREFIX)
            .await?
            .into_iter()
            .collect();
        let desired = self.store.desired_buckets().await?;
        let mut report = ReconcileReport {
            listed: remote.len(),
            desired: desired.len(),
            ..ReconcileReport::default()
        };
        let desired_keys: BTreeSet<String> =
            desired.iter().map(|b| b.key.as_str().to_owned()).collect();
        // One GetSchedule per bucket that exists remotely, several in flight (the rate limiter
        // spaces them), to compare every field we set.
        let to_check: Vec<(BucketKey, ScheduleSpec, bool)> = desired
            .iter()
            .filter_map(|bucket| {
                // An invalid stored bucket is the sync worker's to report; nothing to compare.
                let spec = ScheduleSpec::for_bucket(
                    &bucket.key,
                    &bucket.expression,
                    &bucket.timezone,
                    &self.config,
                )
                .ok()?;
                let listed = remote.contains(bucket.key.as_str());
                Some((bucket.key.clone(), spec, listed))
            })
            .collect();
        let mut checks = futures::stream::iter(to_check)
            .map(|(key, spec, listed)| {
                let api = self.api.clone();
                async move {
                    let found = if listed {
                        api.get(key.as_str()).await?
                    } else {
                        None
                    };
                    Ok::<_, ApiError>((key, spec, found))
                }
            })
            .buffer_unordered(GET_CONCURRENCY);
        let mut missing = Vec::new();
        let mut drifted = Vec::new();
        while let Some(checked) = checks.next().await {
            let (key, spec, found) = checked?;
            match found {
                None => missing.push(key),
                Some(remote) => {
                    let drift = spec.drift(&remote);
                    if !drift.is_empty() {
                        warn!(schedule_key = %key, drift = ?drift, "schedule drifted");
                        drifted.push(key);
                    }
                }
            }
        }
        drop(checks);
        missing.sort();
        drifted.sort();
        for key in &missing {
            self.mark(key).await?;
            report.missing.push(key.to_string());
        }
        for key in &drifted {
            self.mark(key).await?;
            report.drifted.push(key.to_string());
        }
        for name in remote.difference(&desired_keys) {
            // Only names that could be our bucket keys: other schedules sharing the prefix by
            // chance (not `alert-` + 24 hex digits) are left alone.
            if !is_bucket_key(name) {
                continue;
            }
            self.mark(&BucketKey::parse(name).map_err(ReconcileError::Store)?)
                .await?;
            report.orphans.push(name.clone());
        }
        report.calls = self.api.calls() - calls_before;
        if !report.missing.is_empty() || !report.drifted.is_empty() || !report.orphans.is_empty() {
            self.sync_wake.notify_one();
        }
        Ok(report)
    }

    async fn mark(&self, key: &BucketKey) -> Result<(), ReconcileError> {
        self.store
            .mark_for_sync(key, MarkReason::Drifted, self.clock.now())
            .await?;
        Ok(())
    }
}

/// `alert-` and 24 lowercase hex digits: the form of [`crate::domain::Schedule::bucket_key`].
pub fn is_bucket_key(name: &str) -> bool {
    name.strip_prefix(SCHEDULE_NAME_PREFIX).is_some_and(|hex| {
        hex.len() == 24
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}
