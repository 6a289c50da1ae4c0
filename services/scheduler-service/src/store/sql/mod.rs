//! [`Store`] over `sqlx::AnyPool`: one SQL text for PostgreSQL and SQLite.
//!
//! Row locks (`FOR UPDATE`) are taken on PostgreSQL only, where transactions run concurrently;
//! a SQLite pool has one connection, so its transactions never interleave. On PostgreSQL the
//! locks are taken in one order (member row, then buckets by key) so that concurrent moves
//! between two buckets cannot deadlock.

mod fires;
mod sync;

use alert_platform::{
    db::{Backend, Database, Migrations, constraint_violation},
    timestamp::from_millis,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row, any::AnyRow};

use super::{
    AdvanceOutcome, Bucket, BucketAdvance, FireRun, Member, MembershipChange, RecordedFire,
    RunCompletion, Store,
};
use fires::record_fire_in;

use crate::{
    domain::{AlertId, BucketKey, Fire, FireTarget},
    error::{Error, Result},
};

/// The PostgreSQL schema scheduler-service owns.
pub const SCHEMA: &str = "scheduler_service";

/// The migrations of scheduler-service, one set per backend.
pub static MIGRATIONS: Migrations = Migrations {
    postgres: sqlx::migrate!("migrations/postgres"),
    sqlite: sqlx::migrate!("migrations/sqlite"),
};

/// The store over a connected database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    db: Database,
}

/// The one place database errors become service errors: a constraint that fails here means a
/// concurrent request changed the same rows, which a retry resolves.
fn db_error(error: sqlx::Error) -> Error {
    match constraint_violation(&error) {
        Some(_) => Error::ConcurrentChange(error),
        None => Error::Database(error),
    }
}

fn count(rows: u64) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX)
}

impl SqlStore {
    /// Connects to `url` (postgres:// or sqlite:) and applies the migrations.
    pub async fn connect(url: &str) -> Result<SqlStore> {
        let db = Database::connect(url, SCHEMA, &MIGRATIONS)
            .await
            .map_err(Error::Connect)?;
        Ok(SqlStore { db })
    }

    pub fn new(db: Database) -> SqlStore {
        SqlStore { db }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    fn for_update(&self) -> &'static str {
        match self.db.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// Creates the bucket if missing and, on PostgreSQL, locks it until the transaction ends.
    /// Returns whether it was created.
    async fn ensure_bucket(
        &self,
        connection: &mut AnyConnection,
        bucket: &Bucket,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        loop {
            let inserted = sqlx::query(
                "INSERT INTO buckets (key, expression, timezone, next_fire_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
            )
            .bind(bucket.key.as_str())
            .bind(bucket.expression.as_str())
            .bind(bucket.timezone.as_str())
            .bind(bucket.next_fire_at.map(|t| t.timestamp_millis()))
            .bind(now.timestamp_millis())
            .execute(&mut *connection)
            .await
            .map_err(db_error)?
            .rows_affected()
                == 1;
            // The bucket existed but another transaction may be deleting it: after waiting for
            // its lock, a vanished bucket is inserted again.
            if inserted || self.lock_bucket(connection, &bucket.key).await? {
                return Ok(inserted);
            }
        }
    }

    /// Locks a bucket row on PostgreSQL; returns whether it exists.
    async fn lock_bucket(&self, connection: &mut AnyConnection, key: &BucketKey) -> Result<bool> {
        let sql = format!(
            "SELECT key FROM buckets WHERE key = $1{}",
            self.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(key.as_str())
            .fetch_optional(connection)
            .await
            .map_err(db_error)?;
        Ok(row.is_some())
    }

    /// Deletes the bucket if no member is left in it; returns whether it was deleted.
    async fn delete_bucket_if_empty(
        connection: &mut AnyConnection,
        key: &BucketKey,
    ) -> Result<bool> {
        let deleted = sqlx::query(
            "DELETE FROM buckets WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM members WHERE bucket_key = $1)",
        )
        .bind(key.as_str())
        .execute(connection)
        .await
        .map_err(db_error)?;
        Ok(deleted.rows_affected() == 1)
    }

    async fn locked_member(
        &self,
        connection: &mut AnyConnection,
        alert_id: &AlertId,
    ) -> Result<Option<Member>> {
        let sql = format!(
            "SELECT alert_id, bucket_key, enabled, member_since FROM members WHERE alert_id = $1{}",
            self.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(alert_id.as_str())
            .fetch_optional(connection)
            .await
            .map_err(db_error)?;
        row.map(|row| member_from_row(&row)).transpose()
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn upsert_member(
        &self,
        alert_id: &AlertId,
        bucket: &Bucket,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> Result<MembershipChange> {
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        let previous = self.locked_member(&mut tx, alert_id).await?;
        let left_bucket = previous
            .as_ref()
            .map(|m| m.bucket_key.clone())
            .filter(|key| *key != bucket.key);

        let mut bucket_created = false;
        let mut keys = vec![bucket.key.clone()];
        keys.extend(left_bucket.clone());
        keys.sort();
        for key in &keys {
            if *key == bucket.key {
                bucket_created = self.ensure_bucket(&mut tx, bucket, now).await?;
            } else {
                self.lock_bucket(&mut tx, key).await?;
            }
        }

        // Membership starts when the alert joins this bucket or is enabled again: fires
        // scheduled before that are not its own.
        let member_since = match &previous {
            Some(old) if old.bucket_key == bucket.key && (old.enabled || !enabled) => {
                old.member_since
            }
            _ => now,
        };
        sqlx::query(
            "INSERT INTO members (alert_id, bucket_key, enabled, member_since, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (alert_id) DO UPDATE SET bucket_key = excluded.bucket_key, enabled = excluded.enabled, \
             member_since = excluded.member_since, updated_at = excluded.updated_at",
        )
        .bind(alert_id.as_str())
        .bind(bucket.key.as_str())
        .bind(i64::from(enabled))
        .bind(member_since.timestamp_millis())
        .bind(now.timestamp_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;

        let mut removed_bucket = None;
        if let Some(left) = left_bucket
            && Self::delete_bucket_if_empty(&mut tx, &left).await?
        {
            removed_bucket = Some(left);
        }
        tx.commit().await.map_err(db_error)?;
        Ok(MembershipChange {
            bucket_created,
            removed_bucket,
        })
    }

    async fn remove_member(&self, alert_id: &AlertId) -> Result<Option<BucketKey>> {
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        let Some(member) = self.locked_member(&mut tx, alert_id).await? else {
            return Ok(None);
        };
        self.lock_bucket(&mut tx, &member.bucket_key).await?;
        sqlx::query("DELETE FROM members WHERE alert_id = $1")
            .bind(alert_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let removed = Self::delete_bucket_if_empty(&mut tx, &member.bucket_key).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(removed.then_some(member.bucket_key))
    }

    async fn bucket(&self, key: &BucketKey) -> Result<Option<Bucket>> {
        let row = sqlx::query(
            "SELECT key, expression, timezone, next_fire_at FROM buckets WHERE key = $1",
        )
        .bind(key.as_str())
        .fetch_optional(&self.db.pool)
        .await
        .map_err(db_error)?;
        row.map(|row| bucket_from_row(&row)).transpose()
    }

    async fn member(&self, alert_id: &AlertId) -> Result<Option<Member>> {
        let row = sqlx::query(
            "SELECT alert_id, bucket_key, enabled, member_since FROM members WHERE alert_id = $1",
        )
        .bind(alert_id.as_str())
        .fetch_optional(&self.db.pool)
        .await
        .map_err(db_error)?;
        row.map(|row| member_from_row(&row)).transpose()
    }

    async fn record_fire(&self, fire: &Fire, now: DateTime<Utc>) -> Result<RecordedFire> {
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        let recorded = record_fire_in(&mut tx, fire, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(recorded)
    }

    async fn due_buckets(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Bucket>> {
        let rows = sqlx::query(
            "SELECT key, expression, timezone, next_fire_at FROM buckets \
             WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2",
        )
        .bind(now.timestamp_millis())
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(bucket_from_row).collect()
    }

    async fn advance_bucket(
        &self,
        advance: &BucketAdvance,
        now: DateTime<Utc>,
    ) -> Result<AdvanceOutcome> {
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        let claimed = sqlx::query(
            "UPDATE buckets SET next_fire_at = $1 WHERE key = $2 AND next_fire_at = $3",
        )
        .bind(advance.new_next.map(|t| t.timestamp_millis()))
        .bind(advance.key.as_str())
        .bind(advance.expected_next.timestamp_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(AdvanceOutcome::Lost);
        }
        let outcome = match &advance.fire {
            Some(fire) => AdvanceOutcome::Fired(record_fire_in(&mut tx, fire, now).await?),
            None => AdvanceOutcome::Skipped,
        };
        tx.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn claim_runs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<FireRun>> {
        self.claim_due_runs(now, lease_until, limit).await
    }

    async fn complete_runs(
        &self,
        settled: &[(FireRun, RunCompletion)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.settle_runs(settled, now).await
    }

    async fn runs(&self, target: &FireTarget, scheduled_at: DateTime<Utc>) -> Result<Vec<FireRun>> {
        self.fire_runs(target, scheduled_at).await
    }
}

fn bucket_from_row(row: &AnyRow) -> Result<Bucket> {
    let next_fire_at: Option<i64> = row.try_get("next_fire_at").map_err(db_error)?;
    Ok(Bucket {
        key: BucketKey::from_stored(row.try_get("key").map_err(db_error)?),
        expression: row.try_get("expression").map_err(db_error)?,
        timezone: row.try_get("timezone").map_err(db_error)?,
        next_fire_at: next_fire_at.map(from_millis),
    })
}

fn member_from_row(row: &AnyRow) -> Result<Member> {
    let enabled: i64 = row.try_get("enabled").map_err(db_error)?;
    Ok(Member {
        alert_id: AlertId::from_stored(row.try_get("alert_id").map_err(db_error)?),
        bucket_key: BucketKey::from_stored(row.try_get("bucket_key").map_err(db_error)?),
        enabled: enabled != 0,
        member_since: from_millis(row.try_get("member_since").map_err(db_error)?),
    })
}
