//! Crash safety: the real notifier binary killed with SIGKILL in the middle of a fan-out, and a
//! Redis that restarts without its data in the middle of one. Every subscription still gets its
//! push; the duplicates are at most the pushes that were in flight.

use std::{
    collections::HashMap,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

use alert_platform::{Env, grpc::connect_lazy, identity::user_request};
use alert_proto::v1::{
    GetVapidPublicKeyRequest, SubscribeRequest, notifier_service_client::NotifierServiceClient,
    push_service_client::PushServiceClient,
};
use alert_testkit::{BrowserSubscription, Response};
use tonic::transport::Channel;

use crate::helpers::{PATIENCE, World, notify_request};

const FAN_OUT: usize = 5_000;
const PUSH_CONCURRENCY: usize = 64;
/// The test environment's variables the child process gets.
const PASSED_ON: [&str; 12] = [
    "DATABASE_URL",
    "VAPID_PRIVATE_KEY",
    "PUSH_ALLOWED_ORIGINS",
    "RETRY_BASE_DELAY",
    "MAX_ATTEMPTS",
    "PUSH_TIMEOUT",
    "PUSH_CONCURRENCY",
    "QUEUE_VISIBILITY_TIMEOUT",
    "QUEUE_SWEEP_INTERVAL",
    "QUEUE_ENABLED",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
];

#[tokio::test]
async fn a_notifier_killed_mid_fan_out_sends_everything_after_a_restart_on_the_database_queue() {
    let world = World::postgres().await;
    killed_mid_fan_out(&world, crash_env(world.env())).await;
}

#[tokio::test]
async fn a_notifier_killed_mid_fan_out_sends_everything_after_a_restart_on_the_redis_queue() {
    let world = World::postgres().await;
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    killed_mid_fan_out(&world, crash_env(world.redis_env(&prefix))).await;
}

#[tokio::test]
async fn a_redis_restart_mid_fan_out_loses_nothing() {
    let mut redis = PrivateRedis::start();
    let world = World::sqlite().await;
    let env = world
        .redis_env("restart")
        .with("REDIS_URL", redis.url())
        .with("QUEUE_SWEEP_INTERVAL", "1s");
    let app = world.start_with(env).await;
    let browsers = subscribe_many(&app.push, &world, 1_000).await;
    world
        .receiver
        .respond_all_with(Response::created().delayed(Duration::from_millis(20)));

    assert_eq!(app.notify("crowd", "run-1", "alert-1").await, 1_000);
    world.receiver.wait_for_received(200, PATIENCE).await;
    // Without persistence: the stream, the group and the retries are gone.
    redis.restart();
    world.receiver.respond_all_with(Response::created());

    let duplicates = wait_until_every_browser_received(&world, &browsers).await;
    eprintln!("redis restarted mid fan-out: {duplicates} duplicate pushes");
    assert!(
        duplicates <= PUSH_CONCURRENCY,
        "{duplicates} duplicates, more than the {PUSH_CONCURRENCY} pushes that can be in flight"
    );
}

/// A short lease and push timeout, so the killed process's claims are taken over quickly.
fn crash_env(env: Env) -> Env {
    env.with("PUSH_CONCURRENCY", PUSH_CONCURRENCY.to_string())
        .with("PUSH_TIMEOUT", "1s")
        .with("QUEUE_VISIBILITY_TIMEOUT", "2s")
        .with("QUEUE_SWEEP_INTERVAL", "1s")
}

async fn killed_mid_fan_out(world: &World, env: Env) {
    let mut notifier = ChildNotifier::start(&env).await;
    let browsers = subscribe_many(&notifier.push(), world, FAN_OUT).await;
    world
        .receiver
        .respond_all_with(Response::created().delayed(Duration::from_millis(5)));

    let queued = notifier
        .notifier()
        .notify(notify_request("crowd", "run-1", "alert-1"))
        .await
        .expect("notify")
        .into_inner()
        .queued;
    assert_eq!(queued as usize, FAN_OUT);
    world
        .receiver
        .wait_for_received(FAN_OUT / 4, PATIENCE)
        .await;
    notifier.kill();
    let at_kill = world.receiver.received().len();
    assert!(
        at_kill < FAN_OUT,
        "the kill came after the fan-out finished"
    );

    let _restarted = ChildNotifier::start(&env).await;
    let duplicates = wait_until_every_browser_received(world, &browsers).await;
    eprintln!("killed after {at_kill} of {FAN_OUT} pushes: {duplicates} duplicate pushes");
    assert!(
        duplicates <= PUSH_CONCURRENCY,
        "{duplicates} duplicates, more than the {PUSH_CONCURRENCY} pushes that can be in flight"
    );
}

/// Subscribes `count` new browsers of the receiver for the user `crowd`.
async fn subscribe_many(
    push: &PushServiceClient<Channel>,
    world: &World,
    count: usize,
) -> Vec<BrowserSubscription> {
    let browsers: Vec<_> = (0..count).map(|_| world.browser()).collect();
    for chunk in browsers.chunks(50) {
        let mut calls = tokio::task::JoinSet::new();
        for browser in chunk {
            let mut push = push.clone();
            let request = SubscribeRequest {
                endpoint: browser.endpoint.clone(),
                p256dh: browser.p256dh.clone(),
                auth: browser.auth.clone(),
            };
            calls.spawn(async move { push.subscribe(user_request(request, "crowd")).await });
        }
        while let Some(call) = calls.join_next().await {
            call.unwrap().expect("subscribe");
        }
    }
    browsers
}

/// Waits until each browser received at least one push; returns how many more arrived.
async fn wait_until_every_browser_received(
    world: &World,
    browsers: &[BrowserSubscription],
) -> usize {
    let deadline = tokio::time::Instant::now() + PATIENCE * 4;
    loop {
        let received = world.receiver.received();
        let mut per_endpoint: HashMap<&str, usize> = HashMap::new();
        for push in &received {
            *per_endpoint.entry(push.endpoint.as_str()).or_default() += 1;
        }
        let missing = browsers
            .iter()
            .filter(|browser| !per_endpoint.contains_key(browser.endpoint.as_str()))
            .count();
        if missing == 0 {
            return received.len() - browsers.len();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{missing} of {} browsers never received their push",
            browsers.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// The notifier-service binary as a child process, killed with SIGKILL when dropped.
struct ChildNotifier {
    child: Child,
    channel: Channel,
}

impl ChildNotifier {
    /// Starts the binary with `env` on a free port and waits until it answers.
    async fn start(env: &Env) -> ChildNotifier {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_notifier-service"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for name in PASSED_ON {
            if let Some(value) = env.get(name) {
                command.env(name, value);
            }
        }
        let child = command.spawn().expect("the notifier binary starts");
        let channel = connect_lazy(&format!("http://127.0.0.1:{port}")).expect("valid address");
        let notifier = ChildNotifier { child, channel };
        let deadline = tokio::time::Instant::now() + PATIENCE;
        // The child binds when it is ready: poll it, there is no listener to hand over.
        while notifier
            .push()
            .get_vapid_public_key(GetVapidPublicKeyRequest {})
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the notifier never answered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        notifier
    }

    fn push(&self) -> PushServiceClient<Channel> {
        PushServiceClient::new(self.channel.clone())
    }

    fn notifier(&self) -> NotifierServiceClient<Channel> {
        NotifierServiceClient::new(self.channel.clone())
    }

    /// SIGKILL: no shutdown, no draining, no release of claims.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildNotifier {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `redis-server` of this test alone, on a free port, without persistence; killed when
/// dropped. Restarting it never touches the Redis other tests share.
struct PrivateRedis {
    port: u16,
    child: Child,
}

impl PrivateRedis {
    fn start() -> PrivateRedis {
        let port = free_port();
        let child = Self::spawn(port);
        PrivateRedis { port, child }
    }

    fn spawn(port: u16) -> Child {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        let deadline = std::time::Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server never listened"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL, so nothing is saved) and starts an empty one on the same port.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Self::spawn(self.port);
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
