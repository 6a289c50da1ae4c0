//! What is stored in the shared cache: a value or a remembered failure, and until when it is
//! good by the source's clock (so tests with a manual clock see entries age).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::AirQualityError;

#[derive(Serialize, Deserialize)]
pub(crate) struct Entry<T> {
    pub fresh_until: DateTime<Utc>,
    pub outcome: Outcome<T>,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum Outcome<T> {
    Value(T),
    Failure(RememberedFailure),
}

/// The failures worth remembering: they will not go away by asking again right now.
#[derive(Serialize, Deserialize)]
pub(crate) enum RememberedFailure {
    QuotaExceeded,
    KeyRejected(String),
    UnknownStation(String),
}

impl RememberedFailure {
    /// The failure to remember for `error`, and for how long; None for one not to remember.
    pub(crate) fn of(error: &AirQualityError) -> Option<(RememberedFailure, Duration)> {
        use crate::freshness::{KEY_FAILURE_TTL, UNKNOWN_STATION_TTL};
        match error {
            AirQualityError::QuotaExceeded => {
                Some((RememberedFailure::QuotaExceeded, KEY_FAILURE_TTL))
            }
            AirQualityError::KeyRejected(reason) => Some((
                RememberedFailure::KeyRejected(reason.clone()),
                KEY_FAILURE_TTL,
            )),
            AirQualityError::UnknownStation(station) => Some((
                RememberedFailure::UnknownStation(station.clone()),
                UNKNOWN_STATION_TTL,
            )),
            _ => None,
        }
    }

    pub(crate) fn into_error(self) -> AirQualityError {
        match self {
            RememberedFailure::QuotaExceeded => AirQualityError::QuotaExceeded,
            RememberedFailure::KeyRejected(reason) => AirQualityError::KeyRejected(reason),
            RememberedFailure::UnknownStation(station) => AirQualityError::UnknownStation(station),
        }
    }

    /// Quota and key failures are about the key, so they hold for every station.
    pub(crate) fn is_key_wide(&self) -> bool {
        matches!(
            self,
            RememberedFailure::QuotaExceeded | RememberedFailure::KeyRejected(_)
        )
    }
}

impl<T: Serialize> Entry<T> {
    pub(crate) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("cache entries serialize")
    }

    /// How long the store should keep it: until it goes stale, at least a second.
    pub(crate) fn storage_ttl(&self, now: DateTime<Utc>) -> std::time::Duration {
        (self.fresh_until - now)
            .to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1))
    }
}

impl<T: DeserializeOwned> Entry<T> {
    /// The entry if it is readable and still fresh at `now`; anything else is a miss (an entry
    /// written by another version of this code included).
    pub(crate) fn decode_fresh(bytes: &[u8], now: DateTime<Utc>) -> Option<Entry<T>> {
        serde_json::from_slice::<Entry<T>>(bytes)
            .ok()
            .filter(|entry| entry.fresh_until > now)
    }
}
