//! Persistence of users, refresh tokens, alerts and alert runs behind traits, implemented once
//! over `sqlx::AnyPool` for PostgreSQL and SQLite ([`SqlStore`]).

mod sql;
mod sql_alerts;
mod sql_content;
mod sql_users;

use alert_airquality::Language;
use async_trait::async_trait;

use crate::domain::AlertContent;

pub use sql::SqlStore;

/// Store results: sqlx errors are classified once, by `sql::translate`, into
/// [`crate::Error::UniqueViolation`], [`crate::Error::ForeignKeyViolation`] or
/// [`crate::Error::Database`].
pub type StoreResult<T> = crate::error::Result<T>;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub created_at: i64,
    /// The language of the user's notifications.
    pub language: Language,
}

/// A refresh token, known only by its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub user_id: String,
    /// The login this token descends from; reuse of a revoked token revokes the whole family.
    pub family_id: String,
    pub expires_at: i64,
    pub revoked: bool,
    pub created_at: i64,
}

/// An alert as stored, including the sync state of its schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub schedule: String,
    pub timezone: String,
    /// Plain text, or templates of air-quality content (empty for the default).
    pub title: String,
    pub body: String,
    pub content: AlertContent,
    pub enabled: bool,
    /// Bumped on every change the scheduler must hear about (schedule, timezone, enabled,
    /// deletion).
    pub schedule_version: i64,
    /// The last `schedule_version` the scheduler acknowledged.
    pub synced_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Set when the user deleted the alert; the row goes once the scheduler forgot it.
    pub deleted_at: Option<i64>,
}

/// New values for every editable field of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertChanges {
    pub name: String,
    pub schedule: String,
    pub timezone: String,
    pub title: String,
    pub body: String,
    pub content: AlertContent,
    pub enabled: bool,
    /// Whether the scheduler must hear about this change.
    pub schedule_changed: bool,
    pub updated_at: i64,
}

/// One run of an alert at one scheduled time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub alert_id: String,
    pub scheduled_time: i64,
    /// `sent` or `skipped`.
    pub outcome: String,
    pub deliveries: i64,
    /// Why the run skipped, or why its message lacks the reading; empty otherwise.
    pub reason: String,
    pub created_at: i64,
}

/// Accounts and sessions.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`crate::Error::UniqueViolation`] when the email is taken.
    async fn insert_user(&self, user: &UserRecord) -> StoreResult<()>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// Changes the user's language; `None` when the user does not exist.
    async fn set_language(&self, id: &str, language: Language) -> StoreResult<Option<UserRecord>>;

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()>;
    async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshTokenRecord>>;
    /// Revokes `old_hash` if it is still live at `now` and stores `replacement`, atomically.
    /// `false` when the old token was already revoked or expired (nothing changes then).
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        replacement: &RefreshTokenRecord,
        now: i64,
    ) -> StoreResult<bool>;
    /// Revokes the token if `user_id` owns it; `false` when there was nothing to revoke.
    async fn revoke_refresh_token(&self, token_hash: &str, user_id: &str) -> StoreResult<bool>;
    /// Revokes every token of a family; returns how many were still live.
    async fn revoke_token_family(&self, family_id: &str) -> StoreResult<u64>;
}

/// Alerts, their schedule sync state, and their runs.
#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Inserts the alert unless its user already has `limit` alerts; `false` when at the limit.
    async fn insert_alert(&self, alert: &AlertRecord, limit: u32) -> StoreResult<bool>;
    /// A live (not deleted) alert of `user_id`.
    async fn alert_of_user(&self, user_id: &str, id: &str) -> StoreResult<Option<AlertRecord>>;
    /// Any stored alert, deleted or not.
    async fn alert(&self, id: &str) -> StoreResult<Option<AlertRecord>>;
    /// The live alerts of `user_id`, oldest first.
    async fn alerts_of_user(&self, user_id: &str) -> StoreResult<Vec<AlertRecord>>;
    async fn update_alert(
        &self,
        user_id: &str,
        id: &str,
        changes: &AlertChanges,
    ) -> StoreResult<Option<AlertRecord>>;
    /// Flips `enabled` and bumps the schedule version.
    async fn toggle_alert(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<AlertRecord>>;
    /// Marks the alert deleted and bumps the schedule version.
    async fn soft_delete_alert(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<AlertRecord>>;

    /// Alerts whose latest schedule version the scheduler has not acknowledged, least recently
    /// changed first.
    async fn unsynced_alerts(&self, limit: u32) -> StoreResult<Vec<AlertRecord>>;
    /// Records that the scheduler acknowledged `version`, unless the alert changed since.
    async fn mark_synced(&self, id: &str, version: i64) -> StoreResult<bool>;
    /// Removes a deleted alert once the scheduler forgot it, unless it changed since.
    async fn purge_deleted_alert(&self, id: &str, version: i64) -> StoreResult<bool>;

    async fn run_recorded(&self, alert_id: &str, scheduled_time: i64) -> StoreResult<bool>;
    /// `false` when a run for the same (alert, scheduled time) already existed.
    async fn record_run(&self, run: &RunRecord) -> StoreResult<bool>;
    /// The latest `limit` runs of an alert, newest scheduled time first.
    async fn runs_of_alert(&self, alert_id: &str, limit: u32) -> StoreResult<Vec<RunRecord>>;
}

/// Everything alert-service stores.
pub trait Store: UserStore + AlertStore {}

impl<T: UserStore + AlertStore> Store for T {}
