//! What a browser generates when it subscribes: a P-256 key pair and a
//! 16-byte auth secret (RFC 8291 §2), plus the push service's endpoint.

use alert_webpush::b64;
use p256::SecretKey;
use p256::elliptic_curve::rand_core::{OsRng, RngCore as _};
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use serde::{Deserialize, Serialize};

/// A browser's `PushSubscription` as the application server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserSubscription {
    /// The unique push endpoint, e.g. `http://127.0.0.1:41234/push/<uuid>`.
    pub endpoint: String,
    /// The user agent's public key, uncompressed point, base64url.
    pub p256dh: String,
    /// The auth secret, base64url.
    pub auth: String,
}

impl BrowserSubscription {
    /// `PushSubscription.toJSON()`:
    /// `{"endpoint", "expirationTime": null, "keys": {"p256dh", "auth"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.p256dh, "auth": self.auth },
        })
    }
}

/// The browser's private half, kept by the receiver to decrypt.
#[derive(Clone)]
pub(crate) struct BrowserKeys {
    pub(crate) secret: SecretKey,
    pub(crate) public: [u8; 65],
    pub(crate) auth: [u8; 16],
}

impl BrowserKeys {
    pub(crate) fn generate() -> Self {
        let secret = SecretKey::random(&mut OsRng);
        let mut public = [0u8; 65];
        public.copy_from_slice(secret.public_key().to_encoded_point(false).as_bytes());
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        Self {
            secret,
            public,
            auth,
        }
    }

    pub(crate) fn subscription(&self, endpoint: String) -> BrowserSubscription {
        BrowserSubscription {
            endpoint,
            p256dh: b64::encode(&self.public),
            auth: b64::encode(&self.auth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_look_like_a_browsers() {
        let keys = BrowserKeys::generate();
        let sub = keys.subscription("http://127.0.0.1:1/push/x".into());
        assert_eq!(sub.p256dh.len(), 87);
        assert_eq!(sub.auth.len(), 22);
        assert_eq!(b64::decode_lenient(&sub.p256dh).unwrap()[0], 0x04);
        let json = sub.to_json();
        assert_eq!(json["endpoint"], "http://127.0.0.1:1/push/x");
        assert_eq!(json["keys"]["p256dh"], sub.p256dh.as_str());
        assert_eq!(json["keys"]["auth"], sub.auth.as_str());
        assert_ne!(BrowserKeys::generate().auth, keys.auth);
    }
}
