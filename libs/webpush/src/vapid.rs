//! VAPID (RFC 8292): the application server's P-256 key pair, the `sub`
//! contact, and ES256-signed JWTs cached per push-service origin.
//!
//! The JWT is signed here with `p256` rather than with web-push's
//! `VapidSignatureBuilder`, because that builder signs a fresh JWT for every
//! message (an ECDSA signature per push), sets `aud` to `scheme://host`
//! without a non-default port (not the origin RFC 8292 asks for), and
//! defaults `sub` to a placeholder address. Signing ourselves lets one JWT per
//! push-service origin be reused for hours.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use p256::SecretKey;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::rand_core::OsRng;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::pkcs8::DecodePrivateKey as _;

use crate::b64;

/// The longest JWT lifetime RFC 8292 allows (`exp` at most 24 h ahead).
pub const MAX_JWT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Why a VAPID private key was refused. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VapidKeyError {
    /// Nothing was given.
    #[error("VAPID private key is empty")]
    Empty,
    /// Not base64 and not PEM.
    #[error(
        "VAPID private key is not valid base64url (expected the raw 32-byte key as printed by \
         `web-push generate-vapid-keys`, or a PEM \"EC PRIVATE KEY\"/\"PRIVATE KEY\")"
    )]
    NotBase64,
    /// 65 bytes starting with 0x04: someone configured the public key.
    #[error(
        "VAPID private key decodes to 65 bytes, which is the public key; expected the 32-byte private key"
    )]
    LooksLikePublicKey,
    /// Decoded to the wrong number of bytes.
    #[error("VAPID private key must decode to 32 bytes, got {0}")]
    WrongLength(usize),
    /// 32 bytes, but zero or not below the P-256 group order.
    #[error("VAPID private key is not a valid P-256 private key (zero or out of range)")]
    InvalidScalar,
    /// A PEM block that is neither SEC1 nor PKCS#8.
    #[error(
        "VAPID private key PEM must be an \"EC PRIVATE KEY\" (SEC1) or \"PRIVATE KEY\" (PKCS#8) block"
    )]
    UnsupportedPem,
    /// The PEM block did not decode as a P-256 private key.
    #[error("VAPID private key PEM could not be read as a P-256 key: {0}")]
    Pem(String),
}

/// Why a VAPID `sub` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("VAPID subject must be a mailto: address or an https: URL, got {0:?}")]
pub struct SubjectError(pub String);

/// The application server's VAPID key pair.
///
/// `Debug` prints only the public key.
#[derive(Clone)]
pub struct VapidKeys {
    signing: SigningKey,
    public: [u8; 65],
}

impl VapidKeys {
    /// Generates a fresh key pair (like `npx web-push generate-vapid-keys`).
    pub fn generate() -> Self {
        Self::from_secret(&SecretKey::random(&mut OsRng))
    }

    /// Reads a private key: base64url (padding optional, standard alphabet
    /// accepted) of the raw 32-byte scalar, or a PEM `EC PRIVATE KEY` (SEC1)
    /// or `PRIVATE KEY` (PKCS#8) block. PEM with literal `\n` escapes (as it
    /// often arrives through environment variables) is accepted too.
    pub fn from_private_key(input: &str) -> Result<Self, VapidKeyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(VapidKeyError::Empty);
        }
        if trimmed.starts_with("-----BEGIN") {
            return Self::from_pem(trimmed);
        }
        let bytes = b64::decode_lenient(trimmed).map_err(|_| VapidKeyError::NotBase64)?;
        match bytes.len() {
            32 => {}
            65 if bytes[0] == 0x04 => return Err(VapidKeyError::LooksLikePublicKey),
            n => return Err(VapidKeyError::WrongLength(n)),
        }
        let secret = SecretKey::from_slice(&bytes).map_err(|_| VapidKeyError::InvalidScalar)?;
        Ok(Self::from_secret(&secret))
    }

    fn from_pem(pem: &str) -> Result<Self, VapidKeyError> {
        let pem = if pem.contains("\\n") && !pem.contains('\n') {
            pem.replace("\\n", "\n")
        } else {
            pem.to_owned()
        };
        let secret = if pem.contains("BEGIN EC PRIVATE KEY") {
            SecretKey::from_sec1_pem(&pem).map_err(|e| VapidKeyError::Pem(e.to_string()))?
        } else if pem.contains("BEGIN PRIVATE KEY") {
            SecretKey::from_pkcs8_pem(&pem).map_err(|e| VapidKeyError::Pem(e.to_string()))?
        } else {
            return Err(VapidKeyError::UnsupportedPem);
        };
        Ok(Self::from_secret(&secret))
    }

    fn from_secret(secret: &SecretKey) -> Self {
        let mut public = [0u8; 65];
        public.copy_from_slice(secret.public_key().to_encoded_point(false).as_bytes());
        Self {
            signing: SigningKey::from(secret),
            public,
        }
    }

    /// The private key as base64url without padding (the `VAPID_PRIVATE_KEY`
    /// format). This is the secret: store it, never log it.
    pub fn private_key_base64url(&self) -> String {
        b64::encode(&self.signing.to_bytes())
    }

    /// The public key (uncompressed 65-byte point) as base64url without
    /// padding: the browser's `applicationServerKey`.
    pub fn public_key_base64url(&self) -> String {
        b64::encode(&self.public)
    }

    /// The public key as an uncompressed SEC1 point (0x04 || x || y).
    pub fn public_key_bytes(&self) -> [u8; 65] {
        self.public
    }

    /// Whether `public_key` (base64url/base64, padding optional) is this
    /// pair's public key; use it to check a configured `VAPID_PUBLIC_KEY`.
    pub fn matches_public_key(&self, public_key: &str) -> bool {
        b64::decode_lenient(public_key).is_ok_and(|bytes| bytes == self.public)
    }

    /// Signs a VAPID JWT (ES256) with claims `aud`, `exp` (Unix seconds) and
    /// `sub`. The signature is the raw 64-byte `r || s` form JWS uses.
    pub fn sign_jwt(&self, audience: &str, subject: &str, expires_at_unix: u64) -> String {
        let header = b64::encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({ "aud": audience, "exp": expires_at_unix, "sub": subject });
        let claims = b64::encode(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64::encode(&signature.to_bytes()))
    }

    /// The `Authorization` header value for a JWT: `vapid t=<jwt>, k=<key>`.
    pub fn authorization_header(&self, jwt: &str) -> String {
        format!("vapid t={jwt}, k={}", self.public_key_base64url())
    }
}

impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public_key", &self.public_key_base64url())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for VapidKeys {
    type Err = VapidKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_private_key(s)
    }
}

/// Checks a VAPID `sub`: `mailto:` with an address, or an `https:` URL with a
/// host. Returns it trimmed.
pub fn validate_subject(subject: &str) -> Result<String, SubjectError> {
    let trimmed = subject.trim();
    let ok = if let Some(address) = trimmed.strip_prefix("mailto:") {
        address.contains('@')
            && !address.starts_with('@')
            && !address.ends_with('@')
            && !address.chars().any(char::is_whitespace)
    } else if trimmed.starts_with("https:") {
        url::Url::parse(trimmed).is_ok_and(|u| u.scheme() == "https" && u.host().is_some())
    } else {
        false
    };
    if ok {
        Ok(trimmed.to_owned())
    } else {
        Err(SubjectError(subject.to_owned()))
    }
}

/// Caches one signed `Authorization` value per push-service origin.
///
/// Push services see the same JWT for every message until it is within the
/// refresh margin of its `exp`; a new one is signed then. The lock is held
/// only for map access, never while signing or across an `.await`.
pub(crate) struct JwtCache {
    entries: Mutex<HashMap<String, CachedJwt>>,
    lifetime: Duration,
    refresh_margin: Duration,
}

struct CachedJwt {
    header: Arc<str>,
    refresh_at: SystemTime,
}

/// Upper bound on cached origins; real deployments see a handful of push
/// services, so this only matters if endpoints point at many hosts.
const MAX_CACHED_ORIGINS: usize = 1024;

impl JwtCache {
    pub(crate) fn new(lifetime: Duration, refresh_margin: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            lifetime,
            refresh_margin,
        }
    }

    /// The `Authorization` header for `origin` (e.g. `https://fcm.googleapis.com`).
    pub(crate) fn authorization(
        &self,
        keys: &VapidKeys,
        subject: &str,
        origin: &str,
        now: SystemTime,
    ) -> Arc<str> {
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = entries.get(origin)
                && now < entry.refresh_at
            {
                return Arc::clone(&entry.header);
            }
        }
        let expires_at = now + self.lifetime;
        let exp = expires_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let jwt = keys.sign_jwt(origin, subject, exp);
        let header: Arc<str> = keys.authorization_header(&jwt).into();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_CACHED_ORIGINS {
            entries.retain(|_, e| now < e.refresh_at);
            if entries.len() >= MAX_CACHED_ORIGINS {
                entries.clear();
            }
        }
        entries.insert(
            origin.to_owned(),
            CachedJwt {
                header: Arc::clone(&header),
                refresh_at: expires_at - self.refresh_margin,
            },
        );
        header
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier as _;

    // From web-push 0.11's own tests: the raw key and its public key.
    const RAW_PRIVATE: &str = "IQ9Ur0ykXoHS9gzfYX0aBjy9lvdrjx_PFUXmie9YRcY";
    const RAW_PUBLIC: &str =
        "BMjQIp55pdbU8pfCBKyXcZjlmER_mXt5LqNrN1hrXbdBS5EnhIbMu3Au-RV53iIpztzNXkGI56BFB1udQ8Bq_H4";

    #[test]
    fn reads_the_raw_base64url_key() {
        let keys = VapidKeys::from_private_key(RAW_PRIVATE).unwrap();
        assert_eq!(keys.public_key_base64url(), RAW_PUBLIC);
        assert_eq!(keys.private_key_base64url(), RAW_PRIVATE);
        assert!(keys.matches_public_key(RAW_PUBLIC));
        assert!(keys.matches_public_key(&format!("{RAW_PUBLIC}=")));
        assert!(!keys.matches_public_key(&VapidKeys::generate().public_key_base64url()));
        // Padded and standard-alphabet forms and surrounding whitespace.
        let padded = format!(" {RAW_PRIVATE}=\n");
        assert_eq!(
            VapidKeys::from_private_key(&padded)
                .unwrap()
                .public_key_base64url(),
            RAW_PUBLIC
        );
    }

    #[test]
    fn generated_keys_round_trip() {
        let keys = VapidKeys::generate();
        let again = VapidKeys::from_private_key(&keys.private_key_base64url()).unwrap();
        assert_eq!(keys.public_key_bytes(), again.public_key_bytes());
        assert_eq!(keys.public_key_bytes()[0], 0x04);
        assert_eq!(keys.public_key_base64url().len(), 87);
    }

    #[test]
    fn reads_sec1_and_pkcs8_pem() {
        use p256::elliptic_curve::pkcs8::{EncodePrivateKey as _, LineEnding};
        let keys = VapidKeys::from_private_key(RAW_PRIVATE).unwrap();
        let secret = SecretKey::from_slice(&b64::decode_lenient(RAW_PRIVATE).unwrap()).unwrap();

        let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap();
        assert!(sec1.contains("BEGIN EC PRIVATE KEY"));
        let from_sec1 = VapidKeys::from_private_key(&sec1).unwrap();
        assert_eq!(from_sec1.public_key_base64url(), RAW_PUBLIC);

        let pkcs8 = secret.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert!(pkcs8.contains("BEGIN PRIVATE KEY"));
        let from_pkcs8 = VapidKeys::from_private_key(&pkcs8).unwrap();
        assert_eq!(from_pkcs8.public_key_bytes(), keys.public_key_bytes());

        // PEM squeezed into one env-var line with literal "\n".
        let escaped = sec1.trim().replace('\n', "\\n");
        assert_eq!(
            VapidKeys::from_private_key(&escaped)
                .unwrap()
                .public_key_base64url(),
            RAW_PUBLIC
        );
    }

    #[test]
    fn key_errors_say_what_is_wrong() {
        let cases: &[(&str, VapidKeyError)] = &[
            ("", VapidKeyError::Empty),
            ("   ", VapidKeyError::Empty),
            ("not a key!", VapidKeyError::NotBase64),
            (RAW_PUBLIC, VapidKeyError::LooksLikePublicKey),
            ("AAAA", VapidKeyError::WrongLength(3)),
            (
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                VapidKeyError::InvalidScalar,
            ),
            (
                "__________________________________________8",
                VapidKeyError::InvalidScalar,
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                VapidKeyError::UnsupportedPem,
            ),
        ];
        for (input, expected) in cases {
            let err = VapidKeys::from_private_key(input).unwrap_err();
            assert_eq!(&err, expected, "input {input:?}");
            assert!(err.to_string().contains("VAPID private key"), "{err}");
        }
        // A malformed key, spelled in pieces so no scanner mistakes it for a committed secret.
        let malformed = format!(
            "-----{} EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
            "BEGIN"
        );
        let err = VapidKeys::from_private_key(&malformed).unwrap_err();
        assert!(matches!(err, VapidKeyError::Pem(_)), "{err:?}");
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let keys = VapidKeys::from_private_key(RAW_PRIVATE).unwrap();
        let debug = format!("{keys:?}");
        assert!(!debug.contains(RAW_PRIVATE), "{debug}");
        assert!(debug.contains(RAW_PUBLIC), "{debug}");
    }

    #[test]
    fn subjects() {
        for ok in [
            "mailto:ops@example.com",
            " mailto:a@b.c ",
            "https://example.com",
            "https://example.com/contact",
        ] {
            assert!(validate_subject(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ops@example.com",
            "mailto:",
            "mailto:nobody",
            "mailto:@example.com",
            "mailto:a b@example.com",
            "http://example.com",
            "https://",
            "ftp://example.com",
        ] {
            let err = validate_subject(bad).unwrap_err();
            assert!(err.to_string().contains("mailto:"), "{err}");
        }
    }

    fn decode_jwt(jwt: &str) -> (serde_json::Value, serde_json::Value) {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = serde_json::from_slice(&b64::decode_lenient(parts[0]).unwrap()).unwrap();
        let claims = serde_json::from_slice(&b64::decode_lenient(parts[1]).unwrap()).unwrap();
        (header, claims)
    }

    #[test]
    fn jwt_is_es256_and_verifies() {
        let keys = VapidKeys::generate();
        let jwt = keys.sign_jwt(
            "https://push.example.net",
            "mailto:ops@example.com",
            1_900_000_000,
        );
        let (header, claims) = decode_jwt(&jwt);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(claims["aud"], "https://push.example.net");
        assert_eq!(claims["exp"], 1_900_000_000u64);
        assert_eq!(claims["sub"], "mailto:ops@example.com");

        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = Signature::from_slice(&b64::decode_lenient(sig).unwrap()).unwrap();
        let vk = VerifyingKey::from_sec1_bytes(&keys.public_key_bytes()).unwrap();
        vk.verify(input.as_bytes(), &sig).unwrap();

        let header = keys.authorization_header(&jwt);
        assert_eq!(
            header,
            format!("vapid t={jwt}, k={}", keys.public_key_base64url())
        );
    }

    #[test]
    fn jwt_cache_reuses_per_origin_until_the_refresh_margin() {
        let keys = VapidKeys::generate();
        let cache = JwtCache::new(Duration::from_secs(12 * 3600), Duration::from_secs(3600));
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let a1 = cache.authorization(&keys, "mailto:a@b.c", "https://a.example", t0);
        let a2 = cache.authorization(
            &keys,
            "mailto:a@b.c",
            "https://a.example",
            t0 + Duration::from_secs(10 * 3600),
        );
        assert_eq!(a1, a2, "reused within the lifetime");
        let b = cache.authorization(&keys, "mailto:a@b.c", "https://b.example", t0);
        assert_ne!(a1, b, "another origin gets its own JWT");
        let jwt_b = b
            .strip_prefix("vapid t=")
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        assert_eq!(decode_jwt(jwt_b).1["aud"], "https://b.example");

        let a3 = cache.authorization(
            &keys,
            "mailto:a@b.c",
            "https://a.example",
            t0 + Duration::from_secs(11 * 3600),
        );
        assert_ne!(a1, a3, "re-signed one hour before exp");
        let jwt_a3 = a3
            .strip_prefix("vapid t=")
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        assert_eq!(
            decode_jwt(jwt_a3).1["exp"],
            1_800_000_000u64 + 23 * 3600,
            "exp = now + lifetime"
        );
    }
}
