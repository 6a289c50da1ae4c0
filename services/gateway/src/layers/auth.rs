//! Bearer access tokens: checked here, once, for every route that needs a signed-in user.

use std::sync::Arc;

use alert_platform::{
    access_token::{AccessTokenError, AccessTokens},
    identity::USER_ID_METADATA,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderMap, HeaderValue, header};
use secrecy::SecretString;

use crate::{error::Error, extract::Caller};

/// Checks access tokens issued by alert-service with the shared `JWT_SECRET`.
#[derive(Debug, Clone)]
pub struct Authenticator {
    tokens: Arc<AccessTokens>,
}

impl Authenticator {
    pub fn new(jwt_secret: &SecretString) -> Self {
        // The gateway only verifies; the lifetime matters to the issuer alone.
        Authenticator {
            tokens: Arc::new(AccessTokens::new(jwt_secret, chrono::Duration::minutes(15))),
        }
    }

    /// The user id of the request's `Authorization: Bearer <jwt>`.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<String, Error> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or(Error::MissingAccessToken)?;
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or(Error::InvalidAccessToken)?;
        self.tokens.verify(token).map_err(|error| match error {
            AccessTokenError::Expired => Error::ExpiredAccessToken,
            AccessTokenError::Invalid => Error::InvalidAccessToken,
        })
    }
}

/// Lets a request through only with a valid access token, marking it with the caller: the
/// [`Caller`] extension for handlers and the `x-user-id` header the gRPC proxy forwards as
/// metadata.
pub async fn require_access_token(
    State(authenticator): State<Authenticator>,
    mut request: Request,
    next: Next,
) -> Response {
    let user_id = match authenticator.authenticate(request.headers()) {
        Ok(user_id) => user_id,
        Err(error) => return error.into_response_for(request.headers()),
    };
    let Ok(header_value) = HeaderValue::from_str(&user_id) else {
        return Error::InvalidAccessToken.into_response_for(request.headers());
    };
    request.headers_mut().insert(USER_ID_METADATA, header_value);
    request.extensions_mut().insert(Caller(user_id));
    next.run(request).await
}
