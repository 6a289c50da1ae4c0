//! The sync state of buckets in the backend: which buckets' schedules must be created, updated
//! or deleted, and how the attempts went. Written with (right after) every membership change,
//! so the desired state is durable before any call to the backend.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Bucket;
use crate::{domain::BucketKey, error::Result};

/// Where a bucket's schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// The backend has what the members ask for.
    Synced,
    /// A change waits for (or is between) attempts; transient errors keep it here.
    Pending,
    /// The last attempt failed in a way a retry alone will not fix; still retried, slowly.
    Failed,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Failed => "failed",
        }
    }

    pub(crate) fn parse(raw: &str) -> SyncState {
        match raw {
            "synced" => SyncState::Synced,
            "failed" => SyncState::Failed,
            _ => SyncState::Pending,
        }
    }
}

/// One bucket's sync row, with what its schedule should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSync {
    pub key: BucketKey,
    /// The schedule should exist: the bucket has at least one enabled member.
    pub present: bool,
    /// The bucket's normalised expression and time zone; `None` once the bucket is deleted.
    pub expression: Option<String>,
    pub timezone: Option<String>,
    pub state: SyncState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub synced_at: Option<DateTime<Utc>>,
}

/// Why a bucket is marked for sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkReason {
    /// Its members changed: synced only if that changes whether its schedule should exist.
    Changed,
    /// Reconciliation found the backend's schedule missing, different or orphaned.
    Drifted,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    Synced,
    Retry { at: DateTime<Utc>, error: String },
    Failed { at: DateTime<Utc>, error: String },
}

/// Buckets per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub synced: u64,
    pub pending: u64,
    pub failed: u64,
}

#[async_trait]
pub trait SyncStore: Send + Sync + 'static {
    /// Marks the bucket for a sync attempt now, unless nothing needs doing; returns whether it
    /// was marked.
    async fn mark_for_sync(
        &self,
        key: &BucketKey,
        reason: MarkReason,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Claims up to `limit` rows due at `now`, leased until `lease_until`.
    async fn claim_sync(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BucketSync>>;

    /// Settles the claimed attempt; a row whose desired state changed meanwhile is left for the
    /// next attempt.
    async fn settle_sync(
        &self,
        claimed: &BucketSync,
        outcome: &SyncOutcome,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Rows in key order after `after_key`, optionally of one state.
    async fn sync_states(
        &self,
        state: Option<SyncState>,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<BucketSync>>;

    async fn sync_counts(&self) -> Result<SyncCounts>;

    /// Buckets whose schedule should exist (at least one enabled member), in key order.
    async fn desired_buckets(&self) -> Result<Vec<Bucket>>;
}
