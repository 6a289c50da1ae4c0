//! The gateway's one error type, answered as a JSON error body over REST and as a gRPC status
//! to gRPC-web callers.

use alert_platform::{
    ErrorCode, ServiceError,
    error::{error_chain, into_status, status_field, status_reason},
};
use axum::{
    Json,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::trigger::TriggerError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("request body must be a JSON object")]
    NotAnObject,
    #[error("{field} is required")]
    MissingField { field: String },
    /// A field of the body or query string has the wrong type or an unusable value.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("request body is larger than {limit_kib} KiB")]
    PayloadTooLarge { limit_kib: usize },
    #[error("sign in first: the request carries no bearer access token")]
    MissingAccessToken,
    #[error("access token has expired, sign in again")]
    ExpiredAccessToken,
    #[error("access token is invalid, sign in again")]
    InvalidAccessToken,
    #[error("too many requests, try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("invalid scheduler credentials")]
    InvalidSchedulerCredentials,
    #[error(transparent)]
    Trigger(#[from] TriggerError),
    /// An internal service answered with an error. User faults keep the service's message, which
    /// was written for the user.
    #[error("{}", .status.message())]
    Upstream {
        service: &'static str,
        status: tonic::Status,
        /// The field the status names, in the camelCase of our JSON bodies.
        field: Option<String>,
        /// Set when the service wrote the message for the user although the failure is not
        /// theirs (e.g. a provider's quota is used up): the message is passed on then.
        reason: Option<String>,
    },
    #[error("request took longer than {timeout_secs} s")]
    Timeout { timeout_secs: u64 },
    #[error("no route for {method} {path}")]
    RouteNotFound { method: String, path: String },
    #[error("WEB_DIR {path} has no index.html")]
    WebDirWithoutIndex { path: String },
    #[error("cannot serve http")]
    Io(#[source] std::io::Error),
}

impl Error {
    /// An error answer of `service`.
    pub fn upstream(service: &'static str, status: tonic::Status) -> Error {
        let field = status_field(&status).map(|field| snake_to_camel(&field));
        let reason = status_reason(&status);
        if !ErrorCode::from_grpc(status.code()).is_client_fault() {
            tracing::warn!(service, code = ?status.code(), message = status.message(), reason, "upstream call failed");
        }
        Error::Upstream {
            service,
            status,
            field,
            reason,
        }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }

    /// This error as a gRPC status response, for gRPC and gRPC-web callers.
    pub fn into_grpc_response(self) -> Response {
        let retry_after = self.retry_after();
        let mut response = tonic::Status::from(self).into_http::<axum::body::Body>();
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }

    /// This error answered in the protocol of the request: a gRPC status when the request is gRPC
    /// (gRPC-web is converted to gRPC before it reaches us), a JSON body otherwise.
    pub fn into_response_for(self, request_headers: &http::HeaderMap) -> Response {
        self.into_response_as(is_grpc_request(request_headers))
    }

    /// This error as a gRPC status response when `grpc`, as a JSON body otherwise.
    pub fn into_response_as(self, grpc: bool) -> Response {
        if grpc {
            self.into_grpc_response()
        } else {
            self.into_response()
        }
    }

    fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            Error::RateLimited { retry_after_secs } => Some(HeaderValue::from(*retry_after_secs)),
            _ => None,
        }
    }
}

impl ServiceError for Error {
    fn code(&self) -> ErrorCode {
        match self {
            Error::MalformedJson(_)
            | Error::NotAnObject
            | Error::MissingField { .. }
            | Error::InvalidField { .. }
            | Error::Trigger(_) => ErrorCode::InvalidArgument,
            Error::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Error::MissingAccessToken
            | Error::ExpiredAccessToken
            | Error::InvalidAccessToken
            | Error::InvalidSchedulerCredentials => ErrorCode::Unauthenticated,
            Error::RateLimited { .. } => ErrorCode::ResourceExhausted,
            Error::Upstream { status, .. } => ErrorCode::from_grpc(status.code()),
            Error::Timeout { .. } => ErrorCode::Unavailable,
            Error::RouteNotFound { .. } => ErrorCode::NotFound,
            Error::WebDirWithoutIndex { .. } | Error::Io(_) => ErrorCode::Internal,
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Error::MissingField { field } | Error::InvalidField { field, .. } => Some(field),
            Error::Trigger(error) => error.field(),
            Error::Upstream { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> tonic::Status {
        into_status(error)
    }
}

/// The REST error body: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
struct ErrorDetail<'a> {
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let code = self.code();
        let reason = match &self {
            Error::Upstream { reason, .. } => reason.as_deref(),
            _ => None,
        };
        let user_message;
        let message = if code.is_client_fault() || reason.is_some() {
            user_message = self.to_string();
            user_message.as_str()
        } else {
            // Upstream failures were logged, with their service, where they were received.
            if !matches!(self, Error::Upstream { .. }) {
                tracing::error!(error = %error_chain(&self), "request failed");
            }
            match code {
                ErrorCode::Unavailable => "service temporarily unavailable, try again",
                _ => "internal error",
            }
        };
        let field = if code.is_client_fault() {
            self.field()
        } else {
            None
        };
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: code.as_str(),
                    message,
                    field,
                    reason,
                },
            }),
        )
            .into_response();
        if let Some(value) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Whether a request speaks gRPC (`application/grpc`, `application/grpc+proto`, or gRPC-web).
pub fn is_grpc_request(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|content_type| content_type.starts_with("application/grpc"))
}

/// `refresh_token` → `refreshToken`: proto field names as our JSON bodies spell them.
fn snake_to_camel(field: &str) -> String {
    let mut camel = String::with_capacity(field.len());
    let mut upper_next = false;
    for character in field.chars() {
        if character == '_' {
            upper_next = true;
        } else if upper_next {
            camel.extend(character.to_uppercase());
            upper_next = false;
        } else {
            camel.push(character);
        }
    }
    camel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_field_names_become_camel_case() {
        assert_eq!(snake_to_camel("refresh_token"), "refreshToken");
        assert_eq!(snake_to_camel("schedule"), "schedule");
        assert_eq!(snake_to_camel("p256dh"), "p256dh");
    }

    #[test]
    fn upstream_server_faults_are_answered_opaquely() {
        let error = Error::upstream(
            "alert-service",
            tonic::Status::internal("relation alerts does not exist"),
        );
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
