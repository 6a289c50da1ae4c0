//! What to tell a user: the message, its delivery options, and the payload the service worker
//! reads.

use alert_proto::v1::{NotificationMessage, NotifyRequest, Urgency as ProtoUrgency};
use alert_webpush::{MAX_PAYLOAD_BYTES, Urgency};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use super::{DeliveryId, UserId};
use crate::error::Error;

/// TTL when the caller gives none: a day, like the push services' own default.
const DEFAULT_TTL_SECONDS: u32 = 24 * 3600;

/// The message `SendTestNotification` sends.
pub const TEST_NOTIFICATION: (&str, &str) = (
    "Test notification",
    "Push notifications work on this browser.",
);

/// The TTL a request asks for, 0 meaning the default.
pub fn default_ttl_seconds(requested: u32) -> u32 {
    if requested == 0 {
        DEFAULT_TTL_SECONDS
    } else {
        requested
    }
}

/// The `Topic` for pushes of one alert: a short hash of its id, so a newer message of the alert
/// replaces an older one the push service still holds for an offline browser.
pub fn topic_for_alert(alert_id: &str) -> String {
    let digest = Sha256::digest(alert_id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12])
}

/// The text of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub title: String,
    pub body: String,
    pub url: String,
    pub tag: String,
}

impl Notification {
    fn parse(message: Option<NotificationMessage>) -> Result<Self, Error> {
        let message = message.ok_or(Error::MissingField("message"))?;
        if message.title.trim().is_empty() {
            return Err(Error::MissingField("message.title"));
        }
        Ok(Notification {
            title: message.title,
            body: message.body,
            url: message.url,
            tag: message.tag,
        })
    }
}

/// Makes deliveries of one notification idempotent: one delivery per (dedupe key, subscription).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupeKey(String);

impl DedupeKey {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Error::MissingField("dedupe_key"));
        }
        Ok(DedupeKey(trimmed.to_owned()))
    }

    /// A fresh key for a one-off notification.
    pub fn unique(prefix: &str) -> Self {
        DedupeKey(format!("{prefix}:{}", uuid::Uuid::new_v4()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A checked `Notify`: whom to tell, what, and how urgently.
#[derive(Debug, Clone)]
pub struct NotifyCommand {
    pub user_id: UserId,
    pub notification: Notification,
    pub dedupe_key: DedupeKey,
    pub alert_id: Option<String>,
    pub ttl_seconds: u32,
    pub urgency: Urgency,
}

impl TryFrom<NotifyRequest> for NotifyCommand {
    type Error = Error;

    fn try_from(request: NotifyRequest) -> Result<Self, Error> {
        let user_id = UserId::parse(&request.user_id, "user_id")?;
        let dedupe_key = DedupeKey::parse(&request.dedupe_key)?;
        let notification = Notification::parse(request.message)?;
        let urgency = match ProtoUrgency::try_from(request.urgency) {
            Ok(ProtoUrgency::VeryLow) => Urgency::VeryLow,
            Ok(ProtoUrgency::Low) => Urgency::Low,
            Ok(ProtoUrgency::Unspecified | ProtoUrgency::Normal) => Urgency::Normal,
            Ok(ProtoUrgency::High) => Urgency::High,
            Err(_) => return Err(Error::UnknownUrgency(request.urgency)),
        };
        let alert_id = Some(request.alert_id.trim().to_owned()).filter(|id| !id.is_empty());
        let command = NotifyCommand {
            user_id,
            notification,
            dedupe_key,
            alert_id,
            ttl_seconds: default_ttl_seconds(request.ttl_seconds),
            urgency,
        };
        command.check_payload_size()?;
        Ok(command)
    }
}

impl NotifyCommand {
    /// The JSON the service worker reads for one delivery:
    /// `{"title","body","url","tag","alertId","deliveryId"}`.
    pub fn payload(&self, delivery_id: &DeliveryId) -> String {
        let tag = match (&self.notification.tag, &self.alert_id) {
            (tag, Some(alert_id)) if tag.is_empty() => alert_id.as_str(),
            (tag, _) => tag.as_str(),
        };
        serde_json::json!({
            "title": self.notification.title,
            "body": self.notification.body,
            "url": self.notification.url,
            "tag": tag,
            "alertId": self.alert_id,
            "deliveryId": delivery_id.as_str(),
        })
        .to_string()
    }

    /// Refuses a message whose payload would not fit in one push, before anything is queued.
    /// Delivery ids are UUIDs, so one generated id gives the size of every payload.
    fn check_payload_size(&self) -> Result<(), Error> {
        let size = self.payload(&DeliveryId::generate()).len();
        if size > MAX_PAYLOAD_BYTES {
            return Err(Error::MessageTooLarge {
                size,
                limit: MAX_PAYLOAD_BYTES,
            });
        }
        Ok(())
    }

    /// Stored form of the urgency.
    pub fn urgency_name(&self) -> &'static str {
        self.urgency.as_str()
    }
}

/// Reads back a stored urgency; anything unknown is `normal`.
pub fn urgency_from_name(name: &str) -> Urgency {
    match name {
        "very-low" => Urgency::VeryLow,
        "low" => Urgency::Low,
        "high" => Urgency::High,
        _ => Urgency::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(title: &str, body: &str) -> NotifyRequest {
        NotifyRequest {
            user_id: "u-1".into(),
            message: Some(NotificationMessage {
                title: title.into(),
                body: body.into(),
                url: "/a".into(),
                tag: String::new(),
            }),
            dedupe_key: "k".into(),
            alert_id: "alert-1".into(),
            ttl_seconds: 0,
            urgency: 0,
        }
    }

    #[test]
    fn the_payload_is_the_json_the_service_worker_reads() {
        let command = NotifyCommand::try_from(request("Hi", "there")).unwrap();
        let id = DeliveryId::from("d-1".to_owned());
        let payload: serde_json::Value = serde_json::from_str(&command.payload(&id)).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({"title": "Hi", "body": "there", "url": "/a", "tag": "alert-1", "alertId": "alert-1", "deliveryId": "d-1"})
        );
        assert_eq!(command.ttl_seconds, 24 * 3600);
        assert_eq!(command.urgency, Urgency::Normal);
    }

    #[test]
    fn a_message_too_large_for_one_push_is_refused_with_its_size() {
        let error =
            NotifyCommand::try_from(request("Hi", &"x".repeat(MAX_PAYLOAD_BYTES))).unwrap_err();
        assert!(
            matches!(error, Error::MessageTooLarge { size, .. } if size > MAX_PAYLOAD_BYTES),
            "{error:?}"
        );
        assert!(
            error.to_string().contains(&MAX_PAYLOAD_BYTES.to_string()),
            "{error}"
        );
    }

    #[test]
    fn topics_are_short_and_stable_per_alert() {
        let topic = topic_for_alert("0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f");
        assert_eq!(topic.len(), 16);
        assert_eq!(
            topic,
            topic_for_alert("0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f")
        );
        assert_ne!(topic, topic_for_alert("another"));
    }
}
