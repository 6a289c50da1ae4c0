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

impl SqlStore {
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
            "SELECT target, scheduled_at, alert_id, status, attempts, next_attempt_at, last_error FROM fire_runs \
             WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2{skip_locked}"
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
            let mut run = run_from_row(row)?;
            // Compare-and-set on the attempt we read: a run another worker claimed meanwhile
            // has a new lease and is left alone.
            let updated = sqlx::query(
                "UPDATE fire_runs SET attempts = attempts + 1, next_attempt_at = $1, updated_at = $2 \
                 WHERE target = $3 AND scheduled_at = $4 AND alert_id = $5 AND status = 'pending' \
                 AND next_attempt_at = $6",
            )
            .bind(lease_until.timestamp_millis())
            .bind(now.timestamp_millis())
            .bind(run.key.target.as_str())
            .bind(run.key.scheduled_at.timestamp_millis())
            .bind(run.key.alert_id.as_str())
            .bind(run.next_attempt_at.timestamp_millis())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if updated.rows_affected() == 1 {
                run.attempts += 1;
                run.next_attempt_at = lease_until;
                claimed.push(run);
            }
        }
        tx.commit().await.map_err(db_error)?;
        Ok(claimed)
    }

    pub(super) async fn settle_run(
        &self,
        run: &FireRun,
        completion: &RunCompletion,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = &run.key;
        let (status, next_attempt_at, last_error) = match completion {
            RunCompletion::Done => (RunStatus::Done, None, None),
            RunCompletion::Retry { at, error } => (
                RunStatus::Pending,
                Some(at.timestamp_millis()),
                Some(error.as_str()),
            ),
            RunCompletion::Failed { error } => (RunStatus::Failed, None, Some(error.as_str())),
        };
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
        .bind(key.target.as_str())
        .bind(key.scheduled_at.timestamp_millis())
        .bind(key.alert_id.as_str())
        .execute(&self.db.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    pub(super) async fn fire_runs(
        &self,
        target: &FireTarget,
        scheduled_at: DateTime<Utc>,
    ) -> Result<Vec<FireRun>> {
        let rows = sqlx::query(
            "SELECT target, scheduled_at, alert_id, status, attempts, next_attempt_at, last_error FROM fire_runs \
             WHERE target = $1 AND scheduled_at = $2 ORDER BY alert_id",
        )
        .bind(target.stored())
        .bind(scheduled_at.timestamp_millis())
        .fetch_all(&self.db.pool)
        .await
        .map_err(db_error)?;
        rows.iter().map(run_from_row).collect()
    }
}

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
