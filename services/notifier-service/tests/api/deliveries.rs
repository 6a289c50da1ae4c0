//! Notify: one push per subscription, exactly the message, once per dedupe key.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    DeliveryStatus, ListDeliveriesRequest, NotificationMessage, SendTestNotificationRequest,
};
use alert_webpush::MAX_PAYLOAD_BYTES;

use crate::helpers::{PATIENCE, World, assert_invalid_argument, notify_request};

#[tokio::test]
async fn a_notification_reaches_the_subscribed_browser_once() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;

    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 1);

    let received = world.receiver.wait_for_received(1, PATIENCE).await;
    assert_eq!(received.len(), 1, "{:?}", world.receiver.rejections());
    let push = &received[0];
    assert_eq!(push.endpoint, browser.endpoint);
    let payload = push.payload_json().expect("the payload is JSON");
    assert_eq!(payload["title"], "Title run-1");
    assert_eq!(payload["body"], "Body run-1");
    assert_eq!(payload["url"], "/alerts");
    assert_eq!(payload["alertId"], "alert-1");
    assert_eq!(push.ttl, 24 * 3600, "0 means a day");
    assert_eq!(push.urgency.as_deref(), Some("normal"));
    assert!(
        push.topic
            .as_deref()
            .is_some_and(|t| !t.is_empty() && t.len() <= 32),
        "{:?}",
        push.topic
    );
    assert_eq!(push.vapid_sub, "mailto:alerts@example.com");

    let deliveries = app
        .wait_for_deliveries("u-1", 1, DeliveryStatus::Delivered)
        .await;
    assert_eq!(payload["deliveryId"], deliveries[0].id);
    assert_eq!(deliveries[0].attempts, 1);
    assert_eq!(deliveries[0].push_status_code, 201);
    assert!(!deliveries[0].delivered_at.is_empty());
    assert_eq!(deliveries[0].title, "Title run-1");
    assert_eq!(world.receiver.received().len(), 1, "sent exactly once");
}

#[tokio::test]
async fn notifying_twice_with_the_same_dedupe_key_pushes_once_per_subscription() {
    let world = World::sqlite().await;
    let app = world.start().await;
    app.subscribe("u-1", &world.browser()).await;

    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 1);
    assert_eq!(
        app.notify("u-1", "run-1", "alert-1").await,
        0,
        "a repeated Notify queues nothing new"
    );

    app.wait_for_deliveries("u-1", 1, DeliveryStatus::Delivered)
        .await;
    assert_eq!(world.receiver.received().len(), 1);
}

#[tokio::test]
async fn two_subscriptions_get_two_pushes() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let (phone, laptop) = (world.browser(), world.browser());
    app.subscribe("u-1", &phone).await;
    app.subscribe("u-1", &laptop).await;
    app.subscribe("u-2", &world.browser()).await;

    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 2);

    app.wait_for_deliveries("u-1", 2, DeliveryStatus::Delivered)
        .await;
    assert_eq!(world.receiver.received_for(&phone.endpoint).len(), 1);
    assert_eq!(world.receiver.received_for(&laptop.endpoint).len(), 1);
    assert_eq!(
        world.receiver.received().len(),
        2,
        "the other user's browser gets nothing"
    );
}

#[tokio::test]
async fn a_user_without_subscriptions_queues_nothing() {
    let world = World::sqlite().await;
    let app = world.start().await;
    assert_eq!(app.notify("u-1", "run-1", "alert-1").await, 0);
    assert!(app.deliveries("u-1", "").await.is_empty());
}

#[tokio::test]
async fn invalid_notifications_are_rejected_naming_the_field() {
    let world = World::sqlite().await;
    let app = world.start().await;
    app.subscribe("u-1", &world.browser()).await;
    let valid = || notify_request("u-1", "run-1", "alert-1");
    let message = |title: &str, body: &str| {
        Some(NotificationMessage {
            title: title.into(),
            body: body.into(),
            url: String::new(),
            tag: String::new(),
        })
    };
    let cases = [
        (
            "empty user id",
            alert_proto::v1::NotifyRequest {
                user_id: String::new(),
                ..valid()
            },
            "user_id",
        ),
        (
            "blank dedupe key",
            alert_proto::v1::NotifyRequest {
                dedupe_key: "  ".into(),
                ..valid()
            },
            "dedupe_key",
        ),
        (
            "no message",
            alert_proto::v1::NotifyRequest {
                message: None,
                ..valid()
            },
            "message",
        ),
        (
            "empty title",
            alert_proto::v1::NotifyRequest {
                message: message("", "body"),
                ..valid()
            },
            "message.title",
        ),
        (
            "message too large for one push",
            alert_proto::v1::NotifyRequest {
                message: message("t", &"x".repeat(MAX_PAYLOAD_BYTES)),
                ..valid()
            },
            "message",
        ),
        (
            "unknown urgency",
            alert_proto::v1::NotifyRequest {
                urgency: 42,
                ..valid()
            },
            "urgency",
        ),
    ];
    for (case, request, field) in cases {
        assert_invalid_argument(case, app.try_notify(request).await, field);
    }
    assert!(
        app.deliveries("u-1", "").await.is_empty(),
        "nothing was queued"
    );
}

#[tokio::test]
async fn a_too_large_message_names_its_size_and_the_limit() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let mut request = notify_request("u-1", "run-1", "alert-1");
    request.message.as_mut().unwrap().body = "x".repeat(MAX_PAYLOAD_BYTES);
    let status = app.try_notify(request).await.unwrap_err();
    assert!(
        status.message().contains(&MAX_PAYLOAD_BYTES.to_string()),
        "{status:?}"
    );
}

#[tokio::test]
async fn list_deliveries_is_filtered_by_alert_and_newest_first() {
    let world = World::sqlite().await;
    let app = world.start().await;
    app.subscribe("u-1", &world.browser()).await;
    app.subscribe("u-2", &world.browser()).await;
    app.notify("u-1", "run-1", "alert-1").await;
    app.notify("u-1", "run-2", "alert-2").await;
    app.notify("u-1", "run-3", "alert-1").await;
    app.notify("u-2", "run-4", "alert-1").await;

    let of_alert_1 = app.deliveries("u-1", "alert-1").await;
    let titles: Vec<&str> = of_alert_1.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Title run-3", "Title run-1"],
        "newest first, only alert-1, only the caller's"
    );
    assert_eq!(app.deliveries("u-1", "").await.len(), 3);

    let request = ListDeliveriesRequest {
        alert_id: String::new(),
        limit: 2,
    };
    let limited = app
        .push
        .clone()
        .list_deliveries(user_request(request, "u-1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(limited.deliveries.len(), 2);
    let request = ListDeliveriesRequest {
        alert_id: String::new(),
        limit: 501,
    };
    assert_invalid_argument(
        "limit over 500",
        app.push
            .clone()
            .list_deliveries(user_request(request, "u-1"))
            .await,
        "limit",
    );
}

#[tokio::test]
async fn a_test_notification_reaches_every_browser_of_the_caller() {
    let world = World::sqlite().await;
    let app = world.start().await;
    app.subscribe("u-1", &world.browser()).await;
    app.subscribe("u-1", &world.browser()).await;

    let queued = app
        .push
        .clone()
        .send_test_notification(user_request(SendTestNotificationRequest {}, "u-1"))
        .await;
    assert_eq!(queued.unwrap().into_inner().queued, 2);

    let received = world.receiver.wait_for_received(2, PATIENCE).await;
    assert_eq!(received.len(), 2);
    for push in received {
        let payload = push.payload_json().unwrap();
        assert_eq!(payload["title"], "Test notification");
        assert_eq!(payload["alertId"], serde_json::Value::Null);
        assert_eq!(push.topic, None, "a test belongs to no alert");
    }
}

#[tokio::test]
async fn bursts_reuse_the_connections_of_the_previous_burst() {
    // Every send slot's connection stays in the pool between bursts: a pool that kept fewer idle
    // connections than sends in flight would close the rest after each burst and open new ones
    // (a TCP handshake, and on https a TLS one, per push) in the next.
    let world = World::sqlite().await;
    let concurrency = 64;
    let app = world
        .start_with(
            world
                .env()
                .with("PUSH_CONCURRENCY", concurrency.to_string()),
        )
        .await;
    let subscriptions = 200;
    for _ in 0..subscriptions {
        app.subscribe("u-1", &world.browser()).await;
    }

    let bursts = 3;
    for burst in 1..=bursts {
        let run = format!("run-{burst}");
        assert_eq!(app.notify("u-1", &run, &run).await, subscriptions);
        let expected = (burst * subscriptions) as usize;
        let received = world.receiver.wait_for_received(expected, PATIENCE).await;
        assert_eq!(
            received.len(),
            expected,
            "{:?}",
            world.receiver.rejections()
        );
    }

    let connections = world.receiver.connections();
    assert!(
        connections <= 2 * concurrency as u64,
        "{connections} connections for {bursts} bursts of {subscriptions} pushes, {concurrency} at a time"
    );
}
