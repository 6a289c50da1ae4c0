//! What the source counts: as OpenTelemetry counters for dashboards, and as plain numbers for
//! `AirQuality::stats` (tests, health pages).

use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::{
    KeyValue,
    metrics::{Counter, Meter},
};

/// The counts of one `AirQuality` (and its clones) since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceStats {
    /// Requests sent to AirKorea.
    pub upstream_calls: u64,
    /// Calls answered without a request of their own: from the shared cache, or by joining a
    /// request already under way.
    pub cache_hits: u64,
    /// Answers from AirKorea saying the daily quota is exhausted.
    pub quota_errors: u64,
}

/// Which API a count is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Operation {
    Measurement,
    Stations,
}

impl Operation {
    fn attributes(self) -> [KeyValue; 1] {
        let name = match self {
            Operation::Measurement => "measurement",
            Operation::Stations => "stations",
        };
        [KeyValue::new("operation", name)]
    }
}

pub(crate) struct SourceMetrics {
    upstream_calls: AtomicU64,
    cache_hits: AtomicU64,
    quota_errors: AtomicU64,
    upstream_counter: Counter<u64>,
    cache_hit_counter: Counter<u64>,
    quota_error_counter: Counter<u64>,
}

impl SourceMetrics {
    pub(crate) fn new(meter: &Meter) -> SourceMetrics {
        SourceMetrics {
            upstream_calls: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            quota_errors: AtomicU64::new(0),
            upstream_counter: meter
                .u64_counter("air_quality.upstream.calls")
                .with_description("requests sent to the AirKorea API")
                .build(),
            cache_hit_counter: meter
                .u64_counter("air_quality.cache.hits")
                .with_description("air quality calls answered without an AirKorea request")
                .build(),
            quota_error_counter: meter
                .u64_counter("air_quality.quota.errors")
                .with_description("AirKorea answers saying the daily quota is exhausted")
                .build(),
        }
    }

    pub(crate) fn upstream_call(&self, operation: Operation) {
        self.upstream_calls.fetch_add(1, Ordering::Relaxed);
        self.upstream_counter.add(1, &operation.attributes());
    }

    pub(crate) fn cache_hit(&self, operation: Operation) {
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
        self.cache_hit_counter.add(1, &operation.attributes());
    }

    pub(crate) fn quota_error(&self, operation: Operation) {
        self.quota_errors.fetch_add(1, Ordering::Relaxed);
        self.quota_error_counter.add(1, &operation.attributes());
    }

    pub(crate) fn stats(&self) -> SourceStats {
        SourceStats {
            upstream_calls: self.upstream_calls.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            quota_errors: self.quota_errors.load(Ordering::Relaxed),
        }
    }
}
