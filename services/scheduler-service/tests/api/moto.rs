//! moto in server mode as the EventBridge Scheduler of a test: a child process on a free port,
//! reset before use, killed when dropped. Tests fail (never skip) when moto is missing.
//!
//! moto_server is found through `MOTO_SERVER`, then `PATH`, then the venv that
//! `ci/scheduler-checks.sh` installs. moto validates nothing and has traps: creating a group
//! that exists empties it (our code never creates groups; the tests do, as Terraform would),
//! and a missing group answers HTTP 500.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use alert_platform::Env;
use aws_sdk_scheduler::Client;
use scheduler_service::eventbridge::{AwsSettings, EventBridgeConfig, scheduler_client};

pub const GROUP: &str = "alert-system-test-alerts";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/alert-system-test-scheduler";
pub const TARGET_ARN: &str = "arn:aws:events:us-east-1:123456789012:event-bus/alert-system-test";
pub const DLQ_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:alert-system-test-scheduler-dlq";

fn moto_server_path() -> PathBuf {
    if let Ok(path) = std::env::var("MOTO_SERVER")
        && !path.trim().is_empty()
    {
        return PathBuf::from(path);
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|candidate| candidate.is_file())
    }) {
        return found;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_default();
    let venv = cache.join("alert-system-scheduler-checks/venv/bin/moto_server");
    assert!(
        venv.is_file(),
        "moto_server not found (MOTO_SERVER, PATH, {}): run `bash ci/scheduler-checks.sh tools` or `pip install 'moto[server]'`",
        venv.display()
    );
    venv
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// A running moto_server.
pub struct Moto {
    child: Option<Child>,
    pub port: u16,
}

impl Moto {
    /// Starts moto on a free port, waits until it answers and resets it.
    pub async fn start() -> Moto {
        let mut moto = Moto {
            child: None,
            port: free_port(),
        };
        moto.spawn().await;
        moto
    }

    async fn spawn(&mut self) {
        let child = Command::new(moto_server_path())
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        self.child = Some(child);
        let http = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let reset = http
                .post(format!("{}/moto-api/reset", self.url()))
                .send()
                .await;
            if reset.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "moto_server did not answer on port {} within 30s",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops moto (AWS is down); its state is lost.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts moto again on the same port, empty.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    /// A client for the test's own look at moto (not the app's).
    pub async fn client(&self) -> Client {
        scheduler_client(&settings(&self.url())).await
    }

    /// Creates the schedule group, as Terraform would before the service starts.
    pub async fn create_group(&self) {
        self.create_group_named(GROUP).await;
    }

    pub async fn create_group_named(&self, group: &str) {
        self.client()
            .await
            .create_schedule_group()
            .name(group)
            .send()
            .await
            .expect("create the schedule group in moto");
    }

    /// Creates a schedule directly in moto, as someone else (or an old replica) would.
    pub async fn create_schedule_behind_our_back(&self, group: &str, name: &str, expression: &str) {
        self.client()
            .await
            .create_schedule()
            .group_name(group)
            .name(name)
            .schedule_expression(expression)
            .flexible_time_window(
                aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
                    .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off)
                    .build()
                    .unwrap(),
            )
            .target(
                aws_sdk_scheduler::types::Target::builder()
                    .arn(TARGET_ARN)
                    .role_arn(ROLE_ARN)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("create a schedule in moto");
    }

    pub async fn delete_schedule_behind_our_back(&self, group: &str, name: &str) {
        self.client()
            .await
            .delete_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .expect("delete the schedule in moto");
    }

    /// Changes a schedule's expression directly in moto, keeping everything else.
    pub async fn change_expression_behind_our_back(
        &self,
        group: &str,
        name: &str,
        expression: &str,
    ) {
        let client = self.client().await;
        let remote = client
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .expect("get the schedule from moto");
        client
            .update_schedule()
            .group_name(group)
            .name(name)
            .schedule_expression(expression)
            .set_schedule_expression_timezone(
                remote.schedule_expression_timezone().map(str::to_owned),
            )
            .set_flexible_time_window(remote.flexible_time_window().cloned())
            .set_target(remote.target().cloned())
            .send()
            .await
            .expect("update the schedule in moto");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".to_owned().into()),
        ..AwsSettings::default()
    }
}

/// The app's EventBridge settings, reaching AWS at `endpoint`, built from an environment map
/// the way the service reads it.
pub fn eventbridge_config(endpoint: &str, extra: &[(&str, &str)]) -> EventBridgeConfig {
    let mut env = Env::from_pairs([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("SCHEDULE_GROUP_NAME", GROUP),
        ("SCHEDULER_ROLE_ARN", ROLE_ARN),
        ("SCHEDULER_TARGET_ARN", TARGET_ARN),
        ("SCHEDULER_DLQ_ARN", DLQ_ARN),
        ("SCHEDULER_RETRY_MAX_ATTEMPTS", "7"),
        ("SCHEDULER_RETRY_MAX_EVENT_AGE", "30m"),
        ("SCHEDULER_SYNC_RETRY_BASE", "50ms"),
        ("SCHEDULER_SYNC_RETRY_MAX", "500ms"),
        ("SCHEDULER_API_RATE_LIMIT", "200"),
    ]);
    for (name, value) in extra {
        env.set(*name, *value);
    }
    EventBridgeConfig::from_env(&env).expect("valid eventbridge settings")
}

/// A local HTTP proxy in front of moto that answers `ThrottlingException` to the first
/// `throttle` calls and forwards the rest.
pub struct ThrottlingProxy {
    pub url: String,
    throttled: Arc<AtomicUsize>,
    forwarded: Arc<AtomicUsize>,
}

impl ThrottlingProxy {
    pub async fn start(upstream: String, throttle: usize) -> ThrottlingProxy {
        use axum::{body::Body, extract::Request, http::StatusCode, response::Response};

        let throttled = Arc::new(AtomicUsize::new(0));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let (throttled_in, forwarded_in) = (throttled.clone(), forwarded.clone());
        let http = reqwest::Client::new();
        let handler = move |request: Request| {
            let (throttled, forwarded, http, upstream) = (
                throttled_in.clone(),
                forwarded_in.clone(),
                http.clone(),
                upstream.clone(),
            );
            async move {
                if throttled.fetch_add(1, Ordering::SeqCst) < throttle {
                    return Response::builder()
                        .status(StatusCode::BAD_REQUEST)
                        .header("content-type", "application/x-amz-json-1.1")
                        .header("x-amzn-errortype", "ThrottlingException")
                        .body(Body::from(
                            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                        ))
                        .expect("valid response");
                }
                throttled.fetch_sub(1, Ordering::SeqCst);
                forwarded.fetch_add(1, Ordering::SeqCst);
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                let path = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let mut upstream_request = http.request(parts.method, format!("{upstream}{path}"));
                for (name, value) in &parts.headers {
                    if name != "host" && name != "content-length" {
                        upstream_request = upstream_request.header(name, value);
                    }
                }
                match upstream_request.body(body).send().await {
                    Ok(answer) => {
                        let mut response = Response::builder().status(answer.status());
                        for (name, value) in answer.headers() {
                            if name != "content-length" && name != "transfer-encoding" {
                                response = response.header(name, value);
                            }
                        }
                        let bytes = answer.bytes().await.unwrap_or_default();
                        response.body(Body::from(bytes)).expect("valid response")
                    }
                    Err(_) => Response::builder()
                        .status(StatusCode::BAD_GATEWAY)
                        .body(Body::empty())
                        .expect("valid response"),
                }
            }
        };
        let router = axum::Router::new().fallback(handler);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        ThrottlingProxy {
            url,
            throttled,
            forwarded,
        }
    }

    /// Calls answered with `ThrottlingException`.
    pub fn throttled(&self) -> usize {
        self.throttled.load(Ordering::SeqCst)
    }

    pub fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}
