//! A push service that fails in every way it can, against both queues: everything deliverable is
//! delivered, `Retry-After` is respected, gone subscriptions are deleted, and what keeps failing
//! ends as failed (and, on Redis, as a dead letter with its history).

use std::{sync::Arc, time::Duration};

use alert_platform::{
    SystemClock,
    db::{Database, testing::sqlite_url},
};
use alert_proto::v1::{Delivery, DeliveryStatus};
use alert_testkit::Response;
use notifier_service::{SCHEMA, config::RedisQueueConfig, migrations, queue::RedisStreamsQueue};

use crate::helpers::{PATIENCE, TestApp, World, redis_url};

#[tokio::test]
async fn the_database_queue_rides_out_every_receiver_failure_mode() {
    let world = World::sqlite().await;
    let app = world.start_with(failure_env(world.env())).await;
    every_receiver_failure_mode(&world, &app).await;
}

#[tokio::test]
async fn the_redis_queue_rides_out_every_receiver_failure_mode_and_dead_letters_the_rest() {
    let world = World::sqlite().await;
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    let app = world
        .start_with(failure_env(world.redis_env(&prefix)))
        .await;
    let broken = every_receiver_failure_mode(&world, &app).await;

    let tempdir = tempfile::tempdir().unwrap();
    let database = Database::connect(&sqlite_url(tempdir.path(), "x"), SCHEMA, &migrations())
        .await
        .unwrap();
    let config = RedisQueueConfig {
        url: redis_url(),
        key_prefix: prefix,
        sweep_interval: Duration::from_secs(3600),
    };
    let queue = RedisStreamsQueue::connect(&config, database, Arc::new(SystemClock), PATIENCE)
        .await
        .unwrap();
    let dead_letters = queue.dead_letters().await.unwrap();
    assert_eq!(
        dead_letters.len(),
        1,
        "only the always-failing delivery: {dead_letters:?}"
    );
    let (id, attempts, history) = &dead_letters[0];
    assert_eq!(id, &broken.id);
    assert_eq!(*attempts, 5);
    let history: serde_json::Value = serde_json::from_str(history).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 5, "{history}");
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|note| note["statusCode"] == 500)
    );
}

/// Five attempts, fast backoff, and a push timeout short enough to provoke.
fn failure_env(env: alert_platform::Env) -> alert_platform::Env {
    env.with("MAX_ATTEMPTS", "5")
        .with("RETRY_BASE_DELAY", "10ms")
        .with("PUSH_TIMEOUT", "500ms")
}

/// Runs the scenario; returns the delivery that failed for good.
async fn every_receiver_failure_mode(world: &World, app: &TestApp) -> Delivery {
    let browsers: Vec<_> = ["flaky", "throttled", "gone", "slow", "broken"]
        .into_iter()
        .map(|user| (user, world.browser()))
        .collect();
    for (user, browser) in &browsers {
        app.subscribe(user, browser).await;
    }
    let endpoint = |name: &str| {
        browsers
            .iter()
            .find(|(user, _)| *user == name)
            .map(|(_, browser)| browser.endpoint.clone())
            .unwrap()
    };
    let receiver = &world.receiver;
    receiver.respond_with_sequence(&endpoint("flaky"), [503, 503, 503, 201]);
    receiver.respond_with_sequence(
        &endpoint("throttled"),
        [Response::retry_after(429, 2), Response::created()],
    );
    receiver.unsubscribe(&endpoint("gone"));
    receiver.respond_with_sequence(
        &endpoint("slow"),
        [
            Response::created().delayed(Duration::from_secs(2)),
            Response::created(),
        ],
    );
    receiver.respond_with(&endpoint("broken"), 500);

    for (user, _) in &browsers {
        assert_eq!(app.notify(user, "run-1", "alert-1").await, 1, "{user}");
    }

    let flaky = only(
        app.wait_for_deliveries("flaky", 1, DeliveryStatus::Delivered)
            .await,
    );
    assert_eq!(flaky.attempts, 4, "three 503s, then delivered");
    let throttled = only(
        app.wait_for_deliveries("throttled", 1, DeliveryStatus::Delivered)
            .await,
    );
    assert_eq!(throttled.attempts, 2);
    let refused = receiver
        .attempts()
        .into_iter()
        .find(|attempt| attempt.push.endpoint == endpoint("throttled"))
        .expect("the 429 was recorded");
    let accepted = receiver.received_for(&endpoint("throttled"));
    let gap = (accepted[0].received_at - refused.push.received_at)
        .to_std()
        .unwrap();
    assert!(
        gap >= Duration::from_secs(2),
        "retried after {gap:?}, before Retry-After: 2"
    );

    let gone = only(
        app.wait_for_deliveries("gone", 1, DeliveryStatus::Expired)
            .await,
    );
    assert_eq!(gone.push_status_code, 410);
    assert!(
        app.push
            .clone()
            .list_subscriptions(alert_platform::identity::user_request(
                alert_proto::v1::ListSubscriptionsRequest {},
                "gone"
            ))
            .await
            .unwrap()
            .into_inner()
            .subscriptions
            .is_empty(),
        "the 410 subscription is deleted"
    );

    let slow = only(
        app.wait_for_deliveries("slow", 1, DeliveryStatus::Delivered)
            .await,
    );
    assert_eq!(slow.attempts, 2, "the timed-out attempt counts");

    let broken = only(
        app.wait_for_deliveries("broken", 1, DeliveryStatus::Failed)
            .await,
    );
    assert_eq!(broken.attempts, 5, "MAX_ATTEMPTS");
    assert_eq!(broken.push_status_code, 500);
    for (user, browser) in &browsers {
        let received = receiver.received_for(&browser.endpoint).len();
        let expected = usize::from(!matches!(*user, "gone" | "broken"));
        // The slow receiver may record its late 201 too: it answered after the sender gave up.
        let expected = if *user == "slow" {
            received.max(1)
        } else {
            expected
        };
        assert_eq!(received, expected, "{user}");
    }
    broken
}

fn only(mut deliveries: Vec<Delivery>) -> Delivery {
    assert_eq!(deliveries.len(), 1);
    deliveries.remove(0)
}
