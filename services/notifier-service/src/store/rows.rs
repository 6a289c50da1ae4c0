//! Decoding rows into domain types.

use alert_platform::timestamp::from_millis;
use sqlx::{Row, any::AnyRow};

use crate::domain::{
    Delivery, DeliveryId, DeliveryJob, DeliveryStatus, Subscription, SubscriptionId, UserId,
    urgency_from_name,
};

pub(super) const SUBSCRIPTION_COLUMNS: &str = "id, user_id, endpoint, p256dh, auth, created_at";

pub(super) fn subscription(row: &AnyRow) -> Result<Subscription, sqlx::Error> {
    Ok(Subscription {
        id: SubscriptionId::from(row.try_get::<String, _>("id")?),
        user_id: UserId::from_stored(row.try_get("user_id")?),
        endpoint: row.try_get("endpoint")?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

pub(super) const DELIVERY_COLUMNS: &str = "id, alert_id, subscription_id, status, attempts, push_status_code, \
     error, title, created_at, updated_at, delivered_at";

pub(super) fn delivery(row: &AnyRow) -> Result<Delivery, sqlx::Error> {
    Ok(Delivery {
        id: DeliveryId::from(row.try_get::<String, _>("id")?),
        alert_id: row.try_get("alert_id")?,
        subscription_id: SubscriptionId::from(row.try_get::<String, _>("subscription_id")?),
        status: status(row)?,
        attempts: count(row.try_get("attempts")?),
        push_status_code: row
            .try_get::<Option<i64>, _>("push_status_code")?
            .and_then(|c| u16::try_from(c).ok()),
        error: row.try_get("error")?,
        title: row.try_get("title")?,
        created_at: from_millis(row.try_get("created_at")?),
        updated_at: from_millis(row.try_get("updated_at")?),
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")?
            .map(from_millis),
    })
}

/// The columns [`delivery_job`] reads: the delivery's, and its subscription's prefixed `s_`.
pub(super) const JOB_SELECT: &str = "SELECT d.id, d.user_id, d.status, d.attempts, d.payload, d.ttl_seconds, \
     d.urgency, d.alert_id, d.next_attempt_at, s.id AS s_id, s.user_id AS s_user_id, s.endpoint AS s_endpoint, \
     s.p256dh AS s_p256dh, s.auth AS s_auth, s.created_at AS s_created_at \
     FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id AND s.user_id = d.user_id";

pub(super) fn delivery_job(row: &AnyRow) -> Result<DeliveryJob, sqlx::Error> {
    let subscription = match row.try_get::<Option<String>, _>("s_id")? {
        None => None,
        Some(id) => Some(Subscription {
            id: SubscriptionId::from(id),
            user_id: UserId::from_stored(row.try_get("s_user_id")?),
            endpoint: row.try_get("s_endpoint")?,
            p256dh: row.try_get("s_p256dh")?,
            auth: row.try_get("s_auth")?,
            created_at: from_millis(row.try_get("s_created_at")?),
        }),
    };
    Ok(DeliveryJob {
        id: DeliveryId::from(row.try_get::<String, _>("id")?),
        user_id: UserId::from_stored(row.try_get("user_id")?),
        status: status(row)?,
        attempts: count(row.try_get("attempts")?),
        payload: row.try_get("payload")?,
        ttl_seconds: u32::try_from(row.try_get::<i64, _>("ttl_seconds")?).unwrap_or(u32::MAX),
        urgency: urgency_from_name(&row.try_get::<String, _>("urgency")?),
        alert_id: row.try_get("alert_id")?,
        next_attempt_at: from_millis(row.try_get("next_attempt_at")?),
        subscription,
    })
}

fn status(row: &AnyRow) -> Result<DeliveryStatus, sqlx::Error> {
    let name: String = row.try_get("status")?;
    DeliveryStatus::from_stored(&name)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown delivery status {name:?}").into()))
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}
