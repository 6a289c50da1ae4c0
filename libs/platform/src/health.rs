//! `grpc.health.v1` for the gRPC services: a status that follows the database, and the probe the
//! container health check runs (`<binary> health`).

use std::{process::ExitCode, time::Duration};

use tokio_util::sync::CancellationToken;
use tonic::transport::Endpoint;
use tonic_health::{
    ServingStatus,
    pb::{HealthCheckRequest, health_check_response, health_client::HealthClient},
    server::HealthReporter,
};
use tracing::{info, warn};

use crate::{config::Env, db::Database, error::error_chain};

/// How often a service pings its database to report its health.
pub const DATABASE_CHECK_INTERVAL: Duration = Duration::from_secs(5);

/// A database ping slower than this counts as a failure.
pub const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// How long the container health probe waits for the server's answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Reports SERVING while the database answers and NOT_SERVING while it does not, for the server
/// as a whole ("") and for each of its services.
pub struct DatabaseHealth {
    reporter: HealthReporter,
    database: Database,
    service_names: Vec<&'static str>,
    last_status: Option<ServingStatus>,
}

impl DatabaseHealth {
    /// Reports on `reporter` for "" and `service_names` (the server's own gRPC services).
    pub fn new(
        reporter: HealthReporter,
        database: Database,
        service_names: Vec<&'static str>,
    ) -> DatabaseHealth {
        DatabaseHealth {
            reporter,
            database,
            service_names,
            last_status: None,
        }
    }

    /// Pings the database once and reports the outcome, logging a change of status. A server
    /// calls it before it starts serving when a probe must never find its services unregistered.
    pub async fn check(&mut self) -> ServingStatus {
        let answered = tokio::time::timeout(PING_TIMEOUT, self.database.ping())
            .await
            .unwrap_or(false);
        let status = if answered {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        if self.last_status != Some(status) {
            if answered {
                info!("database answers, serving");
            } else {
                warn!(ping_timeout = ?PING_TIMEOUT, "database does not answer, not serving");
            }
            self.report(status).await;
            self.last_status = Some(status);
        }
        status
    }

    /// Checks now (unless [`DatabaseHealth::check`] already ran) and then every `interval` until
    /// `shutdown` is cancelled; then reports NOT_SERVING, so that clients drain away.
    pub async fn run(mut self, interval: Duration, shutdown: CancellationToken) {
        if self.last_status.is_none() {
            self.check().await;
        }
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(interval) => {}
            }
            self.check().await;
        }
        self.report(ServingStatus::NotServing).await;
    }

    async fn report(&self, status: ServingStatus) {
        for name in std::iter::once("").chain(self.service_names.iter().copied()) {
            self.reporter.set_service_status(name, status).await;
        }
    }
}

/// Why the health probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{url} did not answer within {} s", PROBE_TIMEOUT.as_secs())]
    Timeout { url: String },
    #[error("cannot connect to {url}")]
    Unreachable {
        url: String,
        #[source]
        source: tonic::transport::Error,
    },
    #[error("{url} answered the health check with {code:?}: {message}")]
    Failed {
        url: String,
        code: tonic::Code,
        message: String,
    },
    #[error("{url} reports {status}")]
    NotServing { url: String, status: &'static str },
}

/// Asks the gRPC server on `127.0.0.1:port` for the health of the server as a whole (service
/// ""); succeeds when it answers SERVING within [`PROBE_TIMEOUT`].
pub async fn probe_grpc(port: u16) -> Result<(), ProbeError> {
    let url = format!("http://127.0.0.1:{port}");
    match tokio::time::timeout(PROBE_TIMEOUT, check_server(&url)).await {
        Ok(checked) => checked,
        Err(_elapsed) => Err(ProbeError::Timeout { url }),
    }
}

async fn check_server(url: &str) -> Result<(), ProbeError> {
    let unreachable = |source| ProbeError::Unreachable {
        url: url.to_owned(),
        source,
    };
    let channel = Endpoint::from_shared(url.to_owned())
        .map_err(unreachable)?
        .connect()
        .await
        .map_err(unreachable)?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map_err(|status| ProbeError::Failed {
            url: url.to_owned(),
            code: status.code(),
            message: status.message().to_owned(),
        })?
        .into_inner();
    match health_check_response::ServingStatus::try_from(answer.status) {
        Ok(health_check_response::ServingStatus::Serving) => Ok(()),
        other => Err(ProbeError::NotServing {
            url: url.to_owned(),
            status: other.map_or("an unknown status", |status| status.as_str_name()),
        }),
    }
}

/// The `health` subcommand of a gRPC service binary, the container health check: probes the
/// server on `PORT` (`default_port` when unset), prints one line and answers the exit code, 0
/// when the server is SERVING and 1 otherwise. It never starts the service.
pub async fn probe_command(env: &Env, default_port: u16) -> ExitCode {
    let port = match env.parse_or("PORT", default_port) {
        Ok(port) => port,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    match probe_grpc(port).await {
        Ok(()) => {
            println!("serving on 127.0.0.1:{port}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}", error_chain(&error));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use sqlx::migrate::Migrator;
    use tonic::{Code, transport::Server};

    use super::*;
    use crate::{
        db::{Migrations, testing::sqlite_url},
        grpc::{self, GrpcListener},
    };

    const SERVICE_NAME: &str = "test.v1.ThingService";

    async fn sqlite_database(dir: &tempfile::TempDir) -> Database {
        let migrations = Migrations {
            postgres: Migrator::DEFAULT,
            sqlite: Migrator::DEFAULT,
        };
        Database::connect(&sqlite_url(dir.path(), "health"), "health", &migrations)
            .await
            .expect("the sqlite database opens")
    }

    /// A reporter and a client reading its statuses back through a health server served in
    /// memory, as a probe would.
    async fn health_server() -> (HealthReporter, HealthClient<tonic::transport::Channel>) {
        let (reporter, health_service) = grpc::health_service().await;
        let (listener, channel) = grpc::in_memory();
        let router = Server::builder().add_service(health_service);
        tokio::spawn(grpc::serve(router, listener, CancellationToken::new()));
        (reporter, HealthClient::new(channel))
    }

    async fn status_of(
        client: &mut HealthClient<tonic::transport::Channel>,
        service: &str,
    ) -> Result<health_check_response::ServingStatus, Code> {
        let answer = client
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .map_err(|status| status.code())?;
        Ok(answer.into_inner().status())
    }

    async fn assert_all(
        client: &mut HealthClient<tonic::transport::Channel>,
        expected: health_check_response::ServingStatus,
        when: &str,
    ) {
        for service in ["", SERVICE_NAME] {
            assert_eq!(
                status_of(client, service).await,
                Ok(expected),
                "{service:?} {when}"
            );
        }
    }

    #[tokio::test]
    async fn a_database_that_answers_is_reported_serving_until_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let (reporter, mut client) = health_server().await;
        let mut health =
            DatabaseHealth::new(reporter, sqlite_database(&dir).await, vec![SERVICE_NAME]);
        assert_eq!(
            status_of(&mut client, SERVICE_NAME).await,
            Err(Code::NotFound),
            "a service is unknown before the first check"
        );

        assert_eq!(health.check().await, ServingStatus::Serving);
        assert_all(
            &mut client,
            health_check_response::ServingStatus::Serving,
            "after a check",
        )
        .await;

        let shutdown = CancellationToken::new();
        shutdown.cancel();
        health.run(DATABASE_CHECK_INTERVAL, shutdown).await;
        assert_all(
            &mut client,
            health_check_response::ServingStatus::NotServing,
            "after shutdown",
        )
        .await;
    }

    #[tokio::test]
    async fn a_database_that_stops_answering_is_reported_not_serving() {
        let dir = tempfile::tempdir().unwrap();
        let database = sqlite_database(&dir).await;
        let (reporter, mut client) = health_server().await;
        let mut health = DatabaseHealth::new(reporter, database.clone(), vec![SERVICE_NAME]);
        assert_eq!(health.check().await, ServingStatus::Serving);

        database.pool.close().await;
        assert_eq!(health.check().await, ServingStatus::NotServing);
        assert_all(
            &mut client,
            health_check_response::ServingStatus::NotServing,
            "after the pool closed",
        )
        .await;
    }

    #[tokio::test]
    async fn a_ping_slower_than_the_timeout_counts_as_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let database = sqlite_database(&dir).await;
        let (reporter, _) = grpc::health_service().await;
        let mut health = DatabaseHealth::new(reporter, database.clone(), vec![SERVICE_NAME]);
        // The SQLite pool has one connection: while it is held, a ping waits for it.
        let held = database.pool.acquire().await.unwrap();
        tokio::time::pause();
        let started = tokio::time::Instant::now();
        assert_eq!(health.check().await, ServingStatus::NotServing);
        let waited = started.elapsed();
        assert!(
            waited >= PING_TIMEOUT && waited < PING_TIMEOUT + Duration::from_secs(1),
            "the check gave up after {waited:?}, not after the ping timeout"
        );
        tokio::time::resume();
        drop(held);
        assert_eq!(health.check().await, ServingStatus::Serving);
    }

    /// A gRPC server on a free loopback port answering health checks; "" starts SERVING.
    async fn serve_health_on_free_port() -> (HealthReporter, u16) {
        let listener = GrpcListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let (reporter, health_service) = grpc::health_service().await;
        let router = Server::builder().add_service(health_service);
        tokio::spawn(grpc::serve(router, listener, CancellationToken::new()));
        (reporter, port)
    }

    #[tokio::test]
    async fn the_probe_passes_against_a_serving_server() {
        let (_reporter, port) = serve_health_on_free_port().await;
        let probed = probe_grpc(port).await;
        assert!(probed.is_ok(), "{probed:?}");
    }

    #[tokio::test]
    async fn the_probe_fails_against_a_server_not_serving() {
        let (reporter, port) = serve_health_on_free_port().await;
        reporter
            .set_service_status("", ServingStatus::NotServing)
            .await;
        let probed = probe_grpc(port).await;
        assert!(
            matches!(
                probed,
                Err(ProbeError::NotServing {
                    status: "NOT_SERVING",
                    ..
                })
            ),
            "{probed:?}"
        );
    }

    #[tokio::test]
    async fn the_probe_fails_against_a_closed_port() {
        let port = {
            let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            listener.local_addr().unwrap().port()
        };
        let probed = probe_grpc(port).await;
        assert!(
            matches!(probed, Err(ProbeError::Unreachable { .. })),
            "{probed:?}"
        );
    }
}
