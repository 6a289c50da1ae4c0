//! The caller's identity between services: the gateway checks the JWT and puts the user id in
//! the `x-user-id` metadata; internal services trust it (they are reachable only from inside).
//! A user id never comes from a request body.

use tonic::{Request, Status, metadata::MetadataValue};

/// Metadata key carrying the authenticated user id.
pub const USER_ID_METADATA: &str = "x-user-id";

/// The authenticated caller of a request, or UNAUTHENTICATED.
pub fn caller_user_id<T>(request: &Request<T>) -> Result<String, Status> {
    request
        .metadata()
        .get(USER_ID_METADATA)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Status::unauthenticated("sign in first: the request carries no user"))
}

/// Marks a request as made on behalf of `user_id`.
pub fn with_user<T>(mut request: Request<T>, user_id: &str) -> Request<T> {
    if let Ok(value) = MetadataValue::try_from(user_id) {
        request.metadata_mut().insert(USER_ID_METADATA, value);
    }
    request
}

/// A request made on behalf of `user_id`.
pub fn user_request<T>(message: T, user_id: &str) -> Request<T> {
    with_user(Request::new(message), user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_a_user_is_unauthenticated() {
        let status = caller_user_id(&Request::new(())).unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn the_user_set_by_the_gateway_is_read_back() {
        assert_eq!(caller_user_id(&user_request((), "u-1")).unwrap(), "u-1");
    }
}
