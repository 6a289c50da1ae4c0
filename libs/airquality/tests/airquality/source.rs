//! The cached source on the memory cache (the embedded mode).

use std::time::Duration;

use alert_airquality::{AirQualityError, SourceStats};
use alert_platform::clock::ManualClock;
use alert_testkit::{AirKoreaStub, StubMeasurement, StubMode};

use crate::helpers::{kst, measure_concurrently, memory_source};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_for_one_station_make_one_upstream_call() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "16", "2", "2024-05-01 08:00"),
    );
    // A slow answer keeps the first request open while the others arrive.
    stub.set_mode(StubMode::Delay(Duration::from_millis(200)));
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    let measurements = measure_concurrently(std::slice::from_ref(&source), "종로구", 10_000).await;

    assert!(measurements.iter().all(|m| m.pm10.value == Some(35)));
    assert_eq!(stub.measurement_calls(), 1);
    assert_eq!(
        source.stats(),
        SourceStats {
            upstream_calls: 1,
            cache_hits: 9_999,
            quota_errors: 0
        }
    );
}

#[tokio::test]
async fn a_measurement_is_kept_until_the_next_hour_is_expected_then_fetched_again() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "16", "2", "2024-05-01 08:00"),
    );
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    assert_eq!(
        source.measurement("종로구").await.unwrap().pm10.value,
        Some(35)
    );
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("90", "3", "40", "3", "2024-05-01 09:00"),
    );
    clock.set(kst("2024-05-01 09:10"));
    assert_eq!(
        source.measurement("종로구").await.unwrap().pm10.value,
        Some(35),
        "09:00 is not expected before 09:15"
    );
    assert_eq!(stub.measurement_calls(), 1);

    clock.set(kst("2024-05-01 09:16"));
    let newer = source.measurement("종로구").await.unwrap();
    assert_eq!(newer.pm10.value, Some(90));
    assert_eq!(newer.measured_at.to_rfc3339(), "2024-05-01T09:00:00+09:00");
    assert_eq!(stub.measurement_calls(), 2);
}

#[tokio::test]
async fn a_late_hour_is_looked_for_every_few_minutes_not_on_every_call() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "16", "2", "2024-05-01 08:00"),
    );
    let clock = ManualClock::new(kst("2024-05-01 09:16"));
    let source = memory_source(&stub, &clock);

    source.measurement("종로구").await.unwrap();
    clock.set(kst("2024-05-01 09:19"));
    source.measurement("종로구").await.unwrap();
    assert_eq!(stub.measurement_calls(), 1, "looked again within 5 minutes");

    clock.set(kst("2024-05-01 09:22"));
    source.measurement("종로구").await.unwrap();
    assert_eq!(stub.measurement_calls(), 2);
}

#[tokio::test]
async fn a_transient_failure_is_not_cached() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    stub.set_mode(StubMode::Http(503));
    assert!(
        source
            .measurement("종로구")
            .await
            .unwrap_err()
            .is_transient()
    );
    stub.set_mode(StubMode::Normal);
    assert!(source.measurement("종로구").await.is_ok());
    assert_eq!(stub.measurement_calls(), 2);
}

#[tokio::test]
async fn a_quota_failure_is_remembered_briefly_for_every_station() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);
    stub.set_mode(StubMode::QuotaExceeded);

    assert_eq!(
        source.measurement("종로구").await.unwrap_err(),
        AirQualityError::QuotaExceeded
    );
    assert_eq!(
        source.measurement("중구").await.unwrap_err(),
        AirQualityError::QuotaExceeded
    );
    assert_eq!(
        stub.measurement_calls(),
        1,
        "the second station did not spend quota"
    );
    assert_eq!(source.stats().quota_errors, 1);

    stub.set_mode(StubMode::Normal);
    clock.advance(chrono::Duration::seconds(61));
    assert!(source.measurement("중구").await.is_ok());
    assert_eq!(stub.measurement_calls(), 2);
}

#[tokio::test]
async fn a_rejected_key_is_remembered_briefly_too() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);
    stub.set_mode(StubMode::KeyNotRegistered);

    for station in ["종로구", "중구", "강남구"] {
        let error = source.measurement(station).await.unwrap_err();
        assert!(
            matches!(error, AirQualityError::KeyRejected(_)),
            "{station}: {error:?}"
        );
    }
    assert_eq!(stub.measurement_calls(), 1);
    assert_eq!(source.stats().quota_errors, 0);
}

#[tokio::test]
async fn an_unknown_station_is_remembered_for_a_few_minutes() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    for _ in 0..3 {
        let error = source.measurement("없는측정소").await.unwrap_err();
        assert_eq!(error, AirQualityError::UnknownStation("없는측정소".into()));
    }
    assert_eq!(stub.measurement_calls(), 1);
    assert!(
        source.measurement("종로구").await.is_ok(),
        "other stations are not affected"
    );

    clock.advance(chrono::Duration::minutes(6));
    let _ = source.measurement("없는측정소").await;
    assert_eq!(stub.measurement_calls_for("없는측정소"), 2);
}

#[tokio::test]
async fn the_station_list_is_fetched_once_a_day_and_serves_search_and_nearest() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    let found = source.search_stations("종로", 5).await.unwrap();
    assert_eq!(found[0].name, "종로구");
    // Gwanghwamun Square: 중구's station (덕수궁길) is the closest, 1.3 km away.
    let nearby = source.nearest_stations(37.5759, 126.9769, 3).await.unwrap();
    assert_eq!(nearby[0].station.name, "중구");
    assert!(nearby[0].distance_km < 1.5, "{}", nearby[0].distance_km);
    assert_eq!(nearby.len(), 3);

    clock.advance(chrono::Duration::hours(23));
    assert!(!source.stations().await.unwrap().is_empty());
    assert_eq!(stub.station_list_calls(), 1);

    clock.advance(chrono::Duration::hours(2));
    source.stations().await.unwrap();
    assert_eq!(
        stub.station_list_calls(),
        2,
        "a day later the list is fetched again"
    );
}

#[tokio::test]
async fn concurrent_station_list_calls_share_one_request() {
    let stub = AirKoreaStub::start().await;
    stub.set_mode(StubMode::Delay(Duration::from_millis(100)));
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);

    let calls = (0..100).map(|_| source.nearest_stations(37.5, 127.0, 1));
    let answers = futures::future::join_all(calls).await;

    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(stub.station_list_calls(), 1);
    assert_eq!(source.stats().upstream_calls, 1);
    assert_eq!(source.stats().cache_hits, 99);
}

#[tokio::test]
async fn clones_share_the_cache_and_the_counts() {
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = memory_source(&stub, &clock);
    let clone = source.clone();

    let first = source.measurement("종로구").await.unwrap();
    let second = clone.measurement("종로구").await.unwrap();

    assert_eq!(first, second);
    assert_eq!(stub.measurement_calls(), 1);
    assert_eq!(
        clone.stats(),
        SourceStats {
            upstream_calls: 1,
            cache_hits: 1,
            quota_errors: 0
        }
    );
}
