//! Where buckets are scheduled. The desired state (buckets, members) always lives in our
//! database; a backend makes each bucket fire at its times by calling `Fire`.
//!
//! Only the local backend exists for now: the database row of a bucket *is* its schedule, and
//! [`crate::tick::LocalScheduler`] fires due buckets. An EventBridge Scheduler backend will
//! implement the same trait with one schedule per bucket.

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
