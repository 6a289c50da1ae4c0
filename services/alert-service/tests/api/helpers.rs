//! `spawn_app()`: the real alert-service on a random port and a fresh SQLite file, with recording
//! test doubles of scheduler-service and notifier-service as its peers.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use alert_platform::{
    Env, ManualClock,
    error::status_field,
    grpc::{self, GrpcListener},
    identity::user_request,
    telemetry,
};
use alert_proto::v1::{
    self as pb,
    alert_runner_service_client::AlertRunnerServiceClient,
    alert_service_client::AlertServiceClient,
    auth_service_client::AuthServiceClient,
    notifier_service_server::{NotifierService, NotifierServiceServer},
    scheduler_service_server::{SchedulerService, SchedulerServiceServer},
};
use alert_service::{Application, Config, Peers};
use alert_testkit::AirKoreaStub;
use chrono::Utc;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::{
    Code, Request, Response, Status,
    transport::{Channel, Server},
};

pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123456789";
pub const APP_URL: &str = "https://alerts.example/app";

/// A running alert-service and its doubles; everything stops when it is dropped.
pub struct TestApp {
    pub channel: Channel,
    pub scheduler: FakeScheduler,
    pub notifier: FakeNotifier,
    pub clock: ManualClock,
    pub shutdown: CancellationToken,
    pub server: Option<JoinHandle<Result<(), alert_service::Error>>>,
    _database_dir: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The app with the default configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The app with `overrides` (variable, value) on top of the test configuration.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    telemetry::init_for_tests();
    let shutdown = CancellationToken::new();
    let scheduler = FakeScheduler::default();
    let notifier = FakeNotifier::default();
    let scheduler_url = serve_double(
        Server::builder().add_service(SchedulerServiceServer::new(scheduler.clone())),
        shutdown.clone(),
    )
    .await;
    let notifier_url = serve_double(
        Server::builder().add_service(NotifierServiceServer::new(notifier.clone())),
        shutdown.clone(),
    )
    .await;

    let database_dir = tempfile::tempdir().expect("create a temporary directory");
    let mut env = Env::from_pairs([
        (
            "DATABASE_URL",
            alert_platform::db::testing::sqlite_url(database_dir.path(), "alert-service"),
        ),
        ("JWT_SECRET", JWT_SECRET.to_owned()),
        ("APP_URL", APP_URL.to_owned()),
        // Long, so that only the pass at start-up runs unless a test asks for more.
        ("SCHEDULE_SYNC_INTERVAL", "1h".to_owned()),
    ]);
    for (name, value) in overrides {
        env.set(*name, *value);
    }
    let config = Config::from_env(&env).expect("test configuration is valid");

    let clock = ManualClock::new(Utc::now());
    let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .expect("bind a free port");
    let peers = Peers {
        scheduler: grpc::connect_lazy(&scheduler_url).unwrap(),
        notifier: grpc::connect_lazy(&notifier_url).unwrap(),
    };
    let application = Application::build(config, listener, peers, Arc::new(clock.clone()))
        .await
        .expect("alert-service builds");
    let address = application
        .local_addr()
        .expect("a TCP listener has an address");
    let server = tokio::spawn(application.run_until_stopped(shutdown.clone()));
    let channel = grpc::connect_lazy(&format!("http://{address}")).unwrap();
    TestApp {
        channel,
        scheduler,
        notifier,
        clock,
        shutdown,
        server: Some(server),
        _database_dir: database_dir,
    }
}

/// The app with AirKorea at a fresh local stub, and `overrides` on top.
pub async fn spawn_app_with_air_korea(overrides: &[(&str, &str)]) -> (TestApp, AirKoreaStub) {
    let stub = AirKoreaStub::start().await;
    let base_url = stub.base_url();
    let mut settings = vec![
        ("AIR_QUALITY_API_KEY", "test-service-key"),
        ("AIR_QUALITY_BASE_URL", base_url.as_str()),
    ];
    settings.extend_from_slice(overrides);
    (spawn_app_with(&settings).await, stub)
}

/// Serves a test double on a free port until `shutdown`; returns its URL.
async fn serve_double(
    router: tonic::transport::server::Router,
    shutdown: CancellationToken,
) -> String {
    let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(grpc::serve(router, listener, shutdown));
    format!("http://{address}")
}

impl TestApp {
    pub fn auth(&self) -> AuthServiceClient<Channel> {
        AuthServiceClient::new(self.channel.clone())
    }

    pub fn alerts(&self) -> AlertServiceClient<Channel> {
        AlertServiceClient::new(self.channel.clone())
    }

    pub fn runner(&self) -> AlertRunnerServiceClient<Channel> {
        AlertRunnerServiceClient::new(self.channel.clone())
    }

    /// Registers `email` with a valid password and logs in.
    pub async fn signed_up_user(&self, email: &str) -> pb::Session {
        let password = "correct horse battery";
        self.auth()
            .register(pb::RegisterRequest {
                email: email.into(),
                password: password.into(),
            })
            .await
            .expect("register");
        self.auth()
            .login(pb::LoginRequest {
                email: email.into(),
                password: password.into(),
            })
            .await
            .expect("login")
            .into_inner()
            .session
            .expect("a session")
    }

    /// A fresh user's id.
    pub async fn user_id(&self, email: &str) -> String {
        self.signed_up_user(email).await.user.expect("a user").id
    }

    /// Creates an alert for `user_id` from `request`.
    pub async fn create_alert(&self, user_id: &str, request: pb::CreateAlertRequest) -> pb::Alert {
        self.alerts()
            .create_alert(as_user(request, user_id))
            .await
            .expect("create alert")
            .into_inner()
            .alert
            .expect("an alert")
    }
}

impl TestApp {
    /// The live alerts of `user_id`.
    pub async fn alerts_of(&self, user_id: &str) -> Vec<pb::Alert> {
        self.alerts()
            .list_alerts(as_user(pb::ListAlertsRequest {}, user_id))
            .await
            .expect("list alerts")
            .into_inner()
            .alerts
    }

    /// Creates an alert that must be refused as invalid input: for `case`, with `field` named
    /// and `fragment` in the message.
    pub async fn assert_create_rejected(
        &self,
        user_id: &str,
        (case, request, field, fragment): (&str, pb::CreateAlertRequest, &str, &str),
    ) {
        let status = self
            .alerts()
            .create_alert(as_user(request, user_id))
            .await
            .expect_err(case);
        assert_rejected(case, &status, Code::InvalidArgument, Some(field), fragment);
    }
}

/// A request made on behalf of `user_id`, as the gateway sends it.
pub fn as_user<T>(message: T, user_id: &str) -> Request<T> {
    user_request(message, user_id)
}

/// A valid alert: weekdays at 08:00 in Seoul.
pub fn weekday_alert() -> pb::CreateAlertRequest {
    pb::CreateAlertRequest {
        name: "fine dust".into(),
        schedule: "0 8 * * 1-5".into(),
        timezone: "Asia/Seoul".into(),
        title: "PM2.5 today".into(),
        body: "check the air before you leave".into(),
        enabled: None,
        content: None,
    }
}

/// An air-quality alert for `station` with the default templates, weekdays at 08:00.
pub fn air_quality_alert(
    station: &str,
    condition: Option<pb::AirQualityCondition>,
    when_unavailable: pb::UnavailableMeasurementPolicy,
) -> pb::CreateAlertRequest {
    pb::CreateAlertRequest {
        title: String::new(),
        body: String::new(),
        content: Some(pb::AlertContent {
            kind: Some(pb::alert_content::Kind::AirQuality(pb::AirQualityContent {
                station: station.into(),
                condition,
                when_unavailable: when_unavailable.into(),
            })),
        }),
        ..weekday_alert()
    }
}

/// Notify only when `measure` is at or above `grade`.
pub fn at_least_grade(
    measure: pb::AirQualityMeasure,
    grade: pb::AirQualityGrade,
) -> Option<pb::AirQualityCondition> {
    Some(pb::AirQualityCondition {
        measure: measure.into(),
        threshold: Some(pb::air_quality_condition::Threshold::AtLeastGrade(
            grade.into(),
        )),
    })
}

/// Asserts a failed call's code, field and message, naming the case on failure.
pub fn assert_rejected(
    case: &str,
    status: &Status,
    code: Code,
    field: Option<&str>,
    fragment: &str,
) {
    assert_eq!(
        status.code(),
        code,
        "{case}: wrong code, message {:?}",
        status.message()
    );
    assert_eq!(
        status_field(status).as_deref(),
        field,
        "{case}: wrong field, message {:?}",
        status.message()
    );
    assert!(
        status.message().contains(fragment),
        "{case}: message {:?} does not contain {fragment:?}",
        status.message()
    );
}

/// Polls `condition` until it holds or `timeout` passes.
pub async fn eventually(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// scheduler-service as alert-service sees it: records every call; can be switched off.
#[derive(Clone, Default)]
pub struct FakeScheduler {
    state: Arc<Mutex<SchedulerCalls>>,
}

#[derive(Default)]
struct SchedulerCalls {
    upserts: Vec<pb::UpsertScheduleRequest>,
    deletes: Vec<String>,
    refused: usize,
    unavailable: bool,
}

impl FakeScheduler {
    pub fn upserts(&self) -> Vec<pb::UpsertScheduleRequest> {
        self.state.lock().unwrap().upserts.clone()
    }

    pub fn deletes(&self) -> Vec<String> {
        self.state.lock().unwrap().deletes.clone()
    }

    /// Calls answered UNAVAILABLE.
    pub fn refused(&self) -> usize {
        self.state.lock().unwrap().refused
    }

    pub fn set_unavailable(&self, unavailable: bool) {
        self.state.lock().unwrap().unavailable = unavailable;
    }

    fn refuse_if_down(&self) -> Result<(), Status> {
        let mut state = self.state.lock().unwrap();
        if state.unavailable {
            state.refused += 1;
            return Err(Status::unavailable("scheduler is down"));
        }
        Ok(())
    }
}

#[tonic::async_trait]
impl SchedulerService for FakeScheduler {
    async fn upsert_schedule(
        &self,
        request: Request<pb::UpsertScheduleRequest>,
    ) -> Result<Response<pb::UpsertScheduleResponse>, Status> {
        self.refuse_if_down()?;
        let request = request.into_inner();
        let schedule_key = format!("{}|{}", request.cron, request.timezone);
        self.state.lock().unwrap().upserts.push(request);
        Ok(Response::new(pb::UpsertScheduleResponse { schedule_key }))
    }

    async fn delete_schedule(
        &self,
        request: Request<pb::DeleteScheduleRequest>,
    ) -> Result<Response<pb::DeleteScheduleResponse>, Status> {
        self.refuse_if_down()?;
        self.state
            .lock()
            .unwrap()
            .deletes
            .push(request.into_inner().alert_id);
        Ok(Response::new(pb::DeleteScheduleResponse {}))
    }

    async fn fire(
        &self,
        _request: Request<pb::FireRequest>,
    ) -> Result<Response<pb::FireResponse>, Status> {
        Err(Status::unimplemented("alert-service never fires"))
    }
}

/// notifier-service as alert-service sees it: records every Notify and queues two deliveries.
#[derive(Clone, Default)]
pub struct FakeNotifier {
    state: Arc<Mutex<NotifierCalls>>,
}

#[derive(Default)]
struct NotifierCalls {
    notifies: Vec<pb::NotifyRequest>,
    unavailable: bool,
}

/// Deliveries the fake queues per Notify (two subscriptions).
pub const QUEUED_PER_NOTIFY: u32 = 2;

impl FakeNotifier {
    pub fn notifies(&self) -> Vec<pb::NotifyRequest> {
        self.state.lock().unwrap().notifies.clone()
    }

    pub fn set_unavailable(&self, unavailable: bool) {
        self.state.lock().unwrap().unavailable = unavailable;
    }
}

#[tonic::async_trait]
impl NotifierService for FakeNotifier {
    async fn notify(
        &self,
        request: Request<pb::NotifyRequest>,
    ) -> Result<Response<pb::NotifyResponse>, Status> {
        let mut state = self.state.lock().unwrap();
        if state.unavailable {
            return Err(Status::unavailable("notifier is down"));
        }
        state.notifies.push(request.into_inner());
        Ok(Response::new(pb::NotifyResponse {
            queued: QUEUED_PER_NOTIFY,
        }))
    }
}
