//! Where buckets are scheduled. The desired state (buckets, members) always lives in our
//! database; a backend makes each bucket fire at its times by calling `Fire`.
//!
//! The local backend: the database row of a bucket *is* its schedule, and
//! [`crate::tick::LocalScheduler`] fires due buckets. [`crate::eventbridge::EventBridgeBackend`]
//! keeps one EventBridge Scheduler schedule per bucket instead.

use async_trait::async_trait;

use crate::{domain::BucketKey, error::Result, store::Bucket};

/// A scheduler that fires buckets.
#[async_trait]
pub trait ScheduleBackend: Send + Sync + 'static {
    /// A short name for logs.
    fn name(&self) -> &'static str;

    /// Makes the backend fire `bucket` at its times (creating or updating it). Idempotent.
    async fn sync_bucket(&self, bucket: &Bucket) -> Result<()>;

    /// Stops firing the bucket. Idempotent: an unknown bucket is fine.
    async fn remove_bucket(&self, key: &BucketKey) -> Result<()>;

    /// An alert left the bucket (moved, paused or deleted) and it still exists: whether it
    /// should fire may have changed.
    async fn refresh_bucket(&self, _key: &BucketKey) -> Result<()> {
        Ok(())
    }
}

/// The local durable scheduler: needs nothing beyond the database, which the tick loop reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalBackend;

#[async_trait]
impl ScheduleBackend for LocalBackend {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn sync_bucket(&self, _bucket: &Bucket) -> Result<()> {
        Ok(())
    }

    async fn remove_bucket(&self, _key: &BucketKey) -> Result<()> {
        Ok(())
    }
}
