//! Typed configuration, read once from an injected environment.

use std::time::Duration;

use alert_platform::{ConfigError, Env};
use secrecy::{ExposeSecret, SecretString};

/// The port served on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 50051;

/// Shortest `JWT_SECRET` accepted: HS256 keys shorter than the hash output are guessable.
const MIN_JWT_SECRET_BYTES: usize = 32;

/// Everything alert-service reads from its environment (the peers' URLs are read by `main`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `PORT`, default 50051.
    pub port: u16,
    /// `DATABASE_URL`, required: `postgres://…` or `sqlite:…`.
    pub database_url: SecretString,
    /// `JWT_SECRET`, required, at least 32 bytes: signs access tokens (shared with the gateway).
    pub jwt_secret: SecretString,
    /// `ACCESS_TOKEN_TTL`, default 15m.
    pub access_token_ttl: Duration,
    /// `REFRESH_TOKEN_TTL`, default 720h (30 days).
    pub refresh_token_ttl: Duration,
    /// `MAX_ALERTS_PER_USER`, default 100.
    pub max_alerts_per_user: u32,
    /// `MIN_SCHEDULE_INTERVAL`, default 5m: the shortest gap allowed between two fires.
    pub min_schedule_interval: Duration,
    /// `APP_URL`, default `/`: the page a notification opens.
    pub app_url: String,
    /// `SCHEDULE_SYNC_INTERVAL`, default 30s: how often unsynced schedules are retried.
    pub schedule_sync_interval: Duration,
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
        let min_schedule_interval =
            env.duration_or("MIN_SCHEDULE_INTERVAL", Duration::from_secs(5 * 60))?;
        if min_schedule_interval.as_secs() % 60 != 0 {
            return Err(ConfigError::new(
                "MIN_SCHEDULE_INTERVAL",
                "must be a whole number of minutes",
            ));
        }
        let schedule_sync_interval =
            env.duration_or("SCHEDULE_SYNC_INTERVAL", Duration::from_secs(30))?;
        if schedule_sync_interval.is_zero() {
            return Err(ConfigError::new(
                "SCHEDULE_SYNC_INTERVAL",
                "must be greater than zero",
            ));
        }
        Ok(Config {
            port: env.parse_or("PORT", DEFAULT_PORT)?,
            database_url: SecretString::from(env.required("DATABASE_URL")?),
            jwt_secret,
            access_token_ttl: env.duration_or("ACCESS_TOKEN_TTL", Duration::from_secs(15 * 60))?,
            refresh_token_ttl: env
                .duration_or("REFRESH_TOKEN_TTL", Duration::from_secs(720 * 3600))?,
            max_alerts_per_user: env.parse_or("MAX_ALERTS_PER_USER", 100)?,
            min_schedule_interval,
            app_url: env.string_or("APP_URL", "/"),
            schedule_sync_interval,
        })
    }

    /// The minimum schedule interval in whole minutes, as cron intervals are measured.
    pub fn min_schedule_interval_minutes(&self) -> u32 {
        u32::try_from(self.min_schedule_interval.as_secs() / 60).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_env() -> Env {
        Env::from_pairs([
            ("DATABASE_URL", "sqlite://alerts.db"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
    }

    #[test]
    fn defaults_apply_when_only_required_variables_are_set() {
        let config = Config::from_env(&base_env()).unwrap();
        assert_eq!(config.port, 50051);
        assert_eq!(config.access_token_ttl, Duration::from_secs(900));
        assert_eq!(
            config.refresh_token_ttl,
            Duration::from_secs(30 * 24 * 3600)
        );
        assert_eq!(config.max_alerts_per_user, 100);
        assert_eq!(config.min_schedule_interval_minutes(), 5);
        assert_eq!(config.app_url, "/");
        assert_eq!(config.schedule_sync_interval, Duration::from_secs(30));
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let error = Config::from_env(&base_env().with("JWT_SECRET", "too-short")).unwrap_err();
        assert_eq!(error.variable, "JWT_SECRET");
    }

    #[test]
    fn missing_required_variables_are_named() {
        let error = Config::from_env(&Env::from_pairs([(
            "JWT_SECRET",
            "0123456789abcdef0123456789abcdef",
        )]))
        .unwrap_err();
        assert_eq!(error.variable, "DATABASE_URL");
    }
}
