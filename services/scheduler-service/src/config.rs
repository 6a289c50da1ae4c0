//! The service's settings, read once from the environment.

use std::time::Duration;

use alert_platform::{ConfigError, Env};

use crate::eventbridge::EventBridgeConfig;

/// The port served on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 50052;

/// Settings of scheduler-service.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PORT` (default 50052): where main binds the gRPC server.
    pub port: u16,
    /// `DATABASE_URL` (required): `postgres://…` or `sqlite:…`.
    pub database_url: String,
    /// `MISSED_FIRE_GRACE` (default 1h): a fire found due later than this after its time is
    /// skipped rather than sent late.
    pub missed_fire_grace: Duration,
    /// `SCHEDULER_TICK_INTERVAL` (default 1s): how often the local scheduler looks for due
    /// buckets and the fan-out worker for due runs.
    pub tick_interval: Duration,
    /// `FANOUT_CONCURRENCY` (default 32): RunAlert calls in flight at once.
    pub fanout_concurrency: usize,
    /// `FANOUT_CALL_TIMEOUT` (default 60s): how long one RunAlert call may take. A run claimed by
    /// a worker that crashed is taken over after twice this.
    pub fanout_call_timeout: Duration,
    /// `AWS_SCHEDULER_ENABLED=true`: EventBridge Scheduler fires the buckets (and the local tick
    /// does not); `None` runs the local scheduler.
    pub eventbridge: Option<EventBridgeConfig>,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let eventbridge = if env.bool_or("AWS_SCHEDULER_ENABLED", false)? {
            Some(EventBridgeConfig::from_env(env)?)
        } else {
            None
        };
        let tick_interval = env.duration_or("SCHEDULER_TICK_INTERVAL", Duration::from_secs(1))?;
        if tick_interval.is_zero() {
            return Err(ConfigError::new(
                "SCHEDULER_TICK_INTERVAL",
                "must be greater than zero",
            ));
        }
        let fanout_concurrency = env.parse_or("FANOUT_CONCURRENCY", 32usize)?;
        if fanout_concurrency == 0 {
            return Err(ConfigError::new("FANOUT_CONCURRENCY", "must be at least 1"));
        }
        let fanout_call_timeout =
            env.duration_or("FANOUT_CALL_TIMEOUT", Duration::from_secs(60))?;
        if fanout_call_timeout.is_zero() {
            return Err(ConfigError::new(
                "FANOUT_CALL_TIMEOUT",
                "must be greater than zero",
            ));
        }
        Ok(Config {
            port: env.parse_or("PORT", DEFAULT_PORT)?,
            database_url: env.required("DATABASE_URL")?,
            missed_fire_grace: env.duration_or("MISSED_FIRE_GRACE", Duration::from_secs(3600))?,
            tick_interval,
            fanout_concurrency,
            fanout_call_timeout,
            eventbridge,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_only_the_database_is_set() {
        let config =
            Config::from_env(&Env::from_pairs([("DATABASE_URL", "sqlite://x.db")])).unwrap();
        assert_eq!(config.port, 50052);
        assert_eq!(config.missed_fire_grace, Duration::from_secs(3600));
        assert_eq!(config.tick_interval, Duration::from_secs(1));
        assert_eq!(config.fanout_concurrency, 32);
        assert_eq!(config.fanout_call_timeout, Duration::from_secs(60));
        assert!(config.eventbridge.is_none());
    }

    #[test]
    fn the_database_url_is_required() {
        let error = Config::from_env(&Env::default()).unwrap_err();
        assert_eq!(error.variable, "DATABASE_URL");
    }

    #[test]
    fn the_eventbridge_backend_needs_its_group_and_role() {
        let env = Env::from_pairs([
            ("DATABASE_URL", "sqlite://x.db"),
            ("AWS_SCHEDULER_ENABLED", "true"),
        ]);
        let error = Config::from_env(&env).unwrap_err();
        assert_eq!(error.variable, "SCHEDULE_GROUP_NAME");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("PORT", "eighty"),
            ("MISSED_FIRE_GRACE", "soon"),
            ("SCHEDULER_TICK_INTERVAL", "0"),
            ("FANOUT_CONCURRENCY", "0"),
            ("FANOUT_CALL_TIMEOUT", "0"),
            ("AWS_SCHEDULER_ENABLED", "maybe"),
        ] {
            let env = Env::from_pairs([("DATABASE_URL", "sqlite://x.db"), (variable, value)]);
            let error = Config::from_env(&env).expect_err(variable);
            assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        }
    }
}
