//! What the push service answers decides what happens next: gone subscriptions are deleted,
//! transient failures retried with backoff, hopeless ones failed.

use std::time::Duration;

use alert_proto::v1::DeliveryStatus;
use alert_testkit::Response;

use crate::helpers::{PATIENCE, World};

#[tokio::test]
async fn a_gone_subscription_is_deleted_and_its_delivery_expires() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    world.receiver.unsubscribe(&browser.endpoint);

    app.notify("u-1", "run-1", "alert-1").await;

    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Expired)
        .await;
    assert_eq!(deliveries[0].push_status_code, 410);
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(
        app.notify("u-1", "run-2", "alert-1").await,
        0,
        "the subscription was deleted"
    );
    assert_eq!(
        world.receiver.request_count(),
        1,
        "the second Notify does not reach it"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_until_delivered() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    world
        .receiver
        .respond_with_sequence(&browser.endpoint, [503, 503, 201]);

    app.notify("u-1", "run-1", "alert-1").await;

    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Delivered)
        .await;
    assert_eq!(deliveries[0].attempts, 3);
    assert_eq!(deliveries[0].push_status_code, 201);
    assert_eq!(world.receiver.attempts().len(), 2, "two refused attempts");
    assert_eq!(world.receiver.received().len(), 1);
}

#[tokio::test]
async fn a_push_service_that_always_fails_leaves_the_delivery_failed_after_max_attempts() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    world.receiver.respond_with(&browser.endpoint, 500);

    app.notify("u-1", "run-1", "alert-1").await;

    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Failed)
        .await;
    assert_eq!(deliveries[0].attempts, 5);
    assert_eq!(deliveries[0].push_status_code, 500);
    assert!(
        deliveries[0].error.contains("500"),
        "{}",
        deliveries[0].error
    );
    assert_eq!(
        world.receiver.attempts().len(),
        5,
        "no attempt after the last"
    );
}

#[tokio::test]
async fn a_rejected_push_fails_at_once() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    world.receiver.respond_with(&browser.endpoint, 400);

    app.notify("u-1", "run-1", "alert-1").await;

    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Failed)
        .await;
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(deliveries[0].push_status_code, 400);
}

#[tokio::test]
async fn retry_after_is_honoured_as_the_minimum_delay() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    world.receiver.respond_with_sequence(
        &browser.endpoint,
        [Response::retry_after(429, 1), Response::created()],
    );

    app.notify("u-1", "run-1", "alert-1").await;

    let received = world.receiver.wait_for_received(1, PATIENCE).await;
    assert_eq!(received.len(), 1);
    let refused = world.receiver.attempts();
    assert_eq!(refused.len(), 1);
    let gap = (received[0].received_at - refused[0].push.received_at)
        .to_std()
        .unwrap();
    assert!(
        gap >= Duration::from_secs(1),
        "retried after {gap:?}, before the push service's Retry-After"
    );
    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Delivered)
        .await;
    assert_eq!(deliveries[0].attempts, 2);
}
