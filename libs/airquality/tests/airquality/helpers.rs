//! What every test needs: a client for a stub, a source over a cache, times in KST.

use std::{sync::Arc, time::Duration};

use alert_airquality::{
    AirKoreaClient, AirKoreaConfig, AirQuality, Measurement, MemoryCache, RedisCache, SharedCache,
    parse_data_time,
};
use alert_platform::clock::ManualClock;
use alert_testkit::AirKoreaStub;
use chrono::{DateTime, Utc};
use fred::prelude::{Builder, ClientLike as _, Config as RedisConfig, Pool};

/// The decoded form of a key, with every character the portal's encoding changes.
pub const DECODED_KEY: &str = "Ab+cD/ef==";
/// The same key as the portal shows it URL-encoded.
pub const ENCODED_KEY: &str = "Ab%2BcD%2Fef%3D%3D";

pub fn config(base_url: &str, key: &str, timeout: Duration) -> AirKoreaConfig {
    let mut config = AirKoreaConfig::new(key.to_owned().into());
    config.base_url = base_url.parse().expect("the stub's base URL parses");
    config.timeout = timeout;
    config
}

pub fn client(stub: &AirKoreaStub) -> AirKoreaClient {
    client_with_key(stub, DECODED_KEY)
}

pub fn client_with_key(stub: &AirKoreaStub, key: &str) -> AirKoreaClient {
    AirKoreaClient::new(config(&stub.base_url(), key, Duration::from_secs(5)))
        .expect("the client builds")
}

/// A time written as the API's `dataTime` (KST).
pub fn kst(data_time: &str) -> DateTime<Utc> {
    parse_data_time(data_time)
        .expect("a valid dataTime")
        .with_timezone(&Utc)
}

/// A source over `cache` for `stub`, on a clock the test moves.
pub fn source(stub: &AirKoreaStub, cache: Arc<dyn SharedCache>, clock: &ManualClock) -> AirQuality {
    AirQuality::new(client(stub), cache, Arc::new(clock.clone()))
}

pub fn memory_source(stub: &AirKoreaStub, clock: &ManualClock) -> AirQuality {
    source(stub, Arc::new(MemoryCache::new()), clock)
}

/// `calls` concurrent tasks asking for `station`, spread over `replicas`; every one must get a
/// measurement.
pub async fn measure_concurrently(
    replicas: &[AirQuality],
    station: &str,
    calls: usize,
) -> Vec<Arc<Measurement>> {
    let tasks: Vec<_> = (0..calls)
        .map(|n| {
            let replica = replicas[n % replicas.len()].clone();
            let station = station.to_owned();
            tokio::spawn(async move { replica.measurement(&station).await })
        })
        .collect();
    let mut measurements = Vec::with_capacity(calls);
    for task in tasks {
        let answer = task.await.expect("the call does not panic");
        measurements.push(answer.expect("every call gets the measurement"));
    }
    measurements
}

/// The Redis the tests share (`TEST_REDIS_URL`, default 127.0.0.1:6379).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A connected pool, as one replica would have.
pub async fn redis_pool() -> Pool {
    let config = RedisConfig::from_url(&redis_url()).expect("a valid Redis URL");
    let pool = Builder::from_config(config)
        .build_pool(2)
        .expect("the Redis pool builds");
    pool.init()
        .await
        .expect("redis is reachable (TEST_REDIS_URL or 127.0.0.1:6379)");
    pool
}

/// A key prefix no other test uses.
pub fn unique_prefix() -> String {
    format!("test-airquality-{}", uuid::Uuid::new_v4())
}

/// A Redis cache as one replica sees it: its own pool, the shared prefix.
pub async fn redis_cache(prefix: &str) -> Arc<dyn SharedCache> {
    Arc::new(RedisCache::new(redis_pool().await, prefix))
}
