//! Starting the real application on port 0 against a fresh database and a local push service.

use std::{sync::Arc, time::Duration};

use alert_platform::{
    Env, SystemClock,
    clock::SharedClock,
    db::testing::{fresh_postgres_database, sqlite_url},
    error::status_field,
    grpc::{GrpcListener, connect_lazy},
    identity::user_request,
};
use alert_proto::v1::{
    Delivery, DeliveryStatus, ListDeliveriesRequest, NotificationMessage, NotifyRequest,
    SubscribeRequest, notifier_service_client::NotifierServiceClient,
    push_service_client::PushServiceClient,
};
use alert_testkit::{BrowserSubscription, PushReceiver};
use alert_webpush::VapidKeys;
use chrono::{DateTime, Utc};
use notifier_service::{
    Application, Config,
    domain::{DeliveryId, NotifyCommand},
    store::Store,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status, transport::Channel};

/// Long enough for anything the tests wait for; they poll and return as soon as it happens.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// What outlives one run of the application: its database, the push service and the VAPID key.
pub struct World {
    pub receiver: PushReceiver,
    pub database_url: String,
    pub vapid_keys: VapidKeys,
    _dir: Option<tempfile::TempDir>,
}

impl World {
    pub async fn sqlite() -> World {
        alert_platform::telemetry::init_for_tests();
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = sqlite_url(dir.path(), "notifier");
        World::new(database_url, Some(dir)).await
    }

    pub async fn postgres() -> World {
        alert_platform::telemetry::init_for_tests();
        World::new(fresh_postgres_database().await, None).await
    }

    async fn new(database_url: String, dir: Option<tempfile::TempDir>) -> World {
        let receiver = PushReceiver::start().await;
        let vapid_keys = VapidKeys::generate();
        // Like a push service for a subscription made with our applicationServerKey.
        receiver.expect_vapid_key(&vapid_keys.public_key_base64url());
        World {
            receiver,
            database_url,
            vapid_keys,
            _dir: dir,
        }
    }

    /// The environment the tests run the service with: fast retries, the receiver allowed.
    pub fn env(&self) -> Env {
        Env::from_pairs([
            ("DATABASE_URL", self.database_url.clone()),
            ("VAPID_PRIVATE_KEY", self.vapid_keys.private_key_base64url()),
            ("PUSH_ALLOWED_ORIGINS", self.receiver.origin()),
            ("RETRY_BASE_DELAY", "10ms".to_owned()),
            ("MAX_ATTEMPTS", "5".to_owned()),
            ("PUSH_TIMEOUT", "5s".to_owned()),
        ])
    }

    /// [`env`](Self::env) with the Redis Streams queue, under a key prefix of its own.
    pub fn redis_env(&self, key_prefix: &str) -> Env {
        self.env()
            .with("QUEUE_ENABLED", "true")
            .with("REDIS_URL", redis_url())
            .with("REDIS_KEY_PREFIX", key_prefix)
    }

    pub async fn start(&self) -> TestApp {
        self.start_with(self.env()).await
    }

    pub async fn start_with(&self, env: Env) -> TestApp {
        self.start_with_clock(env, Arc::new(SystemClock)).await
    }

    /// [`start_with`](Self::start_with) on `clock`, e.g. a `ManualClock` the test moves.
    pub async fn start_with_clock(&self, env: Env, clock: SharedClock) -> TestApp {
        let mut config = Config::from_env(&env).expect("test configuration is valid");
        config.queue_poll_interval = Duration::from_millis(200);
        let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
            .await
            .expect("bind port 0");
        let application = Application::build(config, listener, clock)
            .await
            .expect("application builds");
        let addr = application
            .local_addr()
            .expect("a TCP listener has an address");
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(application.run_until_stopped(shutdown.clone()));
        let channel = connect_lazy(&format!("http://{addr}")).expect("valid address");
        TestApp {
            push: PushServiceClient::new(channel.clone()),
            notifier: NotifierServiceClient::new(channel.clone()),
            channel,
            shutdown,
            handle: Some(handle),
        }
    }

    /// A new browser of the local push service.
    pub fn browser(&self) -> BrowserSubscription {
        self.receiver.new_browser()
    }
}

/// A running application and clients for it.
pub struct TestApp {
    channel: Channel,
    pub push: PushServiceClient<Channel>,
    pub notifier: NotifierServiceClient<Channel>,
    shutdown: CancellationToken,
    handle: Option<JoinHandle<notifier_service::Result<()>>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    /// A channel to the application, for other clients.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Stops the application the way SIGTERM does and waits for it to drain.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.handle.take() {
            handle
                .await
                .expect("application task")
                .expect("application stops cleanly");
        }
    }

    pub async fn subscribe(&self, user_id: &str, browser: &BrowserSubscription) -> String {
        let request = SubscribeRequest {
            endpoint: browser.endpoint.clone(),
            p256dh: browser.p256dh.clone(),
            auth: browser.auth.clone(),
        };
        self.push
            .clone()
            .subscribe(user_request(request, user_id))
            .await
            .expect("subscribe")
            .into_inner()
            .id
    }

    pub async fn try_notify(&self, request: NotifyRequest) -> Result<u32, Status> {
        Ok(self
            .notifier
            .clone()
            .notify(request)
            .await?
            .into_inner()
            .queued)
    }

    pub async fn notify(&self, user_id: &str, dedupe_key: &str, alert_id: &str) -> u32 {
        self.try_notify(notify_request(user_id, dedupe_key, alert_id))
            .await
            .expect("notify")
    }

    pub async fn deliveries(&self, user_id: &str, alert_id: &str) -> Vec<Delivery> {
        let request = ListDeliveriesRequest {
            alert_id: alert_id.to_owned(),
            limit: 0,
        };
        self.push
            .clone()
            .list_deliveries(user_request(request, user_id))
            .await
            .expect("list deliveries")
            .into_inner()
            .deliveries
    }

    /// Polls the user's deliveries until every one of them has `status` (and there are `count`).
    pub async fn wait_for_deliveries(
        &self,
        user_id: &str,
        count: usize,
        status: DeliveryStatus,
    ) -> Vec<Delivery> {
        self.wait_for_deliveries_where(
            user_id,
            &format!("{count} deliveries {status:?}"),
            |deliveries| {
                deliveries.len() == count && deliveries.iter().all(|d| d.status == status as i32)
            },
        )
        .await
    }

    /// Polls the user's deliveries until `done` holds for them; `expected` says what for the
    /// failure message.
    pub async fn wait_for_deliveries_where(
        &self,
        user_id: &str,
        expected: &str,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let deliveries = self.deliveries(user_id, "").await;
            if done(&deliveries) {
                return deliveries;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("expected {expected}, got {deliveries:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A notification with a title and body derived from the dedupe key.
pub fn notify_request(user_id: &str, dedupe_key: &str, alert_id: &str) -> NotifyRequest {
    NotifyRequest {
        user_id: user_id.to_owned(),
        message: Some(NotificationMessage {
            title: format!("Title {dedupe_key}"),
            body: format!("Body {dedupe_key}"),
            url: "/alerts".to_owned(),
            tag: String::new(),
        }),
        dedupe_key: dedupe_key.to_owned(),
        alert_id: alert_id.to_owned(),
        ttl_seconds: 0,
        urgency: 0,
    }
}

/// Asserts an INVALID_ARGUMENT status that names `field`, with `case` in the failure message.
pub fn assert_invalid_argument(
    case: &str,
    result: Result<impl std::fmt::Debug, Status>,
    field: &str,
) {
    let status = match result {
        Ok(value) => panic!("{case}: expected INVALID_ARGUMENT naming {field}, got {value:?}"),
        Err(status) => status,
    };
    assert_eq!(status.code(), Code::InvalidArgument, "{case}: {status:?}");
    assert_eq!(
        status_field(&status).as_deref(),
        Some(field),
        "{case}: {status:?}"
    );
    let message = status.message();
    let named = field.rsplit('.').next().unwrap_or(field);
    assert!(
        message.contains(named),
        "{case}: message {message:?} does not name {field}"
    );
}

/// Queues `command` to every subscription of its user, as `Notify` does (in one transaction).
pub async fn queue_to_every_subscription(
    store: &dyn Store,
    command: &NotifyCommand,
    now: DateTime<Utc>,
) -> Vec<DeliveryId> {
    let subscriptions = store.subscription_ids(&command.user_id).await.unwrap();
    store
        .queue_deliveries(command, &subscriptions, now)
        .await
        .unwrap()
}

/// The Redis the tests share (`TEST_REDIS_URL`, default 127.0.0.1:6379); each test keeps to its
/// own key prefix.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}
