//! A delivery: one notification to one subscription, its state, and the outcome of an attempt.

use alert_proto::v1::DeliveryStatus as ProtoStatus;
use alert_webpush::Urgency;
use chrono::{DateTime, Utc};

use super::{DeliveryId, Subscription, SubscriptionId, UserId};

/// Where a delivery stands. `Delivered`, `Failed` and `Expired` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for a worker (first attempt or a retry).
    Queued,
    /// Claimed by a worker.
    Sending,
    Delivered,
    Failed,
    /// The push service said the subscription is gone; it was deleted.
    Expired,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Expired => "expired",
        }
    }

    /// Reads back a stored status.
    pub fn from_stored(name: &str) -> Option<Self> {
        Some(match name {
            "queued" => DeliveryStatus::Queued,
            "sending" => DeliveryStatus::Sending,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            "expired" => DeliveryStatus::Expired,
            _ => return None,
        })
    }

    /// Whether nothing more will be attempted; a final delivery is never sent again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Delivered | DeliveryStatus::Failed | DeliveryStatus::Expired
        )
    }

    pub fn to_proto(self) -> ProtoStatus {
        match self {
            DeliveryStatus::Queued => ProtoStatus::Queued,
            DeliveryStatus::Sending => ProtoStatus::Sending,
            DeliveryStatus::Delivered => ProtoStatus::Delivered,
            DeliveryStatus::Failed => ProtoStatus::Failed,
            DeliveryStatus::Expired => ProtoStatus::Expired,
        }
    }
}

/// A delivery as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub alert_id: Option<String>,
    pub subscription_id: SubscriptionId,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// HTTP status of the push service's last answer.
    pub push_status_code: Option<u16>,
    pub error: Option<String>,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What a worker needs to attempt a delivery: the stored payload and options, and the
/// subscription if it still exists (and still belongs to the delivery's user).
#[derive(Debug, Clone)]
pub struct DeliveryJob {
    pub id: DeliveryId,
    pub user_id: UserId,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub payload: String,
    pub ttl_seconds: u32,
    pub urgency: Urgency,
    pub alert_id: Option<String>,
    /// When the next attempt is due: a queue may hand out a retry early (a redelivered entry).
    pub next_attempt_at: DateTime<Utc>,
    pub subscription: Option<Subscription>,
}

/// The result of one attempt (or of deciding not to attempt), as the store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx: the push service took the message.
    Delivered { status_code: u16 },
    /// 404/410: the subscription is gone; the store deletes it too.
    Expired {
        status_code: u16,
        subscription_id: SubscriptionId,
    },
    /// A transient failure: queued again for `next_attempt_at`.
    Retry {
        status_code: Option<u16>,
        error: String,
        next_attempt_at: DateTime<Utc>,
    },
    /// A permanent failure, or the last attempt failed.
    Failed {
        status_code: Option<u16>,
        error: String,
    },
    /// Nothing was sent (the subscription was removed): failed without counting an attempt.
    Abandoned { reason: String },
}

impl AttemptOutcome {
    /// The status the delivery has after this outcome.
    pub fn status(&self) -> DeliveryStatus {
        match self {
            AttemptOutcome::Delivered { .. } => DeliveryStatus::Delivered,
            AttemptOutcome::Expired { .. } => DeliveryStatus::Expired,
            AttemptOutcome::Retry { .. } => DeliveryStatus::Queued,
            AttemptOutcome::Failed { .. } | AttemptOutcome::Abandoned { .. } => {
                DeliveryStatus::Failed
            }
        }
    }
}
