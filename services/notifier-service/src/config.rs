//! Configuration, read once from the environment.

use std::time::Duration;

use alert_platform::{ConfigError, Env};
use alert_webpush::{EndpointPolicy, VapidKeys, validate_subject};

use crate::delivery::{RetryPolicy, WorkerSettings};

/// The port served on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 50053;

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
    /// `RETRY_MAX_DELAY` (10m), `QUEUE_VISIBILITY_TIMEOUT` (twice the push timeout plus 30s).
    pub workers: WorkerSettings,
    /// `PUSH_CONCURRENCY_PER_ORIGIN`, default 256: pushes in flight to one push service at most.
    pub push_concurrency_per_origin: usize,
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
    /// Redis Streams (`QUEUE_ENABLED=true`).
    Redis(RedisQueueConfig),
}

/// Where the Redis Streams queue lives and how it looks after itself.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisQueueConfig {
    /// `REDIS_URL` (required with `QUEUE_ENABLED=true`): `redis://…`, or `rediss://…` for TLS
    /// (ElastiCache in transit encryption). May hold a password, so `Debug` hides it.
    pub url: String,
    /// `REDIS_KEY_PREFIX`, default `notifier`: every key is `{prefix}:…`, one hash slot.
    pub key_prefix: String,
    /// `QUEUE_SWEEP_INTERVAL`, default 30s: how often deliveries recorded in the database but
    /// missing from Redis (a failed enqueue, a Redis that lost its data) are put on the stream;
    /// a periodic sweep takes those recorded before the last interval.
    pub sweep_interval: Duration,
}

impl std::fmt::Debug for RedisQueueConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisQueueConfig")
            .field("url", &"<redacted>")
            .field("key_prefix", &self.key_prefix)
            .field("sweep_interval", &self.sweep_interval)
            .finish()
    }
}

impl RedisQueueConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let url = env
            .redis_url("REDIS_URL")?
            .ok_or_else(|| ConfigError::new("REDIS_URL", "is required but not set"))?;
        fred::types::config::Config::from_url(&url)
            .map_err(|error| ConfigError::new("REDIS_URL", error.details().to_owned()))?;
        let key_prefix = env.string_or("REDIS_KEY_PREFIX", "notifier");
        if key_prefix.is_empty() || key_prefix.contains(['{', '}']) {
            return Err(ConfigError::new(
                "REDIS_KEY_PREFIX",
                "must be non-empty and without braces",
            ));
        }
        let sweep_interval = env.duration_or("QUEUE_SWEEP_INTERVAL", Duration::from_secs(30))?;
        if sweep_interval.is_zero() {
            return Err(ConfigError::new(
                "QUEUE_SWEEP_INTERVAL",
                "must be longer than zero",
            ));
        }
        Ok(RedisQueueConfig {
            url,
            key_prefix,
            sweep_interval,
        })
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let port = env.parse_or("PORT", DEFAULT_PORT)?;
        let database_url = env.required("DATABASE_URL")?;
        let vapid_keys = VapidKeys::from_private_key(&env.required("VAPID_PRIVATE_KEY")?)
            .map_err(|error| ConfigError::new("VAPID_PRIVATE_KEY", error.to_string()))?;
        let vapid_subject =
            validate_subject(&env.string_or("VAPID_SUBJECT", "mailto:alerts@example.com"))
                .map_err(|error| ConfigError::new("VAPID_SUBJECT", error.to_string()))?;
        let endpoint_policy =
            EndpointPolicy::from_comma_separated(env.get("PUSH_ALLOWED_ORIGINS").unwrap_or(""))
                .map_err(|error| ConfigError::new("PUSH_ALLOWED_ORIGINS", error.to_string()))?;
        let queue = if env.bool_or("QUEUE_ENABLED", false)? {
            QueueConfig::Redis(RedisQueueConfig::from_env(env)?)
        } else {
            QueueConfig::Database
        };
        let max_attempts: u32 = env.parse_or("MAX_ATTEMPTS", 5)?;
        if max_attempts == 0 {
            return Err(ConfigError::new("MAX_ATTEMPTS", "must be at least 1"));
        }
        let concurrency: usize = env.parse_or("PUSH_CONCURRENCY", 64)?;
        if concurrency == 0 {
            return Err(ConfigError::new("PUSH_CONCURRENCY", "must be at least 1"));
        }
        let push_concurrency_per_origin: usize =
            env.parse_or("PUSH_CONCURRENCY_PER_ORIGIN", 256)?;
        if push_concurrency_per_origin == 0 {
            return Err(ConfigError::new(
                "PUSH_CONCURRENCY_PER_ORIGIN",
                "must be at least 1",
            ));
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
        let lease = env.duration_or(
            "QUEUE_VISIBILITY_TIMEOUT",
            push_timeout * 2 + Duration::from_secs(30),
        )?;
        if lease <= push_timeout {
            return Err(ConfigError::new(
                "QUEUE_VISIBILITY_TIMEOUT",
                "must be longer than PUSH_TIMEOUT",
            ));
        }
        Ok(Config {
            port,
            database_url,
            vapid_keys,
            vapid_subject,
            endpoint_policy,
            queue,
            workers: WorkerSettings {
                concurrency,
                push_timeout,
                lease,
                retry: RetryPolicy {
                    max_attempts,
                    base_delay,
                    max_delay,
                },
            },
            push_concurrency_per_origin,
            queue_poll_interval: Duration::from_secs(1),
            health_check_interval: alert_platform::health::DATABASE_CHECK_INTERVAL,
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
        assert_eq!(config.workers.lease, Duration::from_secs(50));
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
            ("QUEUE_ENABLED", "maybe"),
            ("QUEUE_VISIBILITY_TIMEOUT", "10s"),
            ("MAX_ATTEMPTS", "0"),
            ("PUSH_CONCURRENCY", "many"),
            ("PUSH_CONCURRENCY_PER_ORIGIN", "0"),
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
    fn the_redis_queue_needs_a_redis_url() {
        let error = Config::from_env(&env().with("QUEUE_ENABLED", "true")).unwrap_err();
        assert_eq!(error.variable, "REDIS_URL", "{error}");
        let cases = [
            ("REDIS_URL", "postgres://127.0.0.1"),
            ("REDIS_KEY_PREFIX", "a{b}"),
            ("QUEUE_SWEEP_INTERVAL", "0s"),
        ];
        let redis = || {
            env()
                .with("QUEUE_ENABLED", "true")
                .with("REDIS_URL", "redis://127.0.0.1:6379")
        };
        for (variable, value) in cases {
            let error = Config::from_env(&redis().with(variable, value)).unwrap_err();
            assert_eq!(
                error.variable, variable,
                "{variable}={value:?} blamed {error}"
            );
        }
        let config = Config::from_env(&redis().with("REDIS_URL", "rediss://:secret@cache:6380"));
        let config = config.unwrap_or_else(|error| panic!("{error}"));
        match &config.queue {
            QueueConfig::Redis(redis) => {
                assert_eq!(redis.key_prefix, "notifier");
                assert_eq!(redis.sweep_interval, Duration::from_secs(30));
                assert!(
                    !format!("{config:?}").contains("secret"),
                    "the password stays hidden"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
