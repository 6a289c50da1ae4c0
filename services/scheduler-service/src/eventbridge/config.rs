//! Settings of the EventBridge Scheduler backend, read with the rest of [`crate::Config`].

use std::time::Duration;

use alert_platform::{ConfigError, Env};
use secrecy::SecretString;

/// Default `SCHEDULER_API_RATE_LIMIT`: well under the smallest regional quota of the schedule
/// APIs (250 requests per second outside the primary regions), shared with other callers.
pub const DEFAULT_RATE_LIMIT_PER_SECOND: u32 = 50;

/// Where and how scheduler-service keeps EventBridge Scheduler in step with the buckets.
#[derive(Debug, Clone)]
pub struct EventBridgeConfig {
    /// `SCHEDULE_GROUP_NAME` (required): the group holding one schedule per bucket. Never created
    /// by the service (Terraform owns it).
    pub group_name: String,
    /// `SCHEDULER_ROLE_ARN` (required): the role schedules run as.
    pub role_arn: String,
    /// `SCHEDULER_TARGET_ARN` (default: the account's default event bus, from the role's account
    /// and `AWS_REGION`): the event bus schedules put their event on.
    pub target_arn: String,
    /// `SCHEDULER_DLQ_ARN` (optional): SQS queue for invocations that failed every retry.
    pub dead_letter_arn: Option<String>,
    /// `SCHEDULER_RETRY_MAX_ATTEMPTS` (default 10, 0-185): EventBridge's retries of a target call.
    pub retry_max_attempts: i32,
    /// `SCHEDULER_RETRY_MAX_EVENT_AGE` (default 1h, 60s-24h): after this an invocation is dropped
    /// (or dead-lettered): an alert that late is stale.
    pub retry_max_event_age: Duration,
    /// `RECONCILE_INTERVAL` (default 10m): how often the group is compared with the buckets.
    pub reconcile_interval: Duration,
    /// `SCHEDULER_API_RATE_LIMIT` (default 50): schedule API calls per second, at most.
    pub rate_limit_per_second: u32,
    /// `SCHEDULER_SYNC_RETRY_BASE` / `SCHEDULER_SYNC_RETRY_MAX` (default 1s / 5m): exponential
    /// backoff with full jitter between attempts to sync a bucket.
    pub sync_retry_base: Duration,
    pub sync_retry_max: Duration,
    /// The AWS settings of the SDK's standard chain, as given in the environment.
    pub aws: AwsSettings,
}

/// AWS SDK settings taken from the injected environment; unset ones are left to aws-config's
/// standard chain (profile, container credentials, instance metadata).
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`).
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL`: every AWS service (tests: moto).
    pub endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_SCHEDULER`: EventBridge Scheduler only; wins over `AWS_ENDPOINT_URL`.
    pub scheduler_endpoint_url: Option<String>,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`: static credentials.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    pub session_token: Option<SecretString>,
}

impl EventBridgeConfig {
    pub fn from_env(env: &Env) -> Result<EventBridgeConfig, ConfigError> {
        let group_name = env
            .get("SCHEDULE_GROUP_NAME")
            .map(str::to_owned)
            .ok_or_else(|| {
                ConfigError::new(
                    "SCHEDULE_GROUP_NAME",
                    "is required when AWS_SCHEDULER_ENABLED=true",
                )
            })?;
        if group_name.len() > 64
            || !group_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(ConfigError::new(
                "SCHEDULE_GROUP_NAME",
                "must be 1-64 letters, digits, `-`, `_` or `.`",
            ));
        }
        let role_arn =
            arn("SCHEDULER_ROLE_ARN", env.get("SCHEDULER_ROLE_ARN"))?.ok_or_else(|| {
                ConfigError::new(
                    "SCHEDULER_ROLE_ARN",
                    "is required when AWS_SCHEDULER_ENABLED=true",
                )
            })?;
        let aws = AwsSettings {
            region: env
                .get("AWS_REGION")
                .or_else(|| env.get("AWS_DEFAULT_REGION"))
                .map(str::to_owned),
            endpoint_url: env.get("AWS_ENDPOINT_URL").map(str::to_owned),
            scheduler_endpoint_url: env.get("AWS_ENDPOINT_URL_SCHEDULER").map(str::to_owned),
            access_key_id: env.get("AWS_ACCESS_KEY_ID").map(str::to_owned),
            secret_access_key: env.secret("AWS_SECRET_ACCESS_KEY"),
            session_token: env.secret("AWS_SESSION_TOKEN"),
        };
        let target_arn = match arn("SCHEDULER_TARGET_ARN", env.get("SCHEDULER_TARGET_ARN"))? {
            Some(target) => target,
            None => default_event_bus(&role_arn, aws.region.as_deref()).ok_or_else(|| {
                ConfigError::new(
                    "SCHEDULER_TARGET_ARN",
                    "is not set and cannot default to the account's default event bus without AWS_REGION",
                )
            })?,
        };
        let retry_max_attempts = env.parse_or("SCHEDULER_RETRY_MAX_ATTEMPTS", 10i32)?;
        if !(0..=185).contains(&retry_max_attempts) {
            return Err(ConfigError::new(
                "SCHEDULER_RETRY_MAX_ATTEMPTS",
                "must be from 0 to 185",
            ));
        }
        let retry_max_event_age =
            env.duration_or("SCHEDULER_RETRY_MAX_EVENT_AGE", Duration::from_secs(3600))?;
        if !(60..=86_400).contains(&retry_max_event_age.as_secs()) {
            return Err(ConfigError::new(
                "SCHEDULER_RETRY_MAX_EVENT_AGE",
                "must be from 60s to 24h",
            ));
        }
        let reconcile_interval = env.duration_or("RECONCILE_INTERVAL", Duration::from_secs(600))?;
        if reconcile_interval.is_zero() {
            return Err(ConfigError::new(
                "RECONCILE_INTERVAL",
                "must be greater than zero",
            ));
        }
        let rate_limit_per_second =
            env.parse_or("SCHEDULER_API_RATE_LIMIT", DEFAULT_RATE_LIMIT_PER_SECOND)?;
        if rate_limit_per_second == 0 {
            return Err(ConfigError::new(
                "SCHEDULER_API_RATE_LIMIT",
                "must be at least 1",
            ));
        }
        let sync_retry_base =
            env.duration_or("SCHEDULER_SYNC_RETRY_BASE", Duration::from_secs(1))?;
        let sync_retry_max =
            env.duration_or("SCHEDULER_SYNC_RETRY_MAX", Duration::from_secs(300))?;
        if sync_retry_base.is_zero() || sync_retry_max < sync_retry_base {
            return Err(ConfigError::new(
                "SCHEDULER_SYNC_RETRY_MAX",
                "must be at least SCHEDULER_SYNC_RETRY_BASE, which must be greater than zero",
            ));
        }
        Ok(EventBridgeConfig {
            group_name,
            role_arn,
            target_arn,
            dead_letter_arn: arn("SCHEDULER_DLQ_ARN", env.get("SCHEDULER_DLQ_ARN"))?,
            retry_max_attempts,
            retry_max_event_age,
            reconcile_interval,
            rate_limit_per_second,
            sync_retry_base,
            sync_retry_max,
            aws,
        })
    }
}

/// An optional ARN, checked for its shape (`arn:partition:service:region:account:resource`).
fn arn(variable: &str, value: Option<&str>) -> Result<Option<String>, ConfigError> {
    let Some(value) = value else { return Ok(None) };
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1].is_empty() || parts[5].is_empty() {
        return Err(ConfigError::new(
            variable,
            format!("{value:?} is not an ARN (arn:partition:service:region:account:resource)"),
        ));
    }
    Ok(Some(value.to_owned()))
}

/// `arn:<partition>:events:<region>:<account>:event-bus/default`, the account taken from the
/// role's ARN.
fn default_event_bus(role_arn: &str, region: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    let (partition, account) = (parts.get(1)?, parts.get(4)?);
    Some(format!(
        "arn:{partition}:events:{}:{account}:event-bus/default",
        region?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(extra: &[(&str, &str)]) -> Env {
        let mut env = Env::from_pairs([
            ("SCHEDULE_GROUP_NAME", "alert-system-prod-alerts"),
            (
                "SCHEDULER_ROLE_ARN",
                "arn:aws:iam::123456789012:role/scheduler",
            ),
            ("AWS_REGION", "ap-northeast-2"),
        ]);
        for (name, value) in extra {
            env.set(*name, *value);
        }
        env
    }

    #[test]
    fn the_target_defaults_to_the_accounts_default_bus() {
        let config = EventBridgeConfig::from_env(&env(&[])).unwrap();
        assert_eq!(
            config.target_arn,
            "arn:aws:events:ap-northeast-2:123456789012:event-bus/default"
        );
        assert_eq!(config.reconcile_interval, Duration::from_secs(600));
        assert_eq!(config.rate_limit_per_second, DEFAULT_RATE_LIMIT_PER_SECOND);
        assert_eq!(config.retry_max_attempts, 10);
        assert!(config.dead_letter_arn.is_none());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("SCHEDULE_GROUP_NAME", "no spaces allowed"),
            ("SCHEDULER_ROLE_ARN", "scheduler-role"),
            ("SCHEDULER_TARGET_ARN", "arn:aws:events"),
            ("SCHEDULER_DLQ_ARN", "queue"),
            ("SCHEDULER_RETRY_MAX_ATTEMPTS", "186"),
            ("SCHEDULER_RETRY_MAX_EVENT_AGE", "10s"),
            ("RECONCILE_INTERVAL", "0"),
            ("SCHEDULER_API_RATE_LIMIT", "0"),
            ("SCHEDULER_SYNC_RETRY_MAX", "1ms"),
        ] {
            let error =
                EventBridgeConfig::from_env(&env(&[(variable, value)])).expect_err(variable);
            assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        }
    }
}
