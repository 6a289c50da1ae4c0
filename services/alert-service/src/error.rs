//! The one error type of alert-service: every failure a request can meet, with the message a
//! user reads for their own mistakes and an opaque answer for ours.

use alert_airquality::AirQualityError;
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
    #[error("{field} {problem}")]
    InvalidContent {
        field: &'static str,
        problem: String,
    },
    #[error("{field} has an unknown placeholder {{{name}}}: use {known}")]
    UnknownPlaceholder {
        field: &'static str,
        name: String,
        known: String,
    },
    #[error("{field} has an unmatched brace: write {{{{ or }}}} for a literal one")]
    UnmatchedBrace { field: &'static str },
    #[error("language has no value numbered {0}: use Korean or English")]
    UnknownLanguage(i32),
    #[error(
        "no AirKorea station is named {station:?}: search the station list and use a name as listed"
    )]
    UnknownStation {
        field: &'static str,
        station: String,
    },
    #[error("query must not be empty")]
    EmptyQuery,
    #[error("limit must be between 1 and {max}")]
    InvalidLimit { max: u32 },
    #[error("{field} must be a number from {min} to {max}")]
    InvalidCoordinate {
        field: &'static str,
        min: f64,
        max: f64,
    },
    #[error("air-quality content is not available: this server has no AIR_QUALITY_API_KEY")]
    AirQualityNotConfigured,
    /// AirKorea failed us; the message says what that means for the user.
    #[error("{}", air_quality_message(.0))]
    AirQuality(#[source] AirQualityError),

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
    #[error("cannot set up the AirKorea client")]
    AirKoreaClient(#[source] AirQualityError),
    #[error("cannot set up the redis cache")]
    Redis(#[source] fred::error::Error),
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
            | Error::InvalidScheduledTime(_)
            | Error::InvalidContent { .. }
            | Error::UnknownPlaceholder { .. }
            | Error::UnmatchedBrace { .. }
            | Error::UnknownLanguage(_)
            | Error::UnknownStation { .. }
            | Error::EmptyQuery
            | Error::InvalidLimit { .. }
            | Error::InvalidCoordinate { .. } => ErrorCode::InvalidArgument,
            Error::AirQualityNotConfigured => ErrorCode::FailedPrecondition,
            Error::AirQuality(error) => match error {
                AirQualityError::UnknownStation(_) => ErrorCode::NotFound,
                AirQualityError::NotConfigured => ErrorCode::FailedPrecondition,
                _ => ErrorCode::Unavailable,
            },
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
            | Error::AirKoreaClient(_)
            | Error::Redis(_)
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
            Error::InvalidContent { field, .. }
            | Error::UnknownPlaceholder { field, .. }
            | Error::UnmatchedBrace { field }
            | Error::UnknownStation { field, .. }
            | Error::InvalidCoordinate { field, .. } => Some(field),
            Error::UnknownLanguage(_) => Some("language"),
            Error::EmptyQuery => Some("query"),
            Error::InvalidLimit { .. } => Some("limit"),
            _ => None,
        }
    }

    fn reason(&self) -> Option<&'static str> {
        match self {
            Error::AirQualityNotConfigured => Some("AIR_QUALITY_NOT_CONFIGURED"),
            Error::AirQuality(error) => Some(match error {
                AirQualityError::QuotaExceeded => "AIR_QUALITY_QUOTA_EXCEEDED",
                AirQualityError::KeyRejected(_) => "AIR_QUALITY_KEY_REJECTED",
                AirQualityError::UnknownStation(_) => "AIR_QUALITY_UNKNOWN_STATION",
                AirQualityError::NotConfigured => "AIR_QUALITY_NOT_CONFIGURED",
                AirQualityError::Timeout(_)
                | AirQualityError::Unreachable(_)
                | AirQualityError::Upstream { .. }
                | AirQualityError::BadResponse(_) => "AIR_QUALITY_UNAVAILABLE",
            }),
            _ => None,
        }
    }
}

/// What an AirKorea failure means for the user; the failure itself goes to the log.
fn air_quality_message(error: &AirQualityError) -> String {
    match error {
        AirQualityError::QuotaExceeded => {
            "AirKorea's daily request quota is used up: air-quality data is unavailable until it resets".into()
        }
        AirQualityError::KeyRejected(_) => {
            "AirKorea refuses this server's API key: air-quality data is unavailable until an operator fixes it".into()
        }
        AirQualityError::UnknownStation(station) => {
            format!("AirKorea has no measurements for a station named {station:?}")
        }
        AirQualityError::NotConfigured => {
            "air-quality content is not available: this server has no AIR_QUALITY_API_KEY".into()
        }
        AirQualityError::Timeout(_)
        | AirQualityError::Unreachable(_)
        | AirQualityError::Upstream { .. }
        | AirQualityError::BadResponse(_) => {
            "AirKorea is not answering right now: try again in a few minutes".into()
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        alert_platform::error::into_status(error)
    }
}
