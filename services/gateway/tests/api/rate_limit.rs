//! Callers get `RATE_LIMIT_PER_MINUTE` requests; the trigger is exempt.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{SCHEDULER_SECRET, send, spawn_app_with};

#[tokio::test]
async fn a_user_over_the_limit_gets_429_with_retry_after() {
    let app = spawn_app_with(|env| env.with("RATE_LIMIT_PER_MINUTE", "3")).await;
    for attempt in 1..=3 {
        let response = app
            .call(Method::GET, "/alerts", Some("busy-user"), None)
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "request {attempt} is within the limit"
        );
    }
    let limited = app
        .call(Method::GET, "/alerts", Some("busy-user"), None)
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json["error"]["code"], "resource_exhausted");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "retry-after {retry_after}");

    let other_user = app
        .call(Method::GET, "/alerts", Some("calm-user"), None)
        .await;
    assert_eq!(
        other_user.status,
        StatusCode::OK,
        "each user has an allowance of its own"
    );
}

#[tokio::test]
async fn anonymous_callers_are_limited_by_address() {
    let app = spawn_app_with(|env| env.with("RATE_LIMIT_PER_MINUTE", "2")).await;
    let login = || {
        app.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "a@example.com", "password": "guess"})),
        )
    };
    assert_eq!(login().await.status, StatusCode::OK);
    assert_eq!(login().await.status, StatusCode::OK);
    assert_eq!(login().await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_trigger_is_not_rate_limited() {
    let app = spawn_app_with(|env| env.with("RATE_LIMIT_PER_MINUTE", "1")).await;
    for attempt in 1..=5 {
        let response = send(
            app.request(Method::POST, "/scheduler/trigger", None)
                .header("x-scheduler-secret", SCHEDULER_SECRET)
                .json(&json!({"scheduleKey": "k", "scheduledTime": format!("2024-01-01T08:0{attempt}:00Z")})),
        )
        .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "trigger {attempt}: {}",
            response.text
        );
    }
}
