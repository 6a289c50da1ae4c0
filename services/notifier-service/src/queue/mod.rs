//! The work queue between `Notify` and the delivery workers.
//!
//! Delivery state (status, attempts, errors) always lives in the database, recorded by the
//! [`Store`](crate::store::Store); a queue only says which delivery to attempt next. Queues are
//! at-least-once: a delivery may be handed out twice (a crashed worker's lease expires, a stream
//! entry is redelivered), so workers re-read the delivery and never send a final one again.
//!
//! [`DatabaseQueue`] is the deliveries table itself (the embedded mode); [`RedisStreamsQueue`] is
//! a Redis Streams consumer group (production, `QUEUE_ENABLED=true`). One behaviour suite runs
//! against both (`tests/api/queue.rs`).

mod database;
mod redis;

pub use database::DatabaseQueue;
pub use redis::{RedisKeys, RedisStreamsQueue};

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::DeliveryId;

/// A delivery handed to a worker, until it is completed, retried or released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: DeliveryId,
    /// What the queue needs to acknowledge the claim (e.g. a stream entry id); the database
    /// queue needs nothing.
    pub receipt: Option<String>,
}

/// One failed attempt, as a queue keeps it for the dead letter of the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptNote {
    /// 1 for the first attempt.
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("delivery queue database query failed")]
    Database(#[source] sqlx::Error),
    #[error("redis command failed")]
    Redis(#[source] fred::error::Error),
    #[error("unexpected answer from redis: {0}")]
    UnexpectedReply(String),
}

/// Which deliveries to attempt, and when.
#[async_trait]
pub trait DeliveryQueue: Send + Sync + 'static {
    /// Makes newly recorded deliveries available to workers and wakes them. Idempotent: a
    /// delivery already waiting in the queue is not added twice.
    async fn enqueue(&self, ids: &[DeliveryId]) -> Result<(), QueueError>;

    /// Takes up to `max` due deliveries for `lease`; after the lease another worker may take
    /// them again. When none is due, waits a short while (woken early by `enqueue`) and returns
    /// what is due then, possibly nothing.
    async fn claim(&self, max: usize, lease: Duration) -> Result<Vec<ClaimedDelivery>, QueueError>;

    /// The deliveries reached a final state. One call for many: workers acknowledge in batches.
    async fn complete(&self, claimed: &[ClaimedDelivery]) -> Result<(), QueueError>;

    /// The delivery is to be attempted again at `when`, after the failed attempt `note` (none
    /// when the delivery was only handed out before it was due).
    async fn retry_at(
        &self,
        claimed: &ClaimedDelivery,
        when: DateTime<Utc>,
        note: Option<&AttemptNote>,
    ) -> Result<(), QueueError>;

    /// The delivery failed its last allowed attempt `note`: like [`complete`](Self::complete),
    /// and the queue keeps it with its history of attempts where it has a place for that (the
    /// Redis dead-letter stream; the database row already says `failed`).
    async fn dead_letter(
        &self,
        claimed: &ClaimedDelivery,
        note: &AttemptNote,
    ) -> Result<(), QueueError>;

    /// Gives claimed deliveries back unattempted (shutdown), for any worker to take now.
    async fn release(&self, claimed: &[ClaimedDelivery]) -> Result<(), QueueError>;
}
