//! The scheduler's durable state behind one trait: buckets and their members (the desired
//! state), fire records (idempotency of fires) and fire runs (the fan-out owed to alert-service).

mod sql;
pub mod sync;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use sql::{MIGRATIONS, SCHEMA, SqlStore};
pub use sync::{BucketSync, MarkReason, SyncCounts, SyncOutcome, SyncState, SyncStore};

use crate::{
    domain::{AlertId, BucketKey, Fire, FireTarget},
    error::Result,
};

/// A bucket as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub key: BucketKey,
    /// The normalised cron expression.
    pub expression: String,
    /// The canonical IANA time zone name.
    pub timezone: String,
    /// The next fire the local scheduler owes; `None` when the schedule never fires again.
    pub next_fire_at: Option<DateTime<Utc>>,
}

/// An alert's membership in a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub alert_id: AlertId,
    pub bucket_key: BucketKey,
    pub enabled: bool,
    /// When it joined the bucket or was last enabled: earlier fires do not run it.
    pub member_since: DateTime<Utc>,
}

/// What an upsert changed beyond the member row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipChange {
    /// The alert's bucket did not exist before.
    pub bucket_created: bool,
    /// The alert left this bucket, which had no members left and was deleted.
    pub removed_bucket: Option<BucketKey>,
}

/// The result of recording a fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedFire {
    /// Runs this fire owes (recorded now, or by the first delivery).
    pub alerts: u32,
    /// False when this (target, scheduled time) had already been recorded.
    pub first_delivery: bool,
}

/// A bucket's due fire, as the local scheduler wants to settle it.
#[derive(Debug, Clone)]
pub struct BucketAdvance {
    pub key: BucketKey,
    /// The `next_fire_at` the caller read; the claim fails if another replica moved it.
    pub expected_next: DateTime<Utc>,
    pub new_next: Option<DateTime<Utc>>,
    /// The fire to record with the claim, or `None` to skip the missed fire.
    pub fire: Option<Fire>,
}

/// What happened to a [`BucketAdvance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvanceOutcome {
    /// Another replica claimed this fire first.
    Lost,
    /// Claimed; the fire was missed and skipped.
    Skipped,
    /// Claimed and recorded in the same transaction.
    Fired(RecordedFire),
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Pending,
    Done,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> RunStatus {
        match raw {
            "done" => RunStatus::Done,
            "failed" => RunStatus::Failed,
            _ => RunStatus::Pending,
        }
    }
}

/// Identifies one run: one alert of one fire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunKey {
    /// The stored target, `bucket:<key>` or `alert:<id>`.
    pub target: String,
    pub scheduled_at: DateTime<Utc>,
    pub alert_id: AlertId,
}

/// One RunAlert call owed to alert-service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FireRun {
    pub key: RunKey,
    pub status: RunStatus,
    /// Attempts started so far, counting the one a claim just started.
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// How an attempt of a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCompletion {
    Done,
    Retry { at: DateTime<Utc>, error: String },
    Failed { error: String },
}

/// The scheduler's storage, implemented once over PostgreSQL and SQLite.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Files the alert into `bucket` (created if missing, keeping an existing one's next fire);
    /// deletes the alert's previous bucket if it has no members left.
    async fn upsert_member(
        &self,
        alert_id: &AlertId,
        bucket: &Bucket,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> Result<MembershipChange>;

    /// Removes the alert (missing is fine); returns its bucket if that was deleted for being empty.
    async fn remove_member(&self, alert_id: &AlertId) -> Result<Option<BucketKey>>;

    async fn bucket(&self, key: &BucketKey) -> Result<Option<Bucket>>;

    async fn member(&self, alert_id: &AlertId) -> Result<Option<Member>>;

    /// Records a fire once per (target, scheduled time), with one pending run per alert it owes,
    /// in one transaction.
    async fn record_fire(&self, fire: &Fire, now: DateTime<Utc>) -> Result<RecordedFire>;

    /// Buckets whose next fire is at or before `now`, earliest first.
    async fn due_buckets(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Bucket>>;

    /// Moves a bucket's next fire with a compare-and-set, recording its fire in the same
    /// transaction, so exactly one replica fires each (bucket, time).
    async fn advance_bucket(
        &self,
        advance: &BucketAdvance,
        now: DateTime<Utc>,
    ) -> Result<AdvanceOutcome>;

    /// Claims up to `limit` pending runs due at `now`: each claimed run counts an attempt and is
    /// leased until `lease_until`, so no other worker takes it meanwhile, and a worker that
    /// crashed holding it hands it on when the lease ends.
    async fn claim_runs(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<FireRun>>;

    /// Settles claimed attempts (each run as its claim returned it) of runs that are still
    /// pending, in one transaction; a run settled meanwhile is left as it is.
    async fn complete_runs(
        &self,
        settled: &[(FireRun, RunCompletion)],
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// [`Store::complete_runs`] of one run.
    async fn complete_run(
        &self,
        run: &FireRun,
        completion: &RunCompletion,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.complete_runs(&[(run.clone(), completion.clone())], now)
            .await
    }

    /// The runs of one fire, for operators and tests.
    async fn runs(&self, target: &FireTarget, scheduled_at: DateTime<Utc>) -> Result<Vec<FireRun>>;
}
