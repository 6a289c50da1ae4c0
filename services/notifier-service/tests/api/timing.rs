//! When retries happen, on the service's clock: the test moves a `ManualClock` instead of waiting
//! for a push service's `Retry-After` to pass. Another user's notification, sent after each move,
//! shows the workers looked at the queue since: what they did not send then was not due.

use std::sync::Arc;

use alert_platform::{Env, ManualClock};
use alert_proto::v1::{Delivery, DeliveryStatus};
use alert_testkit::Response;
use chrono::{Duration, Utc};

use crate::helpers::{TestApp, World};

#[tokio::test]
async fn retry_after_in_seconds_and_as_a_date_holds_retries_back_on_the_database_queue() {
    let world = World::sqlite().await;
    retry_after_holds_retries_back(&world, world.env()).await;
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_a_date_holds_retries_back_on_the_redis_queue() {
    let world = World::sqlite().await;
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    retry_after_holds_retries_back(&world, world.redis_env(&prefix)).await;
}

async fn retry_after_holds_retries_back(world: &World, env: Env) {
    let clock = ManualClock::new(Utc::now());
    let app = world.start_with_clock(env, Arc::new(clock.clone())).await;
    let in_seconds = world.browser();
    let as_a_date = world.browser();
    app.subscribe("u-1", &in_seconds).await;
    app.subscribe("u-1", &as_a_date).await;
    world.receiver.respond_with_sequence(
        &in_seconds.endpoint,
        [Response::retry_after(429, 60), Response::created()],
    );
    // An IMF-fixdate two minutes ahead of the real time the push service answers.
    let date = (Utc::now() + Duration::seconds(120))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    world.receiver.respond_with_sequence(
        &as_a_date.endpoint,
        [
            Response::RetryAfter {
                status: 503,
                retry_after: date,
            },
            Response::created(),
        ],
    );

    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 2);
    app.wait_for_deliveries_where("u-1", "both refused once", |deliveries| {
        deliveries.len() == 2 && deliveries.iter().all(|d| waiting_after_attempts(d, 1))
    })
    .await;

    clock.advance(Duration::seconds(59));
    let other_users_push_delivered = another_notification_delivered(world, &app, "u-2").await;
    assert!(
        other_users_push_delivered,
        "a waiting retry holds up nothing"
    );
    let deliveries = app.deliveries("u-1", "").await;
    assert!(
        deliveries.iter().all(|d| waiting_after_attempts(d, 1)),
        "59 s in, neither Retry-After has passed: {deliveries:#?}"
    );

    clock.advance(Duration::seconds(1));
    let deliveries = app
        .wait_for_deliveries_where("u-1", "the 60 s retry delivered", |deliveries| {
            deliveries
                .iter()
                .any(|d| d.status == DeliveryStatus::Delivered as i32)
        })
        .await;
    assert_eq!(world.receiver.received_for(&in_seconds.endpoint).len(), 1);
    assert!(
        world.receiver.received_for(&as_a_date.endpoint).is_empty(),
        "the date is a minute further: {deliveries:#?}"
    );
    assert!(
        another_notification_delivered(world, &app, "u-3").await,
        "other deliveries still flow"
    );
    assert!(world.receiver.received_for(&as_a_date.endpoint).is_empty());

    clock.advance(Duration::seconds(61));
    let deliveries = app
        .wait_for_deliveries("u-1", 2, DeliveryStatus::Delivered)
        .await;
    assert!(
        deliveries.iter().all(|d| d.attempts == 2),
        "{deliveries:#?}"
    );
    let refused: Vec<u16> = world
        .receiver
        .attempts()
        .iter()
        .map(|attempt| attempt.status)
        .collect();
    assert_eq!(refused.len(), 2, "one refusal each: {refused:?}");
}

fn waiting_after_attempts(delivery: &Delivery, attempts: u32) -> bool {
    delivery.status == DeliveryStatus::Queued as i32 && delivery.attempts == attempts
}

/// Notifies `user_id`, a new user with a browser of their own, and waits until that push is
/// delivered: the workers claimed from the queue after the clock's last move.
async fn another_notification_delivered(world: &World, app: &TestApp, user_id: &str) -> bool {
    let browser = world.browser();
    app.subscribe(user_id, &browser).await;
    assert_eq!(app.notify(user_id, "run-1", "alert-2").await, 1);
    app.wait_for_deliveries(user_id, 1, DeliveryStatus::Delivered)
        .await;
    world.receiver.received_for(&browser.endpoint).len() == 1
}
