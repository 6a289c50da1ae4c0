//! The whole alert system in one process, for a laptop or a small self-hoster: the four services
//! wired over in-memory gRPC pipes (the same code as in production, see
//! docs/decisions/0001-service-shape.md), each on its own SQLite file in `DATA_DIR`, with the
//! in-database delivery queue and the local scheduler. Only the gateway listens on a port.

mod secrets;

use std::{net::SocketAddr, path::PathBuf};

use alert_platform::{ConfigError, Env, clock::SharedClock, db::Backend, grpc};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

pub use secrets::{DevSecrets, SecretsError};

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error("cannot create the data directory {path}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {address}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("{service} failed to start: {message}")]
    Start {
        service: &'static str,
        message: String,
    },
    #[error("{service} stopped with an error: {message}")]
    Run {
        service: &'static str,
        message: String,
    },
}

/// Where the embedded system keeps its files and listens.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
}

impl EmbeddedConfig {
    pub fn from_env(env: &Env) -> Result<EmbeddedConfig, ConfigError> {
        let port: u16 = env.parse_or("PORT", 8080)?;
        let host: std::net::IpAddr =
            env.parse_or("HOST", std::net::IpAddr::from([127, 0, 0, 1]))?;
        Ok(EmbeddedConfig {
            data_dir: PathBuf::from(env.string_or("DATA_DIR", "./data")),
            listen: SocketAddr::new(host, port),
        })
    }
}

/// The four services of one process, built and ready to run.
pub struct EmbeddedSystem {
    gateway_addr: SocketAddr,
    gateway: gateway::Application,
    alert: alert_service::Application,
    scheduler: scheduler_service::Application,
    notifier: notifier_service::Application,
}

impl EmbeddedSystem {
    /// Builds every service from one environment. `DATABASE_URL` may point the services at
    /// PostgreSQL (each takes its own schema); otherwise each gets a SQLite file in `DATA_DIR`.
    pub async fn build(env: &Env, clock: SharedClock) -> Result<EmbeddedSystem, EmbeddedError> {
        let config = EmbeddedConfig::from_env(env)?;
        std::fs::create_dir_all(&config.data_dir).map_err(|source| EmbeddedError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let service_env = service_env(env, &config)?;

        let (alert_listener, alert_channel) = grpc::in_memory();
        let (scheduler_listener, scheduler_channel) = grpc::in_memory();
        let (notifier_listener, notifier_channel) = grpc::in_memory();

        let notifier = notifier_service::Application::build(
            notifier_service::Config::from_env(&database_env(&service_env, &config, "notifier"))?,
            notifier_listener,
            clock.clone(),
        )
        .await
        .map_err(|e| start_error("notifier-service", e))?;
        let alert = alert_service::Application::build(
            alert_service::Config::from_env(&database_env(&service_env, &config, "alert"))?,
            alert_listener,
            alert_service::Peers {
                scheduler: scheduler_channel.clone(),
                notifier: notifier_channel.clone(),
            },
            clock.clone(),
        )
        .await
        .map_err(|e| start_error("alert-service", e))?;
        let scheduler = scheduler_service::Application::build(
            scheduler_service::Config::from_env(&database_env(&service_env, &config, "scheduler"))?,
            scheduler_listener,
            scheduler_service::Peers {
                alert_runner: alert_channel.clone(),
            },
            clock.clone(),
        )
        .await
        .map_err(|e| start_error("scheduler-service", e))?;

        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| EmbeddedError::Bind {
                    address: config.listen,
                    source,
                })?;
        let gateway_addr = listener
            .local_addr()
            .map_err(|source| EmbeddedError::Bind {
                address: config.listen,
                source,
            })?;
        let gateway = gateway::Application::build(
            gateway::Config::from_env(&service_env)?,
            listener,
            gateway::Peers {
                alert: alert_channel,
                scheduler: scheduler_channel,
                notifier: notifier_channel,
            },
        )
        .await
        .map_err(|e| start_error("gateway", e))?;

        Ok(EmbeddedSystem {
            gateway_addr,
            gateway,
            alert,
            scheduler,
            notifier,
        })
    }

    /// The address browsers use.
    pub fn gateway_addr(&self) -> SocketAddr {
        self.gateway_addr
    }

    /// Runs until `shutdown` is cancelled, then stops the services outside in: the gateway stops
    /// taking requests, the scheduler stops firing and finishes its fan-out, alert-service
    /// finishes its runs, and the notifier finishes or releases its deliveries last.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), EmbeddedError> {
        let stages: [(&'static str, CancellationToken); 4] = [
            ("gateway", CancellationToken::new()),
            ("scheduler-service", CancellationToken::new()),
            ("alert-service", CancellationToken::new()),
            ("notifier-service", CancellationToken::new()),
        ];
        let mut tasks: Vec<(&'static str, JoinHandle<Result<(), String>>)> = vec![
            (
                "gateway",
                spawn_stage(self.gateway.run_until_stopped(stages[0].1.clone())),
            ),
            (
                "scheduler-service",
                spawn_stage(self.scheduler.run_until_stopped(stages[1].1.clone())),
            ),
            (
                "alert-service",
                spawn_stage(self.alert.run_until_stopped(stages[2].1.clone())),
            ),
            (
                "notifier-service",
                spawn_stage(self.notifier.run_until_stopped(stages[3].1.clone())),
            ),
        ];

        // A service that stops on its own is a failure: stop the others and report it.
        let first_failure = tokio::select! {
            () = shutdown.cancelled() => None,
            (result, index, _) = futures_select_all(&mut tasks) => Some((index, result)),
        };
        let mut outcome = Ok(());
        if let Some((index, result)) = first_failure {
            let (service, _) = tasks.remove(index);
            let message = match result {
                Ok(Ok(())) => "exited unexpectedly".to_owned(),
                Ok(Err(message)) => message,
                Err(join_error) => join_error.to_string(),
            };
            outcome = Err(EmbeddedError::Run { service, message });
        }
        for (stage_service, token) in stages {
            token.cancel();
            if let Some(position) = tasks
                .iter()
                .position(|(service, _)| *service == stage_service)
            {
                let (service, handle) = tasks.remove(position);
                match handle.await {
                    Ok(Ok(())) => tracing::info!(service, "stopped"),
                    Ok(Err(message)) => tracing::error!(service, %message, "stopped with an error"),
                    Err(error) => tracing::error!(service, %error, "stopped abnormally"),
                }
            }
        }
        outcome
    }
}

fn spawn_stage<E: std::fmt::Display>(
    run: impl Future<Output = Result<(), E>> + Send + 'static,
) -> JoinHandle<Result<(), String>> {
    tokio::spawn(async move { run.await.map_err(|e| e.to_string()) })
}

/// Waits for the first of the tasks to finish, without taking it out of the list.
async fn futures_select_all(
    tasks: &mut [(&'static str, JoinHandle<Result<(), String>>)],
) -> (
    Result<Result<(), String>, tokio::task::JoinError>,
    usize,
    (),
) {
    std::future::poll_fn(|cx| {
        for (index, (_, handle)) in tasks.iter_mut().enumerate() {
            if let std::task::Poll::Ready(result) = std::pin::Pin::new(handle).poll(cx) {
                return std::task::Poll::Ready((result, index, ()));
            }
        }
        std::task::Poll::Pending
    })
    .await
}

fn start_error(service: &'static str, error: impl std::fmt::Display) -> EmbeddedError {
    EmbeddedError::Start {
        service,
        message: error.to_string(),
    }
}

/// Where `npm run build` in web/ puts the app, relative to the repository root.
const BUILT_WEB_APP: &str = "web/dist";

/// The caller's environment plus the development secrets it does not configure.
fn service_env(env: &Env, config: &EmbeddedConfig) -> Result<Env, EmbeddedError> {
    let mut service_env = env.clone();
    if env.get("JWT_SECRET").is_none() || env.get("VAPID_PRIVATE_KEY").is_none() {
        let secrets = DevSecrets::load_or_create(&config.data_dir)?;
        if env.get("JWT_SECRET").is_none() {
            service_env.set("JWT_SECRET", secrets.jwt_secret);
        }
        if env.get("VAPID_PRIVATE_KEY").is_none() {
            service_env.set("VAPID_PRIVATE_KEY", secrets.vapid_private_key);
        }
    }
    // A laptop run from the repository serves the web app once it is built (`npm run build` in
    // web/), without being told where it is.
    if env.get("WEB_DIR").is_none()
        && std::path::Path::new(BUILT_WEB_APP)
            .join("index.html")
            .is_file()
    {
        service_env.set("WEB_DIR", BUILT_WEB_APP);
    }
    if let Some(url) = env.get("DATABASE_URL")
        && Backend::of_url(url) != Some(Backend::Postgres)
    {
        return Err(ConfigError::new(
            "DATABASE_URL",
            "the embedded mode keeps one SQLite file per service in DATA_DIR; unset DATABASE_URL or point it at PostgreSQL",
        )
        .into());
    }
    Ok(service_env)
}

/// The environment of one service: its own SQLite file unless PostgreSQL was configured.
fn database_env(service_env: &Env, config: &EmbeddedConfig, service: &str) -> Env {
    if service_env.get("DATABASE_URL").is_some() {
        return service_env.clone();
    }
    let path = config.data_dir.join(format!("{service}.db"));
    service_env
        .clone()
        .with("DATABASE_URL", format!("sqlite://{}", path.display()))
}
