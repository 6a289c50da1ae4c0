//! The whole path of a bucket trigger at scale, as EventBridge's API destination posts it: one
//! bucket of 1,000 alerts of 50 users, created through the public API, against the
//! `alert-system` binary on PostgreSQL. The trigger is delivered three times, then another is
//! cut short by SIGKILL in the middle of its fan-out and the process started again.

use std::{collections::BTreeMap, time::Duration};

use alert_platform::timestamp::to_rfc3339;
use alert_testkit::{BrowserSubscription, ReceivedPush};
use chrono::{DateTime, Timelike, Utc};
use futures::{StreamExt, stream};
use reqwest::StatusCode;
use scheduler_service::{
    domain::{BucketKey, FireTarget, Schedule},
    store::{RunStatus, SqlStore, Store},
};
use serde_json::json;

use crate::helpers::{TestSystem, User};

const USERS: usize = 50;
const ALERTS_PER_USER: usize = 20;
const ALERTS: usize = USERS * ALERTS_PER_USER;
/// Pushes in flight at once; the only pushes a crash can repeat (see the test).
const PUSH_CONCURRENCY: usize = 8;
/// How long the whole fan-out of one trigger may take.
const PATIENCE: Duration = Duration::from_secs(120);

/// What each browser should get: one push per alert of its user, by title.
type Expected = BTreeMap<(String, String), usize>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_of_1000_alerts_pushes_each_subscription_once_despite_redelivery_and_a_crash() {
    let push_concurrency = PUSH_CONCURRENCY.to_string();
    let mut system = TestSystem::start_process(&[
        ("PUSH_CONCURRENCY", push_concurrency.as_str()),
        // A send may take long on a loaded machine: one that timed out would be sent again. The
        // killed process's claims are taken over when this visibility timeout ends.
        ("PUSH_TIMEOUT", "4s"),
        ("QUEUE_VISIBILITY_TIMEOUT", "10s"),
        ("QUEUE_SWEEP_INTERVAL", "1s"),
        // A slow fan-out, so that the kill lands in the middle of it; a claimed run of the
        // killed process is taken over after twice the call timeout.
        ("FANOUT_CONCURRENCY", "4"),
        ("FANOUT_CALL_TIMEOUT", "2s"),
        ("MAX_ALERTS_PER_USER", "100"),
    ])
    .await;

    // A schedule twelve hours away, so the system's own tick never fires it during the test:
    // only the triggers below do.
    let hour = (Utc::now().hour() + 12) % 24;
    let cron = format!("0 {hour} * * *");
    let expected = create_alerts(&system, &cron).await;
    let key = Schedule::parse(&cron, "UTC").unwrap().bucket_key();
    let first_time = next_minute(Utc::now());

    // 1. EventBridge delivers at least once: the same trigger three times, concurrently.
    let body = trigger_body(&key, first_time, "exec-first");
    let answers = futures::future::join_all((0..3).map(|_| system.trigger(body.clone()))).await;
    for (status, answer) in answers {
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let pushes = every_expected_push(&system, &expected).await;
    assert_eq!(
        duplicates(&pushes, &expected),
        0,
        "one push per subscription and alert however often the trigger arrives"
    );
    system.receiver.clear();

    // 2. Another time; the process is killed once about a third of the runs are done.
    let second_time = first_time + chrono::Duration::days(1);
    let (status, answer) = system
        .trigger(trigger_body(&key, second_time, "exec-second"))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let runs = SqlStore::connect(&system.process().database_url())
        .await
        .expect("the scheduler's database");
    let target = FireTarget::Bucket(key.clone());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while done_runs(&runs, &target, second_time).await < ALERTS / 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fan-out made no progress"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    system.process().kill();
    let done_at_kill = done_runs(&runs, &target, second_time).await;
    assert!(
        done_at_kill < ALERTS,
        "the kill came after the fan-out finished"
    );
    let pushed_at_kill = system.receiver.received().len();

    // The trigger was answered before the crash, so EventBridge does not send it again; the
    // restarted process resumes from the fire record. A late redelivery changes nothing.
    system.process().restart().await;
    let (status, answer) = system
        .trigger(trigger_body(&key, second_time, "exec-second"))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let pushes = every_expected_push(&system, &expected).await;
    let repeated = duplicates(&pushes, &expected);
    eprintln!(
        "killed with {done_at_kill} of {ALERTS} runs done and {pushed_at_kill} pushes received: {repeated} repeated pushes"
    );
    // A run or a Notify repeated after the crash sends nothing again (the run record and the
    // dedupe key). What a crash can repeat is a push the push service accepted but whose
    // outcome the notifier had not written yet: a send slot is held until the outcome is
    // written, so there are at most PUSH_CONCURRENCY of them.
    assert!(
        repeated <= PUSH_CONCURRENCY,
        "{repeated} repeated pushes, more than the {PUSH_CONCURRENCY} that can be in flight"
    );
    // Runs the killed process had claimed are taken over when their lease ends; their pushes
    // had gone out already.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while done_runs(&runs, &target, second_time).await < ALERTS {
        assert!(
            tokio::time::Instant::now() < deadline,
            "some runs of the interrupted fan-out never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    system.stop().await;
}

/// Signs up the users, one browser each, and their alerts on `cron` in UTC, ten at a time.
async fn create_alerts(system: &TestSystem, cron: &str) -> Expected {
    let users: Vec<(User, BrowserSubscription)> = stream::iter(0..USERS)
        .map(|n| async move {
            let user = system.sign_up(&format!("user-{n:02}@example.com")).await;
            let browser = system.subscribe_browser(&user).await;
            (user, browser)
        })
        .buffer_unordered(10)
        .collect()
        .await;
    let alerts = users.iter().enumerate().flat_map(|(n, (user, browser))| {
        (0..ALERTS_PER_USER).map(move |a| (user, browser, format!("user {n:02} alert {a:02}")))
    });
    stream::iter(alerts)
        .map(|(user, browser, title)| async move {
            system
                .create_alert(
                    user,
                    json!({"name": title, "schedule": cron, "timezone": "UTC", "title": title}),
                )
                .await;
            ((browser.endpoint.clone(), title), 1)
        })
        .buffer_unordered(10)
        .collect()
        .await
}

/// The body the rule's input transformer renders (see ci/deploy/trigger-body.mjs).
fn trigger_body(
    key: &BucketKey,
    scheduled_time: DateTime<Utc>,
    execution_id: &str,
) -> serde_json::Value {
    json!({"scheduleKey": key.as_str(), "scheduledTime": to_rfc3339(scheduled_time), "executionId": execution_id})
}

fn next_minute(now: DateTime<Utc>) -> DateTime<Utc> {
    (now + chrono::Duration::minutes(1))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap()
}

async fn done_runs(store: &SqlStore, target: &FireTarget, scheduled_at: DateTime<Utc>) -> usize {
    store
        .runs(target, scheduled_at)
        .await
        .unwrap()
        .iter()
        .filter(|run| run.status == RunStatus::Done)
        .count()
}

/// Waits until every expected push arrived, then a little longer so that a late repeat would
/// show; returns what the push service received.
async fn every_expected_push(system: &TestSystem, expected: &Expected) -> Vec<ReceivedPush> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        let received = received_per_browser_and_title(&system.receiver.received());
        if expected.keys().all(|key| received.contains_key(key)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    system.receiver.received()
}

fn received_per_browser_and_title(pushes: &[ReceivedPush]) -> Expected {
    let mut received: Expected = BTreeMap::new();
    for push in pushes {
        let payload = push.payload_json().expect("a JSON notification");
        let title = payload["title"].as_str().expect("a title").to_owned();
        *received.entry((push.endpoint.clone(), title)).or_default() += 1;
    }
    received
}

/// Checks that every expected (browser, title) got at least one push and nothing unexpected
/// came; returns how many pushes repeated one already received.
fn duplicates(pushes: &[ReceivedPush], expected: &Expected) -> usize {
    let received = received_per_browser_and_title(pushes);
    let missing: Vec<_> = expected
        .keys()
        .filter(|key| !received.contains_key(*key))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} pushes never arrived, e.g. {:?}",
        missing.len(),
        expected.len(),
        missing.first()
    );
    let unexpected: Vec<_> = received
        .keys()
        .filter(|key| !expected.contains_key(*key))
        .collect();
    assert!(unexpected.is_empty(), "unexpected pushes: {unexpected:?}");
    received.values().map(|count| count - 1).sum()
}
