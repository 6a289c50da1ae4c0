//! One bucket trigger fanned out to 10,000 alerts through the whole system: the gateway's
//! `POST /scheduler/trigger` (the body EventBridge's API destination posts) → scheduler-service
//! `Fire` → fan-out → alert-service `RunAlert` → notifier-service `Notify` → queue → encrypted
//! Web Push → a local sink answering 201 (`alert_testkit::PushSink`). Prints the time from the
//! trigger to the last push at the sink.
//!
//! The four services run in one process (`EmbeddedSystem`, in-memory gRPC) on PostgreSQL.
//! `cargo bench -p alert-system --bench bucket_fanout`. Settings: `BENCH_USERS` (default 500,
//! 20 alerts and one browser each), `BENCH_QUEUE=redis` for the Redis Streams queue (`REDIS_URL`,
//! default the local server), `FANOUT_CONCURRENCY` (default 32), `PUSH_CONCURRENCY` (64).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alert_platform::{Env, SystemClock, db::testing::fresh_postgres_database};
use alert_system::EmbeddedSystem;
use alert_testkit::PushSink;
use chrono::{Timelike, Utc};
use futures::{StreamExt, stream};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const ALERTS_PER_USER: usize = 20;
const SCHEDULER_SECRET: &str = "bench-scheduler-secret-0123456789";
/// Requests in flight while the users and alerts are created.
const SETUP_CONCURRENCY: usize = 16;

#[tokio::main]
async fn main() {
    let users: usize = setting("BENCH_USERS", "500").parse().expect("BENCH_USERS");
    let queue = setting("BENCH_QUEUE", "database");
    let fanout_concurrency = setting("FANOUT_CONCURRENCY", "32");
    let push_concurrency = setting("PUSH_CONCURRENCY", "64");
    let alerts = users * ALERTS_PER_USER;
    let load_before = alert_testkit::bench::load_average();

    let sink = PushSink::start(201).await;
    let data_dir = tempfile::tempdir().unwrap();
    let mut env = Env::from_pairs([
        ("PORT", "0".to_owned()),
        ("HOST", "127.0.0.1".to_owned()),
        ("DATA_DIR", data_dir.path().display().to_string()),
        ("DATABASE_URL", fresh_postgres_database().await),
        ("PUSH_ALLOWED_ORIGINS", sink.origin()),
        ("SCHEDULER_SECRET", SCHEDULER_SECRET.to_owned()),
        ("RATE_LIMIT_PER_MINUTE", "10000000".to_owned()),
        ("MAX_ALERTS_PER_USER", "100".to_owned()),
        ("FANOUT_CONCURRENCY", fanout_concurrency.clone()),
        ("PUSH_CONCURRENCY", push_concurrency.clone()),
        ("RUST_LOG", "warn".to_owned()),
    ]);
    if queue == "redis" {
        env.set("QUEUE_ENABLED", "true");
        env.set("REDIS_URL", setting("REDIS_URL", "redis://127.0.0.1:6379"));
        env.set(
            "REDIS_KEY_PREFIX",
            format!("bench-{}", uuid::Uuid::new_v4().simple()),
        );
    }
    let system = EmbeddedSystem::build(&env, Arc::new(SystemClock))
        .await
        .expect("the system builds");
    let base = format!("http://{}", system.gateway_addr());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(system.run_until_stopped(shutdown.clone()));
    let http = reqwest::Client::new();

    // A schedule twelve hours away, so the local tick never fires it during the benchmark.
    let cron = format!("0 {} * * *", (Utc::now().hour() + 12) % 24);
    let setup = Instant::now();
    stream::iter(0..users)
        .for_each_concurrent(SETUP_CONCURRENCY, |n| {
            let (http, base, sink, cron) = (&http, &base, &sink, &cron);
            async move { create_user_with_alerts(http, base, sink, cron, n).await }
        })
        .await;
    let setup_seconds = setup.elapsed().as_secs_f64();
    let key = scheduler_service::domain::Schedule::parse(&cron, "UTC")
        .unwrap()
        .bucket_key();

    let scheduled_time = alert_platform::timestamp::to_rfc3339(
        (Utc::now() + chrono::Duration::minutes(1))
            .with_second(0)
            .unwrap(),
    );
    let started = Instant::now();
    let answer = http
        .post(format!("{base}/scheduler/trigger"))
        .header("x-scheduler-secret", SCHEDULER_SECRET)
        .json(&json!({"scheduleKey": key.as_str(), "scheduledTime": scheduled_time, "executionId": "bench"}))
        .send()
        .await
        .unwrap();
    let answered = started.elapsed();
    assert!(answer.status().is_success(), "trigger: {}", answer.status());
    let pushed = sink
        .wait_for_count(alerts as u64, Duration::from_secs(1800))
        .await;
    let elapsed = started.elapsed();
    let load_after = alert_testkit::bench::load_average();
    shutdown.cancel();
    running.await.unwrap().unwrap();

    println!(
        "bucket trigger fan-out: embedded system on PostgreSQL, {queue} queue, FANOUT_CONCURRENCY={fanout_concurrency}, PUSH_CONCURRENCY={push_concurrency}"
    );
    println!(
        "  alerts                   {alerts} of {users} users, one browser each (created in {setup_seconds:.1} s)"
    );
    println!(
        "  trigger answered         {:.0} ms",
        answered.as_secs_f64() * 1000.0
    );
    println!(
        "  last push at the sink    {pushed} pushes after {:.2} s ({:.0} pushes/s)",
        elapsed.as_secs_f64(),
        pushed as f64 / elapsed.as_secs_f64()
    );
    println!("  load average             {load_before} before, {load_after} after");
    assert_eq!(pushed, alerts as u64, "every alert reached its browser");
}

/// Registers user `n`, subscribes one browser of the sink and creates the user's alerts.
async fn create_user_with_alerts(
    http: &reqwest::Client,
    base: &str,
    sink: &PushSink,
    cron: &str,
    n: usize,
) {
    let credentials =
        json!({"email": format!("bench-{n:05}@example.com"), "password": "correct horse battery"});
    post(http, base, "/auth/register", None, &credentials).await;
    let login = post(http, base, "/auth/login", None, &credentials).await;
    let token = login["accessToken"].as_str().expect("an access token");
    post(
        http,
        base,
        "/push/subscribe",
        Some(token),
        &sink.new_browser().to_json(),
    )
    .await;
    for a in 0..ALERTS_PER_USER {
        let title = format!("bench {n:05} alert {a:02}");
        let alert = json!({"name": title, "schedule": cron, "timezone": "UTC", "title": title});
        post(http, base, "/alerts", Some(token), &alert).await;
    }
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Value {
    let mut request = http.post(format!("{base}{path}")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
