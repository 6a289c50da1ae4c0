//! Fire: recording a fire once and fanning it out to the alerts it owes.

use chrono::Duration;
use scheduler_service::{
    domain::{AlertId, BucketKey, FireTarget},
    store::RunStatus,
};

use crate::helpers::{TestApp, TestDatabase, TestSetup, eventually, spawn_app, utc};

#[tokio::test]
async fn fire_fans_out_only_to_enabled_members_that_were_members_at_the_scheduled_time() {
    let app = spawn_app().await;
    // The clock starts at 2026-01-05T00:00:00Z.
    let key = app
        .upsert("enabled-early", "0 8 * * *", "Asia/Seoul", true)
        .await;
    app.upsert("disabled", "0 8 * * *", "Asia/Seoul", false)
        .await;
    app.upsert("re-enabled-late", "0 8 * * *", "Asia/Seoul", false)
        .await;
    app.clock.advance(Duration::hours(2));
    app.upsert("joined-late", "0 8 * * *", "Asia/Seoul", true)
        .await;
    app.upsert("re-enabled-late", "0 8 * * *", "Asia/Seoul", true)
        .await;

    let response = app.fire_bucket(&key, "2026-01-05T01:00:00Z").await;

    assert_eq!(response.alerts, 1);
    assert!(response.first_delivery);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T01:00:00Z", 1).await;
    let called: Vec<String> = app
        .runner
        .succeeded()
        .into_iter()
        .map(|c| c.alert_id)
        .collect();
    assert_eq!(called, ["enabled-early"]);
    assert_eq!(
        app.runner.succeeded()[0].scheduled_time,
        "2026-01-05T01:00:00.000Z"
    );
}

#[tokio::test]
async fn the_same_fire_delivered_three_times_runs_each_alert_once() {
    let app = spawn_app().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;

    let first = app.fire_bucket(&key, "2026-01-05T23:00:00Z").await;
    let second = app.fire_bucket(&key, "2026-01-05T23:00:00Z").await;
    let third = app.fire_bucket(&key, "2026-01-06T08:00:00+09:00").await;

    assert!(first.first_delivery);
    assert!(
        !second.first_delivery && !third.first_delivery,
        "later deliveries are duplicates"
    );
    assert_eq!([first.alerts, second.alerts, third.alerts], [2, 2, 2]);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T23:00:00Z", 2).await;
}

#[tokio::test]
async fn the_same_fire_delivered_concurrently_runs_each_alert_once() {
    let app = spawn_app().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-3", "0 8 * * *", "Asia/Seoul", true).await;

    let (a, b, c) = tokio::join!(
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
    );

    let first_deliveries = [&a, &b, &c].iter().filter(|r| r.first_delivery).count();
    assert_eq!(
        first_deliveries, 1,
        "exactly one delivery is the first: {a:?} {b:?} {c:?}"
    );
    assert_eq!([a.alerts, b.alerts, c.alerts], [3, 3, 3]);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T23:00:00Z", 3).await;
}

#[tokio::test]
async fn the_same_fire_delivered_concurrently_in_the_embedded_sqlite_mode_runs_each_alert_once() {
    let setup = TestSetup {
        database: TestDatabase::sqlite(),
        ..TestSetup::new().await
    };
    let app = setup.spawn().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;

    let (a, b, c) = tokio::join!(
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
        app.fire_bucket(&key, "2026-01-05T23:00:00Z"),
    );

    assert_eq!([&a, &b, &c].iter().filter(|r| r.first_delivery).count(), 1);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T23:00:00Z", 2).await;
}

#[tokio::test]
async fn fire_for_an_unknown_bucket_or_alert_runs_nothing() {
    let app = spawn_app().await;
    app.upsert("disabled", "0 8 * * *", "Asia/Seoul", false)
        .await;

    let unknown_bucket = app
        .fire_bucket("alert-000000000000000000000000", "2026-01-05T23:00:00Z")
        .await;
    let unknown_alert = app
        .fire_alert("no-such-alert", "2026-01-05T23:00:00Z")
        .await;
    let disabled_alert = app.fire_alert("disabled", "2026-01-05T23:00:00Z").await;

    assert_eq!(unknown_bucket.alerts, 0);
    assert_eq!(unknown_alert.alerts, 0);
    assert_eq!(disabled_alert.alerts, 0, "a disabled alert is not run");
    assert!(app.runner.calls().is_empty());
}

#[tokio::test]
async fn an_alert_target_fires_just_that_alert() {
    let app = spawn_app().await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;

    let response = app.fire_alert("alert-2", "2026-01-05T23:00:00Z").await;
    let again = app.fire_alert("alert-2", "2026-01-05T23:00:00Z").await;

    assert_eq!((response.alerts, response.first_delivery), (1, true));
    assert_eq!((again.alerts, again.first_delivery), (1, false));
    assert_each_ran_once(&app, alert("alert-2"), "2026-01-05T23:00:00Z", 1).await;
    assert_eq!(app.runner.succeeded()[0].alert_id, "alert-2");
}

#[tokio::test]
async fn fire_answers_without_waiting_for_alert_service() {
    let app = spawn_app().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.runner.block();

    let response = app.fire_bucket(&key, "2026-01-05T23:00:00Z").await;

    assert_eq!(response.alerts, 1);
    let runner = app.runner.clone();
    eventually("the run reached alert-service", || async {
        runner.calls().len() == 1
    })
    .await;
    assert!(
        runner.succeeded().is_empty(),
        "the fire was answered while the run was still blocked"
    );
    runner.release();
    runner.wait_for_successes(1).await;
    let runs = app
        .store
        .runs(&bucket(&key), utc("2026-01-05T23:00:00Z"))
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
}

/// Waits until every run of the fire is settled (so no further call can come), then checks
/// that each of its `alerts` alerts ran exactly once.
pub async fn assert_each_ran_once(
    app: &TestApp,
    target: FireTarget,
    scheduled_at: &str,
    alerts: usize,
) {
    let scheduled_at = utc(scheduled_at);
    eventually("every run is settled", || async {
        let runs = app.store.runs(&target, scheduled_at).await.unwrap();
        runs.iter().all(|run| run.status == RunStatus::Done)
    })
    .await;
    let counts = app.runner.success_counts();
    assert_eq!(counts.len(), alerts, "distinct runs: {counts:?}");
    assert!(
        counts.values().all(|&n| n == 1),
        "each alert ran once: {counts:?}"
    );
    assert_eq!(app.runner.calls().len(), alerts, "no call was repeated");
}

pub fn bucket(key: &str) -> FireTarget {
    FireTarget::Bucket(BucketKey::parse(key).unwrap())
}

pub fn alert(id: &str) -> FireTarget {
    FireTarget::Alert(AlertId::parse(id).unwrap())
}
