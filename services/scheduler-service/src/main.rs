//! The `scheduler-service` binary: configuration from the environment, then the library does the
//! rest. `scheduler-service health` instead probes a running scheduler-service on `PORT` (the
//! container health check).

use std::{
    net::{Ipv4Addr, SocketAddr},
    process::ExitCode,
    sync::Arc,
};

use alert_platform::{
    Env, SystemClock,
    grpc::{self, GrpcListener},
    health,
    metrics::Metrics,
    shutdown, telemetry,
};
use anyhow::Context;
use scheduler_service::{Application, Config, Peers, config::DEFAULT_PORT};

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let env = Env::from_process();
    if std::env::args().nth(1).as_deref() == Some("health") {
        return Ok(health::probe_command(&env, DEFAULT_PORT).await);
    }
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
    let metrics = Metrics::install_from_env(&env, "scheduler-service")?;
    let listener = GrpcListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port)))
        .await
        .with_context(|| format!("cannot bind port {}", config.port))?;
    let alert_service_url = env.string_or("ALERT_SERVICE_URL", "http://127.0.0.1:50051");
    let peers = Peers {
        alert_runner: grpc::connect_lazy(&alert_service_url).with_context(|| {
            format!("ALERT_SERVICE_URL {alert_service_url:?} is not a valid URL")
        })?,
    };
    let application = Application::build(config, listener, peers, Arc::new(SystemClock)).await?;
    application
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    metrics.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
