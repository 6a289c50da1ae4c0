//! Subscribing browsers, and the VAPID key they subscribe with.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    GetVapidPublicKeyRequest, ListSubscriptionsRequest, SubscribeRequest, UnsubscribeRequest,
};
use tonic::{Code, Request};

use crate::helpers::{World, assert_invalid_argument};

async fn endpoints(app: &crate::helpers::TestApp, user_id: &str) -> Vec<String> {
    let response = app
        .push
        .clone()
        .list_subscriptions(user_request(ListSubscriptionsRequest {}, user_id))
        .await
        .unwrap();
    response
        .into_inner()
        .subscriptions
        .into_iter()
        .map(|s| s.endpoint)
        .collect()
}

#[tokio::test]
async fn get_vapid_public_key_returns_the_public_key_of_the_configured_private_key() {
    let world = World::sqlite().await;
    let app = world.start().await;
    // No user needed: the browser asks before it subscribes.
    let response = app
        .push
        .clone()
        .get_vapid_public_key(Request::new(GetVapidPublicKeyRequest {}))
        .await
        .unwrap();
    assert_eq!(
        response.into_inner().public_key,
        world.vapid_keys.public_key_base64url()
    );
}

#[tokio::test]
async fn subscribing_the_same_endpoint_again_returns_the_same_id() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    let first = app.subscribe("u-1", &browser).await;
    let second = app.subscribe("u-1", &browser).await;
    assert_eq!(first, second);
    assert_eq!(endpoints(&app, "u-1").await, [browser.endpoint.as_str()]);
}

#[tokio::test]
async fn an_endpoint_subscribed_by_another_user_moves_to_the_caller() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    let first = app.subscribe("u-1", &browser).await;
    let moved = app.subscribe("u-2", &browser).await;
    assert_ne!(
        first, moved,
        "the browser's new owner gets a new subscription id"
    );
    assert!(endpoints(&app, "u-1").await.is_empty());
    assert_eq!(endpoints(&app, "u-2").await, [browser.endpoint.as_str()]);
}

#[tokio::test]
async fn another_users_subscription_is_not_listed() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let mine = world.browser();
    app.subscribe("u-1", &mine).await;
    app.subscribe("u-2", &world.browser()).await;
    assert_eq!(endpoints(&app, "u-1").await, [mine.endpoint.as_str()]);
}

#[tokio::test]
async fn unsubscribe_deletes_only_the_callers_subscription() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let browser = world.browser();
    app.subscribe("u-1", &browser).await;
    let unsubscribe = |user_id: &str| {
        let mut client = app.push.clone();
        let request = user_request(
            UnsubscribeRequest {
                endpoint: browser.endpoint.clone(),
            },
            user_id,
        );
        async move { client.unsubscribe(request).await }
    };

    unsubscribe("u-2")
        .await
        .expect("another user's endpoint is simply not theirs to delete");
    assert_eq!(endpoints(&app, "u-1").await.len(), 1);
    unsubscribe("u-1").await.expect("unsubscribe");
    assert!(endpoints(&app, "u-1").await.is_empty());
    unsubscribe("u-1")
        .await
        .expect("a missing subscription is fine");
}

#[tokio::test]
async fn a_request_without_a_user_is_unauthenticated() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let status = app
        .push
        .clone()
        .list_subscriptions(Request::new(ListSubscriptionsRequest {}))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn invalid_subscriptions_are_rejected_naming_the_field() {
    let world = World::sqlite().await;
    let app = world.start().await;
    let valid = world.browser();
    let (endpoint, p256dh, auth) = (
        valid.endpoint.as_str(),
        valid.p256dh.as_str(),
        valid.auth.as_str(),
    );
    let off_curve = format!("BA{}", "A".repeat(85));
    let cases = [
        (
            "http endpoint without allowance",
            "http://push.example.com/x",
            p256dh,
            auth,
            "endpoint",
        ),
        (
            "private address",
            "https://10.0.0.1/x",
            p256dh,
            auth,
            "endpoint",
        ),
        (
            "loopback address",
            "https://127.0.0.1/x",
            p256dh,
            auth,
            "endpoint",
        ),
        (
            "link-local metadata address",
            "https://169.254.169.254/x",
            p256dh,
            auth,
            "endpoint",
        ),
        ("not a URL", "not a url", p256dh, auth, "endpoint"),
        ("empty endpoint", "", p256dh, auth, "endpoint"),
        ("malformed p256dh", endpoint, "not-a-key!", auth, "p256dh"),
        (
            "p256dh not on the curve",
            endpoint,
            off_curve.as_str(),
            auth,
            "p256dh",
        ),
        ("short auth", endpoint, p256dh, "c2hvcnQ", "auth"),
        ("empty auth", endpoint, p256dh, "", "auth"),
    ];
    for (case, endpoint, p256dh, auth, field) in cases {
        let request = SubscribeRequest {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.to_owned(),
            auth: auth.to_owned(),
        };
        let result = app
            .push
            .clone()
            .subscribe(user_request(request, "u-1"))
            .await;
        assert_invalid_argument(case, result, field);
    }
    assert!(endpoints(&app, "u-1").await.is_empty());
}
