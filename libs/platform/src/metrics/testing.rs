//! Metrics in tests: a global MeterProvider that keeps what it collects, so a test can assert on
//! the values a service recorded.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use opentelemetry_sdk::{
    error::OTelSdkResult,
    metrics::{
        PeriodicReader, SdkMeterProvider, Temporality,
        data::{AggregatedMetrics, MetricData, ResourceMetrics},
        exporter::PushMetricExporter,
    },
};

/// One data point as collected: cumulative for counters, the current value for gauges, the sum
/// of the recorded values for histograms.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPoint {
    pub name: String,
    pub attributes: BTreeMap<String, String>,
    pub value: f64,
}

/// Every data point of one collection.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub points: Vec<DataPoint>,
}

impl Snapshot {
    /// The points of `name` whose attributes include every pair in `matching`.
    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        matching: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a DataPoint> + 'a {
        self.points.iter().filter(move |point| {
            point.name == name
                && matching.iter().all(|(key, value)| {
                    point.attributes.get(*key).map(String::as_str) == Some(*value)
                })
        })
    }

    /// The sum of the matching points' values; 0 when none matches.
    pub fn sum(&self, name: &str, matching: &[(&str, &str)]) -> f64 {
        self.matching(name, matching).map(|point| point.value).sum()
    }

    /// [`Snapshot::sum`] of an integer instrument.
    pub fn count(&self, name: &str, matching: &[(&str, &str)]) -> u64 {
        let sum = self.sum(name, matching);
        assert!(
            sum >= 0.0 && sum.fract() == 0.0,
            "{name} {matching:?} is not a count: {sum}"
        );
        sum as u64
    }
}

/// The process's recording MeterProvider; see [`RecordedMetrics::install`].
pub struct RecordedMetrics {
    provider: SdkMeterProvider,
    latest: Arc<Mutex<Snapshot>>,
}

impl RecordedMetrics {
    /// Installs, once per process, a global MeterProvider that keeps what it collects. Services
    /// built afterwards record into it. The tests of one binary share it, so a test tells its
    /// measurements apart by an attribute only it uses (a unique name).
    pub fn install() -> &'static RecordedMetrics {
        static INSTALLED: OnceLock<RecordedMetrics> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            let latest = Arc::new(Mutex::new(Snapshot::default()));
            let exporter = RecordingExporter {
                latest: latest.clone(),
            };
            // Collections happen when a test asks; the interval only has to be long.
            let reader = PeriodicReader::builder(exporter)
                .with_interval(Duration::from_secs(24 * 3600))
                .build();
            let provider = SdkMeterProvider::builder().with_reader(reader).build();
            opentelemetry::global::set_meter_provider(provider.clone());
            RecordedMetrics { provider, latest }
        })
    }

    /// Collects every instrument now (observable ones call their callbacks).
    pub fn collect(&self) -> Snapshot {
        self.provider
            .force_flush()
            .expect("the recording meter provider collects");
        self.latest.lock().expect("snapshot lock").clone()
    }
}

/// Keeps the last collection, flattened into data points.
struct RecordingExporter {
    latest: Arc<Mutex<Snapshot>>,
}

impl PushMetricExporter for RecordingExporter {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let snapshot = flatten(metrics);
        *self.latest.lock().expect("snapshot lock") = snapshot;
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

fn flatten(metrics: &ResourceMetrics) -> Snapshot {
    let mut points = Vec::new();
    for scope in metrics.scope_metrics() {
        for metric in scope.metrics() {
            let name = metric.name();
            match metric.data() {
                AggregatedMetrics::F64(data) => push_points(&mut points, name, data, |v| v),
                AggregatedMetrics::U64(data) => push_points(&mut points, name, data, |v| v as f64),
                AggregatedMetrics::I64(data) => push_points(&mut points, name, data, |v| v as f64),
            }
        }
    }
    Snapshot { points }
}

fn push_points<T: Copy>(
    points: &mut Vec<DataPoint>,
    name: &str,
    data: &MetricData<T>,
    as_f64: impl Fn(T) -> f64,
) {
    let point =
        |attributes: &mut dyn Iterator<Item = &opentelemetry::KeyValue>, value: f64| DataPoint {
            name: name.to_owned(),
            attributes: attributes
                .map(|kv| (kv.key.as_str().to_owned(), kv.value.as_str().into_owned()))
                .collect(),
            value,
        };
    match data {
        MetricData::Gauge(gauge) => points.extend(
            gauge
                .data_points()
                .map(|p| point(&mut p.attributes(), as_f64(p.value()))),
        ),
        MetricData::Sum(sum) => points.extend(
            sum.data_points()
                .map(|p| point(&mut p.attributes(), as_f64(p.value()))),
        ),
        MetricData::Histogram(histogram) => points.extend(
            histogram
                .data_points()
                .map(|p| point(&mut p.attributes(), as_f64(p.sum()))),
        ),
        MetricData::ExponentialHistogram(histogram) => points.extend(
            histogram
                .data_points()
                .map(|p| point(&mut p.attributes(), as_f64(p.sum()))),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_are_read_back_by_name_and_attributes() {
        let metrics = RecordedMetrics::install();
        let meter = opentelemetry::global::meter("platform-testing");
        let counter = meter.u64_counter("testing.widgets").build();
        counter.add(2, &[opentelemetry::KeyValue::new("color", "red")]);
        counter.add(5, &[opentelemetry::KeyValue::new("color", "blue")]);
        counter.add(1, &[opentelemetry::KeyValue::new("color", "red")]);

        let snapshot = metrics.collect();
        assert_eq!(snapshot.count("testing.widgets", &[("color", "red")]), 3);
        assert_eq!(snapshot.count("testing.widgets", &[("color", "blue")]), 5);
        assert_eq!(snapshot.count("testing.widgets", &[]), 8);
        assert_eq!(snapshot.count("testing.widgets", &[("color", "green")]), 0);
    }
}
