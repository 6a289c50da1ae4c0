//! Settling attempts in batches: the outcomes that finished while the previous batch was being
//! settled are recorded in one transaction, then acknowledged at the queue, the final ones in one
//! call. A burst costs a commit and a queue round trip per batch, not per push.

use std::sync::Arc;

use alert_platform::{clock::SharedClock, error::error_chain};
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use tracing::{error, warn};

use crate::{
    domain::{AttemptOutcome, DeliveryId},
    queue::{AttemptNote, ClaimedDelivery, DeliveryQueue},
    store::Store,
};

/// Most outcomes settled together.
const SETTLE_BATCH: usize = 256;

/// What the queue is told once an outcome is recorded.
#[derive(Debug)]
pub(super) enum QueueStep {
    /// The delivery reached a final state.
    Complete,
    /// Attempt it again at `when`; `note` is the failed attempt.
    RetryAt {
        when: DateTime<Utc>,
        note: AttemptNote,
    },
    /// It failed its last allowed attempt `note`.
    DeadLetter(AttemptNote),
}

/// One attempt's outcome on its way to the database and the queue.
#[derive(Debug)]
pub(super) struct Settlement {
    pub claimed: ClaimedDelivery,
    pub outcome: AttemptOutcome,
    pub queue_step: QueueStep,
}

type Pending = (Settlement, oneshot::Sender<()>);

/// Hands outcomes to the task that settles them in batches. The task ends when this is dropped.
pub(super) struct Settler {
    pending_tx: mpsc::UnboundedSender<Pending>,
}

impl Settler {
    /// Starts the settling task; call within the Tokio runtime.
    pub fn spawn(store: Arc<dyn Store>, queue: Arc<dyn DeliveryQueue>, clock: SharedClock) -> Self {
        let (pending_tx, pending_rx) = mpsc::unbounded_channel();
        tokio::spawn(settle_in_batches(store, queue, clock, pending_rx));
        Settler { pending_tx }
    }

    /// Records and acknowledges `settlement` together with whatever else finished meanwhile, and
    /// returns when that is done. A failure is logged and leaves the claim to run out, so the
    /// delivery is attempted again after its lease.
    pub async fn settle(&self, settlement: Settlement) {
        let (settled_tx, settled_rx) = oneshot::channel();
        let id = settlement.claimed.id.clone();
        if self.pending_tx.send((settlement, settled_tx)).is_err() || settled_rx.await.is_err() {
            error!(delivery_id = %id, "cannot record push attempt: the settling task stopped");
        }
    }
}

async fn settle_in_batches(
    store: Arc<dyn Store>,
    queue: Arc<dyn DeliveryQueue>,
    clock: SharedClock,
    mut pending_rx: mpsc::UnboundedReceiver<Pending>,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(SETTLE_BATCH);
    while pending_rx.recv_many(&mut batch, SETTLE_BATCH).await > 0 {
        let attempts: Vec<(DeliveryId, AttemptOutcome)> = batch
            .iter()
            .map(|(settlement, _)| (settlement.claimed.id.clone(), settlement.outcome.clone()))
            .collect();
        match store.record_attempts(&attempts, clock.now()).await {
            Ok(()) => acknowledge(queue.as_ref(), &batch).await,
            // The claims run out and the deliveries are attempted again.
            Err(error) => {
                error!(count = batch.len(), error = %error_chain(&error), "cannot record push attempts");
            }
        }
        for (_, settled_tx) in batch.drain(..) {
            let _ = settled_tx.send(());
        }
    }
}

async fn acknowledge(queue: &dyn DeliveryQueue, batch: &[Pending]) {
    let completed: Vec<ClaimedDelivery> = batch
        .iter()
        .filter(|(settlement, _)| matches!(settlement.queue_step, QueueStep::Complete))
        .map(|(settlement, _)| settlement.claimed.clone())
        .collect();
    if !completed.is_empty()
        && let Err(error) = queue.complete(&completed).await
    {
        warn!(count = completed.len(), error = %error_chain(&error), "cannot acknowledge deliveries");
    }
    for (settlement, _) in batch {
        let claimed = &settlement.claimed;
        let acknowledged = match &settlement.queue_step {
            QueueStep::Complete => continue,
            QueueStep::RetryAt { when, note } => queue.retry_at(claimed, *when, Some(note)).await,
            QueueStep::DeadLetter(note) => queue.dead_letter(claimed, note).await,
        };
        if let Err(error) = acknowledged {
            warn!(delivery_id = %claimed.id, error = %error_chain(&error), "cannot acknowledge delivery");
        }
    }
}
