//! Extractors that answer malformed requests with our JSON error body, naming the field at fault.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Query, Request, rejection::BytesRejection},
};
use http::{StatusCode, request::Parts};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// The largest request body we read: alerts, subscriptions and trigger bodies are far smaller.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON request body. Unlike `axum::Json` it does not insist on a `content-type`, and its
/// rejections say which field is missing or has the wrong type.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(request, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The whole body, within [`BODY_LIMIT_BYTES`].
pub async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, Error> {
    Bytes::from_request(request, state)
        .await
        .map_err(body_rejection)
}

fn body_rejection(rejection: BytesRejection) -> Error {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge {
            limit_kib: BODY_LIMIT_BYTES / 1024,
        }
    } else {
        Error::MalformedJson(format!("cannot read the body: {}", rejection.body_text()))
    }
}

/// Deserializes a JSON object, turning serde's complaint into an error about one field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| Error::MalformedJson(without_position(&error)))?;
    // serde would read a struct from an array of its fields in order; nobody means that.
    if !value.is_object() {
        return Err(Error::NotAnObject);
    }
    serde_path_to_error::deserialize(value).map_err(field_error)
}

fn field_error(error: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = error.path().to_string();
    let message = error.inner().to_string();
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if path == "." {
            missing.to_owned()
        } else {
            format!("{path}.{missing}")
        };
        return Error::MissingField { field };
    }
    if path == "." {
        return Error::MalformedJson(message);
    }
    Error::InvalidField {
        message: format!("{path}: {message}"),
        field: path,
    }
}

/// serde_json's message without " at line 1 column 17", which means nothing to a user.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix)
        .map(str::to_owned)
        .unwrap_or(text)
}

/// A query string, answered like a body when it cannot be decoded.
#[derive(Debug, Clone)]
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection| {
                Error::invalid_field(
                    "query",
                    format!("query string is malformed: {}", rejection.body_text()),
                )
            })
    }
}

/// A query parameter that must be a whole number, absent meaning "the service's default" (0).
pub fn optional_count(raw: Option<&str>, field: &str) -> Result<u32, Error> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(0),
        Some(raw) => raw.parse().map_err(|_| {
            Error::invalid_field(
                field,
                format!("{field} must be a whole number, got {raw:?}"),
            )
        }),
    }
}

/// The `{id}` segment of a path.
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PathId(id))
            .map_err(|rejection| {
                Error::invalid_field(
                    "id",
                    format!("id in the path is malformed: {}", rejection.body_text()),
                )
            })
    }
}

/// The signed-in user, set by the auth layer after it checked the access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Only the auth layer inserts it; a route without that layer has no caller.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(Error::MissingAccessToken)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Subscription {
        endpoint: String,
        keys: Keys,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Keys {
        p256dh: String,
        auth: String,
    }

    #[test]
    fn json_problems_name_the_field() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("not json", "hello", None),
            (
                "an array of the fields",
                r#"["e", {"p256dh": "p", "auth": "a"}]"#,
                None,
            ),
            (
                "trailing garbage",
                r#"{"endpoint":"e","keys":{"p256dh":"p","auth":"a"}} x"#,
                None,
            ),
            (
                "missing top-level field",
                r#"{"keys":{"p256dh":"p","auth":"a"}}"#,
                Some("endpoint"),
            ),
            (
                "missing nested field",
                r#"{"endpoint":"e","keys":{"p256dh":"p"}}"#,
                Some("keys.auth"),
            ),
            (
                "wrong type",
                r#"{"endpoint":5,"keys":{"p256dh":"p","auth":"a"}}"#,
                Some("endpoint"),
            ),
        ];
        for (case, body, field) in cases {
            let error = parse_json::<Subscription>(body.as_bytes()).expect_err(case);
            assert_eq!(
                alert_platform::ServiceError::field(&error),
                *field,
                "case {case:?}: {error}"
            );
            if let Some(field) = field {
                assert!(error.to_string().contains(field), "case {case:?}: {error}");
            }
            assert!(
                !error.to_string().contains("line 1"),
                "case {case:?}: {error}"
            );
        }
    }
}
