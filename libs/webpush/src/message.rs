//! What to send and what came back: [`PushTarget`], [`PushOptions`],
//! [`Urgency`], [`PushResponse`].

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where to send: a browser `PushSubscription` (endpoint and keys).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushTarget {
    /// The push service URL the browser gave.
    pub endpoint: String,
    /// The user agent's P-256 public key (base64url).
    pub p256dh: String,
    /// The 16-byte authentication secret (base64url).
    pub auth: String,
}

impl fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushTarget")
            .field("endpoint", &self.endpoint)
            .field("p256dh", &self.p256dh)
            .field("auth", &"<redacted>")
            .finish()
    }
}

/// The `Urgency` header (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// `very-low`: on power and Wi-Fi only.
    VeryLow,
    /// `low`: on power or Wi-Fi.
    Low,
    /// `normal`: neither power nor Wi-Fi required.
    #[default]
    Normal,
    /// `high`: even on low battery.
    High,
}

impl Urgency {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }

    pub(crate) fn to_web_push(self) -> web_push::Urgency {
        match self {
            Urgency::VeryLow => web_push::Urgency::VeryLow,
            Urgency::Low => web_push::Urgency::Low,
            Urgency::Normal => web_push::Urgency::Normal,
            Urgency::High => web_push::Urgency::High,
        }
    }
}

/// Delivery options for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOptions {
    /// `TTL`: how long the push service keeps the message for an offline
    /// browser (seconds; 0 = deliver now or drop).
    pub ttl_seconds: u32,
    /// `Urgency`.
    pub urgency: Urgency,
    /// `Topic`: a newer message with the same topic replaces a stored one.
    /// Sanitised with [`sanitize_topic`](crate::sanitize_topic).
    pub topic: Option<String>,
}

impl Default for PushOptions {
    /// One day TTL, normal urgency, no topic.
    fn default() -> Self {
        Self {
            ttl_seconds: 24 * 3600,
            urgency: Urgency::Normal,
            topic: None,
        }
    }
}

/// What the push service answered. Non-2xx statuses are answers, not
/// errors: see [`PushResponse::is_gone`] and [`PushResponse::is_retryable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResponse {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After` (seconds or HTTP-date), if the service sent one.
    pub retry_after: Option<Duration>,
    /// Up to 200 characters of the response body (lossy UTF-8).
    pub body_excerpt: String,
}

impl PushResponse {
    /// 2xx: the push service accepted the message.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// 404 or 410: the subscription is gone; delete it.
    pub fn is_gone(&self) -> bool {
        matches!(self.status, 404 | 410)
    }

    /// 408, 429 or 5xx: try again later (honour `retry_after`).
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 408 | 429 | 500..=599)
    }
}
