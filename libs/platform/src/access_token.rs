//! Access tokens: short-lived HS256 JWTs issued by alert-service at login and checked by the
//! gateway on every request. Only HS256 is accepted, so `alg=none` and algorithm-confusion
//! tokens are refused.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "alert-system";
const TOKEN_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    iss: String,
    typ: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessTokenError {
    #[error("access token has expired")]
    Expired,
    #[error("access token is invalid")]
    Invalid,
}

/// Signs and checks access tokens with the shared `JWT_SECRET`.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokens")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl AccessTokens {
    pub fn new(secret: &SecretString, lifetime: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        AccessTokens {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A token for `user_id`, valid from `now` for the configured lifetime.
    pub fn issue(&self, user_id: &str, now: DateTime<Utc>) -> String {
        let claims = Claims {
            sub: user_id.to_owned(),
            iat: now.timestamp(),
            exp: (now + self.lifetime).timestamp(),
            iss: ISSUER.to_owned(),
            typ: TOKEN_TYPE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with a byte key cannot fail")
    }

    /// The user id of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Result<String, AccessTokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => AccessTokenError::Expired,
                _ => AccessTokenError::Invalid,
            },
        )?;
        if data.claims.typ != TOKEN_TYPE || data.claims.sub.is_empty() {
            return Err(AccessTokenError::Invalid);
        }
        Ok(data.claims.sub)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn tokens() -> AccessTokens {
        AccessTokens::new(
            &SecretString::from("test-secret-of-enough-length-0123456789"),
            Duration::minutes(15),
        )
    }

    #[test]
    fn a_fresh_token_names_its_user() {
        let tokens = tokens();
        assert_eq!(
            tokens.verify(&tokens.issue("user-1", Utc::now())).unwrap(),
            "user-1"
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let tokens = tokens();
        let token = tokens.issue("user-1", Utc::now() - Duration::hours(1));
        assert_eq!(tokens.verify(&token), Err(AccessTokenError::Expired));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = AccessTokens::new(
            &SecretString::from("another-secret-0123456789abcdef"),
            Duration::minutes(15),
        );
        assert_eq!(
            tokens().verify(&other.issue("user-1", Utc::now())),
            Err(AccessTokenError::Invalid)
        );
    }

    #[test]
    fn a_tampered_or_unsigned_token_is_refused() {
        let tokens = tokens();
        let token = tokens.issue("user-1", Utc::now());
        let mut parts: Vec<&str> = token.split('.').collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let forged_claims = engine.encode(
            serde_json::json!({"sub": "user-2", "iat": 0, "exp": 4_000_000_000_i64, "iss": ISSUER, "typ": TOKEN_TYPE})
                .to_string(),
        );
        parts[1] = &forged_claims;
        assert_eq!(
            tokens.verify(&parts.join(".")),
            Err(AccessTokenError::Invalid)
        );

        let none_header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{forged_claims}.");
        assert_eq!(tokens.verify(&unsigned), Err(AccessTokenError::Invalid));
    }
}
