//! The cached AirKorea source alert-service uses.
//!
//! A call first looks in the shared cache. On a miss it joins the in-process flight for that key
//! (or starts one). The flight looks again, then takes the cross-replica lock; a replica that
//! finds the lock taken waits for the holder to fill the cache instead of asking AirKorea too.
//! So a burst of alerts for one station, on any number of replicas, costs one request.

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use alert_platform::clock::SharedClock;
use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use tracing::{debug, warn};

use crate::{
    cache::SharedCache,
    client::AirKoreaClient,
    entry::{Entry, Outcome, RememberedFailure},
    error::{AirQualityError, Result},
    freshness::{STATION_LIST_TTL, measurement_fresh_until},
    measurement::Measurement,
    metrics::{Operation, SourceMetrics, SourceStats},
    single_flight::{Role, SingleFlight},
    station::{NearbyStation, Station, nearest, search},
};

/// Cache key of the failure that holds for the whole API key (quota, key rejected).
const KEY_FAILURE_KEY: &str = "key-failure";
const STATION_LIST_KEY: &str = "stations";
/// How often a replica waiting on another's request looks for its answer.
const LOCK_POLL: Duration = Duration::from_millis(25);
/// Extra time a lock outlives the requests it covers.
const LOCK_SLACK: Duration = Duration::from_secs(2);
/// How long a replica keeps its decoded copy of the shared station list: short next to the
/// list's day, so a list refreshed by another replica is seen within the hour.
const LOCAL_STATION_LIST_TTL: chrono::Duration = chrono::Duration::hours(1);
/// The station list may take a few pages.
const STATION_LIST_REQUESTS: u32 = 3;

/// The cached AirKorea source: per-station measurement cached until the next hourly update is
/// expected; station list cached for a day; single-flight in-process (and across replicas via
/// the cache lock). Counts upstream calls, cache hits and quota errors as OpenTelemetry metrics
/// (`opentelemetry::global::meter("alert-airquality")`) and exposes the same numbers in `stats()`.
#[derive(Clone)]
pub struct AirQuality {
    inner: Arc<Inner>,
}

struct Inner {
    client: AirKoreaClient,
    cache: Arc<dyn SharedCache>,
    clock: SharedClock,
    metrics: SourceMetrics,
    measurement_flights: SingleFlight<Arc<Measurement>>,
    station_flights: SingleFlight<Arc<Vec<Station>>>,
    /// The station list, decoded, so search and nearest do not read 100 KB from Redis each time.
    local_stations: Mutex<Option<LocalStations>>,
}

/// Until when the local copy is used, and the copy.
type LocalStations = (DateTime<Utc>, Arc<Vec<Station>>);

impl std::fmt::Debug for AirQuality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AirQuality")
            .field("client", &self.inner.client)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl AirQuality {
    /// A source whose counters go to `opentelemetry::global::meter("alert-airquality")`.
    pub fn new(
        client: AirKoreaClient,
        cache: Arc<dyn SharedCache>,
        clock: SharedClock,
    ) -> AirQuality {
        let meter = opentelemetry::global::meter("alert-airquality");
        AirQuality::with_meter(client, cache, clock, &meter)
    }

    /// A source whose counters go to `meter` (tests, or an app without a global provider).
    pub fn with_meter(
        client: AirKoreaClient,
        cache: Arc<dyn SharedCache>,
        clock: SharedClock,
        meter: &opentelemetry::metrics::Meter,
    ) -> AirQuality {
        AirQuality {
            inner: Arc::new(Inner {
                client,
                cache,
                clock,
                metrics: SourceMetrics::new(meter),
                measurement_flights: SingleFlight::default(),
                station_flights: SingleFlight::default(),
                local_stations: Mutex::new(None),
            }),
        }
    }

    /// The latest measurement of `station` (its exact AirKorea name).
    pub async fn measurement(&self, station: &str) -> Result<Arc<Measurement>> {
        let station = station.trim().to_owned();
        if station.is_empty() {
            return Err(AirQualityError::UnknownStation(station));
        }
        let lock_ttl = self.inner.client.timeout() + LOCK_SLACK;
        self.cached_or_fetched(
            |inner| &inner.measurement_flights,
            format!("measurement:{station}"),
            lock_ttl,
            Operation::Measurement,
            |inner| async move {
                let measurement = inner.client.measurement(&station).await?;
                let fresh_until = measurement_fresh_until(measurement.measured_at, inner.now());
                Ok((measurement, fresh_until))
            },
        )
        .await
    }

    /// Every station (cached for a day).
    pub async fn stations(&self) -> Result<Arc<Vec<Station>>> {
        if let Some(stations) = self.inner.local_stations() {
            self.inner.metrics.cache_hit(Operation::Stations);
            return Ok(stations);
        }
        let lock_ttl = self.inner.client.timeout() * STATION_LIST_REQUESTS + LOCK_SLACK;
        let stations = self
            .cached_or_fetched(
                |inner| &inner.station_flights,
                STATION_LIST_KEY.to_owned(),
                lock_ttl,
                Operation::Stations,
                |inner| async move {
                    let stations = inner.client.stations().await?;
                    Ok((stations, inner.now() + STATION_LIST_TTL))
                },
            )
            .await?;
        self.inner.keep_local_stations(&stations);
        Ok(stations)
    }

    /// The answer from the shared cache, or from the flight for `key` (joined, or started with
    /// `fetch`). Every call counts as a cache hit unless it sent a request itself.
    async fn cached_or_fetched<T, Fetch, Fetched>(
        &self,
        flights: impl FnOnce(&Inner) -> &SingleFlight<Arc<T>>,
        key: String,
        lock_ttl: Duration,
        operation: Operation,
        fetch: Fetch,
    ) -> Result<Arc<T>>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fetch: FnOnce(Arc<Inner>) -> Fetched + Send + 'static,
        Fetched: Future<Output = Result<(T, DateTime<Utc>)>> + Send + 'static,
    {
        if let Some(answer) = self.inner.cached::<T>(&key).await {
            self.inner.metrics.cache_hit(operation);
            return answer;
        }
        let inner = Arc::clone(&self.inner);
        let flight_key = key.clone();
        let work = async move {
            let fetched = fetch(Arc::clone(&inner));
            inner.load(&flight_key, lock_ttl, operation, fetched).await
        };
        let (answer, role) = flights(&self.inner).run(&key, work).await;
        if role == Role::Follower {
            self.inner.metrics.cache_hit(operation);
        }
        answer
    }

    /// Stations whose name (then address) contains `query`, exact name first.
    pub async fn search_stations(&self, query: &str, limit: usize) -> Result<Vec<Station>> {
        Ok(search(&self.stations().await?, query, limit))
    }

    /// The stations nearest to a WGS84 point, nearest first.
    pub async fn nearest_stations(
        &self,
        latitude: f64,
        longitude: f64,
        limit: usize,
    ) -> Result<Vec<NearbyStation>> {
        Ok(nearest(&self.stations().await?, latitude, longitude, limit))
    }

    pub fn stats(&self) -> SourceStats {
        self.inner.metrics.stats()
    }
}

impl Inner {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A fresh answer from the shared cache: the value, or a remembered failure (this key's, or
    /// one that holds for the whole API key).
    async fn cached<T>(&self, key: &str) -> Option<Result<Arc<T>>>
    where
        T: Serialize + DeserializeOwned,
    {
        let now = self.now();
        if let Some(bytes) = self.cache.get(key).await
            && let Some(entry) = Entry::<T>::decode_fresh(&bytes, now)
        {
            return Some(match entry.outcome {
                Outcome::Value(value) => Ok(Arc::new(value)),
                Outcome::Failure(failure) => Err(failure.into_error()),
            });
        }
        let bytes = self.cache.get(KEY_FAILURE_KEY).await?;
        match Entry::<()>::decode_fresh(&bytes, now)?.outcome {
            Outcome::Failure(failure) => Some(Err(failure.into_error())),
            Outcome::Value(()) => None,
        }
    }

    /// The flight's work: look again, take the cross-replica lock (or wait for the replica
    /// holding it to fill the cache), ask AirKorea, remember the answer.
    async fn load<T, F>(
        &self,
        key: &str,
        lock_ttl: Duration,
        operation: Operation,
        fetch: F,
    ) -> Result<Arc<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Future<Output = Result<(T, DateTime<Utc>)>>,
    {
        if let Some(answer) = self.cached::<T>(key).await {
            self.metrics.cache_hit(operation);
            return answer;
        }
        let locked = match self.wait_for_lock::<T>(key, lock_ttl).await {
            Ok(locked) => locked,
            Err(answer) => {
                self.metrics.cache_hit(operation);
                return answer;
            }
        };
        // The holder we waited for may have just finished: its answer is in the cache now.
        let answer = match self.cached::<T>(key).await {
            Some(answer) => {
                self.metrics.cache_hit(operation);
                answer
            }
            None => self.fetch_and_remember(key, operation, fetch).await,
        };
        if locked {
            self.cache.unlock(key).await;
        }
        answer
    }

    /// `Ok(true)` once this replica holds the lock; `Ok(false)` if the holder never answered
    /// in time (go ahead without it); `Err(answer)` if the holder's answer arrived meanwhile.
    async fn wait_for_lock<T>(
        &self,
        key: &str,
        lock_ttl: Duration,
    ) -> std::result::Result<bool, Result<Arc<T>>>
    where
        T: Serialize + DeserializeOwned,
    {
        let deadline = tokio::time::Instant::now() + lock_ttl;
        while !self.cache.try_lock(key, lock_ttl).await {
            if tokio::time::Instant::now() >= deadline {
                warn!(
                    key,
                    "another replica held the air quality lock too long, asking anyway"
                );
                return Ok(false);
            }
            tokio::time::sleep(LOCK_POLL).await;
            if let Some(answer) = self.cached::<T>(key).await {
                return Err(answer);
            }
        }
        Ok(true)
    }

    async fn fetch_and_remember<T, F>(
        &self,
        key: &str,
        operation: Operation,
        fetch: F,
    ) -> Result<Arc<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Future<Output = Result<(T, DateTime<Utc>)>>,
    {
        self.metrics.upstream_call(operation);
        match fetch.await {
            Ok((value, fresh_until)) => {
                let entry = Entry {
                    fresh_until,
                    outcome: Outcome::Value(&value),
                };
                self.store(key, &entry).await;
                Ok(Arc::new(value))
            }
            Err(error) => {
                if error == AirQualityError::QuotaExceeded {
                    self.metrics.quota_error(operation);
                }
                self.remember_failure(key, &error).await;
                debug!(key, error = %error, "air quality request failed");
                Err(error)
            }
        }
    }

    /// Quota and key failures are remembered for every station, an unknown station for itself;
    /// transient failures not at all, so the next call tries again.
    async fn remember_failure(&self, key: &str, error: &AirQualityError) {
        let Some((failure, ttl)) = RememberedFailure::of(error) else {
            return;
        };
        let key = if failure.is_key_wide() {
            KEY_FAILURE_KEY
        } else {
            key
        };
        let entry = Entry::<()> {
            fresh_until: self.now() + ttl,
            outcome: Outcome::Failure(failure),
        };
        self.store(key, &entry).await;
    }

    async fn store<T: Serialize>(&self, key: &str, entry: &Entry<T>) {
        let ttl = entry.storage_ttl(self.now());
        self.cache.put(key, &entry.encode(), ttl).await;
    }

    fn local_stations(&self) -> Option<Arc<Vec<Station>>> {
        let local = self
            .local_stations
            .lock()
            .expect("station list lock poisoned");
        local
            .as_ref()
            .filter(|(fresh_until, _)| *fresh_until > self.now())
            .map(|(_, stations)| Arc::clone(stations))
    }

    fn keep_local_stations(&self, stations: &Arc<Vec<Station>>) {
        let fresh_until = self.now() + LOCAL_STATION_LIST_TTL;
        *self
            .local_stations
            .lock()
            .expect("station list lock poisoned") = Some((fresh_until, Arc::clone(stations)));
    }
}
