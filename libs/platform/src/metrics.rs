//! Metrics with OpenTelemetry. Libraries create their instruments from the API crate alone
//! (`opentelemetry::global::meter("<crate>")`, when a service is built); the binaries install the
//! SDK's MeterProvider here first, and flush it on shutdown.
//!
//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, metrics go out over OTLP/gRPC every
//! `OTEL_METRIC_EXPORT_INTERVAL` milliseconds (default 60000) to that collector (in ECS, the
//! collector sidecar that writes them to CloudWatch). Without it nothing is installed and every
//! instrument is a no-op. See docs/decisions/0006-metrics.md.

pub mod testing;

use std::time::Duration;

use opentelemetry_otlp::{MetricExporter, WithExportConfig};
use opentelemetry_sdk::{
    Resource,
    metrics::{PeriodicReader, SdkMeterProvider},
};

use crate::config::{ConfigError, Env};

/// The OTLP export interval when `OTEL_METRIC_EXPORT_INTERVAL` is unset (the OpenTelemetry default).
pub const DEFAULT_EXPORT_INTERVAL: Duration = Duration::from_secs(60);
/// How long one export may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where metrics go, read from the standard OpenTelemetry variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the OTLP/gRPC collector, e.g. `http://localhost:4317`;
    /// `None` exports nothing.
    pub otlp_endpoint: Option<String>,
    /// `OTEL_METRIC_EXPORT_INTERVAL`, in milliseconds as the specification has it.
    pub export_interval: Duration,
}

impl MetricsConfig {
    pub fn from_env(env: &Env) -> Result<MetricsConfig, ConfigError> {
        // Only the gRPC flavour is built in: a collector's HTTP port would answer it with errors.
        if let Some(protocol) = env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
            && protocol != "grpc"
        {
            return Err(ConfigError::new(
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                format!("only grpc is supported, got {protocol:?}"),
            ));
        }
        let interval_ms = env.parse_or(
            "OTEL_METRIC_EXPORT_INTERVAL",
            u64::try_from(DEFAULT_EXPORT_INTERVAL.as_millis()).unwrap_or(u64::MAX),
        )?;
        if interval_ms == 0 {
            return Err(ConfigError::new(
                "OTEL_METRIC_EXPORT_INTERVAL",
                "must be a number of milliseconds greater than zero",
            ));
        }
        let otlp_endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT").map(str::to_owned);
        if let Some(endpoint) = &otlp_endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("{endpoint:?} is not an http:// or https:// URL"),
            ));
        }
        Ok(MetricsConfig {
            otlp_endpoint,
            export_interval: Duration::from_millis(interval_ms),
        })
    }
}

/// The installed MeterProvider, if any; [`Metrics::shutdown`] exports what is left.
#[must_use = "call shutdown() when the service has stopped, or the last interval is lost"]
pub struct Metrics {
    provider: Option<SdkMeterProvider>,
}

impl Metrics {
    /// Installs the global MeterProvider for `service_name` as `config` says. Call it from
    /// `main` inside the Tokio runtime (the gRPC exporter's channel lives there) and before the
    /// service is built, whose instruments bind to the provider installed at that moment.
    pub fn install(
        config: &MetricsConfig,
        service_name: &'static str,
    ) -> Result<Metrics, ConfigError> {
        let Some(endpoint) = &config.otlp_endpoint else {
            return Ok(Metrics { provider: None });
        };
        let provider = otlp_provider(endpoint, config.export_interval, service_name)?;
        opentelemetry::global::set_meter_provider(provider.clone());
        tracing::info!(endpoint = %endpoint, interval = ?config.export_interval, "exporting metrics over otlp");
        Ok(Metrics {
            provider: Some(provider),
        })
    }

    /// [`Metrics::install`] with the configuration `env` gives.
    pub fn install_from_env(env: &Env, service_name: &'static str) -> Result<Metrics, ConfigError> {
        Metrics::install(&MetricsConfig::from_env(env)?, service_name)
    }

    /// Exports the last measurements and stops the exporter; call after the service stopped.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        // The SDK blocks until its reader thread has exported.
        let result = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "metrics were not flushed"),
            Err(error) => tracing::warn!(%error, "metrics flush panicked"),
        }
    }
}

/// A MeterProvider exporting to the OTLP/gRPC collector at `endpoint` every `interval`.
pub fn otlp_provider(
    endpoint: &str,
    interval: Duration,
    service_name: &'static str,
) -> Result<SdkMeterProvider, ConfigError> {
    let exporter = MetricExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|error| ConfigError::new("OTEL_EXPORTER_OTLP_ENDPOINT", error.to_string()))?;
    let reader = PeriodicReader::builder(exporter)
        .with_interval(interval)
        .build();
    Ok(SdkMeterProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_service_name(service_name)
                .build(),
        )
        .with_reader(reader)
        .build())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry::{KeyValue, metrics::MeterProvider};
    use opentelemetry_proto::tonic::{
        collector::metrics::v1::{
            ExportMetricsServiceRequest, ExportMetricsServiceResponse,
            metrics_service_server::{MetricsService, MetricsServiceServer},
        },
        common::v1::any_value::Value,
        metrics::v1::{metric::Data, number_data_point},
    };
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::grpc::{self, GrpcListener};

    /// An OTLP/gRPC collector that keeps every export request.
    #[derive(Clone, Default)]
    struct FakeCollector {
        requests: Arc<Mutex<Vec<ExportMetricsServiceRequest>>>,
    }

    #[tonic::async_trait]
    impl MetricsService for FakeCollector {
        async fn export(
            &self,
            request: tonic::Request<ExportMetricsServiceRequest>,
        ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
            self.requests.lock().unwrap().push(request.into_inner());
            Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
        }
    }

    fn string_value(value: &Option<opentelemetry_proto::tonic::common::v1::AnyValue>) -> &str {
        match value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(Value::StringValue(text)) => text,
            _ => "",
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_last_measurements_reach_the_otlp_collector_at_shutdown() {
        let collector = FakeCollector::default();
        let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let router = tonic::transport::Server::builder()
            .add_service(MetricsServiceServer::new(collector.clone()));
        let stop = CancellationToken::new();
        let server = tokio::spawn(grpc::serve(router, listener, stop.clone()));

        // An hour's interval: only the shutdown flush can deliver this.
        let provider = otlp_provider(&endpoint, Duration::from_secs(3600), "metrics-test").unwrap();
        let counter = provider
            .meter("metrics-test")
            .u64_counter("test.things")
            .build();
        counter.add(2, &[KeyValue::new("kind", "a")]);
        counter.add(3, &[KeyValue::new("kind", "a")]);
        tokio::task::spawn_blocking(move || provider.shutdown())
            .await
            .unwrap()
            .expect("the provider flushes");

        let requests = collector.requests.lock().unwrap().clone();
        let resource_metrics: Vec<_> = requests.iter().flat_map(|r| &r.resource_metrics).collect();
        let service_names: Vec<&str> = resource_metrics
            .iter()
            .flat_map(|r| &r.resource.as_ref().unwrap().attributes)
            .filter(|kv| kv.key == "service.name")
            .map(|kv| string_value(&kv.value))
            .collect();
        assert_eq!(service_names, ["metrics-test"]);
        let points: Vec<_> = resource_metrics
            .iter()
            .flat_map(|r| &r.scope_metrics)
            .flat_map(|s| &s.metrics)
            .filter(|m| m.name == "test.things")
            .flat_map(|m| match &m.data {
                Some(Data::Sum(sum)) => sum.data_points.clone(),
                other => panic!("test.things is not a sum: {other:?}"),
            })
            .collect();
        assert_eq!(points.len(), 1, "{points:?}");
        assert_eq!(points[0].value, Some(number_data_point::Value::AsInt(5)));
        assert_eq!(points[0].attributes[0].key, "kind");
        assert_eq!(string_value(&points[0].attributes[0].value), "a");
        stop.cancel();
        server.await.unwrap().unwrap();
    }

    #[test]
    fn nothing_is_exported_without_an_endpoint() {
        let config = MetricsConfig::from_env(&Env::default()).unwrap();
        assert_eq!(config.otlp_endpoint, None);
        assert_eq!(config.export_interval, DEFAULT_EXPORT_INTERVAL);
    }

    #[test]
    fn the_interval_is_in_milliseconds_as_opentelemetry_specifies() {
        let env = Env::from_pairs([
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
        ]);
        let config = MetricsConfig::from_env(&env).unwrap();
        assert_eq!(
            config.otlp_endpoint.as_deref(),
            Some("http://localhost:4317")
        );
        assert_eq!(config.export_interval, Duration::from_secs(15));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (variable, value) in [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1m"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317"),
        ] {
            let error =
                MetricsConfig::from_env(&Env::from_pairs([(variable, value)])).expect_err(variable);
            assert_eq!(error.variable, variable, "{variable}={value}: {error}");
        }
    }
}
