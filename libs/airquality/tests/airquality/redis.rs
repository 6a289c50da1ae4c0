//! The cached source on Redis: several replicas, one upstream call.

use std::{sync::Arc, time::Duration};

use alert_airquality::{AirQualityError, RedisCache, SharedCache as _};
use alert_platform::clock::ManualClock;
use alert_testkit::{AirKoreaStub, StubMeasurement, StubMode};
use fred::prelude::{Builder, ClientLike as _, Config as RedisConfig, ReconnectPolicy};

use crate::helpers::{kst, measure_concurrently, redis_cache, redis_pool, source, unique_prefix};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_sharing_redis_make_one_upstream_call_for_ten_thousand_alerts() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "16", "2", "2024-05-01 08:00"),
    );
    stub.set_mode(StubMode::Delay(Duration::from_millis(300)));
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let prefix = unique_prefix();
    let replicas = [
        source(&stub, redis_cache(&prefix).await, &clock),
        source(&stub, redis_cache(&prefix).await, &clock),
    ];

    let measurements = measure_concurrently(&replicas, "종로구", 10_000).await;

    assert!(measurements.iter().all(|m| m.pm25.value == Some(16)));
    assert_eq!(stub.measurement_calls(), 1);
    let [first, second] = replicas.map(|replica| replica.stats());
    assert_eq!(first.upstream_calls + second.upstream_calls, 1);
    assert_eq!(first.cache_hits + second.cache_hits, 9_999);
}

#[tokio::test]
async fn a_replica_reads_what_another_replica_cached() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let prefix = unique_prefix();
    let first = source(&stub, redis_cache(&prefix).await, &clock);
    let second = source(&stub, redis_cache(&prefix).await, &clock);

    let fetched = first.measurement("강남구").await.unwrap();
    let shared = second.measurement("강남구").await.unwrap();
    second.stations().await.unwrap();
    first.stations().await.unwrap();

    assert_eq!(fetched, shared);
    assert_eq!(stub.measurement_calls(), 1);
    assert_eq!(stub.station_list_calls(), 1);
    assert_eq!(second.stats().upstream_calls, 1, "only the station list");
}

#[tokio::test]
async fn a_quota_failure_seen_by_one_replica_spares_the_others() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let prefix = unique_prefix();
    let first = source(&stub, redis_cache(&prefix).await, &clock);
    let second = source(&stub, redis_cache(&prefix).await, &clock);
    stub.set_mode(StubMode::QuotaExceeded);

    assert_eq!(
        first.measurement("종로구").await.unwrap_err(),
        AirQualityError::QuotaExceeded
    );
    assert_eq!(
        second.measurement("송파구").await.unwrap_err(),
        AirQualityError::QuotaExceeded
    );
    assert_eq!(stub.measurement_calls(), 1);
}

#[tokio::test]
async fn replicas_with_different_prefixes_do_not_share() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let first = source(&stub, redis_cache(&unique_prefix()).await, &clock);
    let second = source(&stub, redis_cache(&unique_prefix()).await, &clock);

    first.measurement("종로구").await.unwrap();
    second.measurement("종로구").await.unwrap();

    assert_eq!(stub.measurement_calls(), 2);
}

#[tokio::test]
async fn a_lock_belongs_to_the_replica_that_took_it() {
    let prefix = unique_prefix();
    let first = RedisCache::new(redis_pool().await, &prefix);
    let second = RedisCache::new(redis_pool().await, &prefix);
    let ttl = Duration::from_secs(10);

    assert!(first.try_lock("measurement:종로구", ttl).await);
    assert!(
        !second.try_lock("measurement:종로구", ttl).await,
        "held by the first"
    );
    second.unlock("measurement:종로구").await;
    assert!(
        !second.try_lock("measurement:종로구", ttl).await,
        "not released by the second"
    );
    first.unlock("measurement:종로구").await;
    assert!(
        second.try_lock("measurement:종로구", ttl).await,
        "released by its holder"
    );
    second.unlock("measurement:종로구").await;
}

#[tokio::test]
async fn values_expire_in_redis() {
    let cache = RedisCache::new(redis_pool().await, &unique_prefix());

    cache.put("k", b"value", Duration::from_millis(200)).await;
    assert_eq!(cache.get("k").await.as_deref(), Some(&b"value"[..]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get("k").await, None);
}

#[tokio::test]
async fn a_redis_that_is_down_costs_requests_not_answers() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", closed.local_addr().unwrap());
    drop(closed);
    let pool = Builder::from_config(RedisConfig::from_url(&url).unwrap())
        .set_policy(ReconnectPolicy::new_constant(0, 100))
        .build_pool(1)
        .unwrap();
    let _connection = pool.connect();
    let down = source(&stub, Arc::new(RedisCache::new(pool, "down")), &clock);

    for _ in 0..2 {
        let answer = tokio::time::timeout(Duration::from_secs(10), down.measurement("종로구"))
            .await
            .expect("a cache that hangs does not hold up the answer");
        assert!(answer.is_ok(), "{answer:?}");
    }
    assert_eq!(stub.measurement_calls(), 2, "no cache, so each call asks");
}
