//! Configuration, read once from the environment.

use std::time::Duration;

use alert_platform::{ConfigError, Env};
use alert_webpush::{EndpointPolicy, VapidKeys, validate_subject};

use crate::delivery::{RetryPolicy, WorkerSettings};

/// Everything notifier-service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PORT`, default 50053.
    pub port: u16,
    /// `DATABASE_URL` (required): `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// `VAPID_PRIVATE_KEY` (required): the application server's key pair; `Debug` shows only the
    /// public half.
    pub vapid_keys: VapidKeys,
    /// `VAPID_SUBJECT`, default `mailto:alerts@example.com`: a `mailto:` or `https:` contact.
    pub vapid_subject: String,
    /// `PUSH_ALLOWED_ORIGINS`: origins exempt from the https/public-address rule (local push
    /// stand-ins); default none.
    pub endpoint_policy: EndpointPolicy,
    /// `QUEUE_ENABLED` and `REDIS_URL`.
    pub queue: QueueConfig,
    /// `PUSH_CONCURRENCY` (64), `PUSH_TIMEOUT` (10s), `MAX_ATTEMPTS` (5), `RETRY_BASE_DELAY` (2s),
    /// `RETRY_MAX_DELAY` (10m).
    pub workers: WorkerSettings,
    /// Longest idle wait of the database queue before it looks for due deliveries again.
    pub queue_poll_interval: Duration,
    /// How often the health check pings the database.
    pub health_check_interval: Duration,
}

/// Which queue carries deliveries to the workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueConfig {
    /// The deliveries table itself (`QUEUE_ENABLED=false`).
    Database,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let port = env.parse_or("PORT", 50053)?;
        let database_url = env.required("DATABASE_URL")?;
        let vapid_keys = VapidKeys::from_private_key(&env.required("VAPID_PRIVATE_KEY")?)
            .map_err(|error| ConfigError::new("VAPID_PRIVATE_KEY", error.to_string()))?;
        let vapid_subject =
            validate_subject(&env.string_or("VAPID_SUBJECT", "mailto:alerts@example.com"))
                .map_err(|error| ConfigError::new("VAPID_SUBJECT", error.to_string()))?;
        let endpoint_policy =
            EndpointPolicy::from_comma_separated(env.get("PUSH_ALLOWED_ORIGINS").unwrap_or(""))
                .map_err(|error| ConfigError::new("PUSH_ALLOWED_ORIGINS", error.to_string()))?;
        if env.bool_or("QUEUE_ENABLED", false)? {
            return Err(ConfigError::new(
                "QUEUE_ENABLED",
                "the Redis Streams queue is not available in this build yet",
            ));
        }
        let max_attempts: u32 = env.parse_or("MAX_ATTEMPTS", 5)?;
        if max_attempts == 0 {
            return Err(ConfigError::new("MAX_ATTEMPTS", "must be at least 1"));
        }
        let concurrency: usize = env.parse_or("PUSH_CONCURRENCY", 64)?;
        if concurrency == 0 {
            return Err(ConfigError::new("PUSH_CONCURRENCY", "must be at least 1"));
        }
        let base_delay = env.duration_or("RETRY_BASE_DELAY", Duration::from_secs(2))?;
        let max_delay = env.duration_or("RETRY_MAX_DELAY", Duration::from_secs(600))?;
        if max_delay < base_delay {
            return Err(ConfigError::new(
                "RETRY_MAX_DELAY",
                "must not be shorter than RETRY_BASE_DELAY",
            ));
        }
        let push_timeout = env.duration_or("PUSH_TIMEOUT", Duration::from_secs(10))?;
        if push_timeout.is_zero() {
            return Err(ConfigError::new("PUSH_TIMEOUT", "must be longer than zero"));
        }
        Ok(Config {
            port,
            database_url,
            vapid_keys,
            vapid_subject,
            endpoint_policy,
            queue: QueueConfig::Database,
            workers: WorkerSettings {
                concurrency,
                push_timeout,
                retry: RetryPolicy {
                    max_attempts,
                    base_delay,
                    max_delay,
                },
            },
            queue_poll_interval: Duration::from_secs(1),
            health_check_interval: Duration::from_secs(5),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::from_pairs([
            ("DATABASE_URL", "sqlite://notifier.db".to_owned()),
            (
                "VAPID_PRIVATE_KEY",
                VapidKeys::generate().private_key_base64url(),
            ),
        ])
    }

    #[test]
    fn defaults_apply_when_only_the_required_variables_are_set() {
        let config = Config::from_env(&env()).unwrap();
        assert_eq!(config.port, 50053);
        assert_eq!(config.vapid_subject, "mailto:alerts@example.com");
        assert_eq!(config.endpoint_policy, EndpointPolicy::strict());
        assert_eq!(config.queue, QueueConfig::Database);
        assert_eq!(config.workers.concurrency, 64);
        assert_eq!(config.workers.push_timeout, Duration::from_secs(10));
        assert_eq!(
            config.workers.retry,
            RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_secs(2),
                max_delay: Duration::from_secs(600)
            }
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let cases = [
            ("DATABASE_URL", ""),
            ("VAPID_PRIVATE_KEY", ""),
            ("VAPID_PRIVATE_KEY", "not a key"),
            ("VAPID_SUBJECT", "alerts@example.com"),
            ("PUSH_ALLOWED_ORIGINS", "http://127.0.0.1:9000/path"),
            ("QUEUE_ENABLED", "true"),
            ("MAX_ATTEMPTS", "0"),
            ("PUSH_CONCURRENCY", "many"),
            ("RETRY_BASE_DELAY", "soon"),
            ("PUSH_TIMEOUT", "0s"),
        ];
        for (variable, value) in cases {
            let error = Config::from_env(&env().with(variable, value)).unwrap_err();
            assert_eq!(
                error.variable, variable,
                "{variable}={value:?} blamed {error}"
            );
        }
    }

    #[test]
    fn the_redis_queue_is_refused_until_it_exists() {
        let error = Config::from_env(&env().with("QUEUE_ENABLED", "true")).unwrap_err();
        assert!(
            error
                .reason
                .contains("Redis Streams queue is not available"),
            "{error}"
        );
    }
}
