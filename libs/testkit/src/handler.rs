//! The push endpoint: `POST /push/<id>`, checked like a real push service.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::post;
use chrono::Utc;

use crate::crypto::decrypt_aes128gcm;
use crate::receiver::{MAX_BODY_BYTES, PushAttempt, ReceivedPush, Rejection, Response, Shared};
use crate::vapid::verify_vapid;

pub(crate) fn router(state: Arc<Shared>) -> Router {
    Router::new()
        .route("/push/{id}", post(handle_push))
        .with_state(state)
}

async fn handle_push(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let path = format!("/push/{id}");
    match accept(&shared, &path, &id, &headers, &body) {
        Ok((push, response)) => answer(&shared, push, response).await,
        Err((status, reason)) => {
            shared.records().rejections.push(Rejection {
                path,
                status,
                reason: reason.clone(),
            });
            error_response(status, &reason)
        }
    }
}

type Refusal = (u16, String);

/// All checks; on success the decrypted push and the response to give.
fn accept(
    shared: &Shared,
    path: &str,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(ReceivedPush, Response), Refusal> {
    let (endpoint, keys, expected_key) = {
        let records = shared.records();
        let Some(sub) = records.subscriptions.get(id) else {
            return Err((404, format!("no subscription at {path}")));
        };
        if !sub.active {
            return Err((
                410,
                "subscription is gone (the browser unsubscribed)".into(),
            ));
        }
        (
            sub.endpoint.clone(),
            sub.keys.clone(),
            records.expected_key.clone(),
        )
    };

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let vapid = verify_vapid(authorization, &shared.origin, expected_key.as_deref(), now)
        .map_err(|f| (f.status, f.reason))?;

    let ttl = match header_text(headers, "ttl")? {
        None => return Err((400, "missing TTL header".into())),
        Some(text) => text.trim().parse::<u32>().map_err(|_| {
            (
                400,
                format!("TTL header must be a non-negative integer, got {text:?}"),
            )
        })?,
    };
    let urgency = header_text(headers, "urgency")?;
    if let Some(u) = &urgency
        && !matches!(u.as_str(), "very-low" | "low" | "normal" | "high")
    {
        return Err((
            400,
            format!("Urgency must be very-low, low, normal or high, got {u:?}"),
        ));
    }
    let topic = header_text(headers, "topic")?;
    if let Some(t) = &topic {
        let valid = !t.is_empty()
            && t.len() <= 32
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err((
                400,
                format!("Topic must be 1-32 base64url characters, got {t:?}"),
            ));
        }
    }

    if body.len() > MAX_BODY_BYTES {
        return Err((
            413,
            format!("body is {} bytes, over the 4096-byte limit", body.len()),
        ));
    }
    let payload = if body.is_empty() {
        Vec::new()
    } else {
        match header_text(headers, "content-encoding")?.as_deref() {
            Some("aes128gcm") => {}
            None => return Err((400, "body without Content-Encoding".into())),
            Some(other) => {
                return Err((
                    400,
                    format!("Content-Encoding must be aes128gcm, got {other:?}"),
                ));
            }
        }
        decrypt_aes128gcm(&keys.secret, &keys.auth, body)
            .map_err(|e| (400, format!("decryption failed: {e}")))?
    };

    let push = ReceivedPush {
        endpoint: endpoint.clone(),
        payload,
        ttl,
        urgency,
        topic,
        vapid_sub: vapid.sub,
        vapid_jwt: vapid.jwt,
        vapid_key: vapid.key,
        vapid_exp: vapid.exp,
        received_at: Utc::now(),
    };
    let response = {
        let mut records = shared.records();
        let queued = records
            .queued
            .get_mut(&endpoint)
            .and_then(VecDeque::pop_front);
        queued
            .or_else(|| records.fixed.get(&endpoint).cloned())
            .or_else(|| records.default_response.clone())
            .unwrap_or_else(Response::created)
    };
    Ok((push, response))
}

fn header_text(headers: &HeaderMap, name: &str) -> Result<Option<String>, Refusal> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.to_owned()))
            .map_err(|_| (400, format!("{name} header is not ASCII"))),
    }
}

async fn answer(shared: &Shared, mut push: ReceivedPush, response: Response) -> HttpResponse {
    let (delay, status, retry_after) = response.resolve();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
        push.received_at = Utc::now();
    }
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut http = if code.is_success() {
        let mut records = shared.records();
        records.received.push(push);
        let count = records.received.len();
        drop(records);
        shared.received_count.send_replace(count);
        let mut http = code.into_response();
        let location = format!("/message/{}", uuid::Uuid::new_v4());
        if let Ok(value) = HeaderValue::from_str(&location) {
            http.headers_mut().insert(header::LOCATION, value);
        }
        http
    } else {
        shared.records().attempts.push(PushAttempt {
            status: code.as_u16(),
            push,
        });
        error_response(code.as_u16(), "configured failure response")
    };
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(v).ok()) {
        http.headers_mut().insert(header::RETRY_AFTER, value);
    }
    http
}

/// Autopush-style JSON error body.
fn error_response(status: u16, reason: &str) -> HttpResponse {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({
        "code": code.as_u16(),
        "error": code.canonical_reason().unwrap_or("Error"),
        "message": reason,
    });
    (code, axum::Json(body)).into_response()
}
