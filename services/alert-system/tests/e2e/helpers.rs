//! Starting the system and driving it like a browser would.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use alert_platform::{
    Env, ManualClock,
    clock::SharedClock,
    db::testing::fresh_postgres_database,
    grpc::{self, GrpcListener},
};
use alert_system::EmbeddedSystem;
use alert_testkit::{BrowserSubscription, PushReceiver, ReceivedPush};
use chrono::{DateTime, Timelike, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::process::SystemProcess;

pub const SCHEDULER_SECRET: &str = "test-scheduler-secret-0123456789";
const JWT_SECRET: &str = "test-jwt-secret-0123456789-0123456789-abcdef";

/// Which shape of the system a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One process, in-memory gRPC, SQLite files.
    Embedded,
    /// Four services on their own TCP ports, on PostgreSQL.
    Distributed,
}

/// A running system, a push service, and a clock the test moves (in this process only).
pub struct TestSystem {
    pub base_url: String,
    pub http: reqwest::Client,
    pub receiver: PushReceiver,
    pub clock: ManualClock,
    pub data_dir: tempfile::TempDir,
    running: Running,
}

/// Where the services run.
enum Running {
    InProcess {
        shutdown: CancellationToken,
        tasks: Vec<JoinHandle<()>>,
    },
    Child(SystemProcess),
}

/// A signed-in user.
pub struct User {
    pub token: String,
}

fn base_env(receiver: &PushReceiver, data_dir: &std::path::Path) -> Env {
    Env::from_pairs([
        ("PORT", "0".to_owned()),
        ("DATA_DIR", data_dir.display().to_string()),
        ("PUSH_ALLOWED_ORIGINS", receiver.origin()),
        ("SCHEDULER_SECRET", SCHEDULER_SECRET.to_owned()),
        ("SCHEDULER_TICK_INTERVAL", "50ms".to_owned()),
        ("RETRY_BASE_DELAY", "20ms".to_owned()),
        ("SCHEDULE_SYNC_INTERVAL", "1s".to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
    ])
}

impl TestSystem {
    pub async fn start(mode: Mode) -> TestSystem {
        TestSystem::start_with(mode, &[]).await
    }

    /// The system with `settings` (variable, value) on top of the test environment.
    pub async fn start_with(mode: Mode, settings: &[(&str, &str)]) -> TestSystem {
        alert_platform::telemetry::init_for_tests();
        let receiver = PushReceiver::start().await;
        let data_dir = tempfile::tempdir().unwrap();
        // The clock starts at the real time: access tokens are checked against the wall clock.
        let clock = ManualClock::new(Utc::now());
        let shutdown = CancellationToken::new();
        let mut env = base_env(&receiver, data_dir.path());
        for (name, value) in settings {
            env.set(*name, *value);
        }
        let (base_url, tasks) = match mode {
            Mode::Embedded => start_embedded(&env, Arc::new(clock.clone()), shutdown.clone()).await,
            Mode::Distributed => {
                start_distributed(env, Arc::new(clock.clone()), shutdown.clone()).await
            }
        };
        TestSystem {
            base_url,
            http: reqwest::Client::new(),
            receiver,
            clock,
            data_dir,
            running: Running::InProcess { shutdown, tasks },
        }
    }

    /// The `alert-system` binary as a child process, all four services in it on a fresh
    /// PostgreSQL database, with the wall clock; `settings` add to or override the test settings.
    pub async fn start_process(settings: &[(&str, &str)]) -> TestSystem {
        let receiver = PushReceiver::start().await;
        let data_dir = tempfile::tempdir().unwrap();
        let mut env = base_env(&receiver, data_dir.path())
            .with("DATABASE_URL", fresh_postgres_database().await)
            .with("JWT_SECRET", JWT_SECRET)
            .with("VAPID_PRIVATE_KEY", alert_webpush_key());
        for (name, value) in settings {
            env.set(*name, *value);
        }
        let process = SystemProcess::start(env).await;
        TestSystem {
            base_url: process.base_url(),
            http: reqwest::Client::new(),
            receiver,
            clock: ManualClock::new(Utc::now()),
            data_dir,
            running: Running::Child(process),
        }
    }

    /// The child process (see [`TestSystem::start_process`]).
    pub fn process(&mut self) -> &mut SystemProcess {
        match &mut self.running {
            Running::Child(process) => process,
            Running::InProcess { .. } => panic!("the system runs in this process"),
        }
    }

    /// Stops every service, waits until they have drained, and hands back the data directory.
    pub async fn stop(self) -> tempfile::TempDir {
        match self.running {
            Running::InProcess { shutdown, tasks } => {
                shutdown.cancel();
                for task in tasks {
                    tokio::time::timeout(Duration::from_secs(30), task)
                        .await
                        .expect("system stops within 30 s")
                        .unwrap();
                }
            }
            Running::Child(mut process) => process.terminate().await,
        }
        self.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.post(self.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        into_parts(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        into_parts(
            self.http
                .get(self.url(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        into_parts(
            self.http
                .patch(self.url(path))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> StatusCode {
        self.http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Registers and logs in a new user.
    pub async fn sign_up(&self, email: &str) -> User {
        let credentials = json!({"email": email, "password": "correct horse battery"});
        let (status, body) = self.post("/auth/register", None, credentials.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "register: {body}");
        let (status, body) = self.post("/auth/login", None, credentials).await;
        assert_eq!(status, StatusCode::OK, "login: {body}");
        User {
            token: body["accessToken"]
                .as_str()
                .expect("login returns an access token")
                .to_owned(),
        }
    }

    /// Subscribes a new browser of `user` to push at the local push service.
    pub async fn subscribe_browser(&self, user: &User) -> BrowserSubscription {
        let browser = self.receiver.new_browser();
        let (status, body) = self
            .post("/push/subscribe", Some(&user.token), browser.to_json())
            .await;
        assert_eq!(status, StatusCode::CREATED, "subscribe: {body}");
        browser
    }

    pub async fn create_alert(&self, user: &User, alert: Value) -> Value {
        let (status, body) = self.post("/alerts", Some(&user.token), alert).await;
        assert_eq!(status, StatusCode::CREATED, "create alert: {body}");
        body
    }

    /// Posts what EventBridge's API destination posts.
    pub async fn trigger(&self, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/scheduler/trigger"))
            .header("x-scheduler-secret", SCHEDULER_SECRET)
            .json(&body)
            .send()
            .await
            .unwrap();
        into_parts(response).await
    }

    /// Waits until `count` pushes arrived, then a little longer so that a duplicate would show.
    pub async fn settled_pushes(&self, count: usize) -> Vec<ReceivedPush> {
        self.receiver
            .wait_for_received(count, Duration::from_secs(20))
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.receiver.received()
    }

    /// Polls the delivery history until `predicate` holds.
    pub async fn wait_for_deliveries(
        &self,
        user: &User,
        query: &str,
        predicate: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.get(&format!("/deliveries{query}"), &user.token).await;
            assert_eq!(status, StatusCode::OK, "deliveries: {body}");
            let deliveries = body["deliveries"].as_array().cloned().unwrap_or_default();
            if predicate(&deliveries) || tokio::time::Instant::now() > deadline {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn into_parts(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// The next whole minute at least 61 s after `now`, and its (minute, hour) in Asia/Seoul.
pub fn next_minute_in_seoul(now: DateTime<Utc>) -> (DateTime<Utc>, u32, u32) {
    let target = (now + chrono::Duration::seconds(61))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let local = target.with_timezone(&chrono_tz::Asia::Seoul);
    (target, local.minute(), local.hour())
}

async fn start_embedded(
    env: &Env,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> (String, Vec<JoinHandle<()>>) {
    let env = env.clone().with("HOST", "127.0.0.1");
    let system = EmbeddedSystem::build(&env, clock)
        .await
        .expect("embedded system builds");
    let addr = system.gateway_addr();
    let task = tokio::spawn(async move {
        system
            .run_until_stopped(shutdown)
            .await
            .expect("embedded system runs")
    });
    (format!("http://{addr}"), vec![task])
}

async fn bind() -> (GrpcListener, SocketAddr) {
    let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn channel(addr: SocketAddr) -> tonic::transport::Channel {
    grpc::connect_lazy(&format!("http://{addr}")).unwrap()
}

async fn start_distributed(
    env: Env,
    clock: SharedClock,
    shutdown: CancellationToken,
) -> (String, Vec<JoinHandle<()>>) {
    let env = env
        .with("DATABASE_URL", fresh_postgres_database().await)
        .with("JWT_SECRET", JWT_SECRET)
        .with("VAPID_PRIVATE_KEY", alert_webpush_key());
    let (alert_listener, alert_addr) = bind().await;
    let (scheduler_listener, scheduler_addr) = bind().await;
    let (notifier_listener, notifier_addr) = bind().await;

    let notifier = notifier_service::Application::build(
        notifier_service::Config::from_env(&env).unwrap(),
        notifier_listener,
        clock.clone(),
    )
    .await
    .unwrap();
    let alert = alert_service::Application::build(
        alert_service::Config::from_env(&env).unwrap(),
        alert_listener,
        alert_service::Peers {
            scheduler: channel(scheduler_addr),
            notifier: channel(notifier_addr),
        },
        clock.clone(),
    )
    .await
    .unwrap();
    let scheduler = scheduler_service::Application::build(
        scheduler_service::Config::from_env(&env).unwrap(),
        scheduler_listener,
        scheduler_service::Peers {
            alert_runner: channel(alert_addr),
        },
        clock,
    )
    .await
    .unwrap();
    let gateway_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway_addr = gateway_listener.local_addr().unwrap();
    let gateway = gateway::Application::build(
        gateway::Config::from_env(&env).unwrap(),
        gateway_listener,
        gateway::Peers {
            alert: channel(alert_addr),
            scheduler: channel(scheduler_addr),
            notifier: channel(notifier_addr),
        },
    )
    .await
    .unwrap();

    let tasks = vec![
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move { gateway.run_until_stopped(shutdown).await.unwrap() }
        }),
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move { scheduler.run_until_stopped(shutdown).await.unwrap() }
        }),
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move { alert.run_until_stopped(shutdown).await.unwrap() }
        }),
        tokio::spawn(async move { notifier.run_until_stopped(shutdown).await.unwrap() }),
    ];
    (format!("http://{gateway_addr}"), tasks)
}

fn alert_webpush_key() -> String {
    alert_webpush::VapidKeys::generate().private_key_base64url()
}
