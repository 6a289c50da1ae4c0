//! Each REST route calls the right RPC, as the user of the access token.

use alert_proto::v1::{
    CreateAlertRequest, ListDeliveriesRequest, PreviewNextRunsRequest, SubscribeRequest,
    UpdateAlertRequest,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestResponse, send, spawn_app};

#[tokio::test]
async fn each_signed_in_route_calls_its_rpc_as_the_user_of_the_token() {
    let app = spawn_app().await;
    let cases: &[(Method, &str, Option<Value>, StatusCode, &str)] = &[
        (
            Method::POST,
            "/auth/logout",
            Some(json!({"refreshToken": "r"})),
            StatusCode::NO_CONTENT,
            "AuthService/Logout",
        ),
        (
            Method::GET,
            "/auth/me",
            None,
            StatusCode::OK,
            "AuthService/GetMe",
        ),
        (
            Method::POST,
            "/push/subscribe",
            Some(
                json!({"endpoint": "https://push.example/1", "expirationTime": null, "keys": {"p256dh": "p", "auth": "a"}}),
            ),
            StatusCode::CREATED,
            "PushService/Subscribe",
        ),
        (
            Method::POST,
            "/push/unsubscribe",
            Some(json!({"endpoint": "https://push.example/1"})),
            StatusCode::NO_CONTENT,
            "PushService/Unsubscribe",
        ),
        (
            Method::GET,
            "/push/subscriptions",
            None,
            StatusCode::OK,
            "PushService/ListSubscriptions",
        ),
        (
            Method::POST,
            "/push/test",
            None,
            StatusCode::ACCEPTED,
            "PushService/SendTestNotification",
        ),
        (
            Method::GET,
            "/deliveries?alertId=alert-1&limit=10",
            None,
            StatusCode::OK,
            "PushService/ListDeliveries",
        ),
        (
            Method::POST,
            "/alerts",
            Some(json!({"name": "n", "schedule": "0 8 * * *", "title": "t"})),
            StatusCode::CREATED,
            "AlertService/CreateAlert",
        ),
        (
            Method::GET,
            "/alerts",
            None,
            StatusCode::OK,
            "AlertService/ListAlerts",
        ),
        (
            Method::GET,
            "/alerts/alert-1",
            None,
            StatusCode::OK,
            "AlertService/GetAlert",
        ),
        (
            Method::PATCH,
            "/alerts/alert-1",
            Some(json!({"name": "renamed"})),
            StatusCode::OK,
            "AlertService/UpdateAlert",
        ),
        (
            Method::DELETE,
            "/alerts/alert-1",
            None,
            StatusCode::NO_CONTENT,
            "AlertService/DeleteAlert",
        ),
        (
            Method::PATCH,
            "/alerts/alert-1/toggle",
            None,
            StatusCode::OK,
            "AlertService/ToggleAlert",
        ),
        (
            Method::GET,
            "/alerts/alert-1/next-runs?count=2",
            None,
            StatusCode::OK,
            "AlertService/PreviewNextRuns",
        ),
        (
            Method::GET,
            "/alerts/next-runs?schedule=0%208%20*%20*%20*",
            None,
            StatusCode::OK,
            "AlertService/PreviewNextRuns",
        ),
        (
            Method::GET,
            "/alerts/alert-1/runs",
            None,
            StatusCode::OK,
            "AlertService/ListAlertRuns",
        ),
        (
            Method::PATCH,
            "/auth/me",
            Some(json!({"language": "en"})),
            StatusCode::OK,
            "AuthService/UpdateSettings",
        ),
        (
            Method::GET,
            "/air-quality/stations?query=x",
            None,
            StatusCode::OK,
            "AirQualityService/SearchStations",
        ),
        (
            Method::GET,
            "/air-quality/stations/nearest?lat=37.5&lon=127",
            None,
            StatusCode::OK,
            "AirQualityService/NearestStations",
        ),
        (
            Method::GET,
            "/air-quality/stations/x/reading",
            None,
            StatusCode::OK,
            "AirQualityService/GetStationReading",
        ),
    ];
    for (method, path, body, expected_status, rpc) in cases {
        let user = format!("user-for-{rpc}");
        let response = app
            .call(method.clone(), path, Some(&user), body.clone())
            .await;
        assert_eq!(
            response.status, *expected_status,
            "{method} {path}: {}",
            response.text
        );
        let calls = app.recorder.calls();
        let (called, called_for) = calls
            .last()
            .unwrap_or_else(|| panic!("{method} {path} called nothing"));
        assert_eq!(called, rpc, "{method} {path} called the wrong rpc");
        assert_eq!(
            called_for.as_deref(),
            Some(user.as_str()),
            "{method} {path} called {rpc} for the wrong user"
        );
    }
}

#[tokio::test]
async fn public_routes_call_their_rpc_without_a_user() {
    let app = spawn_app().await;
    let cases: &[(Method, &str, Option<Value>, StatusCode, &str)] = &[
        (
            Method::POST,
            "/auth/register",
            Some(json!({"email": "a@example.com", "password": "pw"})),
            StatusCode::CREATED,
            "AuthService/Register",
        ),
        (
            Method::POST,
            "/auth/login",
            Some(json!({"email": "a@example.com", "password": "pw"})),
            StatusCode::OK,
            "AuthService/Login",
        ),
        (
            Method::POST,
            "/auth/refresh",
            Some(json!({"refreshToken": "r"})),
            StatusCode::OK,
            "AuthService/Refresh",
        ),
        (
            Method::GET,
            "/push/vapid-public-key",
            None,
            StatusCode::OK,
            "PushService/GetVapidPublicKey",
        ),
    ];
    for (method, path, body, expected_status, rpc) in cases {
        let response = app.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(
            response.status, *expected_status,
            "{method} {path}: {}",
            response.text
        );
        assert_eq!(
            app.recorder.calls().last().cloned(),
            Some((*rpc, None)),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_client_sent_user_id_header_is_ignored() {
    let app = spawn_app().await;
    let signed_in = send(
        app.request(Method::GET, "/alerts", Some("real-user"))
            .header("x-user-id", "someone-else"),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(
        app.recorder
            .last::<alert_proto::v1::ListAlertsRequest>("AlertService/ListAlerts")
            .0
            .as_deref(),
        Some("real-user")
    );

    let anonymous = send(
        app.request(Method::POST, "/auth/login", None)
            .header("x-user-id", "someone-else")
            .json(&json!({"email": "a@example.com", "password": "pw"})),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(
        app.recorder.calls().last().cloned(),
        Some(("AuthService/Login", None))
    );

    let without_token = send(
        app.request(Method::GET, "/alerts", None)
            .header("x-user-id", "someone-else"),
    )
    .await;
    assert_eq!(without_token.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_answers_the_session_in_camel_case() {
    let app = spawn_app().await;
    let response = app
        .call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "ada@example.com", "password": "pw"})),
        )
        .await;
    assert_eq!(
        response.json,
        json!({
            "accessToken": "access",
            "refreshToken": "refresh",
            "expiresIn": 900,
            "user": {"id": "user-1", "email": "ada@example.com", "createdAt": "2024-01-01T00:00:00Z", "language": "ko"}
        })
    );
    let register = app
        .call(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({"email": "ada@example.com", "password": "pw"})),
        )
        .await;
    assert_eq!(register.json["user"]["email"], "ada@example.com");
}

#[tokio::test]
async fn creating_an_alert_forwards_every_field_and_answers_the_alert() {
    let app = spawn_app().await;
    let body = json!({"name": "dust", "schedule": "0 8 * * 1-5", "timezone": "Asia/Seoul", "title": "PM2.5", "body": "b", "enabled": false});
    let response = app
        .call(Method::POST, "/alerts", Some("user-1"), Some(body))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let (_, request) = app
        .recorder
        .last::<CreateAlertRequest>("AlertService/CreateAlert");
    assert_eq!(
        request,
        CreateAlertRequest {
            name: "dust".into(),
            schedule: "0 8 * * 1-5".into(),
            timezone: "Asia/Seoul".into(),
            title: "PM2.5".into(),
            body: "b".into(),
            enabled: Some(false),
            content: None,
        }
    );
    let keys: Vec<&str> = response
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "name",
        "schedule",
        "timezone",
        "title",
        "body",
        "enabled",
        "createdAt",
        "updatedAt",
        "content",
    ] {
        assert!(
            keys.contains(&key),
            "alert JSON lacks {key}: {}",
            response.text
        );
    }

    let minimal = app
        .call(
            Method::POST,
            "/alerts",
            Some("user-1"),
            Some(json!({"name": "n", "schedule": "* * * * *", "title": "t"})),
        )
        .await;
    assert_eq!(minimal.status, StatusCode::CREATED);
    let (_, request) = app
        .recorder
        .last::<CreateAlertRequest>("AlertService/CreateAlert");
    assert_eq!(
        (
            request.timezone.as_str(),
            request.body.as_str(),
            request.enabled
        ),
        ("", "", None)
    );
}

#[tokio::test]
async fn updating_an_alert_forwards_only_the_fields_given() {
    let app = spawn_app().await;
    let response = app
        .call(
            Method::PATCH,
            "/alerts/alert-7",
            Some("user-1"),
            Some(json!({"schedule": "0 9 * * *", "enabled": true})),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let (_, request) = app
        .recorder
        .last::<UpdateAlertRequest>("AlertService/UpdateAlert");
    assert_eq!(
        request,
        UpdateAlertRequest {
            id: "alert-7".into(),
            schedule: Some("0 9 * * *".into()),
            enabled: Some(true),
            ..Default::default()
        }
    );
}

#[tokio::test]
async fn subscribing_forwards_the_browsers_subscription_keys() {
    let app = spawn_app().await;
    let body = json!({"endpoint": "https://push.example/abc", "expirationTime": 1_700_000_000_000_i64, "keys": {"p256dh": "BKey", "auth": "secret"}});
    let response = app
        .call(Method::POST, "/push/subscribe", Some("user-1"), Some(body))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.json, json!({"id": "subscription-1"}));
    let (_, request) = app
        .recorder
        .last::<SubscribeRequest>("PushService/Subscribe");
    assert_eq!(
        request,
        SubscribeRequest {
            endpoint: "https://push.example/abc".into(),
            p256dh: "BKey".into(),
            auth: "secret".into()
        }
    );
}

#[tokio::test]
async fn deliveries_are_listed_with_readable_statuses() {
    let app = spawn_app().await;
    let response: TestResponse = app
        .call(
            Method::GET,
            "/deliveries?alertId=alert-1&limit=20",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let (_, request) = app
        .recorder
        .last::<ListDeliveriesRequest>("PushService/ListDeliveries");
    assert_eq!(
        request,
        ListDeliveriesRequest {
            alert_id: "alert-1".into(),
            limit: 20
        }
    );
    let deliveries = response.json["deliveries"].as_array().unwrap();
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["alertId"], "alert-1");
    assert_eq!(deliveries[0]["pushStatusCode"], 201);
    assert_eq!(deliveries[0]["deliveredAt"], "2024-01-01T08:00:01Z");
    assert_eq!(deliveries[1]["status"], "failed");
    assert_eq!(
        deliveries[1]["alertId"],
        Value::Null,
        "a test notification belongs to no alert"
    );
    assert_eq!(deliveries[1]["error"], "push service unavailable");
}

#[tokio::test]
async fn next_runs_are_previewed_for_saved_and_unsaved_schedules() {
    let app = spawn_app().await;
    let saved = app
        .call(
            Method::GET,
            "/alerts/alert-1/next-runs?count=2",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(
        saved.json,
        json!({"timezone": "Asia/Seoul", "nextRuns": ["2024-01-01T08:00:00+09:00", "2024-01-02T08:00:00+09:00"]})
    );
    let (_, request) = app
        .recorder
        .last::<PreviewNextRunsRequest>("AlertService/PreviewNextRuns");
    assert_eq!(
        request,
        PreviewNextRunsRequest {
            id: "alert-1".into(),
            count: 2,
            ..Default::default()
        }
    );

    let unsaved = app
        .call(
            Method::GET,
            "/alerts/next-runs?schedule=0%208%20*%20*%201-5&timezone=Europe%2FParis",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(unsaved.status, StatusCode::OK);
    let (_, request) = app
        .recorder
        .last::<PreviewNextRunsRequest>("AlertService/PreviewNextRuns");
    assert_eq!(
        request,
        PreviewNextRunsRequest {
            id: String::new(),
            schedule: "0 8 * * 1-5".into(),
            timezone: "Europe/Paris".into(),
            count: 0
        }
    );
}

#[tokio::test]
async fn sending_a_test_notification_answers_how_many_were_queued() {
    let app = spawn_app().await;
    let response = app
        .call(Method::POST, "/push/test", Some("user-1"), None)
        .await;
    assert_eq!(
        (response.status, response.json.clone()),
        (StatusCode::ACCEPTED, json!({"queued": 2}))
    );
    let vapid = app
        .call(Method::GET, "/push/vapid-public-key", None, None)
        .await;
    assert_eq!(vapid.json, json!({"publicKey": "BPublicKey"}));
}
