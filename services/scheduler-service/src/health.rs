//! gRPC health: SERVING while the database answers.

use std::time::Duration;

use alert_platform::db::Database;
use tokio_util::sync::CancellationToken;
use tonic_health::{ServingStatus, server::HealthReporter};
use tracing::warn;

/// How often the database is pinged.
const PING_INTERVAL: Duration = Duration::from_secs(5);
/// A ping slower than this counts as a failure.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// Reports the health of `services` (and the server as a whole) from database pings until
/// `stop` is cancelled, then reports NOT_SERVING so that clients drain away.
pub async fn report_database_health(
    reporter: HealthReporter,
    database: Database,
    services: Vec<&'static str>,
    stop: CancellationToken,
) {
    let mut last = None;
    loop {
        let answered = tokio::time::timeout(PING_TIMEOUT, database.ping())
            .await
            .unwrap_or(false);
        let status = if answered {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        if last != Some(status) {
            if !answered {
                warn!("database does not answer, reporting not serving");
            }
            set_all(&reporter, &services, status).await;
            last = Some(status);
        }
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(PING_INTERVAL) => {}
        }
    }
    set_all(&reporter, &services, ServingStatus::NotServing).await;
}

async fn set_all(reporter: &HealthReporter, services: &[&'static str], status: ServingStatus) {
    reporter.set_service_status("", status).await;
    for service in services {
        reporter.set_service_status(service, status).await;
    }
}
