//! Typed configuration, read once from an injected environment.

use std::time::Duration;

use alert_airquality::{AirKoreaConfig, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
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
    /// AirKorea, when `AIR_QUALITY_API_KEY` is set (with `AIR_QUALITY_BASE_URL`, default the
    /// data.go.kr API, and `AIR_QUALITY_TIMEOUT`, default 5s); without it air-quality content is
    /// refused and plain alerts work as ever.
    pub air_quality: Option<AirKoreaConfig>,
    /// `REDIS_URL`: where the air-quality cache is shared by every replica; in memory when unset.
    pub redis_url: Option<SecretString>,
    /// `AIR_QUALITY_CACHE_PREFIX`, default `alert-service:air-quality`: the cache's Redis keys.
    pub air_quality_cache_prefix: String,
}

fn air_quality_config(env: &Env) -> Result<Option<AirKoreaConfig>, ConfigError> {
    let base_url = env.string_or("AIR_QUALITY_BASE_URL", DEFAULT_BASE_URL);
    let base_url = url::Url::parse(&base_url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| ConfigError::new("AIR_QUALITY_BASE_URL", "must be an http(s) URL"))?;
    let timeout = env.duration_or("AIR_QUALITY_TIMEOUT", DEFAULT_TIMEOUT)?;
    if timeout.is_zero() {
        return Err(ConfigError::new(
            "AIR_QUALITY_TIMEOUT",
            "must be greater than zero",
        ));
    }
    Ok(env
        .secret("AIR_QUALITY_API_KEY")
        .map(|api_key| AirKoreaConfig {
            base_url,
            api_key,
            timeout,
        }))
}

fn redis_url(env: &Env) -> Result<Option<SecretString>, ConfigError> {
    let Some(url) = env.redis_url("REDIS_URL")? else {
        return Ok(None);
    };
    fred::types::config::Config::from_url(&url)
        .map_err(|error| ConfigError::new("REDIS_URL", error.details().to_owned()))?;
    Ok(Some(SecretString::from(url)))
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
            air_quality: air_quality_config(env)?,
            redis_url: redis_url(env)?,
            air_quality_cache_prefix: env
                .string_or("AIR_QUALITY_CACHE_PREFIX", "alert-service:air-quality"),
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
        assert!(config.air_quality.is_none(), "no key, no air quality");
        assert!(config.redis_url.is_none());
    }

    #[test]
    fn an_air_quality_key_enables_airkorea_at_the_configured_url() {
        let config = Config::from_env(
            &base_env()
                .with("AIR_QUALITY_API_KEY", "abc%2Bdef%3D%3D")
                .with("AIR_QUALITY_BASE_URL", "http://127.0.0.1:9999/B552584")
                .with("AIR_QUALITY_TIMEOUT", "2s"),
        )
        .unwrap();
        let air_quality = config.air_quality.expect("configured");
        assert_eq!(air_quality.api_key.expose_secret(), "abc%2Bdef%3D%3D");
        assert_eq!(
            air_quality.base_url.as_str(),
            "http://127.0.0.1:9999/B552584"
        );
        assert_eq!(air_quality.timeout, Duration::from_secs(2));

        let production = Config::from_env(&base_env().with("AIR_QUALITY_API_KEY", "k")).unwrap();
        assert_eq!(
            production.air_quality.unwrap().base_url.as_str(),
            "https://apis.data.go.kr/B552584"
        );
    }

    #[test]
    fn bad_air_quality_and_redis_settings_are_named() {
        for (variable, value) in [
            ("AIR_QUALITY_BASE_URL", "apis.data.go.kr"),
            ("AIR_QUALITY_BASE_URL", "ftp://apis.data.go.kr"),
            ("AIR_QUALITY_TIMEOUT", "0s"),
            ("REDIS_URL", "postgres://127.0.0.1"),
        ] {
            let error = Config::from_env(
                &base_env()
                    .with("AIR_QUALITY_API_KEY", "k")
                    .with(variable, value),
            )
            .unwrap_err();
            assert_eq!(error.variable, variable, "{value}: {error}");
        }
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
