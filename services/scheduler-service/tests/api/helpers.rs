//! `spawn_app()` and a fake alert-service runner that records RunAlert calls.

use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use alert_platform::{
    Clock, ManualClock, SystemClock,
    db::testing::{fresh_postgres_database, sqlite_url},
    grpc::{self, GrpcListener},
    telemetry,
};
use alert_proto::v1::{
    DeleteScheduleRequest, FireRequest, FireResponse, RunAlertRequest, RunAlertResponse,
    RunOutcome, UpsertScheduleRequest,
    alert_runner_service_server::{AlertRunnerService, AlertRunnerServiceServer},
    fire_request::Target,
    scheduler_service_client::SchedulerServiceClient,
    scheduler_sync_service_client::SchedulerSyncServiceClient,
};
use chrono::{DateTime, Utc};
use scheduler_service::{
    Application, Config, Peers,
    eventbridge::EventBridgeConfig,
    startup::EventBridgeParts,
    store::{Store, SyncStore},
    tick::{LocalScheduler, TickReport},
};
use tokio::{sync::watch, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tonic::{Code, Request, Response, Status, transport::Channel};

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad test time {text}: {e}"))
        .with_timezone(&Utc)
}

/// Polls `check` until it holds, failing the test with `what` after a deadline.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One RunAlert call the fake received.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunCall {
    pub alert_id: String,
    pub scheduled_time: String,
}

#[derive(Default)]
struct RunnerState {
    /// Every call received, answered or not.
    calls: Vec<RunCall>,
    /// Calls answered OK.
    succeeded: Vec<RunCall>,
    /// Per alert: how many more calls fail, and with which code.
    failures: HashMap<String, (usize, Code)>,
}

/// A stand-in for alert-service's AlertRunnerService.
#[derive(Clone)]
pub struct FakeRunner {
    state: Arc<Mutex<RunnerState>>,
    /// While true, calls wait before answering.
    blocked_tx: Arc<watch::Sender<bool>>,
    pub url: String,
}

struct RunnerServer {
    state: Arc<Mutex<RunnerState>>,
    blocked_rx: watch::Receiver<bool>,
}

#[tonic::async_trait]
impl AlertRunnerService for RunnerServer {
    async fn run_alert(
        &self,
        request: Request<RunAlertRequest>,
    ) -> Result<Response<RunAlertResponse>, Status> {
        let request = request.into_inner();
        let call = RunCall {
            alert_id: request.alert_id.clone(),
            scheduled_time: request.scheduled_time.clone(),
        };
        self.state.lock().unwrap().calls.push(call.clone());
        let mut blocked_rx = self.blocked_rx.clone();
        // The sender lives as long as the fake; an error only means the test ended.
        let _ = blocked_rx.wait_for(|blocked| !blocked).await;
        let mut state = self.state.lock().unwrap();
        if let Some((left, code)) = state.failures.get_mut(&request.alert_id)
            && *left > 0
        {
            *left -= 1;
            return Err(Status::new(*code, "fake failure"));
        }
        state.succeeded.push(call);
        Ok(Response::new(RunAlertResponse {
            outcome: RunOutcome::Sent.into(),
            deliveries: 1,
            reason: String::new(),
        }))
    }
}

impl FakeRunner {
    pub async fn start() -> FakeRunner {
        let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(RunnerState::default()));
        let (blocked_tx, blocked_rx) = watch::channel(false);
        let server = RunnerServer {
            state: state.clone(),
            blocked_rx,
        };
        let router =
            tonic::transport::Server::builder().add_service(AlertRunnerServiceServer::new(server));
        tokio::spawn(grpc::serve(router, listener, CancellationToken::new()));
        FakeRunner {
            state,
            blocked_tx: Arc::new(blocked_tx),
            url,
        }
    }

    /// The next `times` calls for `alert_id` fail with `code`.
    pub fn fail(&self, alert_id: &str, times: usize, code: Code) {
        self.state
            .lock()
            .unwrap()
            .failures
            .insert(alert_id.to_owned(), (times, code));
    }

    /// Calls wait until [`FakeRunner::release`].
    pub fn block(&self) {
        self.blocked_tx.send_replace(true);
    }

    pub fn release(&self) {
        self.blocked_tx.send_replace(false);
    }

    pub fn calls(&self) -> Vec<RunCall> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn succeeded(&self) -> Vec<RunCall> {
        let mut calls = self.state.lock().unwrap().succeeded.clone();
        calls.sort();
        calls
    }

    /// Successful calls per (alert, scheduled time).
    pub fn success_counts(&self) -> BTreeMap<(String, String), usize> {
        let mut counts = BTreeMap::new();
        for call in self.succeeded() {
            *counts
                .entry((call.alert_id, call.scheduled_time))
                .or_insert(0) += 1;
        }
        counts
    }

    /// Waits until `count` calls succeeded.
    pub async fn wait_for_successes(&self, count: usize) {
        eventually(&format!("{count} runs succeeded"), || async {
            self.succeeded().len() >= count
        })
        .await;
    }
}

/// Where a test app keeps its data.
#[derive(Debug, Clone)]
pub enum TestDatabase {
    Postgres(String),
    Sqlite(Arc<tempfile::TempDir>),
}

impl TestDatabase {
    pub async fn postgres() -> TestDatabase {
        TestDatabase::Postgres(fresh_postgres_database().await)
    }

    pub fn sqlite() -> TestDatabase {
        TestDatabase::Sqlite(Arc::new(tempfile::tempdir().unwrap()))
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Postgres(url) => url.clone(),
            TestDatabase::Sqlite(dir) => sqlite_url(dir.path(), "scheduler"),
        }
    }
}

/// What a test app is started with.
#[derive(Clone)]
pub struct TestSetup {
    pub database: TestDatabase,
    pub clock: ManualClock,
    pub runner: FakeRunner,
    pub fanout_concurrency: usize,
    pub missed_fire_grace: Duration,
    /// The tick of the scheduler loop and the fan-out poll.
    pub tick_interval: Duration,
    /// `AWS_SCHEDULER_ENABLED=true` with these settings.
    pub eventbridge: Option<EventBridgeConfig>,
    /// Give the app the wall clock instead of [`TestSetup::clock`] (backoff needs time to pass).
    pub system_clock: bool,
}

impl TestSetup {
    pub async fn new() -> TestSetup {
        TestSetup {
            database: TestDatabase::postgres().await,
            clock: ManualClock::new(utc("2026-01-05T00:00:00Z")),
            runner: FakeRunner::start().await,
            fanout_concurrency: 32,
            missed_fire_grace: Duration::from_secs(3600),
            tick_interval: Duration::from_millis(20),
            eventbridge: None,
            system_clock: false,
        }
    }

    /// The scheduler loop ticks only after an hour, so a test drives it with `run_due` alone (the
    /// fan-out still runs at once when woken by a fire).
    pub fn with_manual_ticks(mut self) -> TestSetup {
        self.tick_interval = Duration::from_secs(3600);
        self
    }

    pub async fn spawn(&self) -> TestApp {
        telemetry::init_for_tests();
        let config = Config {
            port: 0,
            database_url: self.database.url(),
            missed_fire_grace: self.missed_fire_grace,
            tick_interval: self.tick_interval,
            fanout_concurrency: self.fanout_concurrency,
            fanout_call_timeout: Duration::from_secs(60),
            eventbridge: self.eventbridge.clone(),
        };
        let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let peers = Peers {
            alert_runner: grpc::connect_lazy(&self.runner.url).unwrap(),
        };
        let clock: alert_platform::clock::SharedClock = if self.system_clock {
            Arc::new(SystemClock)
        } else {
            Arc::new(self.clock.clone())
        };
        let app = Application::build(config, listener, peers, clock)
            .await
            .unwrap();
        let eventbridge = app.eventbridge();
        let sync_store = app.sync_store();
        let addr = app.local_addr().unwrap();
        let local_scheduler = app.local_scheduler();
        let store = app.store();
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(app.run_until_stopped(shutdown.clone()));
        let channel = grpc::connect_lazy(&format!("http://{addr}")).unwrap();
        TestApp {
            client: SchedulerServiceClient::new(channel.clone()),
            sync_client: SchedulerSyncServiceClient::new(channel.clone()),
            eventbridge,
            sync_store,
            channel,
            clock: self.clock.clone(),
            runner: self.runner.clone(),
            local_scheduler,
            store,
            shutdown,
            handle,
        }
    }
}

/// A running scheduler-service.
pub struct TestApp {
    pub client: SchedulerServiceClient<Channel>,
    pub sync_client: SchedulerSyncServiceClient<Channel>,
    /// The EventBridge backend's parts, when enabled.
    pub eventbridge: Option<EventBridgeParts>,
    /// The sync rows of the app's buckets.
    pub sync_store: Arc<dyn SyncStore>,
    pub channel: Channel,
    pub clock: ManualClock,
    pub runner: FakeRunner,
    pub local_scheduler: LocalScheduler,
    pub store: Arc<dyn Store>,
    shutdown: CancellationToken,
    handle: JoinHandle<scheduler_service::Result<()>>,
}

/// An app on a fresh PostgreSQL database with a fresh fake runner.
pub async fn spawn_app() -> TestApp {
    TestSetup::new().await.spawn().await
}

impl TestApp {
    /// Files `alert_id` under `cron` in `timezone`; returns the bucket key.
    pub async fn upsert(
        &self,
        alert_id: &str,
        cron: &str,
        timezone: &str,
        enabled: bool,
    ) -> String {
        let request = UpsertScheduleRequest {
            alert_id: alert_id.into(),
            cron: cron.into(),
            timezone: timezone.into(),
            enabled,
        };
        self.client
            .clone()
            .upsert_schedule(request)
            .await
            .expect("upsert schedule")
            .into_inner()
            .schedule_key
    }

    pub async fn delete(&self, alert_id: &str) {
        let request = DeleteScheduleRequest {
            alert_id: alert_id.into(),
        };
        self.client
            .clone()
            .delete_schedule(request)
            .await
            .expect("delete schedule");
    }

    /// Moves the clock to `now` and runs one scheduler tick there.
    pub async fn tick_at(&self, now: DateTime<Utc>) -> TickReport {
        self.clock.set(now);
        self.local_scheduler.run_due(now).await.expect("tick")
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn fire_bucket(&self, key: &str, scheduled_time: &str) -> FireResponse {
        self.fire(Target::ScheduleKey(key.into()), scheduled_time)
            .await
    }

    pub async fn fire_alert(&self, alert_id: &str, scheduled_time: &str) -> FireResponse {
        self.fire(Target::AlertId(alert_id.into()), scheduled_time)
            .await
    }

    async fn fire(&self, target: Target, scheduled_time: &str) -> FireResponse {
        let request = FireRequest {
            target: Some(target),
            scheduled_time: scheduled_time.into(),
            execution_id: uuid::Uuid::new_v4().to_string(),
        };
        self.client
            .clone()
            .fire(request)
            .await
            .expect("fire")
            .into_inner()
    }

    /// Stops the app gracefully and waits until it has stopped.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.handle
            .await
            .expect("app task")
            .expect("app stops cleanly");
    }

    /// Starts stopping without waiting; returns the task to await.
    pub fn begin_stop(self) -> JoinHandle<scheduler_service::Result<()>> {
        self.shutdown.cancel();
        self.handle
    }
}
