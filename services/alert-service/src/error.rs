//! The one error type of alert-service: every failure a request can meet, with the message a
//! user reads for their own mistakes and an opaque answer for ours.

use alert_cron::CronError;
use alert_platform::{ErrorCode, ServiceError, db::DatabaseError, error::UpstreamError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a request (or start-up) can fail. User faults name the request field at fault;
/// server faults keep their source for the log and reach clients as an opaque message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("email must be at most 254 characters")]
    EmailTooLong,
    #[error("email is not a valid email address")]
    InvalidEmail,
    #[error("password must be 8 to 128 characters")]
    PasswordLength,
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("email or password is incorrect")]
    WrongCredentials,
    #[error("the session has expired or was revoked: sign in again")]
    InvalidRefreshToken,
    #[error("the signed-in user no longer exists")]
    UnknownUser,

    #[error("{field} must not be empty")]
    TextEmpty { field: &'static str },
    #[error("{field} must be at most {max} characters")]
    TextTooLong { field: &'static str, max: usize },
    #[error("invalid schedule: {0}")]
    InvalidSchedule(CronError),
    #[error("schedule fires more often than every {minimum_minutes} minutes")]
    ScheduleTooFrequent { minimum_minutes: u32 },
    #[error("invalid timezone: {0}")]
    InvalidTimeZone(CronError),
    #[error("you already have the maximum of {limit} alerts: delete one to create another")]
    TooManyAlerts { limit: u32 },
    #[error("alert not found")]
    AlertNotFound,
    #[error("count must be between 1 and 50")]
    InvalidCount,
    #[error("scheduled_time: {0}")]
    InvalidScheduledTime(String),

    #[error("database query failed")]
    Database(#[source] sqlx::Error),
    #[error("a row with the same unique key already exists")]
    UniqueViolation(#[source] sqlx::Error),
    #[error("a referenced row does not exist")]
    ForeignKeyViolation(#[source] sqlx::Error),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("background task failed")]
    Task(#[source] tokio::task::JoinError),
    #[error("notifier-service call failed")]
    Notifier(#[source] UpstreamError),
    #[error("scheduler-service call failed")]
    Scheduler(#[source] UpstreamError),
    #[error("scheduler-service did not answer in time")]
    SchedulerTimeout,

    #[error("cannot open the database")]
    OpenDatabase(#[source] DatabaseError),
    #[error("token lifetime is out of range")]
    TokenLifetime,
    #[error("grpc server failed")]
    Serve(#[source] tonic::transport::Error),
}

impl ServiceError for Error {
    fn code(&self) -> ErrorCode {
        match self {
            Error::WrongCredentials | Error::InvalidRefreshToken | Error::UnknownUser => {
                ErrorCode::Unauthenticated
            }
            Error::EmailTooLong
            | Error::InvalidEmail
            | Error::PasswordLength
            | Error::TextEmpty { .. }
            | Error::TextTooLong { .. }
            | Error::InvalidSchedule(_)
            | Error::ScheduleTooFrequent { .. }
            | Error::InvalidTimeZone(_)
            | Error::InvalidCount
            | Error::InvalidScheduledTime(_) => ErrorCode::InvalidArgument,
            Error::EmailTaken => ErrorCode::AlreadyExists,
            Error::TooManyAlerts { .. } => ErrorCode::ResourceExhausted,
            Error::AlertNotFound => ErrorCode::NotFound,
            // The scheduler retries a run the notifier could not take; anything else is a bug.
            Error::Notifier(upstream) if upstream.code() == ErrorCode::Unavailable => {
                ErrorCode::Unavailable
            }
            Error::Notifier(_)
            | Error::Database(_)
            | Error::UniqueViolation(_)
            | Error::ForeignKeyViolation(_)
            | Error::PasswordHash(_)
            | Error::Task(_)
            | Error::OpenDatabase(_)
            | Error::TokenLifetime
            | Error::Serve(_) => ErrorCode::Internal,
            // Never answered to a caller (schedule sync is background work), but classified alike.
            Error::Scheduler(upstream) if upstream.code() == ErrorCode::Unavailable => {
                ErrorCode::Unavailable
            }
            Error::SchedulerTimeout => ErrorCode::Unavailable,
            Error::Scheduler(_) => ErrorCode::Internal,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Error::EmailTooLong | Error::InvalidEmail => Some("email"),
            Error::PasswordLength => Some("password"),
            Error::TextEmpty { field } | Error::TextTooLong { field, .. } => Some(field),
            Error::InvalidSchedule(_) | Error::ScheduleTooFrequent { .. } => Some("schedule"),
            Error::InvalidTimeZone(_) => Some("timezone"),
            Error::InvalidCount => Some("count"),
            Error::InvalidScheduledTime(_) => Some("scheduled_time"),
            _ => None,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        alert_platform::error::into_status(error)
    }
}
