//! The one implementation of the store traits, over PostgreSQL or SQLite through `sqlx::Any`.

use alert_platform::db::{
    ConstraintViolation, Database, DatabaseError, Migrations, constraint_violation,
};
use sqlx::{Row, any::AnyRow};

use super::{
    AlertRecord, RefreshTokenRecord, RunRecord, UserRecord,
    sql_content::{content_from_row, language_from_code},
};
use crate::error::Error;

/// The PostgreSQL schema alert-service owns.
pub const SCHEMA: &str = "alert_service";

/// The alert-service tables on either backend.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(super) database: Database,
}

impl SqlStore {
    /// Connects to `url` and applies this service's migrations.
    pub async fn connect(url: &str) -> Result<SqlStore, DatabaseError> {
        let migrations = Migrations {
            postgres: sqlx::migrate!("migrations/postgres"),
            sqlite: sqlx::migrate!("migrations/sqlite"),
        };
        let database = Database::connect(url, SCHEMA, &migrations).await?;
        Ok(SqlStore { database })
    }

    pub fn database(&self) -> &Database {
        &self.database
    }
}

/// A bound query over the Any driver.
pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The one place sqlx errors are classified for this store.
pub(super) fn translate(error: sqlx::Error) -> Error {
    match constraint_violation(&error) {
        Some(ConstraintViolation::Unique) => Error::UniqueViolation(error),
        Some(ConstraintViolation::ForeignKey) => Error::ForeignKeyViolation(error),
        None => Error::Database(error),
    }
}

/// Flags are BIGINT 0/1: `sqlx::Any` cannot decode SQLite booleans.
pub(super) fn flag(value: bool) -> i64 {
    i64::from(value)
}

pub(super) fn user_from_row(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        language: language_from_code(&row.try_get::<String, _>("language")?)?,
    })
}

pub(super) fn refresh_token_from_row(row: &AnyRow) -> Result<RefreshTokenRecord, sqlx::Error> {
    Ok(RefreshTokenRecord {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        family_id: row.try_get("family_id")?,
        expires_at: row.try_get("expires_at")?,
        revoked: row.try_get::<i64, _>("revoked")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) fn alert_from_row(row: &AnyRow) -> Result<AlertRecord, sqlx::Error> {
    Ok(AlertRecord {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        schedule: row.try_get("schedule")?,
        timezone: row.try_get("timezone")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        content: content_from_row(row)?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        schedule_version: row.try_get("schedule_version")?,
        synced_version: row.try_get("synced_version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        deleted_at: row.try_get("deleted_at")?,
    })
}

pub(super) fn run_from_row(row: &AnyRow) -> Result<RunRecord, sqlx::Error> {
    Ok(RunRecord {
        alert_id: row.try_get("alert_id")?,
        scheduled_time: row.try_get("scheduled_time")?,
        outcome: row.try_get("outcome")?,
        deliveries: row.try_get("deliveries")?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}
