//! Building and running the service: the store, the gRPC server and the background loops.

use std::{net::SocketAddr, sync::Arc};

use alert_platform::{
    clock::SharedClock,
    grpc::{self, GrpcListener},
};
use alert_proto::v1::scheduler_service_server::{SERVICE_NAME, SchedulerServiceServer};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::transport::{Channel, Server};
use tracing::info;

use crate::{
    backend::LocalBackend,
    config::Config,
    error::{Error, Result},
    fanout::FanOutWorker,
    grpc::SchedulerGrpc,
    health::report_database_health,
    scheduler::Scheduler,
    store::{SqlStore, Store},
    tick::LocalScheduler,
};

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
        let fanout_wake = Arc::new(Notify::new());
        let scheduler = Arc::new(Scheduler::new(
            dyn_store.clone(),
            Arc::new(LocalBackend),
            clock.clone(),
            fanout_wake.clone(),
        ));
        let local_scheduler = LocalScheduler::new(
            dyn_store.clone(),
            clock.clone(),
            config.missed_fire_grace,
            fanout_wake.clone(),
        );
        let fanout = FanOutWorker::new(
            dyn_store,
            peers.alert_runner,
            clock,
            fanout_wake,
            config.fanout_concurrency,
            config.tick_interval,
        );
        Ok(Application {
            config,
            listener,
            store,
            scheduler,
            local_scheduler,
            fanout,
        })
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
        } = self;
        let (health_reporter, health_service) = grpc::health_service().await;
        let router = Server::builder()
            .add_service(health_service)
            .add_service(grpc::reflection_service())
            .add_service(SchedulerServiceServer::new(SchedulerGrpc::new(scheduler)));

        let loops_stop = shutdown.child_token();
        let loops = TaskTracker::new();
        loops.spawn(report_database_health(
            health_reporter,
            store.database().clone(),
            vec![SERVICE_NAME],
            loops_stop.clone(),
        ));
        loops.spawn(local_scheduler.run(config.tick_interval, loops_stop.clone()));
        loops.spawn(fanout.run(loops_stop.clone()));
        loops.close();

        let server_stop = CancellationToken::new();
        let mut server = tokio::spawn(grpc::serve(router, listener, server_stop.clone()));
        info!(tick_interval = ?config.tick_interval, "scheduler-service started");
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
