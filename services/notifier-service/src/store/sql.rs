//! [`Store`] over `sqlx::AnyPool`: one SQL text for PostgreSQL and SQLite.

use std::collections::HashMap;

use alert_platform::db::{ConstraintViolation, Database, constraint_violation};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, rows};
use crate::{
    domain::{
        AttemptOutcome, Delivery, DeliveryId, DeliveryJob, NewSubscription, NotifyCommand,
        Subscription, SubscriptionId, UserId,
    },
    error::{Error, Result},
};

/// Deliveries per multi-row INSERT: 3 parameters each besides the 7 all rows share, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const INSERT_CHUNK: usize = 1000;
/// The values every row of one `Notify`'s INSERT shares, bound once as `$1`-`$7`.
const SHARED_INSERT_VALUES: usize = 7;
/// Ids bound in one `IN (…)` list.
pub(crate) const IDS_PER_STATEMENT: usize = 500;

/// The notifier's tables in one database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    database: Database,
}

impl SqlStore {
    pub fn new(database: Database) -> Self {
        SqlStore { database }
    }
}

/// The one place database errors become service errors.
fn database_error(error: sqlx::Error) -> Error {
    match constraint_violation(&error) {
        // Only a race between two writers of the same row gets here (the upsert and the insert
        // of deliveries resolve conflicts in SQL); the caller may simply try again.
        Some(ConstraintViolation::Unique) => Error::Conflict(error),
        Some(ConstraintViolation::ForeignKey) | None => Error::Database(error),
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn upsert_subscription(
        &self,
        user_id: &UserId,
        subscription: &NewSubscription,
        now: DateTime<Utc>,
    ) -> Result<SubscriptionId> {
        let query = "INSERT INTO subscriptions (id, user_id, endpoint, p256dh, auth, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (endpoint) DO UPDATE SET \
               id = CASE WHEN subscriptions.user_id = excluded.user_id THEN subscriptions.id ELSE excluded.id END, \
               created_at = CASE WHEN subscriptions.user_id = excluded.user_id \
                 THEN subscriptions.created_at ELSE excluded.created_at END, \
               user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, \
               updated_at = excluded.updated_at \
             RETURNING id";
        let row = sqlx::query(query)
            .bind(SubscriptionId::generate().as_str())
            .bind(user_id.as_str())
            .bind(subscription.endpoint())
            .bind(subscription.p256dh())
            .bind(subscription.auth())
            .bind(now.timestamp_millis())
            .fetch_one(&self.database.pool)
            .await
            .map_err(database_error)?;
        Ok(SubscriptionId::from(
            row.try_get::<String, _>("id").map_err(database_error)?,
        ))
    }

    async fn delete_subscription_by_endpoint(
        &self,
        user_id: &UserId,
        endpoint: &str,
    ) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM subscriptions WHERE user_id = $1 AND endpoint = $2")
            .bind(user_id.as_str())
            .bind(endpoint)
            .execute(&self.database.pool)
            .await
            .map_err(database_error)?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn list_subscriptions(&self, user_id: &UserId) -> Result<Vec<Subscription>> {
        let query = format!(
            "SELECT {} FROM subscriptions WHERE user_id = $1 ORDER BY created_at, id",
            rows::SUBSCRIPTION_COLUMNS
        );
        let found = sqlx::query(&query)
            .bind(user_id.as_str())
            .fetch_all(&self.database.pool)
            .await
            .map_err(database_error)?;
        found
            .iter()
            .map(rows::subscription)
            .collect::<Result<_, _>>()
            .map_err(database_error)
    }

    async fn subscription_ids(&self, user_id: &UserId) -> Result<Vec<SubscriptionId>> {
        sqlx::query("SELECT id FROM subscriptions WHERE user_id = $1 ORDER BY created_at, id")
            .bind(user_id.as_str())
            .fetch_all(&self.database.pool)
            .await
            .map_err(database_error)?
            .iter()
            .map(|row| row.try_get::<String, _>("id").map(SubscriptionId::from))
            .collect::<Result<_, _>>()
            .map_err(database_error)
    }

    async fn queue_deliveries(
        &self,
        command: &NotifyCommand,
        subscription_ids: &[SubscriptionId],
        now: DateTime<Utc>,
    ) -> Result<Vec<DeliveryId>> {
        let mut queued = if subscription_ids.is_empty() {
            Vec::new()
        } else if subscription_ids.len() <= INSERT_CHUNK {
            // One statement is atomic by itself, so it needs no BEGIN and COMMIT round trips: in a
            // burst every alert is its own `Notify` with a few subscriptions, and those two were a
            // fifth of the statements per alert.
            insert_deliveries(&self.database.pool, command, subscription_ids, now).await?
        } else {
            // Everything on this transaction's connection: a SQLite pool has only one.
            let mut transaction = self.database.pool.begin().await.map_err(database_error)?;
            let mut queued = Vec::with_capacity(subscription_ids.len());
            for chunk in subscription_ids.chunks(INSERT_CHUNK) {
                queued.extend(insert_deliveries(&mut *transaction, command, chunk, now).await?);
            }
            transaction.commit().await.map_err(database_error)?;
            queued
        };
        queued.sort();
        Ok(queued)
    }

    async fn delivery_job(&self, id: &DeliveryId) -> Result<Option<DeliveryJob>> {
        let query = format!("{} WHERE d.id = $1", rows::JOB_SELECT);
        let row = sqlx::query(&query)
            .bind(id.as_str())
            .fetch_optional(&self.database.pool)
            .await
            .map_err(database_error)?;
        row.as_ref()
            .map(rows::delivery_job)
            .transpose()
            .map_err(database_error)
    }

    async fn delivery_jobs(&self, ids: &[DeliveryId]) -> Result<Vec<DeliveryJob>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = format!(
            "{} WHERE d.id IN ({})",
            rows::JOB_SELECT,
            placeholders(1, ids.len())
        );
        let mut select = sqlx::query(&query);
        for id in ids {
            select = select.bind(id.as_str());
        }
        let found = select
            .fetch_all(&self.database.pool)
            .await
            .map_err(database_error)?;
        found
            .iter()
            .map(rows::delivery_job)
            .collect::<Result<_, _>>()
            .map_err(database_error)
    }

    async fn record_attempt(
        &self,
        id: &DeliveryId,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.record_attempts(&[(id.clone(), outcome.clone())], now)
            .await
    }

    async fn record_attempts(
        &self,
        attempts: &[(DeliveryId, AttemptOutcome)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        // One transaction (one commit) for the batch, and one UPDATE per distinct change: the
        // deliveries of a burst mostly share theirs (delivered, 201, now).
        let mut by_change: HashMap<StatusChange, Vec<&str>> = HashMap::new();
        for (id, outcome) in attempts {
            by_change
                .entry(StatusChange::of(outcome, now))
                .or_default()
                .push(id.as_str());
        }
        let gone: Vec<&str> = attempts
            .iter()
            .filter_map(|(_, outcome)| match outcome {
                AttemptOutcome::Expired {
                    subscription_id, ..
                } => Some(subscription_id.as_str()),
                _ => None,
            })
            .collect();
        let mut transaction = self.database.pool.begin().await.map_err(database_error)?;
        for (change, ids) in &by_change {
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                change.apply(&mut transaction, chunk, now).await?;
            }
        }
        for chunk in gone.chunks(IDS_PER_STATEMENT) {
            let query = format!(
                "DELETE FROM subscriptions WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut delete = sqlx::query(&query);
            for id in chunk {
                delete = delete.bind(*id);
            }
            delete
                .execute(&mut *transaction)
                .await
                .map_err(database_error)?;
        }
        transaction.commit().await.map_err(database_error)
    }

    async fn list_deliveries(
        &self,
        user_id: &UserId,
        alert_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let columns = rows::DELIVERY_COLUMNS;
        let order = "ORDER BY created_at DESC, id DESC";
        let found = match alert_id {
            Some(alert_id) => {
                let query = format!("SELECT {columns} FROM deliveries WHERE user_id = $1 AND alert_id = $2 {order} LIMIT $3");
                sqlx::query(&query).bind(user_id.as_str()).bind(alert_id).bind(i64::from(limit))
                    .fetch_all(&self.database.pool)
                    .await
            }
            None => {
                let query = format!("SELECT {columns} FROM deliveries WHERE user_id = $1 {order} LIMIT $2");
                sqlx::query(&query).bind(user_id.as_str()).bind(i64::from(limit)).fetch_all(&self.database.pool).await
            }
        }
        .map_err(database_error)?;
        found
            .iter()
            .map(rows::delivery)
            .collect::<Result<_, _>>()
            .map_err(database_error)
    }
}

/// One multi-row INSERT of `command`'s deliveries to `subscription_ids` (at most
/// [`INSERT_CHUNK`]; the values all rows share bound once); returns the ids really inserted,
/// skipping subscriptions that had this dedupe key.
async fn insert_deliveries<'c, E>(
    executor: E,
    command: &NotifyCommand,
    subscription_ids: &[SubscriptionId],
    now: DateTime<Utc>,
) -> Result<Vec<DeliveryId>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows: Vec<String> = (0..subscription_ids.len())
        .map(|row| {
            let first = SHARED_INSERT_VALUES + row * 3 + 1;
            format!(
                "(${first}, $1, ${}, $2, $3, $4, ${}, $5, $6, 'queued', 0, $7, $7, $7)",
                first + 1,
                first + 2
            )
        })
        .collect();
    let insert = format!(
        "INSERT INTO deliveries (id, user_id, subscription_id, alert_id, dedupe_key, title, payload, \
           ttl_seconds, urgency, status, attempts, next_attempt_at, created_at, updated_at) \
         VALUES {} ON CONFLICT (dedupe_key, subscription_id) DO NOTHING RETURNING id",
        rows.join(", ")
    );
    let mut query = sqlx::query(&insert)
        .bind(command.user_id.as_str())
        .bind(command.alert_id.as_deref())
        .bind(command.dedupe_key.as_str())
        .bind(command.notification.title.as_str())
        .bind(i64::from(command.ttl_seconds))
        .bind(command.urgency_name())
        .bind(now.timestamp_millis());
    for subscription_id in subscription_ids {
        let id = DeliveryId::generate();
        let payload = command.payload(&id);
        query = query
            .bind(id.as_str().to_owned())
            .bind(subscription_id.as_str())
            .bind(payload);
    }
    query
        .fetch_all(executor)
        .await
        .map_err(database_error)?
        .iter()
        .map(|row| row.try_get::<String, _>("id").map(DeliveryId::from))
        .collect::<Result<_, _>>()
        .map_err(database_error)
}

/// `$first, $first+1, …` for `count` parameters.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What recording an outcome changes in a delivery row; equal for outcomes that can share one
/// UPDATE.
#[derive(Debug, PartialEq, Eq, Hash)]
struct StatusChange {
    status: &'static str,
    /// 1 when a request was sent, 0 when the attempt was abandoned before.
    attempted: i64,
    status_code: Option<i64>,
    error: Option<String>,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
}

impl StatusChange {
    fn of(outcome: &AttemptOutcome, now: DateTime<Utc>) -> Self {
        let (attempted, status_code, error, next_attempt_at, delivered_at) = match outcome {
            AttemptOutcome::Delivered { status_code } => (
                1,
                Some(*status_code),
                None,
                None,
                Some(now.timestamp_millis()),
            ),
            AttemptOutcome::Expired { status_code, .. } => (
                1,
                Some(*status_code),
                Some("push subscription is gone".to_owned()),
                None,
                None,
            ),
            AttemptOutcome::Retry {
                status_code,
                error,
                next_attempt_at,
            } => (
                1,
                *status_code,
                Some(error.clone()),
                Some(next_attempt_at.timestamp_millis()),
                None,
            ),
            AttemptOutcome::Failed { status_code, error } => {
                (1, *status_code, Some(error.clone()), None, None)
            }
            AttemptOutcome::Abandoned { reason } => (0, None, Some(reason.clone()), None, None),
        };
        StatusChange {
            status: outcome.status().as_str(),
            attempted,
            status_code: status_code.map(i64::from),
            error,
            next_attempt_at,
            delivered_at,
        }
    }

    /// Applies the change to the deliveries `ids` that are not final yet: a late duplicate worker
    /// cannot undo a success.
    async fn apply(
        &self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
        ids: &[&str],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let update = format!(
            "UPDATE deliveries SET status = $1, attempts = attempts + $2, \
               push_status_code = COALESCE($3, push_status_code), error = $4, \
               next_attempt_at = COALESCE($5, next_attempt_at), delivered_at = $6, updated_at = $7, \
               lease_until = NULL \
             WHERE id IN ({}) AND status NOT IN ('delivered', 'failed', 'expired')",
            placeholders(8, ids.len())
        );
        let mut query = sqlx::query(&update)
            .bind(self.status)
            .bind(self.attempted)
            .bind(self.status_code)
            .bind(self.error.as_deref())
            .bind(self.next_attempt_at)
            .bind(self.delivered_at)
            .bind(now.timestamp_millis());
        for id in ids {
            query = query.bind(*id);
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(database_error)?;
        Ok(())
    }
}
