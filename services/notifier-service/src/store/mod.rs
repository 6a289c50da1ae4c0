//! Durable state: subscriptions and deliveries, behind [`Store`] so the service logic and the
//! workers do not depend on a backend. [`SqlStore`] serves PostgreSQL and SQLite with one SQL text.

mod rows;
mod sql;

pub use sql::SqlStore;
pub(crate) use sql::{IDS_PER_STATEMENT, placeholders};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        AttemptOutcome, Delivery, DeliveryId, DeliveryJob, NewSubscription, NotifyCommand,
        Subscription, SubscriptionId, UserId,
    },
    error::Result,
};

/// Subscriptions and deliveries.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Records `subscription` for `user_id` and returns its id. Idempotent on the endpoint: the
    /// same endpoint again for the same user keeps its id and takes the new keys. An endpoint
    /// held by another user moves to this one under a new id, because a browser belongs to
    /// whoever subscribed it last (the previous user signed out, or the browser was handed on);
    /// the new id keeps the previous user's queued deliveries from reaching it.
    async fn upsert_subscription(
        &self,
        user_id: &UserId,
        subscription: &NewSubscription,
        now: DateTime<Utc>,
    ) -> Result<SubscriptionId>;

    /// Deletes the user's subscription with this endpoint; false when there was none.
    async fn delete_subscription_by_endpoint(
        &self,
        user_id: &UserId,
        endpoint: &str,
    ) -> Result<bool>;

    /// The user's subscriptions, oldest first.
    async fn list_subscriptions(&self, user_id: &UserId) -> Result<Vec<Subscription>>;

    /// The ids of the user's subscriptions, oldest first: where a notification to them goes.
    async fn subscription_ids(&self, user_id: &UserId) -> Result<Vec<SubscriptionId>>;

    /// In one transaction, queues one delivery of `command` per subscription of
    /// `subscription_ids` (of the command's user), skipping subscriptions that already have a
    /// delivery with its dedupe key. Returns the ids queued; once this returns they are durable.
    async fn queue_deliveries(
        &self,
        command: &NotifyCommand,
        subscription_ids: &[SubscriptionId],
        now: DateTime<Utc>,
    ) -> Result<Vec<DeliveryId>>;

    /// What a worker needs to attempt a delivery; `None` for an unknown id.
    async fn delivery_job(&self, id: &DeliveryId) -> Result<Option<DeliveryJob>>;

    /// What workers need for several deliveries at once; unknown ids are left out.
    async fn delivery_jobs(&self, ids: &[DeliveryId]) -> Result<Vec<DeliveryJob>>;

    /// Records an attempt's outcome (status, attempts, push status, error, times). A final
    /// delivery is left as it is, so a late duplicate worker cannot undo a success.
    async fn record_attempt(
        &self,
        id: &DeliveryId,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// [`record_attempt`](Self::record_attempt) for several outcomes, in one transaction.
    async fn record_attempts(
        &self,
        attempts: &[(DeliveryId, AttemptOutcome)],
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The user's deliveries, newest first, optionally of one alert.
    async fn list_deliveries(
        &self,
        user_id: &UserId,
        alert_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Delivery>>;
}
