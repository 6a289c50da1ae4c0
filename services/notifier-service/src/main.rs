use std::{net::SocketAddr, sync::Arc};

use alert_platform::{Env, SystemClock, grpc::GrpcListener, shutdown, telemetry};
use anyhow::Context as _;
use notifier_service::{Application, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = Env::from_process();
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
    let address = SocketAddr::from(([0, 0, 0, 0], config.port));
    let listener = GrpcListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let application = Application::build(config, listener, Arc::new(SystemClock)).await?;
    application
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    Ok(())
}
