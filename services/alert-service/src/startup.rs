//! Wiring: the store, the logic, the gRPC server and the background loops of one alert-service.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use alert_airquality::{AirKoreaClient, AirQuality, MemoryCache, RedisCache, SharedCache};
use alert_platform::{
    access_token::AccessTokens,
    clock::SharedClock,
    grpc::{self, GrpcListener},
    health::{DATABASE_CHECK_INTERVAL, DatabaseHealth},
};
use alert_proto::v1::{
    air_quality_service_server::{self, AirQualityServiceServer},
    alert_runner_service_server::{self, AlertRunnerServiceServer},
    alert_service_server::{self, AlertServiceServer},
    auth_service_server::{self, AuthServiceServer},
};
use fred::prelude::{Builder, ClientLike as _, Config as RedisConfig, ReconnectPolicy};
use secrecy::ExposeSecret;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::transport::{Channel, Server, server::Router};
use tonic_health::server::HealthReporter;
use tracing::{info, warn};

use crate::{
    accounts::Accounts,
    alerts::Alerts,
    config::Config,
    error::Error,
    grpc::{AirQualityGrpc, AlertGrpc, AuthGrpc, RunnerGrpc},
    runner::Runner,
    stations::Stations,
    store::{SqlStore, Store},
    sync::ScheduleSync,
};

/// The gRPC services alert-service serves, whose health follows the database.
const SERVICE_NAMES: [&str; 4] = [
    auth_service_server::SERVICE_NAME,
    alert_service_server::SERVICE_NAME,
    alert_runner_service_server::SERVICE_NAME,
    air_quality_service_server::SERVICE_NAME,
];

/// A cache that does not answer in this time counts as a miss: AirKorea is asked instead.
const REDIS_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
/// How long start-up waits for Redis before going on without it (it keeps reconnecting).
const REDIS_CONNECT_WAIT: Duration = Duration::from_secs(5);

/// The cache AirKorea answers are shared through: Redis when configured (every replica sees one
/// station's measurement once), otherwise this process's memory. A Redis that is down does not
/// stop the service: the cache misses until Redis is back.
async fn air_quality_cache(config: &Config) -> Result<Arc<dyn SharedCache>, Error> {
    let Some(url) = &config.redis_url else {
        return Ok(Arc::new(MemoryCache::new()));
    };
    let redis_config = RedisConfig::from_url(url.expose_secret()).map_err(Error::Redis)?;
    let pool = Builder::from_config(redis_config)
        .with_performance_config(|performance| {
            performance.default_command_timeout = REDIS_COMMAND_TIMEOUT;
        })
        // Reconnect forever, backing off to 2 s: the service outlives a Redis restart.
        .set_policy(ReconnectPolicy::new_exponential(0, 50, 2000, 2))
        .build_pool(2)
        .map_err(Error::Redis)?;
    pool.connect();
    match tokio::time::timeout(REDIS_CONNECT_WAIT, pool.wait_for_connect()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            warn!(%error, "redis unreachable, the air-quality cache misses until it is back")
        }
        Err(_) => warn!("redis not connected yet, the air-quality cache misses until it is"),
    }
    Ok(Arc::new(RedisCache::new(
        pool,
        &config.air_quality_cache_prefix,
    )))
}

/// The AirKorea source, when a key is configured.
async fn air_quality_source(
    config: &Config,
    clock: SharedClock,
) -> Result<Option<AirQuality>, Error> {
    let Some(air_korea) = config.air_quality.clone() else {
        info!("AIR_QUALITY_API_KEY is not set: air-quality alerts are refused");
        return Ok(None);
    };
    let client = AirKoreaClient::new(air_korea).map_err(Error::AirKoreaClient)?;
    let cache = air_quality_cache(config).await?;
    Ok(Some(AirQuality::new(client, cache, clock)))
}

/// Channels to the services alert-service calls.
#[derive(Debug, Clone)]
pub struct Peers {
    /// scheduler-service: UpsertSchedule, DeleteSchedule.
    pub scheduler: Channel,
    /// notifier-service: Notify.
    pub notifier: Channel,
}

/// A built alert-service, ready to serve on its listener.
pub struct Application {
    listener: GrpcListener,
    router: Router,
    health_reporter: HealthReporter,
    store: SqlStore,
    sync: ScheduleSync,
    config: Config,
}

impl Application {
    /// Connects to the database (applying migrations) and builds the services; serves nothing yet.
    pub async fn build(
        config: Config,
        listener: GrpcListener,
        peers: Peers,
        clock: SharedClock,
    ) -> Result<Application, Error> {
        let sql_store = SqlStore::connect(config.database_url.expose_secret())
            .await
            .map_err(Error::OpenDatabase)?;
        let store: Arc<dyn Store> = Arc::new(sql_store.clone());

        let access_ttl = chrono::Duration::from_std(config.access_token_ttl)
            .map_err(|_| Error::TokenLifetime)?;
        let refresh_ttl = chrono::Duration::from_std(config.refresh_token_ttl)
            .map_err(|_| Error::TokenLifetime)?;
        let access_tokens = AccessTokens::new(&config.jwt_secret, access_ttl);
        let accounts =
            Accounts::new(store.clone(), clock.clone(), access_tokens, refresh_ttl).await?;
        let sync = ScheduleSync::new(store.clone(), peers.scheduler);
        let stations = Stations::new(air_quality_source(&config, clock.clone()).await?);
        let alerts = Alerts::new(
            store.clone(),
            clock.clone(),
            sync.clone(),
            stations.clone(),
            config.max_alerts_per_user,
            config.min_schedule_interval_minutes(),
        );
        let runner = Runner::new(
            store,
            peers.notifier,
            stations.clone(),
            clock,
            config.app_url.clone(),
        );

        let (health_reporter, health_service) = grpc::health_service().await;
        let router = Server::builder()
            .add_service(health_service)
            .add_service(grpc::reflection_service())
            .add_service(AuthServiceServer::new(AuthGrpc::new(accounts)))
            .add_service(AlertServiceServer::new(AlertGrpc::new(alerts)))
            .add_service(AlertRunnerServiceServer::new(RunnerGrpc::new(runner)))
            .add_service(AirQualityServiceServer::new(AirQualityGrpc::new(stations)));

        Ok(Application {
            listener,
            router,
            health_reporter,
            store: sql_store,
            sync,
            config,
        })
    }

    /// The TCP address served on (None for an in-memory listener).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight calls and the background loops
    /// finish before returning.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), Error> {
        let Application {
            listener,
            router,
            health_reporter,
            store,
            sync,
            config,
        } = self;
        if let Some(address) = listener.local_addr() {
            info!(%address, "alert-service listening");
        }
        let tracker = TaskTracker::new();
        let database_health = DatabaseHealth::new(
            health_reporter,
            store.database().clone(),
            SERVICE_NAMES.to_vec(),
        );
        tracker.spawn(database_health.run(DATABASE_CHECK_INTERVAL, shutdown.clone()));
        tracker.spawn(sync.run(config.schedule_sync_interval, shutdown.clone()));
        tracker.close();

        let served = grpc::serve(router, listener, shutdown.clone()).await;
        // The server may also stop on its own (an I/O failure): stop the loops then too.
        shutdown.cancel();
        tracker.wait().await;
        info!("alert-service stopped");
        served.map_err(Error::Serve)
    }
}
