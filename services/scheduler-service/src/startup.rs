//! Building and running the service: the store, the gRPC server and the background loops.

use std::{net::SocketAddr, sync::Arc};

use alert_platform::{
    clock::SharedClock,
    grpc::{self, GrpcListener},
    health::{DATABASE_CHECK_INTERVAL, DatabaseHealth},
};
use alert_proto::v1::{
    scheduler_service_server::{SERVICE_NAME, SchedulerServiceServer},
    scheduler_sync_service_server::SchedulerSyncServiceServer,
};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::transport::{Channel, Server};
use tracing::info;

use crate::{
    backend::{LocalBackend, ScheduleBackend},
    config::Config,
    error::{Error, Result},
    eventbridge::{
        EventBridgeBackend, RateLimiter, Reconciler, SchedulerApi, SyncWorker, scheduler_client,
    },
    fanout::{FanOutSettings, FanOutWorker},
    grpc::SchedulerGrpc,
    grpc_sync::SchedulerSyncGrpc,
    metrics::SchedulerMetrics,
    scheduler::Scheduler,
    store::{SqlStore, Store, SyncStore},
    tick::LocalScheduler,
};

/// The EventBridge backend's background parts.
#[derive(Clone)]
pub struct EventBridgeParts {
    pub api: SchedulerApi,
    pub sync_worker: SyncWorker,
    pub reconciler: Reconciler,
}

/// The services scheduler-service calls.
#[derive(Debug, Clone)]
pub struct Peers {
    /// alert-service, for `alert.v1.AlertRunnerService/RunAlert`.
    pub alert_runner: Channel,
}

/// A built scheduler-service, ready to run.
pub struct Application {
    config: Config,
    listener: GrpcListener,
    store: Arc<SqlStore>,
    scheduler: Arc<Scheduler>,
    local_scheduler: LocalScheduler,
    fanout: FanOutWorker,
    eventbridge: Option<EventBridgeParts>,
}

impl Application {
    /// Connects to the database (applying migrations) and wires the service; serves nothing
    /// until [`Application::run_until_stopped`].
    pub async fn build(
        config: Config,
        listener: GrpcListener,
        peers: Peers,
        clock: SharedClock,
    ) -> Result<Application> {
        let store = Arc::new(SqlStore::connect(&config.database_url).await?);
        let dyn_store: Arc<dyn Store> = store.clone();
        let sync_store: Arc<dyn SyncStore> = store.clone();
        let fanout_wake = Arc::new(Notify::new());
        let metrics = match &config.eventbridge {
            None => SchedulerMetrics::local(),
            Some(eventbridge_config) => {
                SchedulerMetrics::eventbridge(&eventbridge_config.group_name)
            }
        };
        let (backend, eventbridge): (Arc<dyn ScheduleBackend>, _) = match &config.eventbridge {
            None => (Arc::new(LocalBackend), None),
            Some(eventbridge_config) => {
                let eventbridge_config = Arc::new(eventbridge_config.clone());
                let client = scheduler_client(&eventbridge_config.aws).await;
                let limiter = Arc::new(RateLimiter::per_second(
                    eventbridge_config.rate_limit_per_second,
                ));
                let api = SchedulerApi::new(
                    client,
                    eventbridge_config.group_name.clone(),
                    limiter,
                    metrics.clone(),
                );
                let sync_wake = Arc::new(Notify::new());
                let parts = EventBridgeParts {
                    sync_worker: SyncWorker::new(
                        sync_store.clone(),
                        api.clone(),
                        eventbridge_config.clone(),
                        clock.clone(),
                        sync_wake.clone(),
                        metrics.clone(),
                    ),
                    reconciler: Reconciler::new(
                        sync_store.clone(),
                        api.clone(),
                        eventbridge_config,
                        clock.clone(),
                        sync_wake.clone(),
                        metrics.clone(),
                    ),
                    api,
                };
                let backend = EventBridgeBackend::new(sync_store.clone(), clock.clone(), sync_wake);
                (Arc::new(backend) as Arc<dyn ScheduleBackend>, Some(parts))
            }
        };
        let scheduler = Arc::new(Scheduler::new(
            dyn_store.clone(),
            backend,
            clock.clone(),
            fanout_wake.clone(),
            metrics.clone(),
        ));
        let local_scheduler = LocalScheduler::new(
            dyn_store.clone(),
            clock.clone(),
            config.missed_fire_grace,
            fanout_wake.clone(),
            metrics.clone(),
        );
        let fanout = FanOutWorker::new(
            dyn_store,
            peers.alert_runner,
            clock,
            fanout_wake,
            FanOutSettings {
                concurrency: config.fanout_concurrency,
                poll_interval: config.tick_interval,
                call_timeout: config.fanout_call_timeout,
            },
            metrics,
        );
        Ok(Application {
            config,
            listener,
            store,
            scheduler,
            local_scheduler,
            fanout,
            eventbridge,
        })
    }

    /// The EventBridge backend's sync worker, reconciler and API client (with
    /// `AWS_SCHEDULER_ENABLED=true`), to drive or inspect them (tests, operators).
    pub fn eventbridge(&self) -> Option<EventBridgeParts> {
        self.eventbridge.clone()
    }

    /// The bound address of a TCP listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle on the local scheduler, to run a tick at a chosen time (tests, operators).
    pub fn local_scheduler(&self) -> LocalScheduler {
        self.local_scheduler.clone()
    }

    /// The store, to inspect fires and their runs.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// The sync state of the buckets' schedules in the backend.
    pub fn sync_store(&self) -> Arc<dyn SyncStore> {
        self.store.clone()
    }

    /// Serves gRPC and runs the scheduler tick and the fan-out until `shutdown` is cancelled;
    /// then stops the tick, lets the fan-out finish the calls it has in flight, and only then
    /// stops the server.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<()> {
        let Application {
            config,
            listener,
            store,
            scheduler,
            local_scheduler,
            fanout,
            eventbridge,
        } = self;
        let backend_name = if eventbridge.is_some() {
            "eventbridge"
        } else {
            "local"
        };
        let sync_grpc = SchedulerSyncGrpc::new(
            store.clone(),
            backend_name,
            eventbridge.as_ref().map(|parts| parts.reconciler.clone()),
            eventbridge.as_ref().map(|parts| parts.api.clone()),
        );
        let (health_reporter, health_service) = grpc::health_service().await;
        let router = Server::builder()
            .add_service(health_service)
            .add_service(grpc::reflection_service())
            .add_service(SchedulerServiceServer::new(SchedulerGrpc::new(scheduler)))
            .add_service(SchedulerSyncServiceServer::new(sync_grpc));

        let loops_stop = shutdown.child_token();
        let loops = TaskTracker::new();
        let database_health = DatabaseHealth::new(
            health_reporter,
            store.database().clone(),
            vec![SERVICE_NAME],
        );
        loops.spawn(database_health.run(DATABASE_CHECK_INTERVAL, loops_stop.clone()));
        match eventbridge {
            // EventBridge fires the buckets (through the trigger webhook); the tick must not.
            Some(parts) => {
                loops.spawn(parts.reconciler.run(loops_stop.clone()));
                loops.spawn(parts.sync_worker.run(loops_stop.clone()));
            }
            None => {
                loops.spawn(local_scheduler.run(config.tick_interval, loops_stop.clone()));
            }
        }
        loops.spawn(fanout.run(loops_stop.clone()));
        loops.close();

        let server_stop = CancellationToken::new();
        let mut server = tokio::spawn(grpc::serve(router, listener, server_stop.clone()));
        info!(tick_interval = ?config.tick_interval, backend = backend_name, "scheduler-service started");
        let server_result = tokio::select! {
            result = &mut server => Some(result),
            () = shutdown.cancelled() => None,
        };
        if server_result.is_none() {
            info!("draining the scheduler tick and the fan-out");
        }
        // The server keeps answering (Fire is durable) while the loops drain.
        loops_stop.cancel();
        loops.wait().await;
        let server_result = match server_result {
            Some(result) => result,
            None => {
                server_stop.cancel();
                server.await
            }
        };
        server_result
            .expect("the grpc server task does not panic")
            .map_err(Error::Serve)?;
        info!("scheduler-service stopped");
        Ok(())
    }
}
