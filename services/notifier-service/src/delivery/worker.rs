//! The delivery workers: one dispatcher claims due deliveries while send slots are free, loads
//! them in one query, and runs each attempt as a task under the application's `TaskTracker`.
//! Outcomes are written by one recorder task in batches (one transaction for all that finished
//! meanwhile), so a burst costs a commit per batch, not per push.

use std::{collections::HashMap, sync::Arc, time::Duration};

use alert_platform::{clock::SharedClock, error::error_chain};
use alert_webpush::{PushOptions, PushSender};
use rand::Rng as _;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::{debug, error, info, warn};

use super::{RetryPolicy, decide};
use crate::{
    domain::{AttemptOutcome, DeliveryId, DeliveryJob, topic_for_alert},
    queue::{AttemptNote, ClaimedDelivery, DeliveryQueue},
    store::Store,
};

/// The most deliveries taken in one claim.
const CLAIM_BATCH: usize = 32;

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

/// Most outcomes written in one transaction.
const RECORD_BATCH: usize = 256;

/// One outcome waiting for the recorder, and who to tell when it is written.
struct PendingRecord {
    id: DeliveryId,
    outcome: AttemptOutcome,
    written: oneshot::Sender<Result<(), String>>,
}

/// Writes outcomes in batches: whatever finished while the previous batch was written goes into
/// the next transaction. Ends when the workers are dropped.
async fn record_in_batches(
    store: Arc<dyn Store>,
    clock: SharedClock,
    mut pending_rx: mpsc::UnboundedReceiver<PendingRecord>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while pending_rx.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let attempts: Vec<(DeliveryId, AttemptOutcome)> = batch
            .iter()
            .map(|pending| (pending.id.clone(), pending.outcome.clone()))
            .collect();
        let written = store
            .record_attempts(&attempts, clock.now())
            .await
            .map_err(|error| error_chain(&error));
        for pending in batch.drain(..) {
            let _ = pending.written.send(written.clone());
        }
    }
}

/// A claimed delivery's job, as the dispatcher's batch load found it.
enum Preloaded {
    Found(Box<DeliveryJob>),
    Missing,
    /// The batch load failed: the attempt loads it alone.
    NotLoaded,
}

/// Claims deliveries from the queue and sends them.
pub struct DeliveryWorkers {
    record_tx: mpsc::UnboundedSender<PendingRecord>,
    store: Arc<dyn Store>,
    queue: Arc<dyn DeliveryQueue>,
    sender: Arc<PushSender>,
    clock: SharedClock,
    settings: WorkerSettings,
}

impl DeliveryWorkers {
    /// Workers and their recorder task; call within the Tokio runtime.
    pub fn new(
        store: Arc<dyn Store>,
        queue: Arc<dyn DeliveryQueue>,
        sender: Arc<PushSender>,
        clock: SharedClock,
        settings: WorkerSettings,
    ) -> Self {
        let (record_tx, record_rx) = mpsc::unbounded_channel();
        tokio::spawn(record_in_batches(
            Arc::clone(&store),
            Arc::clone(&clock),
            record_rx,
        ));
        DeliveryWorkers {
            record_tx,
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
            // A full batch even when few slots are free: the rest wait here for theirs, so a
            // busy dispatcher makes one claim (and one load) per batch, not one per finished
            // send. Not raced against shutdown: a claim cut short could lose what it just
            // took. It returns after a short wait at most.
            let claimed = match self.queue.claim(CLAIM_BATCH, self.settings.lease).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    warn!(error = %error_chain(&error), "cannot claim deliveries, retrying shortly");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            };
            let mut jobs = self.preload(&claimed).await;
            let mut first_slot = Some(first_slot);
            for delivery in claimed {
                let slot = match first_slot.take() {
                    Some(slot) => Some(slot),
                    None => tokio::select! {
                        biased;
                        () = shutdown.cancelled() => None,
                        slot = Arc::clone(&slots).acquire_owned() => slot.ok(),
                    },
                };
                match slot {
                    Some(slot) if !shutdown.is_cancelled() => {
                        let workers = Arc::clone(&self);
                        let job = match &mut jobs {
                            Some(jobs) => jobs
                                .remove(&delivery.id)
                                .map_or(Preloaded::Missing, |job| Preloaded::Found(Box::new(job))),
                            None => Preloaded::NotLoaded,
                        };
                        tracker.spawn(async move {
                            workers.attempt(delivery, job).await;
                            drop(slot);
                        });
                    }
                    _ => self.release(&delivery).await,
                }
            }
            if shutdown.is_cancelled() {
                break;
            }
        }
        debug!("delivery dispatcher stopped claiming");
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

    async fn release(&self, delivery: &ClaimedDelivery) {
        if let Err(error) = self.queue.release(delivery).await {
            // Its lease runs out and another worker takes it then.
            warn!(delivery_id = %delivery.id, error = %error_chain(&error), "cannot release delivery");
        }
    }

    /// One attempt of one delivery. Failures to read or record leave the claim to run out, so the
    /// delivery is attempted again after its lease.
    async fn attempt(&self, claimed: ClaimedDelivery, preloaded: Preloaded) {
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
        // A transient failure that ran out of attempts is a dead letter; a permanent one is not.
        let exhausted = retryable && matches!(outcome, AttemptOutcome::Failed { .. });
        self.record_with_note(&claimed, &outcome, Some(&note), exhausted)
            .await;
    }

    async fn record(&self, claimed: &ClaimedDelivery, outcome: &AttemptOutcome) {
        self.record_with_note(claimed, outcome, None, false).await;
    }

    async fn record_with_note(
        &self,
        claimed: &ClaimedDelivery,
        outcome: &AttemptOutcome,
        note: Option<&AttemptNote>,
        exhausted: bool,
    ) {
        let (written_tx, written_rx) = oneshot::channel();
        let pending = PendingRecord {
            id: claimed.id.clone(),
            outcome: outcome.clone(),
            written: written_tx,
        };
        let written = match self.record_tx.send(pending) {
            Ok(()) => written_rx
                .await
                .unwrap_or_else(|_| Err("the recorder stopped".to_owned())),
            Err(_) => Err("the recorder stopped".to_owned()),
        };
        if let Err(error) = written {
            // The claim runs out and the delivery is attempted again.
            error!(delivery_id = %claimed.id, %error, "cannot record push attempt");
            return;
        }
        let acknowledged = match (outcome, note) {
            (
                AttemptOutcome::Retry {
                    next_attempt_at, ..
                },
                _,
            ) => self.queue.retry_at(claimed, *next_attempt_at, note).await,
            (_, Some(note)) if exhausted => self.queue.dead_letter(claimed, note).await,
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
