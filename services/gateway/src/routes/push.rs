//! `/push/*` and `/deliveries`: push subscriptions and delivery history, served by
//! notifier-service's `PushService`.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    Delivery, DeliveryStatus, GetVapidPublicKeyRequest, ListDeliveriesRequest,
    ListSubscriptionsRequest, SendTestNotificationRequest, SubscribeRequest, UnsubscribeRequest,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::{
    error::{Error, Result},
    extract::{Caller, JsonBody, QueryParams, optional_count},
};

const SERVICE: &str = "notifier-service";

/// The browser's `PushSubscription.toJSON()`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeBody {
    endpoint: String,
    /// Browsers send it (usually `null`); push services tell us about expiry with 404/410.
    #[serde(default)]
    #[allow(dead_code)]
    expiration_time: Option<serde_json::Value>,
    keys: SubscriptionKeys,
}

#[derive(Debug, Deserialize)]
pub struct SubscriptionKeys {
    p256dh: String,
    auth: String,
}

#[derive(Debug, Deserialize)]
pub struct UnsubscribeBody {
    endpoint: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveriesQuery {
    alert_id: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyJson {
    public_key: String,
}

#[derive(Debug, Serialize)]
pub struct IdJson {
    id: String,
}

#[derive(Debug, Serialize)]
pub struct QueuedJson {
    queued: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionJson {
    id: String,
    endpoint: String,
    created_at: String,
}

#[derive(Debug, Serialize)]
pub struct SubscriptionsJson {
    subscriptions: Vec<SubscriptionJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryJson {
    id: String,
    alert_id: Option<String>,
    subscription_id: String,
    status: &'static str,
    attempts: u32,
    push_status_code: Option<u32>,
    error: Option<String>,
    title: String,
    created_at: String,
    updated_at: String,
    delivered_at: Option<String>,
}

impl From<Delivery> for DeliveryJson {
    fn from(delivery: Delivery) -> Self {
        let status = match delivery.status() {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Expired => "expired",
            DeliveryStatus::Unspecified => "unknown",
        };
        DeliveryJson {
            id: delivery.id,
            alert_id: non_empty(delivery.alert_id),
            subscription_id: delivery.subscription_id,
            status,
            attempts: delivery.attempts,
            push_status_code: (delivery.push_status_code != 0).then_some(delivery.push_status_code),
            error: non_empty(delivery.error),
            title: delivery.title,
            created_at: delivery.created_at,
            updated_at: delivery.updated_at,
            delivered_at: non_empty(delivery.delivered_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveriesJson {
    deliveries: Vec<DeliveryJson>,
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `GET /push/vapid-public-key` → `{publicKey}`, the browser's `applicationServerKey`.
pub async fn vapid_public_key(State(state): State<AppState>) -> Result<Json<PublicKeyJson>> {
    let response = state
        .push
        .clone()
        .get_vapid_public_key(GetVapidPublicKeyRequest {})
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok(Json(PublicKeyJson {
        public_key: response.into_inner().public_key,
    }))
}

/// `POST /push/subscribe` with the browser's subscription → 201 `{id}`.
pub async fn subscribe(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    JsonBody(body): JsonBody<SubscribeBody>,
) -> Result<(StatusCode, Json<IdJson>)> {
    let request = SubscribeRequest {
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
    };
    let response = state
        .push
        .clone()
        .subscribe(user_request(request, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok((
        StatusCode::CREATED,
        Json(IdJson {
            id: response.into_inner().id,
        }),
    ))
}

/// `POST /push/unsubscribe {endpoint}` → 204.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    JsonBody(body): JsonBody<UnsubscribeBody>,
) -> Result<StatusCode> {
    let request = user_request(
        UnsubscribeRequest {
            endpoint: body.endpoint,
        },
        &user_id,
    );
    state
        .push
        .clone()
        .unsubscribe(request)
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /push/subscriptions` → `{subscriptions}`.
pub async fn subscriptions(
    State(state): State<AppState>,
    Caller(user_id): Caller,
) -> Result<Json<SubscriptionsJson>> {
    let response = state
        .push
        .clone()
        .list_subscriptions(user_request(ListSubscriptionsRequest {}, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    let subscriptions = response
        .into_inner()
        .subscriptions
        .into_iter()
        .map(|subscription| SubscriptionJson {
            id: subscription.id,
            endpoint: subscription.endpoint,
            created_at: subscription.created_at,
        })
        .collect();
    Ok(Json(SubscriptionsJson { subscriptions }))
}

/// `POST /push/test` → 202 `{queued}`: one test notification per subscription.
pub async fn send_test(
    State(state): State<AppState>,
    Caller(user_id): Caller,
) -> Result<(StatusCode, Json<QueuedJson>)> {
    let response = state
        .push
        .clone()
        .send_test_notification(user_request(SendTestNotificationRequest {}, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(QueuedJson {
            queued: response.into_inner().queued,
        }),
    ))
}

/// `GET /deliveries?alertId=&limit=` → `{deliveries}`, newest first.
pub async fn deliveries(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    QueryParams(query): QueryParams<DeliveriesQuery>,
) -> Result<Json<DeliveriesJson>> {
    let request = ListDeliveriesRequest {
        alert_id: query.alert_id.unwrap_or_default(),
        limit: optional_count(query.limit.as_deref(), "limit")?,
    };
    let response = state
        .push
        .clone()
        .list_deliveries(user_request(request, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    let deliveries = response
        .into_inner()
        .deliveries
        .into_iter()
        .map(DeliveryJson::from)
        .collect();
    Ok(Json(DeliveriesJson { deliveries }))
}
