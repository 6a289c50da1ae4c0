//! The `notifier-service` binary: configuration from the environment, then the library does the
//! rest. `notifier-service health` instead probes a running notifier-service on `PORT` (the
//! container health check).

use std::{net::SocketAddr, process::ExitCode, sync::Arc};

use alert_platform::{
    Env, SystemClock, grpc::GrpcListener, health, metrics::Metrics, shutdown, telemetry,
};
use anyhow::Context as _;
use notifier_service::{Application, Config, config::DEFAULT_PORT};

// glibc's malloc was about 15 % of the notifier's CPU in a burst; jemalloc cut the notifier's
// CPU per push by a tenth for 4 MiB more peak memory (docs/benchmarks.md, "Allocator").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let env = Env::from_process();
    if std::env::args().nth(1).as_deref() == Some("health") {
        return Ok(health::probe_command(&env, DEFAULT_PORT).await);
    }
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
    let metrics = Metrics::install_from_env(&env, "notifier-service")?;
    let address = SocketAddr::from(([0, 0, 0, 0], config.port));
    let listener = GrpcListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let application = Application::build(config, listener, Arc::new(SystemClock)).await?;
    application
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    metrics.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
