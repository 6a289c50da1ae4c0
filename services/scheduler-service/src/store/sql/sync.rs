//! [`SyncStore`] over the same pool: the `bucket_sync` table, read together with the members
//! that decide whether a bucket's schedule should exist.

use alert_platform::{db::Backend, timestamp::from_millis};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Row, any::AnyRow};

use super::{SqlStore, bucket_from_row, db_error};
use crate::{
    domain::BucketKey,
    error::Result,
    store::{
        Bucket,
        sync::{BucketSync, MarkReason, SyncCounts, SyncOutcome, SyncState, SyncStore},
    },
};

/// Columns of a sync row joined with its bucket and whether it has an enabled member.
const SYNC_COLUMNS: &str = "s.key, s.state, s.attempts, s.last_error, s.next_attempt_at, s.version, \
     s.updated_at, s.synced_at, b.expression, b.timezone, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.bucket_key = s.key AND m.enabled = 1) \
     THEN 1 ELSE 0 END AS BIGINT) AS present";

#[async_trait]
impl SyncStore for SqlStore {
    async fn mark_for_sync(
        &self,
        key: &BucketKey,
        reason: MarkReason,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        // A synced row whose applied state is what the members want needs nothing, unless the
        // backend drifted; a row between attempts is marked again on a change (the attempt in
        // flight may be for the old state) but not for drift (it is being synced anyway).
        let marked = sqlx::query(
            "INSERT INTO bucket_sync (key, state, attempts, last_error, next_attempt_at, version, updated_at, synced_at, applied_present) \
             VALUES ($1, 'pending', 0, NULL, $2, 1, $2, NULL, NULL) \
             ON CONFLICT (key) DO UPDATE SET state = 'pending', attempts = 0, last_error = NULL, \
             next_attempt_at = excluded.next_attempt_at, version = bucket_sync.version + 1, \
             updated_at = excluded.updated_at \
             WHERE (bucket_sync.state = 'synced' AND ($3 = 1 OR bucket_sync.applied_present IS NULL OR bucket_sync.applied_present <> \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.bucket_key = $1 AND m.enabled = 1) THEN 1 ELSE 0 END AS BIGINT))) \
             OR (bucket_sync.state <> 'synced' AND $3 = 0)",
        )
        .bind(key.as_str())
        .bind(now.timestamp_millis())
        .bind(i64::from(reason == MarkReason::Drifted))
        .execute(&self.db.pool)
        .await
        .map_err(db_error)?;
        Ok(marked.rows_affected() > 0)
    }

    async fn claim_sync(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<BucketSync>> {
        let skip_locked = match self.db.backend {
            Backend::Postgres => " FOR UPDATE OF s SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Creates and updates before deletes: an alert moving between buckets never leaves a
        // window without the schedule of the bucket it joined.
        let sql = format!(
            "SELECT {SYNC_COLUMNS} FROM bucket_sync s LEFT JOIN buckets b ON b.key = s.key \
             WHERE s.state <> 'synced' AND s.next_attempt_at <= $1 \
             ORDER BY present DESC, s.next_attempt_at LIMIT $2{skip_locked}"
        );
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        let rows = sqlx::query(&sql)
            .bind(now.timestamp_millis())
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut sync = sync_from_row(row)?;
            let updated = sqlx::query(
                "UPDATE bucket_sync SET next_attempt_at = $1 WHERE key = $2 AND version = $3 AND next_attempt_at = $4",
            )
            .bind(lease_until.timestamp_millis())
            .bind(sync.key.as_str())
            .bind(sync.version)
            .bind(sync.next_attempt_at.timestamp_millis())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if updated.rows_affected() == 1 {
                sync.next_attempt_at = lease_until;
                claimed.push(sync);
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(claimed)
    }

    async fn settle_sync(
        &self,
        claimed: &BucketSync,
        outcome: &SyncOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let attempts = i64::from(claimed.attempts) + 1;
        let query = match outcome {
            // A deleted schedule of a deleted bucket needs no row any more.
            SyncOutcome::Synced if !claimed.present => {
                sqlx::query("DELETE FROM bucket_sync WHERE key = $1 AND version = $2")
                    .bind(claimed.key.as_str())
                    .bind(claimed.version)
            }
            SyncOutcome::Synced => sqlx::query(
                "UPDATE bucket_sync SET state = 'synced', attempts = $1, last_error = NULL, updated_at = $2, \
                 synced_at = $2, applied_present = 1 WHERE key = $3 AND version = $4",
            )
            .bind(attempts)
            .bind(now.timestamp_millis())
            .bind(claimed.key.as_str())
            .bind(claimed.version),
            SyncOutcome::Retry { at, error } | SyncOutcome::Failed { at, error } => {
                let state = match outcome {
                    SyncOutcome::Failed { .. } => SyncState::Failed,
                    _ => SyncState::Pending,
                };
                sqlx::query(
                    "UPDATE bucket_sync SET state = $1, attempts = $2, last_error = $3, next_attempt_at = $4, \
                     updated_at = $5 WHERE key = $6 AND version = $7",
                )
                .bind(state.as_str())
                .bind(attempts)
                .bind(error.as_str())
                .bind(at.timestamp_millis())
                .bind(now.timestamp_millis())
                .bind(claimed.key.as_str())
                .bind(claimed.version)
            }
        };
        query.execute(&self.db.pool).await.map_err(db_error)?;
        Ok(())
    }

    async fn sync_states(
        &self,
        state: Option<SyncState>,
        after_key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<BucketSync>> {
        let sql = format!(
            "SELECT {SYNC_COLUMNS} FROM bucket_sync s LEFT JOIN buckets b ON b.key = s.key \
             WHERE s.key > $1 AND ($2 = '' OR s.state = $2) ORDER BY s.key LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(after_key.unwrap_or(""))
            .bind(state.map(SyncState::as_str).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(sync_from_row).collect()
    }

    async fn sync_counts(&self) -> Result<SyncCounts> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM bucket_sync GROUP BY state")
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error)?;
        let mut counts = SyncCounts::default();
        for row in &rows {
            let state: String = row.try_get("state").map_err(db_error)?;
            let n: i64 = row.try_get("n").map_err(db_error)?;
            let n = n.max(0).unsigned_abs();
            match SyncState::parse(&state) {
                SyncState::Synced => counts.synced += n,
                SyncState::Pending => counts.pending += n,
                SyncState::Failed => counts.failed += n,
            }
        }
        Ok(counts)
    }

    async fn desired_buckets(&self) -> Result<Vec<Bucket>> {
        let rows = sqlx::query(
            "SELECT key, expression, timezone, next_fire_at FROM buckets b \
             WHERE EXISTS (SELECT 1 FROM members m WHERE m.bucket_key = b.key AND m.enabled = 1) ORDER BY key",
        )
        .fetch_all(&self.db.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(bucket_from_row).collect()
    }
}

fn sync_from_row(row: &AnyRow) -> Result<BucketSync> {
    let state: String = row.try_get("state").map_err(db_error)?;
    let attempts: i64 = row.try_get("attempts").map_err(db_error)?;
    let present: i64 = row.try_get("present").map_err(db_error)?;
    let synced_at: Option<i64> = row.try_get("synced_at").map_err(db_error)?;
    Ok(BucketSync {
        key: BucketKey::from_stored(row.try_get("key").map_err(db_error)?),
        present: present != 0,
        expression: row.try_get("expression").map_err(db_error)?,
        timezone: row.try_get("timezone").map_err(db_error)?,
        state: SyncState::parse(&state),
        attempts: u32::try_from(attempts).unwrap_or(0),
        last_error: row.try_get("last_error").map_err(db_error)?,
        next_attempt_at: from_millis(row.try_get("next_attempt_at").map_err(db_error)?),
        version: row.try_get("version").map_err(db_error)?,
        updated_at: from_millis(row.try_get("updated_at").map_err(db_error)?),
        synced_at: synced_at.map(from_millis),
    })
}
