//! Alerts, their schedule sync state, and alert runs in SQL.

use alert_platform::db::Backend;
use async_trait::async_trait;

use super::{
    AlertChanges, AlertRecord, AlertStore, RunRecord, StoreResult,
    sql::{AnyQuery, SqlStore, alert_from_row, flag, run_from_row, translate},
    sql_content::ContentColumns,
};

const ALERT_COLUMNS: &str = "id, user_id, name, schedule, timezone, title, body, enabled, \
                             schedule_version, synced_version, created_at, updated_at, deleted_at, \
                             content_kind, station, condition_measure, condition_grade, \
                             condition_value, when_unavailable";

impl SqlStore {
    async fn fetch_alert(&self, query: AnyQuery<'_>) -> StoreResult<Option<AlertRecord>> {
        let row = query
            .fetch_optional(&self.database.pool)
            .await
            .map_err(translate)?;
        row.as_ref()
            .map(alert_from_row)
            .transpose()
            .map_err(translate)
    }

    async fn fetch_alerts(&self, query: AnyQuery<'_>) -> StoreResult<Vec<AlertRecord>> {
        let rows = query
            .fetch_all(&self.database.pool)
            .await
            .map_err(translate)?;
        rows.iter()
            .map(alert_from_row)
            .collect::<Result<_, _>>()
            .map_err(translate)
    }
}

#[async_trait]
impl AlertStore for SqlStore {
    async fn insert_alert(&self, alert: &AlertRecord, limit: u32) -> StoreResult<bool> {
        let content = ContentColumns::of(&alert.content);
        let mut transaction = self.database.pool.begin().await.map_err(translate)?;
        // The count and the insert are one statement, so on SQLite (one writer) they see the same
        // rows. On PostgreSQL two creates of one user could each count the other's alert as not
        // there yet and both insert past the limit: locking the user's row first makes them take
        // turns, and the statement's snapshot, taken after the lock, sees the other's alert.
        if self.database.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(&alert.user_id)
                .execute(&mut *transaction)
                .await
                .map_err(translate)?;
        }
        let result = sqlx::query(
            "INSERT INTO alerts (id, user_id, name, schedule, timezone, title, body, enabled, \
             schedule_version, synced_version, created_at, updated_at, \
             content_kind, station, condition_measure, condition_grade, condition_value, when_unavailable) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $16, $17, $18, $19 \
             WHERE (SELECT COUNT(*) FROM alerts WHERE user_id = $2 AND deleted_at IS NULL) < $13",
        )
        .bind(&alert.id)
        .bind(&alert.user_id)
        .bind(&alert.name)
        .bind(&alert.schedule)
        .bind(&alert.timezone)
        .bind(&alert.title)
        .bind(&alert.body)
        .bind(flag(alert.enabled))
        .bind(alert.schedule_version)
        .bind(alert.synced_version)
        .bind(alert.created_at)
        .bind(alert.updated_at)
        .bind(i64::from(limit))
        .bind(content.kind)
        .bind(content.station)
        .bind(content.measure)
        .bind(content.grade)
        .bind(content.value)
        .bind(content.when_unavailable)
        .execute(&mut *transaction)
        .await
        .map_err(translate)?;
        transaction.commit().await.map_err(translate)?;
        Ok(result.rows_affected() == 1)
    }

    async fn alert_of_user(&self, user_id: &str, id: &str) -> StoreResult<Option<AlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
        );
        self.fetch_alert(sqlx::query(&sql).bind(id).bind(user_id))
            .await
    }

    async fn alert(&self, id: &str) -> StoreResult<Option<AlertRecord>> {
        let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
        self.fetch_alert(sqlx::query(&sql).bind(id)).await
    }

    async fn alerts_of_user(&self, user_id: &str) -> StoreResult<Vec<AlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
        );
        self.fetch_alerts(sqlx::query(&sql).bind(user_id)).await
    }

    async fn update_alert(
        &self,
        user_id: &str,
        id: &str,
        changes: &AlertChanges,
    ) -> StoreResult<Option<AlertRecord>> {
        // The version is bumped in SQL, so a concurrent toggle's bump is never lost.
        let sql = format!(
            "UPDATE alerts SET name = $1, schedule = $2, timezone = $3, title = $4, body = $5, enabled = $6, \
             schedule_version = schedule_version + $7, updated_at = $8, \
             content_kind = $11, station = $12, condition_measure = $13, condition_grade = $14, \
             condition_value = $15, when_unavailable = $16 \
             WHERE id = $9 AND user_id = $10 AND deleted_at IS NULL RETURNING {ALERT_COLUMNS}"
        );
        let content = ContentColumns::of(&changes.content);
        let query = sqlx::query(&sql)
            .bind(&changes.name)
            .bind(&changes.schedule)
            .bind(&changes.timezone)
            .bind(&changes.title)
            .bind(&changes.body)
            .bind(flag(changes.enabled))
            .bind(i64::from(changes.schedule_changed))
            .bind(changes.updated_at)
            .bind(id)
            .bind(user_id)
            .bind(content.kind)
            .bind(content.station)
            .bind(content.measure)
            .bind(content.grade)
            .bind(content.value)
            .bind(content.when_unavailable);
        self.fetch_alert(query).await
    }

    async fn toggle_alert(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<AlertRecord>> {
        let sql = format!(
            "UPDATE alerts SET enabled = 1 - enabled, schedule_version = schedule_version + 1, updated_at = $1 \
             WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL RETURNING {ALERT_COLUMNS}"
        );
        self.fetch_alert(sqlx::query(&sql).bind(now).bind(id).bind(user_id))
            .await
    }

    async fn soft_delete_alert(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<AlertRecord>> {
        let sql = format!(
            "UPDATE alerts SET deleted_at = $1, updated_at = $1, schedule_version = schedule_version + 1 \
             WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL RETURNING {ALERT_COLUMNS}"
        );
        self.fetch_alert(sqlx::query(&sql).bind(now).bind(id).bind(user_id))
            .await
    }

    async fn unsynced_alerts(&self, limit: u32) -> StoreResult<Vec<AlertRecord>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE synced_version < schedule_version \
             ORDER BY updated_at, id LIMIT $1"
        );
        self.fetch_alerts(sqlx::query(&sql).bind(i64::from(limit)))
            .await
    }

    async fn mark_synced(&self, id: &str, version: i64) -> StoreResult<bool> {
        // Only the version that was synced: a newer edit stays pending.
        let result = sqlx::query(
            "UPDATE alerts SET synced_version = $1 WHERE id = $2 AND schedule_version = $1",
        )
        .bind(version)
        .bind(id)
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(result.rows_affected() == 1)
    }

    async fn purge_deleted_alert(&self, id: &str, version: i64) -> StoreResult<bool> {
        let result = sqlx::query(
            "DELETE FROM alerts WHERE id = $1 AND deleted_at IS NOT NULL AND schedule_version = $2",
        )
        .bind(id)
        .bind(version)
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(result.rows_affected() == 1)
    }

    async fn run_recorded(&self, alert_id: &str, scheduled_time: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT alert_id FROM alert_runs WHERE alert_id = $1 AND scheduled_time = $2",
        )
        .bind(alert_id)
        .bind(scheduled_time)
        .fetch_optional(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(row.is_some())
    }

    async fn record_run(&self, run: &RunRecord) -> StoreResult<bool> {
        let result = sqlx::query(
            "INSERT INTO alert_runs (alert_id, scheduled_time, outcome, deliveries, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (alert_id, scheduled_time) DO NOTHING",
        )
        .bind(&run.alert_id)
        .bind(run.scheduled_time)
        .bind(&run.outcome)
        .bind(run.deliveries)
        .bind(&run.reason)
        .bind(run.created_at)
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(result.rows_affected() == 1)
    }

    async fn runs_of_alert(&self, alert_id: &str, limit: u32) -> StoreResult<Vec<RunRecord>> {
        let rows = sqlx::query(
            "SELECT alert_id, scheduled_time, outcome, deliveries, reason, created_at FROM alert_runs \
             WHERE alert_id = $1 ORDER BY scheduled_time DESC LIMIT $2",
        )
        .bind(alert_id)
        .bind(i64::from(limit))
        .fetch_all(&self.database.pool)
        .await
        .map_err(translate)?;
        rows.iter()
            .map(run_from_row)
            .collect::<Result<_, _>>()
            .map_err(translate)
    }
}
