//! A browser subscription's encryption keys (`p256dh`, `auth`).

use std::fmt;

use p256::PublicKey;

use crate::b64;

/// Why subscription keys were refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionKeyError {
    /// The `p256dh` key is not an uncompressed P-256 point.
    #[error("p256dh: {0}")]
    P256dh(String),
    /// The `auth` secret is not 16 bytes.
    #[error("auth: {0}")]
    Auth(String),
}

/// A subscription's user-agent public key and authentication secret,
/// validated. `Debug` redacts the auth secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SubscriptionKeys {
    p256dh: [u8; 65],
    auth: [u8; 16],
}

impl SubscriptionKeys {
    /// Parses the `keys` of a `PushSubscription`: `p256dh` must be an
    /// uncompressed P-256 point (65 bytes) and `auth` 16 bytes, each
    /// base64url with or without padding (standard base64 accepted too).
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, SubscriptionKeyError> {
        let point = b64::decode_lenient(p256dh)
            .map_err(|_| SubscriptionKeyError::P256dh("is not valid base64url".into()))?;
        if point.len() != 65 || point[0] != 0x04 {
            return Err(SubscriptionKeyError::P256dh(format!(
                "must be an uncompressed P-256 point (65 bytes starting with 0x04), got {} bytes",
                point.len()
            )));
        }
        PublicKey::from_sec1_bytes(&point).map_err(|_| {
            SubscriptionKeyError::P256dh("is not a point on the P-256 curve".into())
        })?;
        let secret = b64::decode_lenient(auth)
            .map_err(|_| SubscriptionKeyError::Auth("is not valid base64url".into()))?;
        let auth: [u8; 16] = secret.as_slice().try_into().map_err(|_| {
            SubscriptionKeyError::Auth(format!("must be 16 bytes, got {}", secret.len()))
        })?;
        let mut p256dh = [0u8; 65];
        p256dh.copy_from_slice(&point);
        Ok(Self { p256dh, auth })
    }

    /// The user agent's public key (uncompressed point).
    pub fn p256dh(&self) -> &[u8; 65] {
        &self.p256dh
    }

    /// The authentication secret.
    pub fn auth(&self) -> &[u8; 16] {
        &self.auth
    }

    /// `p256dh` as canonical base64url without padding.
    pub fn p256dh_base64url(&self) -> String {
        b64::encode(&self.p256dh)
    }

    /// `auth` as canonical base64url without padding.
    pub fn auth_base64url(&self) -> String {
        b64::encode(&self.auth)
    }
}

impl fmt::Debug for SubscriptionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriptionKeys")
            .field("p256dh", &self.p256dh_base64url())
            .field("auth", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8291 appendix A.
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    #[test]
    fn parses_browser_keys_in_all_encodings() {
        let keys = SubscriptionKeys::parse(UA_PUBLIC, AUTH).unwrap();
        assert_eq!(keys.p256dh_base64url(), UA_PUBLIC);
        assert_eq!(keys.auth_base64url(), AUTH);

        let padded =
            SubscriptionKeys::parse(&format!("{UA_PUBLIC}="), &format!("{AUTH}==")).unwrap();
        assert_eq!(padded, keys);

        let standard = UA_PUBLIC.replace('-', "+").replace('_', "/");
        let standard_auth = AUTH.replace('_', "/");
        assert_eq!(
            SubscriptionKeys::parse(&format!("{standard}="), &format!("{standard_auth}=="))
                .unwrap(),
            keys
        );
    }

    #[test]
    fn errors_name_the_field() {
        let compressed = b64::encode(&[0x02; 33]);
        let off_curve = b64::encode(&{
            let mut p = [0x01u8; 65];
            p[0] = 0x04;
            p
        });
        let cases = [
            ("!!!", AUTH, "p256dh: is not valid base64url"),
            ("", AUTH, "p256dh: must be an uncompressed P-256 point"),
            (compressed.as_str(), AUTH, "p256dh: must be an uncompressed"),
            (
                off_curve.as_str(),
                AUTH,
                "p256dh: is not a point on the P-256 curve",
            ),
            (UA_PUBLIC, "***", "auth: is not valid base64url"),
            (UA_PUBLIC, "", "auth: must be 16 bytes, got 0"),
            (
                UA_PUBLIC,
                "AAAAAAAAAAAAAAAAAAAAAAAA",
                "auth: must be 16 bytes, got 18",
            ),
        ];
        for (p256dh, auth, expected) in cases {
            let err = SubscriptionKeys::parse(p256dh, auth).unwrap_err();
            assert!(
                err.to_string().starts_with(expected),
                "{p256dh:?}/{auth:?}: {err}"
            );
        }
    }

    #[test]
    fn debug_redacts_auth() {
        let keys = SubscriptionKeys::parse(UA_PUBLIC, AUTH).unwrap();
        assert!(!format!("{keys:?}").contains(AUTH));
    }
}
