//! The delivery workers: one dispatcher claims due deliveries while send slots are free and runs
//! each attempt as a task under the application's `TaskTracker`.

use std::{sync::Arc, time::Duration};

use alert_platform::{clock::SharedClock, error::error_chain};
use alert_webpush::{PushOptions, PushSender};
use rand::Rng as _;
use tokio::sync::Semaphore;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::{debug, error, info, warn};

use super::{RetryPolicy, decide};
use crate::{
    domain::{AttemptOutcome, topic_for_alert},
    queue::{ClaimedDelivery, DeliveryQueue},
    store::Store,
};

/// The most deliveries taken in one claim.
const CLAIM_BATCH: usize = 32;

/// How the workers send.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Sends in flight at once.
    pub concurrency: usize,
    /// The longest one send may take; a claim's lease is a multiple of it.
    pub push_timeout: Duration,
    pub retry: RetryPolicy,
}

impl WorkerSettings {
    /// How long a claimed delivery is reserved: long enough for its send to time out and the
    /// result to be recorded, after which a crashed worker's delivery is taken again.
    fn lease(&self) -> Duration {
        self.push_timeout * 2 + Duration::from_secs(30)
    }
}

/// Claims deliveries from the queue and sends them.
pub struct DeliveryWorkers {
    store: Arc<dyn Store>,
    queue: Arc<dyn DeliveryQueue>,
    sender: Arc<PushSender>,
    clock: SharedClock,
    settings: WorkerSettings,
}

impl DeliveryWorkers {
    pub fn new(
        store: Arc<dyn Store>,
        queue: Arc<dyn DeliveryQueue>,
        sender: Arc<PushSender>,
        clock: SharedClock,
        settings: WorkerSettings,
    ) -> Self {
        DeliveryWorkers {
            store,
            queue,
            sender,
            clock,
            settings,
        }
    }

    /// Claims and sends until `shutdown`; then stops claiming and gives back anything claimed
    /// but not started. Attempts in flight run on as `tracker` tasks (each bounded by the push
    /// timeout), so waiting on the tracker waits for them.
    pub async fn run(self: Arc<Self>, tracker: TaskTracker, shutdown: CancellationToken) {
        let slots = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        loop {
            let first_slot = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            };
            let wanted = (1 + slots.available_permits()).min(CLAIM_BATCH);
            // Not raced against shutdown: a claim cut short could lose what it just took. It
            // returns after a short wait at most.
            let claimed = match self.queue.claim(wanted, self.settings.lease()).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    warn!(error = %error_chain(&error), "cannot claim deliveries, retrying shortly");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            };
            let mut first_slot = Some(first_slot);
            for delivery in claimed {
                let slot = first_slot
                    .take()
                    .or_else(|| Arc::clone(&slots).try_acquire_owned().ok());
                match slot {
                    Some(slot) if !shutdown.is_cancelled() => {
                        let workers = Arc::clone(&self);
                        tracker.spawn(async move {
                            workers.attempt(delivery).await;
                            drop(slot);
                        });
                    }
                    _ => self.release(&delivery).await,
                }
            }
        }
        debug!("delivery dispatcher stopped claiming");
    }

    async fn release(&self, delivery: &ClaimedDelivery) {
        if let Err(error) = self.queue.release(delivery).await {
            // Its lease runs out and another worker takes it then.
            warn!(delivery_id = %delivery.id, error = %error_chain(&error), "cannot release delivery");
        }
    }

    /// One attempt of one delivery. Failures to read or record leave the claim to run out, so the
    /// delivery is attempted again after its lease.
    async fn attempt(&self, claimed: ClaimedDelivery) {
        let job = match self.store.delivery_job(&claimed.id).await {
            Ok(Some(job)) => job,
            Ok(None) => {
                warn!(delivery_id = %claimed.id, "claimed delivery does not exist");
                self.complete(&claimed).await;
                return;
            }
            Err(error) => {
                error!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot load delivery");
                return;
            }
        };
        // At-least-once queues may hand out a delivery again: never send a final one twice.
        if job.status.is_final() {
            debug!(delivery_id = %job.id, status = job.status.as_str(), "delivery already final");
            self.complete(&claimed).await;
            return;
        }
        let Some(subscription) = &job.subscription else {
            let outcome = AttemptOutcome::Abandoned {
                reason: "subscription removed".to_owned(),
            };
            self.record(&claimed, &outcome).await;
            return;
        };
        let options = PushOptions {
            ttl_seconds: job.ttl_seconds,
            urgency: job.urgency,
            topic: job.alert_id.as_deref().map(topic_for_alert),
        };
        let result = self
            .sender
            .send(
                &subscription.push_target(),
                job.payload.as_bytes(),
                &options,
            )
            .await;
        let attempt = job.attempts + 1;
        let jitter = rand::thread_rng().r#gen::<f64>();
        let outcome = decide(
            &result,
            attempt,
            &subscription.id,
            &self.settings.retry,
            self.clock.now(),
            jitter,
        );
        match &outcome {
            AttemptOutcome::Delivered { status_code } => {
                info!(delivery_id = %job.id, attempt, status_code, "push delivered");
            }
            AttemptOutcome::Expired {
                status_code,
                subscription_id,
            } => {
                info!(delivery_id = %job.id, %subscription_id, status_code, "push subscription gone, deleted");
            }
            AttemptOutcome::Retry {
                error,
                next_attempt_at,
                ..
            } => {
                warn!(delivery_id = %job.id, attempt, %error, %next_attempt_at, "push failed, will retry");
            }
            AttemptOutcome::Failed { error, .. } | AttemptOutcome::Abandoned { reason: error } => {
                warn!(delivery_id = %job.id, attempt, %error, "push failed");
            }
        }
        self.record(&claimed, &outcome).await;
    }

    async fn record(&self, claimed: &ClaimedDelivery, outcome: &AttemptOutcome) {
        if let Err(error) = self
            .store
            .record_attempt(&claimed.id, outcome, self.clock.now())
            .await
        {
            error!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot record push attempt");
            return;
        }
        let acknowledged = match outcome {
            AttemptOutcome::Retry {
                next_attempt_at, ..
            } => self.queue.retry_at(claimed, *next_attempt_at).await,
            _ => self.queue.complete(claimed).await,
        };
        if let Err(error) = acknowledged {
            warn!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot acknowledge delivery");
        }
    }

    async fn complete(&self, claimed: &ClaimedDelivery) {
        if let Err(error) = self.queue.complete(claimed).await {
            warn!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot acknowledge delivery");
        }
    }
}
