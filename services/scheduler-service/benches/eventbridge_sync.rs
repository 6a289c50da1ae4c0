//! Benchmark of the EventBridge backend against moto (see docs/benchmarks.md, "Scheduler"):
//! syncing 10,000 alerts (calls, time), reconciling the resulting group, and one bucket trigger
//! fanning out to 10,000 alerts (trigger → last RunAlert at a local runner).
//!
//! `cargo bench -p scheduler-service --bench eventbridge_sync` (needs PostgreSQL and moto, like
//! the tests; `SCHEDULER_API_RATE_LIMIT` sets the client-side limit, default 1000 here;
//! `BENCH_PARTS=fanout` runs the fan-out alone, `sync` the sync and the reconciliation alone).

#[allow(dead_code)]
#[path = "../tests/api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../tests/api/moto.rs"]
mod moto;

use std::{
    collections::BTreeSet,
    future::Future,
    time::{Duration, Instant},
};

use futures::StreamExt;
use rand::{Rng, SeedableRng, rngs::StdRng};

use helpers::TestSetup;
use moto::Moto;

const ALERTS: usize = 10_000;
const ZONES: [&str; 5] = [
    "Asia/Seoul",
    "Asia/Tokyo",
    "America/New_York",
    "Europe/Berlin",
    "UTC",
];

/// Polls `check` every 10 ms for up to ten minutes.
async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(600);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    let rate = std::env::var("SCHEDULER_API_RATE_LIMIT").unwrap_or_else(|_| "1000".into());
    let bench_parts = std::env::var("BENCH_PARTS").unwrap_or_else(|_| "sync,fanout".into());
    let moto = Moto::start().await;
    moto.create_group().await;
    let mut setup = TestSetup::new().await;
    setup.eventbridge = Some(moto::eventbridge_config(
        &moto.url(),
        &[("SCHEDULER_API_RATE_LIMIT", rate.as_str())],
    ));
    setup.system_clock = true;
    // Production's SCHEDULER_TICK_INTERVAL: the fan-out's poll.
    setup.tick_interval = Duration::from_secs(1);
    let app = setup.spawn().await;
    if bench_parts.contains("sync") {
        sync_and_reconcile(&app, &rate).await;
    }
    if bench_parts.contains("fanout") {
        fan_out(&app).await;
    }
    app.stop().await;
}

async fn sync_and_reconcile(app: &helpers::TestApp, rate: &str) {
    let parts = app.eventbridge.clone().expect("eventbridge backend");
    // 10,000 alerts at the times people pick: a few minutes of the hour, mornings and evenings,
    // daily or on weekdays, in five time zones.
    let mut rng = StdRng::seed_from_u64(20_261_127);
    let started = Instant::now();
    let mut buckets = BTreeSet::new();
    for n in 0..ALERTS {
        let minute = [0, 0, 0, 30, 30, 15, 45, 10, 20, 50][rng.gen_range(0..10)];
        let hour = rng.gen_range(6..23);
        let days = if rng.gen_bool(0.5) { "*" } else { "1-5" };
        let zone = ZONES[rng.gen_range(0..ZONES.len())];
        let key = app
            .upsert(
                &format!("alert-{n:05}"),
                &format!("{minute} {hour} * * {days}"),
                zone,
                true,
            )
            .await;
        buckets.insert(key);
    }
    let upserts_done = started.elapsed();
    wait_until("every bucket synced", || async {
        let counts = app.sync_store.sync_counts().await.unwrap();
        counts.pending == 0 && counts.failed == 0 && counts.synced as usize == buckets.len()
    })
    .await;
    let synced = started.elapsed();
    let sync_calls = parts.api.calls();
    println!(
        "sync: {ALERTS} alerts in {} buckets; upserts {:.1}s ({:.0}/s); all synced after {:.1}s; {sync_calls} schedule API calls (rate limit {rate}/s)",
        buckets.len(),
        upserts_done.as_secs_f64(),
        ALERTS as f64 / upserts_done.as_secs_f64(),
        synced.as_secs_f64(),
    );

    let started = Instant::now();
    let report = parts.reconciler.reconcile().await.expect("reconciled");
    println!(
        "reconcile: {} schedules listed, {} desired, {} missing, {} drifted, {} orphans in {:.1}s, {} API calls",
        report.listed,
        report.desired,
        report.missing.len(),
        report.drifted.len(),
        report.orphans.len(),
        started.elapsed().as_secs_f64(),
        report.calls
    );
}

async fn fan_out(app: &helpers::TestApp) {
    // One bucket of 10,000 alerts, fired once. The upserts are not measured: 16 at a time.
    let key = app
        .upsert("fanout-00000", "5 8 * * *", "Asia/Seoul", true)
        .await;
    futures::stream::iter(1..ALERTS)
        .for_each_concurrent(16, |n| async move {
            app.upsert(&format!("fanout-{n:05}"), "5 8 * * *", "Asia/Seoul", true)
                .await;
        })
        .await;
    let started = Instant::now();
    let fired = app.fire_bucket(&key, "2099-01-01T08:05:00+09:00").await;
    let recorded = started.elapsed();
    wait_until("every run answered", || async {
        app.runner.calls().len() >= ALERTS
    })
    .await;
    let done = started.elapsed();
    println!(
        "fan-out: trigger recorded {} runs in {:.0} ms; last RunAlert answered after {:.1}s ({:.0} runs/s, FANOUT_CONCURRENCY 32, poll 1s)",
        fired.alerts,
        recorded.as_secs_f64() * 1000.0,
        done.as_secs_f64(),
        ALERTS as f64 / done.as_secs_f64()
    );
    println!(
        "load average at the end: {}",
        alert_testkit::bench::load_average()
    );
}
