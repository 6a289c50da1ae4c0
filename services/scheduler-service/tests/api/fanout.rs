//! The fan-out worker: retries, giving up, and resuming after a stop or a crash.

use chrono::Duration;
use scheduler_service::{
    domain::{BucketKey, Fire, FireTarget},
    fanout::MAX_ATTEMPTS,
    store::RunStatus,
};
use tonic::Code;

use crate::{
    fire::{alert, assert_each_ran_once, bucket},
    helpers::{TestSetup, eventually, spawn_app, utc},
};

#[tokio::test]
async fn a_run_that_fails_with_unavailable_twice_is_retried_until_it_succeeds() {
    let app = spawn_app().await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.runner.fail("alert-1", 2, Code::Unavailable);

    app.fire_alert("alert-1", "2026-01-05T23:00:00Z").await;

    // Retries wait on the service's clock: move it along until the run succeeds.
    eventually("the run succeeded after retries", || async {
        app.clock.advance(Duration::seconds(10));
        app.runner.succeeded().len() == 1
    })
    .await;
    assert_each_ran_once_after_retries(&app, 3).await;
}

async fn assert_each_ran_once_after_retries(app: &crate::helpers::TestApp, calls: usize) {
    eventually("the run is recorded as done", || async {
        let runs = app
            .store
            .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
            .await
            .unwrap();
        runs[0].status == RunStatus::Done
    })
    .await;
    let runs = app
        .store
        .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
        .await
        .unwrap();
    assert_eq!(runs[0].attempts, calls as u32);
    assert_eq!(app.runner.calls().len(), calls, "{:?}", app.runner.calls());
    assert_eq!(app.runner.succeeded().len(), 1);
}

#[tokio::test]
async fn a_rejected_run_is_not_retried() {
    let app = spawn_app().await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.runner.fail("alert-1", 1, Code::NotFound);

    app.fire_alert("alert-1", "2026-01-05T23:00:00Z").await;

    let store = app.store.clone();
    eventually("the run is recorded as failed", || async {
        let runs = store
            .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
            .await
            .unwrap();
        runs[0].status == RunStatus::Failed
    })
    .await;
    let runs = store
        .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
        .await
        .unwrap();
    assert_eq!(runs[0].attempts, 1);
    assert!(
        runs[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("NotFound"),
        "{runs:?}"
    );
    assert_eq!(app.runner.calls().len(), 1);
}

#[tokio::test]
async fn a_run_that_keeps_failing_is_given_up_after_the_last_attempt() {
    let app = spawn_app().await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.runner.fail("alert-1", 1000, Code::Unavailable);

    app.fire_alert("alert-1", "2026-01-05T23:00:00Z").await;

    let store = app.store.clone();
    eventually("the run is given up", || async {
        app.clock.advance(Duration::minutes(10));
        let runs = store
            .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
            .await
            .unwrap();
        runs[0].status == RunStatus::Failed
    })
    .await;
    let runs = store
        .runs(&alert("alert-1"), utc("2026-01-05T23:00:00Z"))
        .await
        .unwrap();
    assert_eq!(runs[0].attempts, MAX_ATTEMPTS);
    assert_eq!(app.runner.calls().len(), MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn an_interrupted_fan_out_resumes_after_restart_without_skipping_or_repeating() {
    let setup = TestSetup {
        fanout_concurrency: 2,
        ..TestSetup::new().await
    };
    let before = setup.spawn().await;
    let mut key = String::new();
    for n in 1..=5 {
        key = before
            .upsert(&format!("alert-{n}"), "0 8 * * *", "Asia/Seoul", true)
            .await;
    }
    setup.runner.block();

    let response = before.fire_bucket(&key, "2026-01-05T23:00:00Z").await;
    assert_eq!(response.alerts, 5);
    let runner = setup.runner.clone();
    eventually("two runs are in flight", || async {
        runner.calls().len() == 2
    })
    .await;

    // Stop while alert-service has not answered: the calls in flight finish, nothing new starts.
    let stopping = before.begin_stop();
    setup.runner.release();
    stopping.await.unwrap().unwrap();
    let finished_before_restart = setup.runner.succeeded().len();
    assert_eq!(
        finished_before_restart, 2,
        "only the calls in flight finished"
    );

    let after = setup.spawn().await;
    assert_each_ran_once(&after, bucket(&key), "2026-01-05T23:00:00Z", 5).await;
}

#[tokio::test]
async fn runs_claimed_by_a_crashed_worker_are_resumed_after_their_lease() {
    let setup = TestSetup::new().await;
    let before = setup.spawn().await;
    let mut key = String::new();
    for n in 1..=3 {
        key = before
            .upsert(&format!("alert-{n}"), "0 8 * * *", "Asia/Seoul", true)
            .await;
    }
    let store = before.store.clone();
    before.stop().await;

    // A worker records the fire, claims two runs and dies before calling alert-service.
    let now = utc("2026-01-05T00:00:00Z");
    let fire = Fire {
        target: FireTarget::Bucket(BucketKey::parse(&key).unwrap()),
        scheduled_at: utc("2026-01-05T23:00:00Z"),
        execution_id: "crashed".into(),
    };
    store.record_fire(&fire, now).await.unwrap();
    let leased = store
        .claim_runs(now, now + Duration::minutes(5), 2)
        .await
        .unwrap();
    assert_eq!(leased.len(), 2);

    let after = setup.spawn().await;
    after.runner.wait_for_successes(1).await;
    assert_eq!(
        after.runner.calls().len(),
        1,
        "leased runs wait for their lease to end"
    );

    after.clock.advance(Duration::minutes(6));
    assert_each_ran_once(&after, bucket(&key), "2026-01-05T23:00:00Z", 3).await;
}
