//! The gateway process: configuration, telemetry, then the application until SIGTERM.
//! `gateway health` instead probes a running gateway on `PORT` (the container health check).

use std::{
    net::{Ipv4Addr, SocketAddr},
    time::Duration,
};

use alert_platform::{Env, grpc, metrics::Metrics, shutdown, telemetry};
use anyhow::{Context, bail};
use gateway::{Application, Config, Peers, probe};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = Env::from_process();
    match std::env::args().nth(1).as_deref() {
        None => serve(env).await,
        Some("health") => {
            let port: u16 = env.parse_or("PORT", 8080)?;
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            probe::probe_liveness(address, Duration::from_secs(3)).await?;
            Ok(())
        }
        Some(other) => {
            bail!("unknown command {other:?}: run without arguments to serve, or `health` to probe")
        }
    }
}

async fn serve(env: Env) -> anyhow::Result<()> {
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
    let metrics = Metrics::install_from_env(&env, "gateway")?;

    let address = SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot bind {address}"))?;
    let peers = Peers {
        alert: peer(&env, "ALERT_SERVICE_URL", "http://127.0.0.1:50051")?,
        scheduler: peer(&env, "SCHEDULER_SERVICE_URL", "http://127.0.0.1:50052")?,
        notifier: peer(&env, "NOTIFIER_SERVICE_URL", "http://127.0.0.1:50053")?,
    };

    let application = Application::build(config, listener, peers).await?;
    application
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    metrics.shutdown().await;
    Ok(())
}

fn peer(env: &Env, variable: &str, default: &str) -> anyhow::Result<tonic::transport::Channel> {
    let url = env.string_or(variable, default);
    grpc::connect_lazy(&url).with_context(|| format!("{variable}: cannot use {url:?}"))
}
