//! One small code model shared by gRPC and REST, so both answer alike.
//!
//! Each crate keeps its own `thiserror` enum and implements [`ServiceError`] for it; the enum is
//! mapped to a `tonic::Status` once, by [`into_status`]. The gateway maps a `Status` to HTTP with
//! [`ErrorCode::http_status`] and reads the offending field back with [`status_field`].

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The kinds of failure a client can tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidArgument,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
    PayloadTooLarge,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn grpc_code(self) -> Code {
        match self {
            ErrorCode::InvalidArgument => Code::InvalidArgument,
            ErrorCode::Unauthenticated => Code::Unauthenticated,
            ErrorCode::PermissionDenied => Code::PermissionDenied,
            ErrorCode::NotFound => Code::NotFound,
            ErrorCode::AlreadyExists => Code::AlreadyExists,
            ErrorCode::FailedPrecondition => Code::FailedPrecondition,
            ErrorCode::ResourceExhausted => Code::ResourceExhausted,
            // gRPC has no "too large"; OUT_OF_RANGE is the closest client fault.
            ErrorCode::PayloadTooLarge => Code::OutOfRange,
            ErrorCode::Unavailable => Code::Unavailable,
            ErrorCode::Internal => Code::Internal,
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidArgument => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists => 409,
            ErrorCode::FailedPrecondition => 412,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ResourceExhausted => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    /// The code a gRPC status carries, as seen by a client of an internal service.
    pub fn from_grpc(code: Code) -> ErrorCode {
        match code {
            Code::InvalidArgument => ErrorCode::InvalidArgument,
            Code::Unauthenticated => ErrorCode::Unauthenticated,
            Code::PermissionDenied => ErrorCode::PermissionDenied,
            Code::NotFound => ErrorCode::NotFound,
            Code::AlreadyExists => ErrorCode::AlreadyExists,
            Code::FailedPrecondition => ErrorCode::FailedPrecondition,
            Code::ResourceExhausted => ErrorCode::ResourceExhausted,
            Code::OutOfRange => ErrorCode::PayloadTooLarge,
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Aborted => {
                ErrorCode::Unavailable
            }
            _ => ErrorCode::Internal,
        }
    }

    /// Snake-case name used in REST error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::FailedPrecondition => "failed_precondition",
            ErrorCode::ResourceExhausted => "resource_exhausted",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// Whether the failure is the caller's: its message is meant for the user.
    pub fn is_client_fault(self) -> bool {
        !matches!(self, ErrorCode::Unavailable | ErrorCode::Internal)
    }
}

/// The `ErrorInfo` domain of [`ServiceError::reason`]: statuses carrying it have a message
/// written for the user even when the failure is not the user's.
pub const ERROR_INFO_DOMAIN: &str = "alert-system";

/// A crate's error type, as the outside world sees it.
pub trait ServiceError: std::error::Error {
    fn code(&self) -> ErrorCode;

    /// The request field at fault, for user errors about one field.
    fn field(&self) -> Option<&str> {
        None
    }

    /// For a server-side failure the user should hear about (a provider's quota is used up, a
    /// feature is not configured), a stable UPPER_SNAKE reason: the status then keeps this
    /// error's message instead of the opaque one, and carries the reason as an `ErrorInfo`.
    fn reason(&self) -> Option<&'static str> {
        None
    }
}

/// Maps a crate error to a gRPC status once: user faults carry their message (and the field as a
/// `BadRequest` field violation); server faults are logged with their source chain and reach the
/// client as an opaque message.
pub fn into_status<E: ServiceError>(error: E) -> Status {
    let code = error.code();
    let reason = error.reason();
    if !code.is_client_fault() {
        if reason.is_none() {
            tracing::error!(error = %error_chain(&error), "request failed");
            let message = match code {
                ErrorCode::Unavailable => "service temporarily unavailable, try again",
                _ => "internal error",
            };
            return Status::new(code.grpc_code(), message);
        }
        tracing::warn!(error = %error_chain(&error), reason, "request failed");
    }
    let message = error.to_string();
    let mut details = ErrorDetails::new();
    if let Some(field) = error.field() {
        details.add_bad_request_violation(field, message.clone());
    }
    if let Some(reason) = reason {
        details.set_error_info(
            reason,
            ERROR_INFO_DOMAIN,
            std::collections::HashMap::<String, String>::new(),
        );
    }
    if error.field().is_none() && reason.is_none() {
        return Status::new(code.grpc_code(), message);
    }
    Status::with_error_details(code.grpc_code(), message, details)
}

/// The request field a status names in its `BadRequest` details, if any.
pub fn status_field(status: &Status) -> Option<String> {
    let details = status.get_error_details();
    let bad_request = details.bad_request()?;
    bad_request
        .field_violations
        .first()
        .map(|v| v.field.clone())
}

/// The reason a status of one of our services gives for a failure whose message is meant for
/// the user (see [`ServiceError::reason`]).
pub fn status_reason(status: &Status) -> Option<String> {
    let details = status.get_error_details();
    let info = details.error_info()?;
    (info.domain == ERROR_INFO_DOMAIN).then(|| info.reason.clone())
}

/// `error: cause: cause` on one line, for logs.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A status received from an internal service, passed on unchanged when it is the user's fault
/// (its message was written for the user) and wrapped otherwise.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {status}")]
pub struct UpstreamError {
    pub context: &'static str,
    pub status: Status,
}

impl UpstreamError {
    pub fn new(context: &'static str, status: Status) -> Self {
        UpstreamError { context, status }
    }

    pub fn code(&self) -> ErrorCode {
        ErrorCode::from_grpc(self.status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum TestError {
        #[error("name must not be empty")]
        EmptyName,
        #[error("database exploded")]
        Database(#[source] std::io::Error),
    }

    impl ServiceError for TestError {
        fn code(&self) -> ErrorCode {
            match self {
                TestError::EmptyName => ErrorCode::InvalidArgument,
                TestError::Database(_) => ErrorCode::Internal,
            }
        }
        fn field(&self) -> Option<&str> {
            match self {
                TestError::EmptyName => Some("name"),
                TestError::Database(_) => None,
            }
        }
    }

    #[test]
    fn user_faults_keep_their_message_and_field() {
        let status = into_status(TestError::EmptyName);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "name must not be empty");
        assert_eq!(status_field(&status).as_deref(), Some("name"));
    }

    #[test]
    fn server_faults_hide_their_details() {
        let status = into_status(TestError::Database(std::io::Error::other(
            "secret table text",
        )));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"), "{}", status.message());
    }

    #[derive(Debug, thiserror::Error)]
    #[error("the provider's daily quota is used up, try again tomorrow")]
    struct QuotaError;

    impl ServiceError for QuotaError {
        fn code(&self) -> ErrorCode {
            ErrorCode::Unavailable
        }
        fn reason(&self) -> Option<&'static str> {
            Some("PROVIDER_QUOTA_EXCEEDED")
        }
    }

    #[test]
    fn server_faults_with_a_reason_keep_their_message_and_name_the_reason() {
        let status = into_status(QuotaError);
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(
            status.message(),
            "the provider's daily quota is used up, try again tomorrow"
        );
        assert_eq!(
            status_reason(&status).as_deref(),
            Some("PROVIDER_QUOTA_EXCEEDED")
        );
        assert_eq!(status_reason(&into_status(TestError::EmptyName)), None);
    }

    #[test]
    fn codes_round_trip_through_grpc() {
        for code in [
            ErrorCode::InvalidArgument,
            ErrorCode::Unauthenticated,
            ErrorCode::NotFound,
            ErrorCode::AlreadyExists,
            ErrorCode::ResourceExhausted,
            ErrorCode::PayloadTooLarge,
            ErrorCode::Unavailable,
            ErrorCode::Internal,
        ] {
            assert_eq!(ErrorCode::from_grpc(code.grpc_code()), code, "{code:?}");
        }
    }
}
