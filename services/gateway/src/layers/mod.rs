//! Tower layers for what every route shares: identity, authentication, rate limits, timeouts
//! and CORS. Handlers only see requests that passed them.

mod auth;
mod cors;
mod rate_limit;

use std::time::Duration;

use alert_platform::identity::USER_ID_METADATA;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use crate::error::{Error, is_grpc_request};

pub use auth::{Authenticator, require_access_token};
pub use cors::cors_layer;
pub use rate_limit::{RateLimit, limit_rate};

/// Drops a client-sent `x-user-id`: only the auth layer may say who the caller is, and the
/// gRPC proxy forwards headers as metadata.
pub async fn strip_caller_identity(mut request: Request) -> Request {
    request.headers_mut().remove(USER_ID_METADATA);
    request
}

/// Answers 503 when a request takes longer than the configured timeout.
pub async fn time_out(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    let grpc = is_grpc_request(request.headers());
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Error::Timeout {
            timeout_secs: timeout.as_secs(),
        }
        .into_response_as(grpc),
    }
}
