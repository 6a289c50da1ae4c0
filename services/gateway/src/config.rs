//! The gateway's settings, read once from the environment.

use std::{num::NonZeroU32, path::PathBuf, time::Duration};

use alert_platform::{ConfigError, Env};
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// The shortest `JWT_SECRET` accepted: HS256 wants at least as many key bytes as its output.
const MIN_JWT_SECRET_BYTES: usize = 32;

/// Everything the gateway needs to know at startup.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PORT` (8080): where `main` binds the listener.
    pub port: u16,
    /// `JWT_SECRET` (required, at least 32 bytes): checks access tokens.
    pub jwt_secret: SecretString,
    /// `SCHEDULER_SECRET` (optional): the `x-scheduler-secret` the trigger webhook expects.
    /// Unset, the trigger refuses every call.
    pub scheduler_secret: Option<SecretString>,
    /// `CORS_ALLOWED_ORIGINS` (comma-separated, default none): browser origins other than our
    /// own that may call the API.
    pub cors_allowed_origins: Vec<HeaderValue>,
    /// `RATE_LIMIT_PER_MINUTE` (300): requests per user, or per client IP before sign-in.
    pub rate_limit_per_minute: NonZeroU32,
    /// `RATE_LIMIT_TRUST_FORWARDED_FOR` (false): key anonymous clients by the last
    /// `X-Forwarded-For` entry, which the load balancer in front of us appends. Only safe when
    /// every request comes through that load balancer.
    pub trust_forwarded_for: bool,
    /// `REQUEST_TIMEOUT` (30s): the longest a request may take end to end.
    pub request_timeout: Duration,
    /// `WEB_DIR` (optional): the built web app, served at `/` with a fallback to `index.html`.
    pub web_dir: Option<PathBuf>,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let jwt_secret = SecretString::from(env.required("JWT_SECRET")?);
        if jwt_secret.expose_secret().len() < MIN_JWT_SECRET_BYTES {
            return Err(ConfigError::new(
                "JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_BYTES} bytes long"),
            ));
        }
        Ok(Config {
            port: env.parse_or("PORT", 8080)?,
            jwt_secret,
            scheduler_secret: env.secret("SCHEDULER_SECRET"),
            cors_allowed_origins: parse_origins(env.get("CORS_ALLOWED_ORIGINS").unwrap_or(""))?,
            rate_limit_per_minute: env.parse_or(
                "RATE_LIMIT_PER_MINUTE",
                NonZeroU32::new(300).expect("300 is not zero"),
            )?,
            trust_forwarded_for: env.bool_or("RATE_LIMIT_TRUST_FORWARDED_FOR", false)?,
            request_timeout: env.duration_or("REQUEST_TIMEOUT", Duration::from_secs(30))?,
            web_dir: env.get("WEB_DIR").map(PathBuf::from),
        })
    }
}

/// `https://app.example.com, http://localhost:5173` → origins as browsers send them.
fn parse_origins(raw: &str) -> Result<Vec<HeaderValue>, ConfigError> {
    const VARIABLE: &str = "CORS_ALLOWED_ORIGINS";
    raw.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let origin = origin.trim_end_matches('/');
            let uri: http::Uri = origin.parse().map_err(|_| {
                ConfigError::new(
                    VARIABLE,
                    format!("{origin:?} is not an origin such as https://example.com"),
                )
            })?;
            let has_path = uri
                .path_and_query()
                .is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty());
            if !matches!(uri.scheme_str(), Some("http" | "https"))
                || uri.host().is_none()
                || has_path
            {
                return Err(ConfigError::new(
                    VARIABLE,
                    format!("{origin:?} is not an origin such as https://example.com"),
                ));
            }
            HeaderValue::from_str(origin).map_err(|_| {
                ConfigError::new(VARIABLE, format!("{origin:?} is not a valid header value"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::from_pairs([("JWT_SECRET", "a-test-secret-that-is-long-enough-0123456789")])
    }

    #[test]
    fn defaults_apply_when_only_the_jwt_secret_is_set() {
        let config = Config::from_env(&env()).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.rate_limit_per_minute.get(), 300);
        assert!(config.scheduler_secret.is_none());
        assert!(config.cors_allowed_origins.is_empty());
        assert!(config.web_dir.is_none());
        assert!(!config.trust_forwarded_for);
    }

    #[test]
    fn a_missing_or_short_jwt_secret_is_refused() {
        let missing = Config::from_env(&Env::default()).unwrap_err();
        assert_eq!(missing.variable, "JWT_SECRET");
        let short = Config::from_env(&Env::from_pairs([("JWT_SECRET", "too-short")])).unwrap_err();
        assert_eq!(short.variable, "JWT_SECRET");
    }

    #[test]
    fn cors_origins_are_parsed_and_checked() {
        let config = Config::from_env(&env().with(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example, http://localhost:5173/",
        ))
        .unwrap();
        assert_eq!(
            config.cors_allowed_origins,
            vec!["https://a.example", "http://localhost:5173"]
        );
        for bad in ["*", "a.example", "https://a.example/app", "ftp://a.example"] {
            let error = Config::from_env(&env().with("CORS_ALLOWED_ORIGINS", bad)).unwrap_err();
            assert_eq!(
                error.variable, "CORS_ALLOWED_ORIGINS",
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn a_zero_rate_limit_is_refused() {
        let error = Config::from_env(&env().with("RATE_LIMIT_PER_MINUTE", "0")).unwrap_err();
        assert_eq!(error.variable, "RATE_LIMIT_PER_MINUTE");
    }
}
