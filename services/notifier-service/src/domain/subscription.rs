//! A browser's push subscription.

use alert_webpush::{
    EndpointPolicy, SubscriptionKeys, validate_endpoint, validate_endpoint_without_dns,
};
use chrono::{DateTime, Utc};

use super::{SubscriptionId, UserId};
use crate::error::Error;

/// A subscription as the browser gave it, checked: the endpoint passed the SSRF guard and the
/// keys are a P-256 point and a 16-byte secret.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    endpoint: String,
    keys: SubscriptionKeys,
}

impl NewSubscription {
    /// Checks a `PushSubscription.toJSON()`. Resolves the endpoint's host name, so an endpoint
    /// whose name points at a private address is refused now rather than at send time.
    pub async fn parse(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        policy: &EndpointPolicy,
    ) -> Result<Self, Error> {
        if endpoint.trim().is_empty() {
            return Err(Error::MissingField("endpoint"));
        }
        if p256dh.trim().is_empty() {
            return Err(Error::MissingField("p256dh"));
        }
        if auth.trim().is_empty() {
            return Err(Error::MissingField("auth"));
        }
        let url = validate_endpoint(endpoint, policy)
            .await
            .map_err(Error::InvalidEndpoint)?;
        let keys =
            SubscriptionKeys::parse(p256dh.trim(), auth.trim()).map_err(Error::InvalidKeys)?;
        Ok(NewSubscription {
            endpoint: url.to_string(),
            keys,
        })
    }

    /// The endpoint in its normalised URL form, the key subscriptions are unique on.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The browser's public key, canonical base64url.
    pub fn p256dh(&self) -> String {
        self.keys.p256dh_base64url()
    }

    /// The authentication secret, canonical base64url.
    pub fn auth(&self) -> String {
        self.keys.auth_base64url()
    }
}

/// The form a stored endpoint has, for looking one up (Unsubscribe): the normalised URL when it
/// parses, else the trimmed text, which then matches nothing stored.
pub fn normalize_endpoint(endpoint: &str, policy: &EndpointPolicy) -> String {
    match validate_endpoint_without_dns(endpoint, policy) {
        Ok(url) => url.to_string(),
        Err(_) => endpoint.trim().to_owned(),
    }
}

/// A stored subscription.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub user_id: UserId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("endpoint", &self.endpoint)
            .field("auth", &"<redacted>")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Where and how to encrypt a push for this browser.
    pub fn push_target(&self) -> alert_webpush::PushTarget {
        alert_webpush::PushTarget {
            endpoint: self.endpoint.clone(),
            p256dh: self.p256dh.clone(),
            auth: self.auth.clone(),
        }
    }
}
