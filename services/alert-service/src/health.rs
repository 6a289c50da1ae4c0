//! `grpc.health.v1` status that follows the database: SERVING while it answers.

use std::time::Duration;

use alert_platform::db::Database;
use tokio_util::sync::CancellationToken;
use tonic_health::{ServingStatus, server::HealthReporter};
use tracing::{info, warn};

/// How often the database is pinged.
pub const HEALTH_CHECK_INTERVAL: Duration = Duration::from_secs(5);

/// The services whose status is reported; "" is the server as a whole.
const SERVICE_NAMES: [&str; 4] = [
    "",
    alert_proto::v1::auth_service_server::SERVICE_NAME,
    alert_proto::v1::alert_service_server::SERVICE_NAME,
    alert_proto::v1::alert_runner_service_server::SERVICE_NAME,
];

/// Pings the database every `interval` and reports the result until `shutdown`.
pub async fn report_database_health(
    reporter: HealthReporter,
    database: Database,
    interval: Duration,
    shutdown: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_status = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = ticker.tick() => {}
        }
        let status = if database.ping().await {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        if last_status != Some(status) {
            match status {
                ServingStatus::Serving => info!("database answers, serving"),
                _ => warn!("database does not answer, not serving"),
            }
            for name in SERVICE_NAMES {
                reporter.set_service_status(name, status).await;
            }
            last_status = Some(status);
        }
    }
    for name in SERVICE_NAMES {
        reporter
            .set_service_status(name, ServingStatus::NotServing)
            .await;
    }
}
