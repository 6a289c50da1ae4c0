//! The `alert-service` binary: configuration from the environment, then the library does the rest.
//! `alert-service health` instead probes a running alert-service on `PORT` (the container health
//! check).

use std::{net::SocketAddr, process::ExitCode, sync::Arc};

use alert_platform::{
    Env, SystemClock, grpc, grpc::GrpcListener, health, metrics::Metrics, shutdown, telemetry,
};
use alert_service::{Application, Config, Peers, config::DEFAULT_PORT};
use anyhow::Context as _;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let env = Env::from_process();
    if std::env::args().nth(1).as_deref() == Some("health") {
        return Ok(health::probe_command(&env, DEFAULT_PORT).await);
    }
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
    let metrics = Metrics::install_from_env(&env, "alert-service")?;

    let address = SocketAddr::from(([0, 0, 0, 0], config.port));
    let listener = GrpcListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let scheduler_url = env.string_or("SCHEDULER_SERVICE_URL", "http://127.0.0.1:50052");
    let notifier_url = env.string_or("NOTIFIER_SERVICE_URL", "http://127.0.0.1:50053");
    let peers = Peers {
        scheduler: grpc::connect_lazy(&scheduler_url)
            .context("SCHEDULER_SERVICE_URL is not a valid URL")?,
        notifier: grpc::connect_lazy(&notifier_url)
            .context("NOTIFIER_SERVICE_URL is not a valid URL")?,
    };

    let application = Application::build(config, listener, peers, Arc::new(SystemClock)).await?;
    application
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    metrics.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
