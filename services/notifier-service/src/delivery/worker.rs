//! The delivery workers: one dispatcher claims due deliveries in batches (the next while the
//! current one is handed out), loads each batch in one query, and runs each attempt as a task
//! under the application's `TaskTracker` as send slots free up. Outcomes are recorded and
//! acknowledged in batches by the [`Settler`].

use std::{collections::HashMap, sync::Arc, time::Duration};

use alert_platform::{clock::SharedClock, error::error_chain};
use alert_webpush::{PushOptions, PushSender};
use rand::Rng as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::{debug, error, info, warn};

use super::{
    RetryPolicy, decide,
    settle::{QueueStep, Settlement, Settler},
};
use crate::{
    domain::{AttemptOutcome, DeliveryId, DeliveryJob, topic_for_alert},
    queue::{AttemptNote, ClaimedDelivery, DeliveryQueue},
    store::Store,
};

/// Deliveries taken in one claim: twice the sends in flight, within these bounds. One claim (and
/// one load) per batch, not per send.
const MIN_CLAIM_BATCH: usize = 32;
const MAX_CLAIM_BATCH: usize = 256;
/// Attempts started but not yet settled, as a multiple of the sends in flight. A send slot frees
/// up when the push service has answered, not when the outcome is recorded (the next send need
/// not wait for a commit), so this bounds how far sending may run ahead of recording.
const UNSETTLED_PER_SEND_SLOT: usize = 4;

/// How the workers send.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Sends in flight at once.
    pub concurrency: usize,
    /// The longest one send may take.
    pub push_timeout: Duration,
    /// How long a claimed delivery is reserved (the queue's visibility timeout): longer than a
    /// send can take and its result be recorded, after which a crashed worker's delivery is
    /// taken again.
    pub lease: Duration,
    pub retry: RetryPolicy,
}

/// Claimed deliveries and their jobs, loaded in one query (`None` when that failed).
#[derive(Default)]
struct Batch {
    claimed: Vec<ClaimedDelivery>,
    jobs: Option<HashMap<DeliveryId, DeliveryJob>>,
}

/// A claimed delivery's job, as the dispatcher's batch load found it.
enum Preloaded {
    Found(Box<DeliveryJob>),
    Missing,
    /// The batch load failed: the attempt loads it alone.
    NotLoaded,
}

/// Bounds the attempts under way: those sending, and those started but not yet settled.
struct SendSlots {
    sending: Arc<Semaphore>,
    unsettled: Arc<Semaphore>,
}

/// What one attempt holds of [`SendSlots`] until it has sent and until it has settled.
struct SendSlot {
    sending: OwnedSemaphorePermit,
    _unsettled: OwnedSemaphorePermit,
}

impl SendSlots {
    /// `None` once the semaphores are closed (never, in practice: they live as long as `run`).
    async fn acquire(&self) -> Option<SendSlot> {
        let unsettled = Arc::clone(&self.unsettled).acquire_owned().await.ok()?;
        let sending = Arc::clone(&self.sending).acquire_owned().await.ok()?;
        Some(SendSlot {
            sending,
            _unsettled: unsettled,
        })
    }
}

/// Claims deliveries from the queue and sends them.
pub struct DeliveryWorkers {
    settler: Settler,
    store: Arc<dyn Store>,
    queue: Arc<dyn DeliveryQueue>,
    sender: Arc<PushSender>,
    clock: SharedClock,
    settings: WorkerSettings,
}

impl DeliveryWorkers {
    /// Workers and their settling task; call within the Tokio runtime.
    pub fn new(
        store: Arc<dyn Store>,
        queue: Arc<dyn DeliveryQueue>,
        sender: Arc<PushSender>,
        clock: SharedClock,
        settings: WorkerSettings,
    ) -> Self {
        let settler = Settler::spawn(Arc::clone(&store), Arc::clone(&queue), Arc::clone(&clock));
        DeliveryWorkers {
            settler,
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
        let concurrency = self.settings.concurrency.max(1);
        let slots = SendSlots {
            sending: Arc::new(Semaphore::new(concurrency)),
            unsettled: Arc::new(Semaphore::new(concurrency * UNSETTLED_PER_SEND_SLOT)),
        };
        let batch_size = (2 * concurrency).clamp(MIN_CLAIM_BATCH, MAX_CLAIM_BATCH);
        let mut batch = Batch::default();
        loop {
            // The next batch is claimed while this one is handed out, so a send slot that frees
            // up finds work waiting instead of a claim round trip; at most two batches are
            // claimed ahead of the sends.
            let (not_started, next) = tokio::join!(
                Arc::clone(&self).hand_out(batch, &slots, &tracker, &shutdown),
                self.claim_batch(batch_size, &shutdown),
            );
            if shutdown.is_cancelled() {
                let mut unsent = not_started;
                unsent.extend(next.claimed);
                self.release(&unsent).await;
                break;
            }
            batch = next;
        }
        debug!("delivery dispatcher stopped claiming");
    }

    /// Starts an attempt of each delivery of `batch` as send slots free up; returns those not
    /// started because `shutdown` came first.
    async fn hand_out(
        self: Arc<Self>,
        batch: Batch,
        slots: &SendSlots,
        tracker: &TaskTracker,
        shutdown: &CancellationToken,
    ) -> Vec<ClaimedDelivery> {
        let Batch { claimed, mut jobs } = batch;
        let mut claimed = claimed.into_iter();
        while let Some(delivery) = claimed.next() {
            let slot = tokio::select! {
                biased;
                () = shutdown.cancelled() => None,
                slot = slots.acquire() => slot,
            };
            let Some(slot) = slot.filter(|_| !shutdown.is_cancelled()) else {
                return std::iter::once(delivery).chain(claimed).collect();
            };
            let job = match &mut jobs {
                Some(jobs) => jobs
                    .remove(&delivery.id)
                    .map_or(Preloaded::Missing, |job| Preloaded::Found(Box::new(job))),
                None => Preloaded::NotLoaded,
            };
            let workers = Arc::clone(&self);
            tracker.spawn(async move { workers.attempt(delivery, job, slot).await });
        }
        Vec::new()
    }

    /// Claims up to `max` deliveries and loads their jobs in one query. Not raced against
    /// shutdown: a claim cut short could lose what it just took. It returns after a short wait
    /// at most (or a second after an error).
    async fn claim_batch(&self, max: usize, shutdown: &CancellationToken) -> Batch {
        if shutdown.is_cancelled() {
            return Batch::default();
        }
        match self.queue.claim(max, self.settings.lease).await {
            Ok(claimed) => {
                let jobs = self.preload(&claimed).await;
                Batch { claimed, jobs }
            }
            Err(error) => {
                warn!(error = %error_chain(&error), "cannot claim deliveries, retrying shortly");
                tokio::select! {
                    () = shutdown.cancelled() => {},
                    () = tokio::time::sleep(Duration::from_secs(1)) => {},
                }
                Batch::default()
            }
        }
    }

    /// The jobs of a claimed batch in one query; `None` when that failed.
    async fn preload(
        &self,
        claimed: &[ClaimedDelivery],
    ) -> Option<HashMap<DeliveryId, DeliveryJob>> {
        if claimed.is_empty() {
            return Some(HashMap::new());
        }
        let ids: Vec<DeliveryId> = claimed.iter().map(|c| c.id.clone()).collect();
        match self.store.delivery_jobs(&ids).await {
            Ok(jobs) => Some(jobs.into_iter().map(|job| (job.id.clone(), job)).collect()),
            Err(error) => {
                warn!(error = %error_chain(&error), count = ids.len(), "cannot load claimed deliveries");
                None
            }
        }
    }

    async fn release(&self, deliveries: &[ClaimedDelivery]) {
        if deliveries.is_empty() {
            return;
        }
        if let Err(error) = self.queue.release(deliveries).await {
            // Their leases run out and another worker takes them then.
            warn!(count = deliveries.len(), error = %error_chain(&error), "cannot release deliveries");
        }
    }

    /// One attempt of one delivery. Failures to read or record leave the claim to run out, so the
    /// delivery is attempted again after its lease.
    async fn attempt(&self, claimed: ClaimedDelivery, preloaded: Preloaded, slot: SendSlot) {
        let loaded = match preloaded {
            Preloaded::Found(job) => Ok(Some(*job)),
            Preloaded::Missing => Ok(None),
            Preloaded::NotLoaded => self.store.delivery_job(&claimed.id).await,
        };
        let job = match loaded {
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
        // A retry handed out early (its entry was redelivered before the retry was parked):
        // park it again rather than cut the push service's backoff short.
        if job.next_attempt_at > self.clock.now() {
            if let Err(error) = self
                .queue
                .retry_at(&claimed, job.next_attempt_at, None)
                .await
            {
                warn!(delivery_id = %job.id, error = %error_chain(&error), "cannot park early retry");
            }
            return;
        }
        let Some(subscription) = &job.subscription else {
            let outcome = AttemptOutcome::Abandoned {
                reason: "subscription removed".to_owned(),
            };
            self.settler
                .settle(Settlement {
                    claimed,
                    outcome,
                    queue_step: QueueStep::Complete,
                })
                .await;
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
        // The push service has answered: the next send may start while this outcome is recorded.
        drop(slot.sending);
        let attempt = job.attempts + 1;
        let retryable = match &result {
            Ok(response) => response.is_retryable(),
            Err(error) => error.is_retryable(),
        };
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
                debug!(delivery_id = %job.id, attempt, status_code, "push delivered");
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
        let note = AttemptNote {
            attempt,
            at: self.clock.now(),
            status_code: result.as_ref().ok().map(|response| response.status),
            error: match &outcome {
                AttemptOutcome::Retry { error, .. } | AttemptOutcome::Failed { error, .. } => {
                    error.clone()
                }
                _ => String::new(),
            },
        };
        let queue_step = match &outcome {
            AttemptOutcome::Retry {
                next_attempt_at, ..
            } => QueueStep::RetryAt {
                when: *next_attempt_at,
                note,
            },
            // A transient failure that ran out of attempts is a dead letter; a permanent one is not.
            AttemptOutcome::Failed { .. } if retryable => QueueStep::DeadLetter(note),
            _ => QueueStep::Complete,
        };
        self.settler
            .settle(Settlement {
                claimed,
                outcome,
                queue_step,
            })
            .await;
    }

    async fn complete(&self, claimed: &ClaimedDelivery) {
        if let Err(error) = self.queue.complete(std::slice::from_ref(claimed)).await {
            warn!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot acknowledge delivery");
        }
    }
}
