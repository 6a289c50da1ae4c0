//! Deliveries survive a restart: what was queued when the service stopped is sent by the next.

use std::time::Duration;

use alert_proto::v1::DeliveryStatus;
use alert_testkit::Response;

use crate::helpers::{PATIENCE, World};

#[tokio::test]
async fn deliveries_queued_when_the_service_stops_are_sent_after_a_restart() {
    let world = World::postgres().await;
    // One send at a time, each slow: most deliveries are still queued when the service stops.
    let env = world.env().with("PUSH_CONCURRENCY", "1");
    let app = world.start_with(env.clone()).await;
    let browsers: Vec<_> = (0..4).map(|_| world.browser()).collect();
    for browser in &browsers {
        app.subscribe("u-1", browser).await;
    }
    world
        .receiver
        .respond_all_with(Response::created().delayed(Duration::from_millis(500)));

    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 4);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while world.receiver.request_count() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first push never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.stop().await;
    let delivered_before_restart = world.receiver.received().len();
    assert!(
        delivered_before_restart < 4,
        "the in-flight send finishes, the rest waits"
    );
    assert!(
        delivered_before_restart >= 1,
        "the send in flight at shutdown was finished"
    );

    world.receiver.respond_all_with(Response::created());
    let app = world.start_with(env).await;
    app.wait_for_deliveries("u-1", 4, DeliveryStatus::Delivered)
        .await;
    for browser in &browsers {
        assert_eq!(
            world.receiver.received_for(&browser.endpoint).len(),
            1,
            "each browser gets it exactly once"
        );
    }
}

#[tokio::test]
async fn a_graceful_stop_mid_fan_out_on_the_redis_queue_hands_the_rest_to_the_next_process() {
    const FAN_OUT: usize = 96;
    let world = World::sqlite().await;
    let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    // A visibility timeout far beyond the test: the next process can only send at once what the
    // stopping one finished or gave back, not what it would take over after a lease ran out.
    let env = world
        .redis_env(&prefix)
        .with("PUSH_CONCURRENCY", "8")
        .with("QUEUE_VISIBILITY_TIMEOUT", "10m");
    let app = world.start_with(env.clone()).await;
    let browsers: Vec<_> = (0..FAN_OUT).map(|_| world.browser()).collect();
    for browser in &browsers {
        app.subscribe("crowd", browser).await;
    }
    world
        .receiver
        .respond_all_with(Response::created().delayed(Duration::from_millis(50)));

    assert_eq!(
        app.notify("crowd", "run-1", "alert-1").await,
        FAN_OUT as u32
    );
    world.receiver.wait_for_received(16, PATIENCE).await;
    app.stop().await;
    let sent_before_stop = world.receiver.request_count();
    assert!(
        (sent_before_stop as usize) < FAN_OUT,
        "the stop came after the fan-out finished"
    );

    world.receiver.respond_all_with(Response::created());
    let app = world.start_with(env).await;
    let deliveries = app
        .wait_for_deliveries("crowd", FAN_OUT, DeliveryStatus::Delivered)
        .await;
    assert!(
        deliveries.iter().all(|d| d.attempts == 1),
        "{deliveries:#?}"
    );
    for browser in &browsers {
        assert_eq!(
            world.receiver.received_for(&browser.endpoint).len(),
            1,
            "every browser gets its push once: the sends in flight at the stop were finished and \
             acknowledged, the claimed ones not started were given back"
        );
    }
}
