//! The notifier's operations, behind the two gRPC services: subscriptions, `Notify`, history.

use std::sync::Arc;

use alert_platform::{clock::SharedClock, error::error_chain};
use alert_proto::v1::NotificationMessage;
use alert_webpush::{EndpointPolicy, Urgency};
use tracing::{info, warn};

use crate::{
    domain::{
        DedupeKey, Delivery, NewSubscription, NotifyCommand, Subscription, SubscriptionId,
        TEST_NOTIFICATION, UserId, default_ttl_seconds, normalize_endpoint,
    },
    error::{Error, Result},
    queue::DeliveryQueue,
    store::Store,
};

/// Deliveries recorded per transaction of one `Notify`.
const NOTIFY_CHUNK: usize = 500;

/// `ListDeliveries` limits: 0 means the default.
const DEFAULT_LIST_LIMIT: u32 = 100;
const MAX_LIST_LIMIT: u32 = 500;

/// Subscriptions and deliveries of users.
pub struct Notifier {
    store: Arc<dyn Store>,
    queue: Arc<dyn DeliveryQueue>,
    policy: EndpointPolicy,
    vapid_public_key: String,
    clock: SharedClock,
}

impl Notifier {
    pub fn new(
        store: Arc<dyn Store>,
        queue: Arc<dyn DeliveryQueue>,
        policy: EndpointPolicy,
        vapid_public_key: String,
        clock: SharedClock,
    ) -> Self {
        Notifier {
            store,
            queue,
            policy,
            vapid_public_key,
            clock,
        }
    }

    /// The browser's `applicationServerKey`.
    pub fn vapid_public_key(&self) -> &str {
        &self.vapid_public_key
    }

    pub async fn subscribe(
        &self,
        user_id: &UserId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<SubscriptionId> {
        let subscription = NewSubscription::parse(endpoint, p256dh, auth, &self.policy).await?;
        let id = self
            .store
            .upsert_subscription(user_id, &subscription, self.clock.now())
            .await?;
        info!(user_id = %user_id, subscription_id = %id, "push subscription saved");
        Ok(id)
    }

    /// Deletes the caller's subscription of `endpoint`; an unknown endpoint is not an error (the
    /// browser may unsubscribe twice).
    pub async fn unsubscribe(&self, user_id: &UserId, endpoint: &str) -> Result<()> {
        let endpoint = normalize_endpoint(endpoint, &self.policy);
        if self
            .store
            .delete_subscription_by_endpoint(user_id, &endpoint)
            .await?
        {
            info!(user_id = %user_id, "push subscription deleted");
        }
        Ok(())
    }

    pub async fn list_subscriptions(&self, user_id: &UserId) -> Result<Vec<Subscription>> {
        self.store.list_subscriptions(user_id).await
    }

    /// Records one delivery per subscription of the user and hands them to the workers. Returns
    /// the number queued, once they are durable.
    ///
    /// A large fan-out is recorded in chunks, each committed and enqueued before the next, so the
    /// first pushes leave while the rest are still being written. A failure part-way leaves the
    /// chunks before it queued; the caller's retry with the same dedupe key queues the rest.
    pub async fn notify(&self, command: NotifyCommand) -> Result<u32> {
        let subscription_ids = self.store.subscription_ids(&command.user_id).await?;
        let now = self.clock.now();
        let mut queued_count = 0;
        for chunk in subscription_ids.chunks(NOTIFY_CHUNK) {
            let queued = self.store.queue_deliveries(&command, chunk, now).await?;
            if !queued.is_empty() {
                // The deliveries are committed: a queue failure delays them, it does not lose
                // them, so it must not fail the call (a retried Notify would queue nothing new).
                if let Err(error) = self.queue.enqueue(&queued).await {
                    warn!(error = %error_chain(&error), count = queued.len(), "cannot enqueue deliveries");
                }
            }
            queued_count += queued.len();
        }
        info!(user_id = %command.user_id, dedupe_key = command.dedupe_key.as_str(), queued = queued_count, "notification queued");
        Ok(u32::try_from(queued_count).unwrap_or(u32::MAX))
    }

    /// A fixed message to every subscription of the caller.
    pub async fn send_test_notification(&self, user_id: &UserId) -> Result<u32> {
        let (title, body) = TEST_NOTIFICATION;
        let request = alert_proto::v1::NotifyRequest {
            user_id: user_id.to_string(),
            message: Some(NotificationMessage {
                title: title.into(),
                body: body.into(),
                url: "/".into(),
                tag: "test".into(),
            }),
            dedupe_key: DedupeKey::unique("test").as_str().to_owned(),
            alert_id: String::new(),
            ttl_seconds: default_ttl_seconds(0),
            urgency: 0,
        };
        let mut command = NotifyCommand::try_from(request)?;
        command.urgency = Urgency::High;
        self.notify(command).await
    }

    pub async fn list_deliveries(
        &self,
        user_id: &UserId,
        alert_id: &str,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let limit = match limit {
            0 => DEFAULT_LIST_LIMIT,
            1..=MAX_LIST_LIMIT => limit,
            got => {
                return Err(Error::LimitOutOfRange {
                    got,
                    max: MAX_LIST_LIMIT,
                });
            }
        };
        let alert_id = Some(alert_id.trim()).filter(|id| !id.is_empty());
        self.store.list_deliveries(user_id, alert_id, limit).await
    }
}
