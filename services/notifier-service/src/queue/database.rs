//! [`DeliveryQueue`] over the deliveries table: a delivery is due when it is `queued` and its
//! `next_attempt_at` has passed, or when it is `sending` under an expired lease (its worker
//! crashed). Claims are compare-and-set updates, atomic on both backends, so two replicas never
//! take the same delivery under a live lease.

use std::time::Duration;

use alert_platform::{
    clock::SharedClock,
    db::{Backend, Database},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use tokio::sync::Notify;

use super::{AttemptNote, ClaimedDelivery, DeliveryQueue, QueueError};
use crate::{
    domain::DeliveryId,
    store::{IDS_PER_STATEMENT, placeholders},
};

/// The condition of a claimable delivery at time `$1`.
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
        // One statement: the inner SELECTs pick candidates, expired leases first (their
        // deliveries waited longest), each an ordered read of its own index that stops after
        // `max` rows; the outer WHERE checks each candidate again, so a row another worker or
        // replica took meanwhile is skipped (compare-and-set).
        let claim = format!(
            "UPDATE deliveries SET status = 'sending', updated_at = $1, lease_until = $2 \
             WHERE {CLAIMABLE} AND id IN (SELECT id FROM ( \
               SELECT id FROM (SELECT id FROM deliveries WHERE status = 'sending' AND lease_until < $1 \
                 ORDER BY lease_until, id LIMIT $3) AS leased \
               UNION ALL \
               SELECT id FROM (SELECT id FROM deliveries WHERE status = 'queued' AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3) AS due \
             ) AS candidates LIMIT $3) \
             RETURNING id"
        );
        let query = sqlx::query(&claim)
            .bind(now.timestamp_millis())
            .bind(lease_until.timestamp_millis())
            .bind(max as i64);
        let rows = match self.database.backend {
            Backend::Postgres => {
                // A claim is only a lease: if a crash loses it, the delivery is claimed again, as
                // after an expired lease. So it need not wait for its WAL flush (a few ms, the
                // bound on claims per second otherwise); the outcome's commit, which must
                // wait, flushes it anyway. And index scans only: right after a burst of inserts
                // the statistics still say the table is small and few rows are queued, and the
                // planner then picks plans that read every queued row per claim (bitmap or
                // sequential scans, once or once per candidate) instead of the first entries of
                // the due index and a primary-key lookup per candidate.
                let mut transaction = self
                    .database
                    .pool
                    .begin()
                    .await
                    .map_err(QueueError::Database)?;
                sqlx::query(
                    "SELECT set_config('synchronous_commit', 'off', true), \
                            set_config('enable_bitmapscan', 'off', true), \
                            set_config('enable_seqscan', 'off', true)",
                )
                .execute(&mut *transaction)
                .await
                .map_err(QueueError::Database)?;
                let rows = query
                    .fetch_all(&mut *transaction)
                    .await
                    .map_err(QueueError::Database)?;
                transaction.commit().await.map_err(QueueError::Database)?;
                rows
            }
            // In WAL mode with `synchronous = NORMAL` a SQLite commit does not wait for the disk.
            Backend::Sqlite => query
                .fetch_all(&self.database.pool)
                .await
                .map_err(QueueError::Database)?,
        };
        let mut claimed: Vec<ClaimedDelivery> = rows
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
        let row = sqlx::query(
            "SELECT (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'queued') AS next_retry, \
                    (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending') AS next_expiry",
        )
        .fetch_one(&self.database.pool)
        .await
        .map_err(QueueError::Database)?;
        let next_retry: Option<i64> = row.try_get("next_retry").map_err(QueueError::Database)?;
        let next_expiry: Option<i64> = row.try_get("next_expiry").map_err(QueueError::Database)?;
        let next_due = next_retry.into_iter().chain(next_expiry).min();
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

    async fn complete(&self, _claimed: &[ClaimedDelivery]) -> Result<(), QueueError> {
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

    async fn release(&self, claimed: &[ClaimedDelivery]) -> Result<(), QueueError> {
        for chunk in claimed.chunks(IDS_PER_STATEMENT) {
            let release = format!(
                "UPDATE deliveries SET status = 'queued', lease_until = NULL \
                 WHERE id IN ({}) AND status = 'sending'",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&release);
            for delivery in chunk {
                query = query.bind(delivery.id.as_str());
            }
            query
                .execute(&self.database.pool)
                .await
                .map_err(QueueError::Database)?;
        }
        self.wake.notify_one();
        Ok(())
    }
}
