//! Fire records and their runs: recording a fire once, and claiming and settling runs.

use alert_platform::{db::Backend, timestamp::from_millis};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row, any::AnyRow};

use super::{SqlStore, count, db_error};
use crate::{
    domain::{AlertId, Fire, FireTarget},
    error::Result,
    store::{FireRun, RecordedFire, RunCompletion, RunKey, RunStatus},
};

/// The columns [`run_from_row`] reads.
const RUN_COLUMNS: &str =
    "target, scheduled_at, alert_id, status, attempts, next_attempt_at, last_error";
/// Runs settled per statement: three parameters each, far below either database's limit.
const SETTLE_CHUNK: usize = 256;

impl SqlStore {
    /// Claims due runs in one statement: the CTE picks candidates (skipping rows another claim
    /// holds, on PostgreSQL), the outer WHERE checks each again, so a run another worker claimed
    /// meanwhile is left alone (compare-and-set). The candidates are materialized: as a subquery
    /// PostgreSQL may scan them again for each row, and the lock then skips the rows this very
    /// statement updated and hands out others, past the limit.
    pub(super) async fn claim_due_runs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<FireRun>> {
        let skip_locked = match self.db.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "WITH candidates AS MATERIALIZED (SELECT target, scheduled_at, alert_id FROM fire_runs \
             WHERE status = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
             UPDATE fire_runs SET attempts = attempts + 1, next_attempt_at = $1, updated_at = $2 \
             WHERE status = 'pending' AND next_attempt_at <= $2 \
             AND (target, scheduled_at, alert_id) IN (SELECT target, scheduled_at, alert_id FROM candidates) \
             RETURNING {RUN_COLUMNS}"
        );
        let rows = sqlx::query(&sql)
            .bind(lease_until.timestamp_millis())
            .bind(now.timestamp_millis())
            .bind(i64::from(limit))
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error)?;
        let mut claimed = rows.iter().map(run_from_row).collect::<Result<Vec<_>>>()?;
        // RETURNING gives no order: oldest fire first.
        claimed.sort_by(|a, b| {
            (a.key.scheduled_at, &a.key.target, &a.key.alert_id).cmp(&(
                b.key.scheduled_at,
                &b.key.target,
                &b.key.alert_id,
            ))
        });
        Ok(claimed)
    }

    /// Settles runs in one transaction: the done ones (nearly all) in one statement, the others
    /// one by one with their error.
    pub(super) async fn settle_runs(
        &self,
        settled: &[(FireRun, RunCompletion)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done: Vec<&RunKey> = settled
            .iter()
            .filter(|(_, completion)| *completion == RunCompletion::Done)
            .map(|(run, _)| &run.key)
            .collect();
        let mut tx = self.db.pool.begin().await.map_err(db_error)?;
        for chunk in done.chunks(SETTLE_CHUNK) {
            let keys = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE fire_runs SET status = 'done', last_error = NULL, updated_at = $1 \
                 WHERE status = 'pending' AND (target, scheduled_at, alert_id) IN (VALUES {keys})"
            );
            let mut query = sqlx::query(&sql).bind(now.timestamp_millis());
            for key in chunk {
                query = query
                    .bind(key.target.as_str())
                    .bind(key.scheduled_at.timestamp_millis())
                    .bind(key.alert_id.as_str());
            }
            query.execute(&mut *tx).await.map_err(db_error)?;
        }
        for (run, completion) in settled {
            let (status, next_attempt_at, last_error) = match completion {
                RunCompletion::Done => continue,
                RunCompletion::Retry { at, error } => (
                    RunStatus::Pending,
                    Some(at.timestamp_millis()),
                    error.as_str(),
                ),
                RunCompletion::Failed { error } => (RunStatus::Failed, None, error.as_str()),
            };
            // The attempt count is the claim's, so a claim that raced this one does not count
            // twice.
            sqlx::query(
                "UPDATE fire_runs SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), last_error = $3, \
                 attempts = $4, updated_at = $5 \
                 WHERE target = $6 AND scheduled_at = $7 AND alert_id = $8 AND status = 'pending'",
            )
            .bind(status.as_str())
            .bind(next_attempt_at)
            .bind(last_error)
            .bind(i64::from(run.attempts))
            .bind(now.timestamp_millis())
            .bind(run.key.target.as_str())
            .bind(run.key.scheduled_at.timestamp_millis())
            .bind(run.key.alert_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    pub(super) async fn fire_runs(
        &self,
        target: &FireTarget,
        scheduled_at: DateTime<Utc>,
    ) -> Result<Vec<FireRun>> {
        let rows = sqlx::query(
            &format!(
                "SELECT {RUN_COLUMNS} FROM fire_runs WHERE target = $1 AND scheduled_at = $2 ORDER BY alert_id"
            ),
        )
        .bind(target.stored())
        .bind(scheduled_at.timestamp_millis())
        .fetch_all(&self.db.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(run_from_row).collect()
    }
}

/// Records a fire inside the caller's transaction: the fire row, and only when it is new, one
/// pending run per alert it owes.
pub(super) async fn record_fire_in(
    connection: &mut AnyConnection,
    fire: &Fire,
    now: DateTime<Utc>,
) -> Result<RecordedFire> {
    let target = fire.target.stored();
    let scheduled_at = fire.scheduled_at.timestamp_millis();
    let inserted = sqlx::query(
        "INSERT INTO fires (target, scheduled_at, execution_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (target, scheduled_at) DO NOTHING",
    )
    .bind(target.as_str())
    .bind(scheduled_at)
    .bind(fire.execution_id.as_str())
    .bind(now.timestamp_millis())
    .execute(&mut *connection)
    .await
    .map_err(db_error)?;
    if inserted.rows_affected() == 0 {
        let row = sqlx::query(
            "SELECT COUNT(*) AS runs FROM fire_runs WHERE target = $1 AND scheduled_at = $2",
        )
        .bind(target.as_str())
        .bind(scheduled_at)
        .fetch_one(connection)
        .await
        .map_err(db_error)?;
        let runs: i64 = row.try_get("runs").map_err(db_error)?;
        return Ok(RecordedFire {
            alerts: count(runs.max(0).unsigned_abs()),
            first_delivery: false,
        });
    }
    let (filter, member) = match &fire.target {
        // Alerts that joined (or were enabled again) after the scheduled time are not part of it.
        FireTarget::Bucket(key) => ("bucket_key = $4 AND member_since <= $2", key.as_str()),
        FireTarget::Alert(id) => ("alert_id = $4", id.as_str()),
    };
    let sql = format!(
        "INSERT INTO fire_runs \
         (target, scheduled_at, alert_id, status, attempts, next_attempt_at, last_error, created_at, updated_at) \
         SELECT $1, $2, alert_id, 'pending', 0, $3, NULL, $3, $3 FROM members WHERE enabled = 1 AND {filter}"
    );
    let runs = sqlx::query(&sql)
        .bind(target.as_str())
        .bind(scheduled_at)
        .bind(now.timestamp_millis())
        .bind(member)
        .execute(connection)
        .await
        .map_err(db_error)?;
    Ok(RecordedFire {
        alerts: count(runs.rows_affected()),
        first_delivery: true,
    })
}

fn run_from_row(row: &AnyRow) -> Result<FireRun> {
    let status: String = row.try_get("status").map_err(db_error)?;
    let attempts: i64 = row.try_get("attempts").map_err(db_error)?;
    Ok(FireRun {
        key: RunKey {
            target: row.try_get("target").map_err(db_error)?,
            scheduled_at: from_millis(row.try_get("scheduled_at").map_err(db_error)?),
            alert_id: AlertId::from_stored(row.try_get("alert_id").map_err(db_error)?),
        },
        status: RunStatus::parse(&status),
        attempts: u32::try_from(attempts).unwrap_or(0),
        next_attempt_at: from_millis(row.try_get("next_attempt_at").map_err(db_error)?),
        last_error: row.try_get("last_error").map_err(db_error)?,
    })
}
