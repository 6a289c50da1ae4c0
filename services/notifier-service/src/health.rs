//! `grpc.health.v1`: SERVING while the database answers.

use std::{sync::Arc, time::Duration};

use alert_proto::v1::{
    notifier_service_server::NotifierServiceServer, push_service_server::PushServiceServer,
};
use tokio_util::sync::CancellationToken;
use tonic::server::NamedService;
use tonic_health::{ServingStatus, server::HealthReporter};
use tracing::{info, warn};

use crate::{
    grpc::{NotifierApi, PushApi},
    store::Store,
};

/// The names health is reported under: the whole server ("") and each service.
fn service_names() -> [&'static str; 3] {
    [
        "",
        <PushServiceServer<PushApi> as NamedService>::NAME,
        <NotifierServiceServer<NotifierApi> as NamedService>::NAME,
    ]
}

async fn report(reporter: &HealthReporter, status: ServingStatus) {
    for name in service_names() {
        reporter.set_service_status(name, status).await;
    }
}

/// Pings the database once and reports the result if it changed from `previous`; returns it.
pub async fn check(store: &dyn Store, reporter: &HealthReporter, previous: Option<bool>) -> bool {
    let answers = store.ping().await;
    if previous != Some(answers) {
        if answers {
            info!("database answers, serving");
            report(reporter, ServingStatus::Serving).await;
        } else {
            warn!("database does not answer, not serving");
            report(reporter, ServingStatus::NotServing).await;
        }
    }
    answers
}

/// Pings the database every `interval` and reports SERVING or NOT_SERVING, until `shutdown`.
/// `serving` is the status reported last.
pub async fn watch_database(
    store: Arc<dyn Store>,
    reporter: HealthReporter,
    mut serving: bool,
    interval: Duration,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(interval) => {},
        }
        serving = check(&*store, &reporter, Some(serving)).await;
    }
    report(&reporter, ServingStatus::NotServing).await;
}
