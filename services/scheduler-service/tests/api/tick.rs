//! The local scheduler's tick, driven by a manual clock.

use chrono::Duration;
use scheduler_service::domain::BucketKey;

use crate::{
    fire::{assert_each_ran_once, bucket},
    helpers::{TestSetup, eventually, utc},
};

#[tokio::test]
async fn the_tick_fires_a_bucket_at_its_exact_minute() {
    let app = TestSetup::new().await.with_manual_ticks().spawn().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;

    let early = app.tick_at(utc("2026-01-05T22:59:59.999Z")).await;
    assert!(
        early.fired.is_empty(),
        "nothing fires before 08:00 KST: {early:?}"
    );

    let on_time = app.tick_at(utc("2026-01-05T23:00:00Z")).await;
    let fired: Vec<_> = on_time
        .fired
        .iter()
        .map(|(k, at, fire)| (k.to_string(), *at, fire.alerts))
        .collect();
    assert_eq!(fired, [(key.clone(), utc("2026-01-05T23:00:00Z"), 1)]);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T23:00:00Z", 1).await;
    assert_eq!(
        app.runner.succeeded()[0].scheduled_time,
        "2026-01-05T23:00:00.000Z"
    );

    let later_that_minute = app.tick_at(utc("2026-01-05T23:00:40Z")).await;
    assert!(
        later_that_minute.fired.is_empty(),
        "the minute fires once: {later_that_minute:?}"
    );
    let stored = app
        .store
        .bucket(&BucketKey::parse(&key).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.next_fire_at, Some(utc("2026-01-06T23:00:00Z")));
}

#[tokio::test]
async fn the_tick_loop_fires_a_due_bucket_by_itself() {
    let app = TestSetup::new().await.spawn().await;
    let key = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;

    app.clock.set(utc("2026-01-05T23:00:02Z"));

    app.runner.wait_for_successes(1).await;
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T23:00:00Z", 1).await;
    assert_eq!(
        app.runner.succeeded()[0].scheduled_time,
        "2026-01-05T23:00:00.000Z"
    );
}

#[tokio::test]
async fn two_replicas_ticking_on_one_database_fire_once() {
    let setup = TestSetup::new().await;
    let first = setup.spawn().await;
    let second = setup.spawn().await;
    let key = first
        .upsert("alert-1", "*/5 * * * *", "Asia/Seoul", true)
        .await;
    second
        .upsert("alert-2", "*/5 * * * *", "Asia/Seoul", true)
        .await;

    // Both loops tick on their own and both replicas are also ticked at the same instant.
    let now = utc("2026-01-05T00:05:00Z");
    setup.clock.set(now);
    let (a, b) = tokio::join!(
        first.local_scheduler.run_due(now),
        second.local_scheduler.run_due(now)
    );
    let fired_here = a.unwrap().fired.len() + b.unwrap().fired.len();
    assert!(fired_here <= 1, "at most one replica claims the fire");

    assert_each_ran_once(&first, bucket(&key), "2026-01-05T00:05:00Z", 2).await;
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn a_fire_missed_by_less_than_the_grace_fires_once_on_restart() {
    let setup = TestSetup::new().await.with_manual_ticks();
    let before = setup.spawn().await;
    let key = before
        .upsert("alert-1", "0 8 * * *", "Asia/Seoul", true)
        .await;
    before.stop().await;

    // Down over 08:00 KST, back 40 minutes later.
    setup.clock.set(utc("2026-01-05T23:40:00Z"));
    let after = TestSetup {
        tick_interval: std::time::Duration::from_millis(20),
        ..setup.clone()
    }
    .spawn()
    .await;

    after.runner.wait_for_successes(1).await;
    assert_each_ran_once(&after, bucket(&key), "2026-01-05T23:00:00Z", 1).await;
    let again = after
        .local_scheduler
        .run_due(utc("2026-01-05T23:41:00Z"))
        .await
        .unwrap();
    assert!(again.fired.is_empty());
}

#[tokio::test]
async fn a_fire_missed_by_more_than_the_grace_is_skipped() {
    let setup = TestSetup::new().await.with_manual_ticks();
    let before = setup.spawn().await;
    let key = before
        .upsert("alert-1", "0 8 * * *", "Asia/Seoul", true)
        .await;
    before.stop().await;

    let after = setup.spawn().await;
    let late = after.tick_at(utc("2026-01-06T00:30:00Z")).await;

    assert!(late.fired.is_empty(), "{late:?}");
    assert_eq!(late.skipped, [BucketKey::parse(&key).unwrap()]);
    let stored = after
        .store
        .bucket(&BucketKey::parse(&key).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.next_fire_at,
        Some(utc("2026-01-06T23:00:00Z")),
        "the next day's fire is still owed"
    );
    let next_day = after.tick_at(utc("2026-01-06T23:00:00Z")).await;
    assert_eq!(next_day.fired.len(), 1);
    assert_each_ran_once(&after, bucket(&key), "2026-01-06T23:00:00Z", 1).await;
}

#[tokio::test]
async fn several_missed_fires_collapse_into_the_latest() {
    let app = TestSetup::new().await.with_manual_ticks().spawn().await;
    let key = app.upsert("alert-1", "*/10 * * * *", "UTC", true).await;

    let report = app.tick_at(utc("2026-01-05T00:35:00Z")).await;

    let fired: Vec<_> = report.fired.iter().map(|(_, at, _)| *at).collect();
    assert_eq!(fired, [utc("2026-01-05T00:30:00Z")]);
    assert_each_ran_once(&app, bucket(&key), "2026-01-05T00:30:00Z", 1).await;
}

#[tokio::test]
async fn a_new_york_bucket_at_2_30_skips_the_spring_forward_day() {
    let setup = TestSetup {
        clock: alert_platform::ManualClock::new(utc("2026-03-07T12:00:00Z")),
        ..TestSetup::new().await
    };
    let app = setup.with_manual_ticks().spawn().await;
    app.upsert("alert-1", "30 2 * * *", "America/New_York", true)
        .await;

    let mut fired = Vec::new();
    let mut now = utc("2026-03-07T12:00:00Z");
    while now <= utc("2026-03-10T12:00:00Z") {
        let report = app.tick_at(now).await;
        fired.extend(report.fired.iter().map(|(_, at, _)| *at));
        now += Duration::minutes(30);
    }

    // 02:30 does not exist on 2026-03-08 in New York (clocks jump from 02:00 to 03:00).
    assert_eq!(
        fired,
        [utc("2026-03-09T06:30:00Z"), utc("2026-03-10T06:30:00Z")]
    );
    let runner = app.runner.clone();
    eventually("both fires ran", || async { runner.succeeded().len() == 2 }).await;
}
