//! The EventBridge Scheduler backend: one schedule per bucket in `SCHEDULE_GROUP_NAME`, kept in
//! step with the buckets by a background sync worker and periodic reconciliation. EventBridge
//! then calls the gateway's trigger webhook, which calls `Fire`; the local tick does not run.
//!
//! A membership change only writes the bucket's sync row ([`crate::store::SyncStore`]) and wakes
//! the worker, so alert changes never fail or wait because AWS is slow or down.

mod api;
mod config;
mod rate_limit;
mod reconcile;
mod schedule;
mod sync;

use std::sync::Arc;

use alert_platform::clock::SharedClock;
use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_scheduler::config::Credentials;
use secrecy::ExposeSecret;
use tokio::sync::Notify;

pub use api::{ApiError, ErrorKind, RemoteSchedule, SchedulerApi};
pub use config::{AwsSettings, DEFAULT_RATE_LIMIT_PER_SECOND, EventBridgeConfig};
pub use rate_limit::RateLimiter;
pub use reconcile::{ReconcileError, ReconcileReport, ReconcileStatus, Reconciler, is_bucket_key};
pub use schedule::{EVENT_DETAIL_TYPE, EVENT_SOURCE, SCHEDULE_NAME_PREFIX, ScheduleSpec};
pub use sync::SyncWorker;

use crate::{
    backend::ScheduleBackend,
    domain::BucketKey,
    error::Result,
    store::{Bucket, MarkReason, SyncStore},
};

/// The schedule API client for `settings`, through aws-config's standard chain: values given in
/// the environment win, the rest (credentials of the task role, region from metadata) come from
/// the chain. Retries are ours (the sync worker's backoff), so the SDK does not retry.
pub async fn scheduler_client(settings: &AwsSettings) -> aws_sdk_scheduler::Client {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(3))
                .operation_attempt_timeout(std::time::Duration::from_secs(10))
                .build(),
        );
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let (Some(key_id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
        loader = loader.credentials_provider(Credentials::new(
            key_id,
            secret.expose_secret(),
            settings
                .session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            None,
            "environment",
        ));
    }
    let shared = loader.load().await;
    let mut config = aws_sdk_scheduler::config::Builder::from(&shared);
    if let Some(endpoint) = &settings.scheduler_endpoint_url {
        config = config.endpoint_url(endpoint);
    }
    aws_sdk_scheduler::Client::from_conf(config.build())
}

/// [`ScheduleBackend`] over EventBridge Scheduler: marks buckets for the sync worker.
pub struct EventBridgeBackend {
    store: Arc<dyn SyncStore>,
    clock: SharedClock,
    sync_wake: Arc<Notify>,
}

impl EventBridgeBackend {
    pub fn new(
        store: Arc<dyn SyncStore>,
        clock: SharedClock,
        sync_wake: Arc<Notify>,
    ) -> EventBridgeBackend {
        EventBridgeBackend {
            store,
            clock,
            sync_wake,
        }
    }

    async fn mark(&self, key: &BucketKey) -> Result<()> {
        if self
            .store
            .mark_for_sync(key, MarkReason::Changed, self.clock.now())
            .await?
        {
            self.sync_wake.notify_one();
        }
        Ok(())
    }
}

#[async_trait]
impl ScheduleBackend for EventBridgeBackend {
    fn name(&self) -> &'static str {
        "eventbridge"
    }

    async fn sync_bucket(&self, bucket: &Bucket) -> Result<()> {
        self.mark(&bucket.key).await
    }

    async fn remove_bucket(&self, key: &BucketKey) -> Result<()> {
        self.mark(key).await
    }

    async fn refresh_bucket(&self, key: &BucketKey) -> Result<()> {
        self.mark(key).await
    }
}
