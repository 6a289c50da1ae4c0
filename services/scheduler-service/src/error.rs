//! The one error type of scheduler-service, and how it reaches clients.

use alert_cron::CronError;
use alert_platform::{ErrorCode, ServiceError, error::into_status};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in scheduler-service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("alert_id must not be empty")]
    MissingAlertId,
    #[error("alert_id must be at most {max} characters")]
    AlertIdTooLong { max: usize },
    #[error("cron is invalid: {0}")]
    InvalidCron(#[source] CronError),
    #[error("timezone is invalid: {0}")]
    InvalidTimeZone(#[source] CronError),
    #[error("target is required: set schedule_key or alert_id")]
    MissingTarget,
    #[error("schedule_key must not be empty")]
    MissingScheduleKey,
    #[error("schedule_key must be at most {max} characters")]
    ScheduleKeyTooLong { max: usize },
    #[error("scheduled_time is required")]
    MissingScheduledTime,
    #[error("scheduled_time is invalid: {0}")]
    InvalidScheduledTime(String),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// A constraint failed because another request changed the same rows; retrying succeeds.
    #[error("the schedule was changed concurrently")]
    ConcurrentChange(#[source] sqlx::Error),
    #[error("cannot connect to the database")]
    Connect(#[source] alert_platform::db::DatabaseError),
    #[error("schedule backend unavailable")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("grpc server failed")]
    Serve(#[source] tonic::transport::Error),
}

impl ServiceError for Error {
    fn code(&self) -> ErrorCode {
        match self {
            Error::MissingAlertId
            | Error::AlertIdTooLong { .. }
            | Error::InvalidCron(_)
            | Error::InvalidTimeZone(_)
            | Error::MissingTarget
            | Error::MissingScheduleKey
            | Error::ScheduleKeyTooLong { .. }
            | Error::MissingScheduledTime
            | Error::InvalidScheduledTime(_) => ErrorCode::InvalidArgument,
            Error::Backend(_) | Error::ConcurrentChange(_) => ErrorCode::Unavailable,
            Error::Database(_) | Error::Connect(_) | Error::Serve(_) => ErrorCode::Internal,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Error::MissingAlertId | Error::AlertIdTooLong { .. } => Some("alert_id"),
            Error::InvalidCron(_) => Some("cron"),
            Error::InvalidTimeZone(_) => Some("timezone"),
            Error::MissingTarget => Some("target"),
            Error::MissingScheduleKey | Error::ScheduleKeyTooLong { .. } => Some("schedule_key"),
            Error::MissingScheduledTime | Error::InvalidScheduledTime(_) => Some("scheduled_time"),
            Error::Database(_)
            | Error::ConcurrentChange(_)
            | Error::Connect(_)
            | Error::Backend(_)
            | Error::Serve(_) => None,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        into_status(error)
    }
}
