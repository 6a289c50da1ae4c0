//! The `alert-service` binary: configuration from the environment, then the library does the rest.

use std::{net::SocketAddr, sync::Arc};

use alert_platform::{Env, SystemClock, grpc, grpc::GrpcListener, shutdown, telemetry};
use alert_service::{Application, Config, Peers};
use anyhow::Context as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = Env::from_process();
    let config = Config::from_env(&env)?;
    telemetry::init(&env);

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
    Ok(())
}
