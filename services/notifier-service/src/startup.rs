//! Building and running the service: the database, the push client, the gRPC server and the
//! delivery workers.

use std::{net::SocketAddr, sync::Arc};

use alert_platform::{
    clock::SharedClock,
    db::{Database, Migrations},
    grpc::{self, GrpcListener},
    health::DatabaseHealth,
};
use alert_proto::v1::{
    notifier_service_server::{self, NotifierServiceServer},
    push_service_server::{self, PushServiceServer},
};
use alert_webpush::PushSender;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::info;

use crate::{
    config::{Config, QueueConfig},
    delivery::DeliveryWorkers,
    error::{Error, Result},
    grpc::{NotifierApi, PushApi},
    queue::{DatabaseQueue, DeliveryQueue, RedisStreamsQueue},
    service::Notifier,
    store::{SqlStore, Store},
};

/// The PostgreSQL schema the notifier's tables live in.
pub const SCHEMA: &str = "notifier_service";

/// The notifier's migrations for both backends.
pub fn migrations() -> Migrations {
    Migrations {
        postgres: sqlx::migrate!("migrations/postgres"),
        sqlite: sqlx::migrate!("migrations/sqlite"),
    }
}

/// The gRPC services notifier-service serves, whose health follows the database.
const SERVICE_NAMES: [&str; 2] = [
    push_service_server::SERVICE_NAME,
    notifier_service_server::SERVICE_NAME,
];

/// A built notifier-service, ready to serve.
pub struct Application {
    listener: GrpcListener,
    config: Config,
    database: Database,
    notifier: Arc<Notifier>,
    workers: Arc<DeliveryWorkers>,
}

impl Application {
    /// Opens the database (applying migrations) and builds the push client. Serves nothing yet.
    pub async fn build(
        config: Config,
        listener: GrpcListener,
        clock: SharedClock,
    ) -> Result<Application> {
        let database = Database::connect(&config.database_url, SCHEMA, &migrations())
            .await
            .map_err(Error::OpenDatabase)?;
        let store: Arc<dyn Store> = Arc::new(SqlStore::new(database.clone()));
        let queue: Arc<dyn DeliveryQueue> = match &config.queue {
            QueueConfig::Database => Arc::new(DatabaseQueue::new(
                database.clone(),
                Arc::clone(&clock),
                config.queue_poll_interval,
            )),
            QueueConfig::Redis(redis) => Arc::new(
                RedisStreamsQueue::connect(
                    redis,
                    database.clone(),
                    Arc::clone(&clock),
                    config.queue_poll_interval,
                )
                .await
                .map_err(Error::OpenQueue)?,
            ),
        };
        let sender = PushSender::builder(config.vapid_keys.clone(), config.vapid_subject.clone())
            .endpoint_policy(config.endpoint_policy.clone())
            .request_timeout(config.workers.push_timeout)
            .max_in_flight_per_origin(config.push_concurrency_per_origin)
            .build()
            .map_err(Error::PushClient)?;
        let notifier = Arc::new(Notifier::new(
            Arc::clone(&store),
            Arc::clone(&queue),
            config.endpoint_policy.clone(),
            config.vapid_keys.public_key_base64url(),
            Arc::clone(&clock),
        ));
        let workers = Arc::new(DeliveryWorkers::new(
            Arc::clone(&store),
            queue,
            Arc::new(sender),
            clock,
            config.workers,
        ));
        Ok(Application {
            listener,
            config,
            database,
            notifier,
            workers,
        })
    }

    /// The bound address, for a TCP listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled. Then the workers stop claiming and finish the sends in
    /// flight, and only after them the server stops accepting calls and lets its own finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<()> {
        let (reporter, health_service) = grpc::health_service().await;
        let router = tonic::transport::Server::builder()
            .add_service(health_service)
            .add_service(grpc::reflection_service())
            .add_service(PushServiceServer::new(PushApi::new(Arc::clone(
                &self.notifier,
            ))))
            .add_service(NotifierServiceServer::new(NotifierApi::new(Arc::clone(
                &self.notifier,
            ))));

        // The loops stop on their own token, so a failing server can stop them too.
        let loops_shutdown = shutdown.child_token();
        let tracker = TaskTracker::new();
        let mut database_health =
            DatabaseHealth::new(reporter, self.database.clone(), SERVICE_NAMES.to_vec());
        // The first check before serving, so a health probe never sees an unknown service.
        database_health.check().await;
        tracker
            .spawn(database_health.run(self.config.health_check_interval, loops_shutdown.clone()));
        tracker.spawn(Arc::clone(&self.workers).run(tracker.clone(), loops_shutdown.clone()));

        let address = self.listener.local_addr();
        let server_shutdown = CancellationToken::new();
        let mut server = tokio::spawn(grpc::serve(router, self.listener, server_shutdown.clone()));
        info!(address = ?address, "notifier-service started");

        let early_exit = tokio::select! {
            () = shutdown.cancelled() => None,
            result = &mut server => Some(result),
        };
        loops_shutdown.cancel();
        tracker.close();
        tracker.wait().await;
        info!("delivery workers drained");
        server_shutdown.cancel();
        let result = match early_exit {
            Some(result) => result,
            None => server.await,
        };
        match result {
            Ok(served) => served.map_err(Error::Serve),
            Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
        }
    }
}
