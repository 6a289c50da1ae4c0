//! The EventBridge Scheduler backend against moto: schedules follow the buckets exactly,
//! reconciliation repairs drift, and AWS being down or throttling loses nothing.

use std::{collections::BTreeMap, time::Duration};

use alert_proto::v1::{BucketSyncStatus, ListBucketSyncStatesRequest};
use scheduler_service::{
    eventbridge::{EventBridgeConfig, ReconcileError},
    store::SyncState,
};
use serde_json::json;

use crate::{
    helpers::{TestApp, TestSetup, eventually, utc},
    moto::{self, DLQ_ARN, GROUP, Moto, ROLE_ARN, TARGET_ARN, ThrottlingProxy},
};

/// An app with the EventBridge backend reaching AWS at `endpoint`.
async fn spawn_eventbridge_app(config: EventBridgeConfig) -> TestApp {
    let mut setup = TestSetup::new().await;
    setup.eventbridge = Some(config);
    setup.system_clock = true;
    setup.spawn().await
}

/// What the group holds: schedule name → (expression, time zone).
async fn schedules_in(moto: &Moto) -> BTreeMap<String, (String, String)> {
    let client = moto.client().await;
    let listed = client
        .list_schedules()
        .group_name(GROUP)
        .send()
        .await
        .expect("list schedules");
    let mut schedules = BTreeMap::new();
    for summary in listed.schedules() {
        let name = summary.name().unwrap_or_default().to_owned();
        let schedule = client
            .get_schedule()
            .group_name(GROUP)
            .name(&name)
            .send()
            .await
            .expect("get schedule");
        schedules.insert(
            name,
            (
                schedule
                    .schedule_expression()
                    .unwrap_or_default()
                    .to_owned(),
                schedule
                    .schedule_expression_timezone()
                    .unwrap_or_default()
                    .to_owned(),
            ),
        );
    }
    schedules
}

/// Waits until every bucket is synced and the group holds exactly `expected`.
async fn wait_for_group(app: &TestApp, moto: &Moto, expected: &[(&str, &str, &str)]) {
    let expected: BTreeMap<String, (String, String)> = expected
        .iter()
        .map(|(key, expression, zone)| {
            (
                (*key).to_owned(),
                ((*expression).to_owned(), (*zone).to_owned()),
            )
        })
        .collect();
    eventually(&format!("the group holds {expected:?}"), || async {
        let counts = app.sync_store.sync_counts().await.unwrap();
        counts.pending == 0 && counts.failed == 0 && schedules_in(moto).await == expected
    })
    .await;
}

#[tokio::test]
async fn eventbridge_schedules_follow_creates_edits_toggles_and_deletes() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;

    let weekdays = app
        .upsert("alert-1", "0 8 * * MON-FRI", "Asia/Seoul", true)
        .await;
    wait_for_group(
        &app,
        &moto,
        &[(&weekdays, "cron(0 8 ? * MON-FRI *)", "Asia/Seoul")],
    )
    .await;

    // Everything we set is there, with the context attributes EventBridge fills in.
    let schedule = moto
        .client()
        .await
        .get_schedule()
        .group_name(GROUP)
        .name(&weekdays)
        .send()
        .await
        .unwrap();
    assert_eq!(schedule.state().map(|s| s.as_str()), Some("ENABLED"));
    assert_eq!(
        schedule.flexible_time_window().map(|w| w.mode().as_str()),
        Some("OFF")
    );
    let target = schedule.target().expect("a target");
    assert_eq!(target.arn(), TARGET_ARN);
    assert_eq!(target.role_arn(), ROLE_ARN);
    let input: serde_json::Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(
        input,
        json!({
            "scheduleKey": weekdays,
            "scheduledTime": "<aws.scheduler.scheduled-time>",
            "executionId": "<aws.scheduler.execution-id>",
        })
    );
    let parameters = target.event_bridge_parameters().expect("event parameters");
    assert_eq!(parameters.source(), "alert-system.scheduler");
    assert_eq!(parameters.detail_type(), "ScheduledNotification");
    let retry = target.retry_policy().expect("a retry policy");
    assert_eq!(retry.maximum_retry_attempts(), Some(7));
    assert_eq!(retry.maximum_event_age_in_seconds(), Some(1800));
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some(DLQ_ARN)
    );

    // Edit the schedule and the time zone: the old bucket's schedule goes, the new one comes.
    let new_york = app
        .upsert("alert-1", "30 7 * * *", "America/New_York", true)
        .await;
    wait_for_group(
        &app,
        &moto,
        &[(&new_york, "cron(30 7 * * ? *)", "America/New_York")],
    )
    .await;

    // Pause: the bucket has no enabled member, so no schedule; resume brings it back.
    app.upsert("alert-1", "30 7 * * *", "America/New_York", false)
        .await;
    wait_for_group(&app, &moto, &[]).await;
    app.upsert("alert-1", "30 7 * * *", "America/New_York", true)
        .await;
    wait_for_group(
        &app,
        &moto,
        &[(&new_york, "cron(30 7 * * ? *)", "America/New_York")],
    )
    .await;

    app.delete("alert-1").await;
    wait_for_group(&app, &moto, &[]).await;
    app.stop().await;
}

#[tokio::test]
async fn alerts_with_the_same_schedule_share_one_eventbridge_schedule_until_the_last_leaves() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;

    let key = app
        .upsert("alert-1", "0 8 * * 1-5", "Asia/Seoul", true)
        .await;
    let same = app
        .upsert("alert-2", "0 8 * * MON-FRI", "Asia/Seoul", true)
        .await;
    assert_eq!(key, same);
    let expected = [(key.as_str(), "cron(0 8 ? * MON-FRI *)", "Asia/Seoul")];
    wait_for_group(&app, &moto, &expected).await;

    // One of two leaving keeps the schedule; the bucket's schedule goes with the last one.
    app.delete("alert-1").await;
    wait_for_group(&app, &moto, &expected).await;
    app.upsert("alert-2", "0 8 * * 1-5", "Asia/Seoul", false)
        .await;
    wait_for_group(&app, &moto, &[]).await;
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_reconciliation_recreates_restores_and_deletes_orphans() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    let daily = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let monthly = app
        .upsert("alert-2", "0 9 1 * *", "Europe/Berlin", true)
        .await;
    let expected = [
        (daily.as_str(), "cron(0 8 * * ? *)", "Asia/Seoul"),
        (monthly.as_str(), "cron(0 9 1 * ? *)", "Europe/Berlin"),
    ];
    wait_for_group(&app, &moto, &expected).await;

    // Behind our back: one schedule deleted, one changed, an orphan of ours and someone else's.
    moto.delete_schedule_behind_our_back(GROUP, &daily).await;
    let orphan = "alert-0123456789abcdef01234567";
    let foreign = "alert-reports-weekly";
    for (name, expression) in [
        (orphan, "cron(0 1 * * ? *)"),
        (foreign, "cron(0 2 * * ? *)"),
    ] {
        moto.create_schedule_behind_our_back(GROUP, name, expression)
            .await;
    }
    moto.change_expression_behind_our_back(GROUP, &monthly, "cron(0 10 1 * ? *)")
        .await;

    let parts = app.eventbridge.clone().expect("eventbridge backend");
    let report = parts.reconciler.reconcile().await.expect("reconciled");
    assert_eq!(report.missing, vec![daily.clone()]);
    assert_eq!(report.drifted, vec![monthly.clone()]);
    assert_eq!(report.orphans, vec![orphan.to_owned()]);

    let mut with_foreign = expected.to_vec();
    with_foreign.push((foreign, "cron(0 2 * * ? *)", "UTC"));
    wait_for_group(&app, &moto, &with_foreign).await;
    let again = parts.reconciler.reconcile().await.expect("reconciled");
    assert!(
        again.missing.is_empty() && again.drifted.is_empty() && again.orphans.is_empty(),
        "{again:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_reconciliation_reads_every_page_of_the_group() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    // moto pages ListSchedules by 50.
    for minute in 0..60 {
        for hour in [6, 7] {
            let id = format!("alert-{hour}-{minute}");
            app.upsert(&id, &format!("{minute} {hour} * * *"), "UTC", true)
                .await;
        }
    }
    eventually("120 buckets synced", || async {
        let counts = app.sync_store.sync_counts().await.unwrap();
        counts.synced == 120 && counts.pending == 0
    })
    .await;
    let report = app
        .eventbridge
        .clone()
        .unwrap()
        .reconciler
        .reconcile()
        .await
        .unwrap();
    assert_eq!((report.listed, report.desired), (120, 120));
    assert!(report.missing.is_empty() && report.drifted.is_empty() && report.orphans.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_alerts_created_while_aws_is_down_converge_when_it_returns() {
    let mut moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    moto.stop();

    // Alert changes succeed at once; their buckets wait, with the reason.
    let first = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let second = app
        .upsert("alert-2", "15 18 * * 0,6", "Asia/Seoul", true)
        .await;
    eventually("the sync attempts failed while AWS is down", || async {
        let rows = app
            .sync_store
            .sync_states(Some(SyncState::Pending), None, 10)
            .await
            .unwrap();
        rows.len() == 2
            && rows
                .iter()
                .all(|r| r.attempts >= 1 && r.last_error.is_some())
    })
    .await;

    // AWS returns (moto comes back empty: the group is there again, as in AWS it always was).
    moto.restart().await;
    moto.create_group().await;
    wait_for_group(
        &app,
        &moto,
        &[
            (&first, "cron(0 8 * * ? *)", "Asia/Seoul"),
            (&second, "cron(15 18 ? * SUN,SAT *)", "Asia/Seoul"),
        ],
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_throttling_is_retried_with_backoff_without_losing_a_change() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let proxy = ThrottlingProxy::start(moto.url(), 6).await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&proxy.url, &[])).await;

    let mut expected = Vec::new();
    for hour in 6..10 {
        let key = app
            .upsert(
                &format!("alert-{hour}"),
                &format!("0 {hour} * * *"),
                "Asia/Seoul",
                true,
            )
            .await;
        expected.push((key, format!("cron(0 {hour} * * ? *)")));
    }
    let expected: Vec<(&str, &str, &str)> = expected
        .iter()
        .map(|(key, expression)| (key.as_str(), expression.as_str(), "Asia/Seoul"))
        .collect();
    wait_for_group(&app, &moto, &expected).await;
    assert_eq!(proxy.throttled(), 6, "every throttled call was retried");
    assert!(proxy.forwarded() >= 4);
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_backend_never_creates_a_missing_group_and_reports_it() {
    let moto = Moto::start().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;

    let parts = app.eventbridge.clone().unwrap();
    let error = parts.reconciler.reconcile().await.expect_err("no group");
    assert!(matches!(error, ReconcileError::GroupMissing(_)), "{error}");
    let groups = moto
        .client()
        .await
        .list_schedule_groups()
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = groups
        .schedule_groups()
        .iter()
        .filter_map(|g| g.name())
        .collect();
    assert_eq!(
        names,
        vec!["default"],
        "the service must not create its group"
    );

    let listed = app
        .sync_client
        .clone()
        .list_bucket_sync_states(ListBucketSyncStatesRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.backend, "eventbridge");
    assert!(listed.last_reconcile_error.contains(GROUP), "{listed:?}");
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_sync_states_are_listed_over_grpc() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    wait_for_group(&app, &moto, &[(&key, "cron(0 8 * * ? *)", "Asia/Seoul")]).await;

    let listed = app
        .sync_client
        .clone()
        .list_bucket_sync_states(ListBucketSyncStatesRequest {
            status: BucketSyncStatus::Synced.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((listed.synced, listed.pending, listed.failed), (1, 0, 0));
    let bucket = &listed.buckets[0];
    assert_eq!(bucket.schedule_key, key);
    assert_eq!(
        (bucket.expression.as_str(), bucket.timezone.as_str()),
        ("0 8 * * *", "Asia/Seoul")
    );
    assert!(bucket.desired_present);
    assert_eq!(bucket.status(), BucketSyncStatus::Synced);
    assert!(listed.api_calls >= 1);
    app.stop().await;
}

#[tokio::test]
async fn eventbridge_backend_leaves_firing_to_the_trigger_not_the_local_tick() {
    let moto = Moto::start().await;
    moto.create_group().await;
    // The manual clock: the bucket's fire is due, and the tick loop (every 20 ms) would fire it.
    let mut setup = TestSetup::new().await;
    setup.eventbridge = Some(moto::eventbridge_config(&moto.url(), &[]));
    let app = setup.spawn().await;
    let key = app.upsert("alert-1", "0 8 * * *", "UTC", true).await;
    app.clock.set(utc("2026-01-05T08:00:30Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.runner.calls().is_empty(), "the local tick fired");

    // What the trigger webhook does when EventBridge calls it.
    let fired = app.fire_bucket(&key, "2026-01-05T08:00:00Z").await;
    assert_eq!((fired.alerts, fired.first_delivery), (1, true));
    app.runner.wait_for_successes(1).await;
    app.stop().await;
}

#[tokio::test]
async fn a_bucket_trigger_delivered_three_times_runs_each_of_its_1000_alerts_once() {
    let moto = Moto::start().await;
    moto.create_group().await;
    let app = spawn_eventbridge_app(moto::eventbridge_config(&moto.url(), &[])).await;
    let mut key = String::new();
    for n in 0..1000 {
        key = app
            .upsert(&format!("alert-{n:04}"), "0 8 * * *", "Asia/Seoul", true)
            .await;
    }
    // EventBridge delivers at least once: the same trigger arrives three times.
    for _ in 0..3 {
        let fired = app.fire_bucket(&key, "2099-01-01T08:00:00+09:00").await;
        assert_eq!(fired.alerts, 1000);
    }
    app.runner.wait_for_successes(1000).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let counts = app.runner.success_counts();
    assert_eq!(counts.len(), 1000);
    assert!(counts.values().all(|&n| n == 1), "an alert ran twice");
    app.stop().await;
}
