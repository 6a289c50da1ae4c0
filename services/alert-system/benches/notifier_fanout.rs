//! Fans one notification out to N push subscriptions through notifier-service (gRPC `Notify` →
//! deliveries recorded → queue → workers → encrypted Web Push) to a local sink answering 201,
//! and prints pushes per second.
//!
//! `cargo bench -p alert-system --bench notifier_fanout` (SQLite). Settings:
//! `BENCH_SUBSCRIPTIONS` (default 5000), `BENCH_DATABASE=postgres` for PostgreSQL
//! (`TEST_DATABASE_URL`), `PUSH_CONCURRENCY` (default 64).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alert_platform::{
    Env, SystemClock,
    db::testing::{fresh_postgres_database, sqlite_url},
    grpc::{self, GrpcListener},
    identity::user_request,
};
use alert_proto::v1::{
    NotificationMessage, NotifyRequest, SubscribeRequest,
    notifier_service_client::NotifierServiceClient, push_service_client::PushServiceClient,
};
use alert_testkit::PushSink;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() {
    let subscriptions: u64 = std::env::var("BENCH_SUBSCRIPTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let backend = std::env::var("BENCH_DATABASE").unwrap_or_else(|_| "sqlite".into());
    let concurrency = std::env::var("PUSH_CONCURRENCY").unwrap_or_else(|_| "64".into());
    let data_dir = tempfile::tempdir().unwrap();
    let database_url = match backend.as_str() {
        "postgres" => fresh_postgres_database().await,
        _ => sqlite_url(data_dir.path(), "notifier"),
    };

    let sink = PushSink::start(201).await;
    let env = Env::from_pairs([
        ("DATABASE_URL", database_url),
        (
            "VAPID_PRIVATE_KEY",
            alert_webpush::VapidKeys::generate().private_key_base64url(),
        ),
        ("PUSH_ALLOWED_ORIGINS", sink.origin()),
        ("PUSH_CONCURRENCY", concurrency.clone()),
    ]);
    let listener = GrpcListener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = notifier_service::Application::build(
        notifier_service::Config::from_env(&env).unwrap(),
        listener,
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(shutdown.clone()));
    let channel = grpc::connect_lazy(&format!("http://{addr}")).unwrap();

    let user_id = "bench-user";
    let setup = Instant::now();
    let mut push = PushServiceClient::new(channel.clone());
    for _ in 0..subscriptions {
        let browser = sink.new_browser();
        push.subscribe(user_request(
            SubscribeRequest {
                endpoint: browser.endpoint,
                p256dh: browser.p256dh,
                auth: browser.auth,
            },
            user_id,
        ))
        .await
        .unwrap();
    }
    let setup_seconds = setup.elapsed().as_secs_f64();

    let started = Instant::now();
    let response = NotifierServiceClient::new(channel)
        .notify(NotifyRequest {
            user_id: user_id.into(),
            message: Some(NotificationMessage {
                title: "Fine dust at Gangnam-gu".into(),
                body: "PM2.5 42 µg/m³ (bad), PM10 61 µg/m³ (moderate) at 08:00. Wear a mask on the way to work.".into(),
                url: "/alerts".into(),
                tag: "bench".into(),
            }),
            dedupe_key: "bench:1".into(),
            alert_id: "bench-alert".into(),
            ttl_seconds: 3600,
            urgency: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let recorded = started.elapsed();
    let delivered = sink
        .wait_for_count(subscriptions, Duration::from_secs(600))
        .await;
    let elapsed = started.elapsed();
    shutdown.cancel();
    server.await.unwrap().unwrap();

    let rate = delivered as f64 / elapsed.as_secs_f64();
    println!("notifier fan-out: {backend} database queue, PUSH_CONCURRENCY={concurrency}");
    println!("  subscriptions            {subscriptions} (subscribed in {setup_seconds:.1} s)");
    println!(
        "  Notify recorded          {} deliveries in {:.1} ms",
        response.queued,
        recorded.as_secs_f64() * 1000.0
    );
    println!(
        "  pushes received by sink  {delivered} in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!("  throughput               {rate:.0} pushes/s");
    assert_eq!(delivered, subscriptions, "every subscription got its push");
}
