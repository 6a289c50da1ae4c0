//! The counters dashboards see, read through an OpenTelemetry SDK pipeline.

use std::sync::Arc;

use alert_airquality::{AirQuality, MemoryCache};
use alert_platform::clock::ManualClock;
use alert_testkit::{AirKoreaStub, StubMode};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::{
    InMemoryMetricExporter, PeriodicReader, SdkMeterProvider,
    data::{AggregatedMetrics, MetricData, ResourceMetrics},
};

use crate::helpers::{client, kst};

/// The latest cumulative value of a u64 counter for one `operation`.
fn counter(exported: &[ResourceMetrics], name: &str, operation: &str) -> u64 {
    let mut latest = 0;
    for metric in exported
        .iter()
        .flat_map(ResourceMetrics::scope_metrics)
        .flat_map(|scope| scope.metrics())
        .filter(|metric| metric.name() == name)
    {
        if let AggregatedMetrics::U64(MetricData::Sum(sum)) = metric.data() {
            for point in sum.data_points() {
                let matches = point
                    .attributes()
                    .any(|attribute| attribute.value.as_str() == operation);
                if matches {
                    latest = point.value();
                }
            }
        }
    }
    latest
}

#[tokio::test]
async fn upstream_calls_cache_hits_and_quota_errors_are_exported_as_counters() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let stub = AirKoreaStub::start().await;
    let clock = ManualClock::new(kst("2024-05-01 08:20"));
    let source = AirQuality::with_meter(
        client(&stub),
        Arc::new(MemoryCache::new()),
        Arc::new(clock),
        &provider.meter("alert-airquality"),
    );

    for _ in 0..3 {
        source.measurement("종로구").await.unwrap();
    }
    source.stations().await.unwrap();
    stub.set_mode(StubMode::QuotaExceeded);
    source.measurement("중구").await.unwrap_err();
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();

    let upstream = "air_quality.upstream.calls";
    assert_eq!(counter(&exported, upstream, "measurement"), 2);
    assert_eq!(counter(&exported, upstream, "stations"), 1);
    assert_eq!(
        counter(&exported, "air_quality.cache.hits", "measurement"),
        2
    );
    assert_eq!(
        counter(&exported, "air_quality.quota.errors", "measurement"),
        1
    );
    let stats = source.stats();
    assert_eq!(
        (stats.upstream_calls, stats.cache_hits, stats.quota_errors),
        (3, 2, 1)
    );
}
