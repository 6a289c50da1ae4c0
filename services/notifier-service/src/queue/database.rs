//! [`DeliveryQueue`] over the deliveries table: a delivery is due when it is `queued` and its
//! `next_attempt_at` has passed, or when it is `sending` under an expired lease (its worker
//! crashed). Claims are compare-and-set updates, atomic on both backends, so two replicas never
//! take the same delivery under a live lease.

use std::time::Duration;

use alert_platform::{clock::SharedClock, db::Database};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use tokio::sync::Notify;

use super::{AttemptNote, ClaimedDelivery, DeliveryQueue, QueueError};
use crate::domain::DeliveryId;

/// The condition of a claimable delivery at time `$1`, shared by the lookup and the claim.
const CLAIMABLE: &str =
    "((status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1))";

/// The deliveries table as a queue.
#[derive(Debug)]
pub struct DatabaseQueue {
    database: Database,
    clock: SharedClock,
    wake: Notify,
    max_wait: Duration,
}

impl DatabaseQueue {
    /// A queue that, when nothing is due, waits at most `max_wait` before looking again (less when
    /// a retry falls due sooner).
    pub fn new(database: Database, clock: SharedClock, max_wait: Duration) -> Self {
        DatabaseQueue {
            database,
            clock,
            wake: Notify::new(),
            max_wait,
        }
    }

    async fn try_claim(
        &self,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, QueueError> {
        let now = self.clock.now();
        let lease_until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        // One statement: the inner SELECT picks candidates, the outer WHERE checks each again,
        // so a row another worker or replica took meanwhile is skipped (compare-and-set).
        let claim = format!(
            "UPDATE deliveries SET status = 'sending', updated_at = $1, lease_until = $2 \
             WHERE {CLAIMABLE} AND id IN \
               (SELECT id FROM deliveries WHERE {CLAIMABLE} ORDER BY next_attempt_at, id LIMIT $3) \
             RETURNING id"
        );
        let mut claimed: Vec<ClaimedDelivery> = sqlx::query(&claim)
            .bind(now.timestamp_millis())
            .bind(lease_until.timestamp_millis())
            .bind(max as i64)
            .fetch_all(&self.database.pool)
            .await
            .map_err(QueueError::Database)?
            .iter()
            .map(|row| {
                row.try_get::<String, _>("id").map(|id| ClaimedDelivery {
                    id: DeliveryId::from(id),
                    receipt: None,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(QueueError::Database)?;
        // RETURNING gives no order: hand them out oldest first.
        claimed.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(claimed)
    }

    /// How long to wait for work: until the earliest retry or lease expiry, at most `max_wait`.
    async fn idle_wait(&self) -> Result<Duration, QueueError> {
        let next_due: Option<i64> = sqlx::query(
            "SELECT MIN(CASE WHEN status = 'queued' THEN next_attempt_at ELSE lease_until END) AS next_due \
             FROM deliveries WHERE status IN ('queued', 'sending')",
        )
        .fetch_one(&self.database.pool)
        .await
        .and_then(|row| row.try_get("next_due"))
        .map_err(QueueError::Database)?;
        let Some(next_due) = next_due else {
            return Ok(self.max_wait);
        };
        let until_due = next_due - self.clock.now().timestamp_millis();
        // A lease that ran out just now is due once the claim's `<` holds: wait at least 1 ms.
        let until_due = Duration::from_millis(until_due.max(1) as u64);
        Ok(until_due.min(self.max_wait))
    }
}

#[async_trait]
impl DeliveryQueue for DatabaseQueue {
    async fn enqueue(&self, _ids: &[DeliveryId]) -> Result<(), QueueError> {
        // The rows are the queue; only the dispatcher needs to know. `notify_one` keeps a permit
        // when no one waits, so a wake-up between two claims is not lost.
        self.wake.notify_one();
        Ok(())
    }

    async fn claim(&self, max: usize, lease: Duration) -> Result<Vec<ClaimedDelivery>, QueueError> {
        let claimed = self.try_claim(max, lease).await?;
        if !claimed.is_empty() {
            return Ok(claimed);
        }
        let wait = self.idle_wait().await?;
        tokio::select! {
            () = self.wake.notified() => {},
            () = tokio::time::sleep(wait) => {},
        }
        self.try_claim(max, lease).await
    }

    async fn complete(&self, _claimed: &ClaimedDelivery) -> Result<(), QueueError> {
        // The store recorded the final status, which takes the row out of the queue.
        Ok(())
    }

    async fn retry_at(
        &self,
        _claimed: &ClaimedDelivery,
        _when: DateTime<Utc>,
        _note: Option<&AttemptNote>,
    ) -> Result<(), QueueError> {
        // The store recorded `queued` with `next_attempt_at = when`, which is the retry; the
        // dispatcher only needs to shorten its wait if this one falls due first.
        self.wake.notify_one();
        Ok(())
    }

    async fn dead_letter(
        &self,
        _claimed: &ClaimedDelivery,
        _note: &AttemptNote,
    ) -> Result<(), QueueError> {
        // The row, `failed` with its attempts and last error, is the dead letter.
        Ok(())
    }

    async fn release(&self, claimed: &ClaimedDelivery) -> Result<(), QueueError> {
        sqlx::query("UPDATE deliveries SET status = 'queued', lease_until = NULL WHERE id = $1 AND status = 'sending'")
            .bind(claimed.id.as_str())
            .execute(&self.database.pool)
            .await
            .map_err(QueueError::Database)?;
        self.wake.notify_one();
        Ok(())
    }
}
