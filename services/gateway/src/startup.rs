//! Building and running the gateway.

use std::{net::SocketAddr, time::Duration};

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tonic::transport::Channel;

use crate::{Config, error::Error, layers::RateLimit, routes};

/// How often callers whose allowance refilled are forgotten.
const FORGET_IDLE_CALLERS_EVERY: Duration = Duration::from_secs(60);

/// A channel to each service the gateway calls.
#[derive(Debug, Clone)]
pub struct Peers {
    /// alert-service: `AuthService`, `AlertService`.
    pub alert: Channel,
    /// scheduler-service: `SchedulerService` (the trigger webhook only).
    pub scheduler: Channel,
    /// notifier-service: `PushService`.
    pub notifier: Channel,
}

/// The gateway, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    rate_limit: RateLimit,
}

impl Application {
    pub async fn build(
        config: Config,
        listener: TcpListener,
        peers: Peers,
    ) -> Result<Application, Error> {
        if let Some(web_dir) = &config.web_dir {
            let index = web_dir.join("index.html");
            // Fail at start, not with a 404 for every page later.
            if !tokio::fs::try_exists(&index).await.unwrap_or(false) {
                return Err(Error::WebDirWithoutIndex {
                    path: web_dir.display().to_string(),
                });
            }
        }
        let rate_limit =
            RateLimit::per_minute(config.rate_limit_per_minute, config.trust_forwarded_for);
        let router = routes::router(&config, peers, rate_limit.clone());
        Ok(Application {
            listener,
            router,
            rate_limit,
        })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), Error> {
        let Application {
            listener,
            router,
            rate_limit,
        } = self;
        tracing::info!(address = ?listener.local_addr().ok(), "gateway listening");

        let loops_stop = shutdown.child_token();
        let tracker = TaskTracker::new();
        tracker.spawn(forget_idle_callers(rate_limit, loops_stop.clone()));
        tracker.close();

        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(Error::Io);
        // The server may also stop on an error; the loops stop with it either way.
        loops_stop.cancel();
        tracker.wait().await;
        tracing::info!("gateway stopped");
        served
    }
}

async fn forget_idle_callers(rate_limit: RateLimit, stop: CancellationToken) {
    let mut interval = tokio::time::interval(FORGET_IDLE_CALLERS_EVERY);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = interval.tick() => rate_limit.forget_idle_callers(),
        }
    }
}
