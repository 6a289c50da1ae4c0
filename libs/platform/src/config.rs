//! Configuration is read once, from an injected environment map, into typed config structs.
//! Nothing below `main` reads `std::env`; tests pass their own map.

use std::{collections::HashMap, fmt::Display, str::FromStr, time::Duration};

use secrecy::SecretString;

/// A startup error that names the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {variable}: {reason}")]
pub struct ConfigError {
    pub variable: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(variable: &str, reason: impl Into<String>) -> Self {
        ConfigError {
            variable: variable.to_owned(),
            reason: reason.into(),
        }
    }
}

/// An environment: variable names to values.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// The process environment; call this in `main` only.
    pub fn from_process() -> Self {
        Env {
            vars: std::env::vars().collect(),
        }
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// Every variable, for handing the environment on (to a child process).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value, if set and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.get(name)
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::new(name, "is required but not set"))
    }

    pub fn string_or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_owned()
    }

    pub fn secret(&self, name: &str) -> Option<SecretString> {
        self.get(name).map(|v| SecretString::from(v.to_owned()))
    }

    /// Parses the value with `FromStr`, or returns `default` when unset.
    pub fn parse_or<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|e| ConfigError::new(name, format!("cannot parse {raw:?}: {e}"))),
        }
    }

    /// `true/false/1/0/yes/no/on/off`, case-insensitive.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(other) => Err(ConfigError::new(
                name,
                format!("expected true or false, got {other:?}"),
            )),
        }
    }

    /// A duration such as `90s`, `10m`, `1h`, `250ms` or a bare number of seconds.
    pub fn duration_or(&self, name: &str, default: Duration) -> Result<Duration, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => parse_duration(raw).ok_or_else(|| {
                ConfigError::new(
                    name,
                    format!("cannot parse {raw:?} as a duration such as 30s, 10m or 1h"),
                )
            }),
        }
    }
}

impl Env {
    /// A Redis URL, if set: `redis://…`, `rediss://…` for TLS, or their `valkey` spellings,
    /// optionally `-cluster` or `-sentinel`. What follows the scheme is the client's to check.
    pub fn redis_url(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.get(name) else {
            return Ok(None);
        };
        let scheme = url.split("://").next().unwrap_or_default();
        let scheme = scheme
            .trim_end_matches("-cluster")
            .trim_end_matches("-sentinel");
        if !matches!(scheme, "redis" | "rediss" | "valkey" | "valkeys") || !url.contains("://") {
            return Err(ConfigError::new(
                name,
                "must be a redis:// or rediss:// URL",
            ));
        }
        Ok(Some(url.to_owned()))
    }
}

fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number.parse().ok()?;
    let duration = match unit.trim() {
        "" | "s" => Duration::from_secs(number),
        "ms" => Duration::from_millis(number),
        "m" => Duration::from_secs(number.checked_mul(60)?),
        "h" => Duration::from_secs(number.checked_mul(3600)?),
        _ => return None,
    };
    Some(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_names_the_variable() {
        let env = Env::from_pairs([("PORT", "eighty")]);
        let error = env.parse_or::<u16>("PORT", 8080).unwrap_err();
        assert!(error.to_string().contains("PORT"), "{error}");
    }

    #[test]
    fn durations_take_common_units() {
        let env = Env::from_pairs([
            ("A", "90s"),
            ("B", "10m"),
            ("C", "1h"),
            ("D", "250ms"),
            ("E", "7"),
        ]);
        assert_eq!(
            env.duration_or("A", Duration::ZERO).unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            env.duration_or("B", Duration::ZERO).unwrap(),
            Duration::from_secs(600)
        );
        assert_eq!(
            env.duration_or("C", Duration::ZERO).unwrap(),
            Duration::from_secs(3600)
        );
        assert_eq!(
            env.duration_or("D", Duration::ZERO).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            env.duration_or("E", Duration::ZERO).unwrap(),
            Duration::from_secs(7)
        );
        assert!(
            Env::from_pairs([("X", "soon")])
                .duration_or("X", Duration::ZERO)
                .is_err()
        );
    }

    #[test]
    fn redis_urls_need_a_redis_scheme() {
        for url in [
            "redis://cache:6379",
            "rediss://:pw@cache:6380/1",
            "redis-cluster://a:1",
        ] {
            let env = Env::from_pairs([("REDIS_URL", url)]);
            assert_eq!(env.redis_url("REDIS_URL").unwrap().as_deref(), Some(url));
        }
        for url in ["postgres://127.0.0.1", "cache:6379"] {
            let env = Env::from_pairs([("REDIS_URL", url)]);
            assert!(env.redis_url("REDIS_URL").is_err(), "{url}");
        }
        assert_eq!(Env::default().redis_url("REDIS_URL").unwrap(), None);
    }

    #[test]
    fn blank_values_count_as_unset() {
        let env = Env::from_pairs([("REDIS_URL", "  ")]);
        assert!(env.get("REDIS_URL").is_none());
        assert!(
            env.required("REDIS_URL")
                .unwrap_err()
                .to_string()
                .contains("REDIS_URL")
        );
    }
}
