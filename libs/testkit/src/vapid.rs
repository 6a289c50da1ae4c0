//! VAPID verification as a push service does it (RFC 8292):
//! `Authorization: vapid t=<jwt>, k=<public key>`. Only base64 comes from alert-webpush; the
//! JWT and signature checks are this crate's own, so they do not share the sender's mistakes.

use alert_webpush::b64;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

/// Most seconds `exp` may lie ahead (RFC 8292 §2).
pub const MAX_EXP_AHEAD_SECS: u64 = 24 * 3600;

/// A verified VAPID header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidClaims {
    /// The JWT as sent (`t=`).
    pub jwt: String,
    /// The public key as sent (`k=`).
    pub key: String,
    /// `aud`.
    pub aud: String,
    /// `exp` (Unix seconds).
    pub exp: u64,
    /// `sub`.
    pub sub: String,
}

/// Why the header was refused: 401 (bad credentials) or 403 (valid, but
/// not the key the subscription was created with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidFailure {
    /// HTTP status to answer.
    pub status: u16,
    /// What is wrong.
    pub reason: String,
}

fn unauthorized<T>(reason: impl Into<String>) -> Result<T, VapidFailure> {
    Err(VapidFailure {
        status: 401,
        reason: reason.into(),
    })
}

/// Verifies an `Authorization` header value: scheme `vapid`, JWT header
/// `alg: ES256`, signature (raw `r||s`) valid under `k`, `aud == audience`,
/// `now < exp <= now + 24 h`, `sub` a `mailto:` or `https:` URI, and, if
/// given, `k` equal to `expected_key` (uncompressed point bytes).
pub fn verify_vapid(
    authorization: Option<&str>,
    audience: &str,
    expected_key: Option<&[u8]>,
    now_unix: u64,
) -> Result<VapidClaims, VapidFailure> {
    let Some(header) = authorization else {
        return unauthorized("missing Authorization header");
    };
    let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if !scheme.eq_ignore_ascii_case("vapid") {
        return unauthorized(format!(
            "Authorization scheme must be \"vapid\" (RFC 8292), got {scheme:?}"
        ));
    }
    let (mut t, mut k) = (None, None);
    for param in params.split(',') {
        let Some((name, value)) = param.trim().split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "t" => t = Some(value),
            "k" => k = Some(value),
            _ => {}
        }
    }
    let Some(jwt) = t else {
        return unauthorized("vapid Authorization has no t= (JWT)");
    };
    let Some(key_text) = k else {
        return unauthorized("vapid Authorization has no k= (public key)");
    };

    let key_bytes = match b64::decode_lenient(key_text).ok() {
        Some(bytes) if bytes.len() == 65 && bytes[0] == 0x04 => bytes,
        _ => return unauthorized("k is not a base64url uncompressed P-256 public key"),
    };
    let Ok(key) = VerifyingKey::from_sec1_bytes(&key_bytes) else {
        return unauthorized("k is not a point on the P-256 curve");
    };

    let parts: Vec<&str> = jwt.split('.').collect();
    let [header_b64, claims_b64, signature_b64] = parts.as_slice() else {
        return unauthorized("JWT must have three dot-separated parts");
    };
    let Some(jwt_header) = decode_json(header_b64) else {
        return unauthorized("JWT header is not base64url JSON");
    };
    if jwt_header.get("alg").and_then(|v| v.as_str()) != Some("ES256") {
        return unauthorized(format!("JWT alg must be ES256, got {}", jwt_header["alg"]));
    }
    let signature = match b64::decode_lenient(signature_b64).ok() {
        Some(bytes) if bytes.len() == 64 => Signature::from_slice(&bytes).ok(),
        _ => None,
    };
    let Some(signature) = signature else {
        return unauthorized("JWT signature must be 64 bytes (raw r||s)");
    };
    let signing_input = format!("{header_b64}.{claims_b64}");
    if key.verify(signing_input.as_bytes(), &signature).is_err() {
        return unauthorized("JWT signature does not verify under k");
    }

    let Some(claims) = decode_json(claims_b64) else {
        return unauthorized("JWT claims are not base64url JSON");
    };
    let Some(aud) = claims.get("aud").and_then(|v| v.as_str()) else {
        return unauthorized("JWT has no aud claim");
    };
    if aud != audience {
        return unauthorized(format!(
            "JWT aud {aud:?} is not the push service origin {audience:?}"
        ));
    }
    let Some(exp) = claims.get("exp").and_then(|v| v.as_u64()) else {
        return unauthorized("JWT has no numeric exp claim");
    };
    if exp <= now_unix {
        return unauthorized("JWT has expired");
    }
    if exp > now_unix + MAX_EXP_AHEAD_SECS {
        return unauthorized("JWT exp is more than 24 hours ahead");
    }
    let Some(sub) = claims.get("sub").and_then(|v| v.as_str()) else {
        return unauthorized("JWT has no sub claim");
    };
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return unauthorized(format!(
            "JWT sub must be a mailto: or https: URI, got {sub:?}"
        ));
    }
    if let Some(expected) = expected_key
        && expected != key_bytes.as_slice()
    {
        return Err(VapidFailure {
            status: 403,
            reason: "VAPID key k is not the applicationServerKey this receiver expects".into(),
        });
    }
    Ok(VapidClaims {
        jwt: jwt.to_owned(),
        key: key_text.to_owned(),
        aud: aud.to_owned(),
        exp,
        sub: sub.to_owned(),
    })
}

fn decode_json(part: &str) -> Option<serde_json::Value> {
    let bytes = b64::decode_lenient(part).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;
    use p256::elliptic_curve::rand_core::OsRng;

    const AUD: &str = "http://127.0.0.1:4000";
    const NOW: u64 = 1_800_000_000;

    struct Key(SigningKey);

    impl Key {
        fn new() -> Self {
            Key(SigningKey::random(&mut OsRng))
        }
        fn public(&self) -> Vec<u8> {
            self.0
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec()
        }
        fn jwt(&self, header: serde_json::Value, claims: serde_json::Value) -> String {
            let input = format!(
                "{}.{}",
                b64::encode(header.to_string().as_bytes()),
                b64::encode(claims.to_string().as_bytes())
            );
            let sig: Signature = self.0.sign(input.as_bytes());
            format!("{input}.{}", b64::encode(&sig.to_bytes()))
        }
        fn header(&self, claims: serde_json::Value) -> String {
            let jwt = self.jwt(serde_json::json!({"typ":"JWT","alg":"ES256"}), claims);
            format!("vapid t={jwt}, k={}", b64::encode(&self.public()))
        }
    }

    fn claims(aud: &str, exp: u64, sub: &str) -> serde_json::Value {
        serde_json::json!({"aud": aud, "exp": exp, "sub": sub})
    }

    #[test]
    fn accepts_a_valid_header() {
        let key = Key::new();
        let header = key.header(claims(AUD, NOW + 3600, "mailto:ops@example.com"));
        let ok = verify_vapid(Some(&header), AUD, Some(&key.public()), NOW).unwrap();
        assert_eq!(ok.sub, "mailto:ops@example.com");
        assert_eq!(ok.exp, NOW + 3600);
        assert_eq!(ok.key, b64::encode(&key.public()));
        // No spaces after the comma, and a quoted value, are tolerated.
        let compact = header.replace(", ", ",");
        assert!(verify_vapid(Some(&compact), AUD, None, NOW).is_ok());
    }

    #[test]
    fn refusals() {
        let key = Key::new();
        let other = Key::new();
        let good = claims(AUD, NOW + 3600, "https://example.com");
        let k = b64::encode(&key.public());
        let valid_jwt = key.jwt(serde_json::json!({"alg":"ES256"}), good.clone());
        let hs256 = key.jwt(serde_json::json!({"alg":"HS256"}), good.clone());
        let tampered = {
            let mut parts: Vec<String> = valid_jwt.split('.').map(str::to_owned).collect();
            parts[1] = b64::encode(
                claims(AUD, NOW + 7200, "https://example.com")
                    .to_string()
                    .as_bytes(),
            );
            parts.join(".")
        };
        let cases: Vec<(Option<String>, u16, &str)> = vec![
            (None, 401, "missing Authorization"),
            (
                Some(format!("WebPush {valid_jwt}")),
                401,
                "scheme must be \"vapid\"",
            ),
            (Some(format!("Bearer {valid_jwt}")), 401, "scheme must be"),
            (Some(format!("vapid k={k}")), 401, "no t="),
            (Some(format!("vapid t={valid_jwt}")), 401, "no k="),
            (
                Some(format!("vapid t={valid_jwt}, k=AAAA")),
                401,
                "k is not",
            ),
            (
                Some(format!("vapid t=abc.def, k={k}")),
                401,
                "three dot-separated",
            ),
            (
                Some(format!("vapid t={hs256}, k={k}")),
                401,
                "alg must be ES256",
            ),
            (
                Some(format!("vapid t={tampered}, k={k}")),
                401,
                "does not verify",
            ),
            (
                Some(format!(
                    "vapid t={valid_jwt}, k={}",
                    b64::encode(&other.public())
                )),
                401,
                "does not verify",
            ),
            (
                Some(key.header(claims("http://127.0.0.1", NOW + 60, "mailto:a@b.c"))),
                401,
                "aud",
            ),
            (
                Some(key.header(claims(&format!("{AUD}/"), NOW + 60, "mailto:a@b.c"))),
                401,
                "aud",
            ),
            (
                Some(key.header(claims(AUD, NOW, "mailto:a@b.c"))),
                401,
                "expired",
            ),
            (
                Some(key.header(claims(AUD, NOW + 86_401, "mailto:a@b.c"))),
                401,
                "24 hours",
            ),
            (
                Some(key.header(claims(AUD, NOW + 60, "ops@example.com"))),
                401,
                "sub must be",
            ),
            (
                Some(key.header(serde_json::json!({"aud": AUD, "exp": NOW + 60}))),
                401,
                "no sub",
            ),
            (
                Some(key.header(serde_json::json!({"aud": AUD, "sub": "mailto:a@b.c"}))),
                401,
                "exp",
            ),
        ];
        for (header, status, reason) in cases {
            let err = verify_vapid(header.as_deref(), AUD, None, NOW).unwrap_err();
            assert_eq!(err.status, status, "{header:?}: {}", err.reason);
            assert!(
                err.reason.contains(reason),
                "{header:?}: {} / {reason}",
                err.reason
            );
        }

        // Valid, but not the expected key: 403.
        let header = key.header(good);
        let err = verify_vapid(Some(&header), AUD, Some(&other.public()), NOW).unwrap_err();
        assert_eq!(err.status, 403, "{}", err.reason);
    }
}
