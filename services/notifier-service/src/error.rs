//! The one error type of notifier-service, mapped to a gRPC status once.

use alert_platform::{ErrorCode, ServiceError, db::DatabaseError, error::into_status};
use alert_webpush::{EndpointError, SubscriptionKeyError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field that must be set was empty; holds the proto field name.
    #[error("{0} must not be empty")]
    MissingField(&'static str),
    #[error("{0}")]
    InvalidEndpoint(EndpointError),
    #[error("{0}")]
    InvalidKeys(SubscriptionKeyError),
    #[error(
        "message is {size} bytes as a push payload, over the limit of {limit} bytes: shorten the title or body"
    )]
    MessageTooLarge { size: usize, limit: usize },
    #[error("urgency {0} is not a known value")]
    UnknownUrgency(i32),
    #[error("limit must be between 1 and {max}, got {got}")]
    LimitOutOfRange { got: u32, max: u32 },

    #[error("database query failed")]
    Database(#[source] sqlx::Error),
    /// A write lost a race with a concurrent one (e.g. two subscribes of one browser).
    #[error("conflicting concurrent update")]
    Conflict(#[source] sqlx::Error),

    // Startup faults, reported by `Application::build` and `run_until_stopped`.
    #[error("cannot open the database")]
    OpenDatabase(#[source] DatabaseError),
    #[error("cannot connect to the delivery queue")]
    OpenQueue(#[source] crate::queue::QueueError),
    #[error("cannot build the push client")]
    PushClient(#[source] alert_webpush::BuildError),
    #[error("gRPC server failed")]
    Serve(#[source] tonic::transport::Error),
}

impl ServiceError for Error {
    fn code(&self) -> ErrorCode {
        match self {
            Error::MissingField(_)
            | Error::InvalidEndpoint(_)
            | Error::InvalidKeys(_)
            | Error::MessageTooLarge { .. }
            | Error::UnknownUrgency(_)
            | Error::LimitOutOfRange { .. } => ErrorCode::InvalidArgument,
            Error::Conflict(_) => ErrorCode::Unavailable,
            Error::Database(_)
            | Error::OpenDatabase(_)
            | Error::OpenQueue(_)
            | Error::PushClient(_)
            | Error::Serve(_) => ErrorCode::Internal,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Error::MissingField(field) => Some(field),
            Error::InvalidEndpoint(_) => Some("endpoint"),
            Error::InvalidKeys(SubscriptionKeyError::P256dh(_)) => Some("p256dh"),
            Error::InvalidKeys(SubscriptionKeyError::Auth(_)) => Some("auth"),
            Error::MessageTooLarge { .. } => Some("message"),
            Error::UnknownUrgency(_) => Some("urgency"),
            Error::LimitOutOfRange { .. } => Some("limit"),
            _ => None,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        into_status(error)
    }
}
