//! `spawn_app()`: the real gateway on a random port in front of fake upstream services.

use std::{net::SocketAddr, sync::Arc};

use alert_platform::{
    Env,
    access_token::AccessTokens,
    grpc::{self, GrpcListener},
    telemetry,
};
use gateway::{Application, Config, Peers};
use reqwest::{Method, StatusCode, header::HeaderMap};
use secrecy::SecretString;
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Server, server::Router};
use tonic_health::{ServingStatus, server::HealthReporter};

use crate::fakes::{
    FakeAlertService, FakeNotifierService, FakeSchedulerService, Recorder, alert_servers,
    notifier_servers, scheduler_server,
};

pub const JWT_SECRET: &str = "gateway-test-secret-0123456789-abcdefghij";
pub const SCHEDULER_SECRET: &str = "scheduler-test-secret-42";

/// A running gateway and what sits behind it.
pub struct TestApp {
    pub address: SocketAddr,
    pub http: reqwest::Client,
    /// Every call the fake upstreams received.
    pub recorder: Arc<Recorder>,
    pub alert_health: HealthReporter,
    pub scheduler_health: HealthReporter,
    pub notifier_health: HealthReporter,
    pub tokens: AccessTokens,
    /// Stops the fake scheduler-service alone.
    pub scheduler_stop: CancellationToken,
    shutdown: CancellationToken,
    server: Option<JoinHandle<Result<(), gateway::Error>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response, its body parsed as JSON (`null` when empty or not JSON).
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|env| env).await
}

/// A gateway whose environment `configure` adjusted.
pub async fn spawn_app_with(configure: impl FnOnce(Env) -> Env) -> TestApp {
    telemetry::init_for_tests();
    let shutdown = CancellationToken::new();
    let recorder = Arc::new(Recorder::default());

    let (alert_health, health) = grpc::health_service().await;
    let (auth, alerts, runner, air_quality) = alert_servers(FakeAlertService(recorder.clone()));
    let alert = start_upstream(
        Server::builder()
            .add_service(health)
            .add_service(auth)
            .add_service(alerts)
            .add_service(runner)
            .add_service(air_quality),
        &shutdown,
    )
    .await;

    let (notifier_health, health) = grpc::health_service().await;
    let (push, notify) = notifier_servers(FakeNotifierService(recorder.clone()));
    let notifier = start_upstream(
        Server::builder()
            .add_service(health)
            .add_service(push)
            .add_service(notify),
        &shutdown,
    )
    .await;

    let (scheduler_health, health) = grpc::health_service().await;
    let scheduler_router = Server::builder()
        .add_service(health)
        .add_service(scheduler_server(FakeSchedulerService(recorder.clone())));
    let scheduler_stop = shutdown.child_token();
    let scheduler = start_upstream(scheduler_router, &scheduler_stop).await;

    let env = configure(Env::from_pairs([
        ("JWT_SECRET", JWT_SECRET),
        ("SCHEDULER_SECRET", SCHEDULER_SECRET),
    ]));
    let config = Config::from_env(&env).expect("test configuration is valid");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let application = Application::build(
        config,
        listener,
        Peers {
            alert,
            scheduler,
            notifier,
        },
    )
    .await
    .unwrap();
    let address = application.local_addr().unwrap();
    let server = tokio::spawn(application.run_until_stopped(shutdown.clone()));

    TestApp {
        address,
        http: reqwest::Client::new(),
        recorder,
        alert_health,
        scheduler_health,
        notifier_health,
        tokens: AccessTokens::new(
            &SecretString::from(JWT_SECRET),
            chrono::Duration::minutes(15),
        ),
        scheduler_stop,
        server: Some(server),
        shutdown,
    }
}

async fn start_upstream(router: Router, shutdown: &CancellationToken) -> Channel {
    let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(grpc::serve(router, listener, shutdown.clone()));
    grpc::connect_lazy(&format!("http://{address}")).unwrap()
}

impl TestApp {
    /// Cancels the shutdown token and waits for `run_until_stopped` to return.
    pub async fn stop(&mut self) -> Result<(), gateway::Error> {
        self.shutdown.cancel();
        let server = self.server.take().expect("the gateway runs");
        tokio::time::timeout(std::time::Duration::from_secs(10), server)
            .await
            .expect("the gateway stops within 10 s")
            .expect("the gateway task does not panic")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// A valid access token for `user_id`.
    pub fn token(&self, user_id: &str) -> String {
        self.tokens.issue(user_id, chrono::Utc::now())
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        user_id: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match user_id {
            Some(user_id) => builder.bearer_auth(self.token(user_id)),
            None => builder,
        }
    }

    /// Calls `path` as `user_id` (signed out when `None`), with `body` as JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user_id: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        let mut builder = self.request(method, path, user_id);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        send(builder).await
    }

    pub async fn set_health(&self, reporter: &HealthReporter, status: ServingStatus) {
        reporter.set_service_status("", status).await;
    }
}

pub async fn send(builder: reqwest::RequestBuilder) -> TestResponse {
    let response = builder.send().await.expect("the gateway answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    TestResponse {
        status,
        headers,
        json,
        text,
    }
}
