use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::Arc,
};

use alert_platform::{
    Env, SystemClock,
    grpc::{self, GrpcListener},
    shutdown, telemetry,
};
use anyhow::Context;
use scheduler_service::{Application, Config, Peers};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = Env::from_process();
    let config = Config::from_env(&env)?;
    telemetry::init(&env);
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
    Ok(())
}
