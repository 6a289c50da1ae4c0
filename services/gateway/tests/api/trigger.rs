//! `POST /scheduler/trigger`: EventBridge's webhook.

use alert_proto::v1::{FireRequest, FireResponse, fire_request::Target};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tonic::Status;

use crate::helpers::{SCHEDULER_SECRET, TestApp, TestResponse, send, spawn_app, spawn_app_with};

async fn trigger(app: &TestApp, secret: Option<&str>, body: &str) -> TestResponse {
    let mut builder = app
        .request(Method::POST, "/scheduler/trigger", None)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(secret) = secret {
        builder = builder.header("x-scheduler-secret", secret);
    }
    send(builder).await
}

const BUCKET_BODY: &str = r#"{"scheduleKey": "0 8 * * 1-5|Asia/Seoul", "scheduledTime": "2024-01-01T08:00:00Z", "executionId": "exec-1"}"#;

#[tokio::test]
async fn a_trigger_is_refused_when_no_secret_is_configured() {
    let app = spawn_app_with(|env| env.with("SCHEDULER_SECRET", "")).await;
    for secret in [None, Some(""), Some(SCHEDULER_SECRET)] {
        let response = trigger(&app, secret, BUCKET_BODY).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "secret {secret:?}"
        );
    }
    assert!(app.recorder.calls().is_empty());
}

#[tokio::test]
async fn wrong_and_missing_secrets_get_identical_401s() {
    let app = spawn_app().await;
    let missing = trigger(&app, None, BUCKET_BODY).await;
    let wrong = trigger(&app, Some("guess"), BUCKET_BODY).await;
    let almost = trigger(
        &app,
        Some(&SCHEDULER_SECRET[..SCHEDULER_SECRET.len() - 1]),
        BUCKET_BODY,
    )
    .await;
    for response in [&missing, &wrong, &almost] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.text, missing.text);
    }
    assert_eq!(
        missing.json["error"]["message"],
        "invalid scheduler credentials"
    );
    assert!(app.recorder.calls().is_empty());
}

#[tokio::test]
async fn a_bucket_trigger_fires_the_bucket() {
    let app = spawn_app().await;
    let response = trigger(&app, Some(SCHEDULER_SECRET), BUCKET_BODY).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.json,
        json!({"accepted": true, "alerts": 3, "duplicate": false})
    );
    let (user, request) = app.recorder.last::<FireRequest>("SchedulerService/Fire");
    assert_eq!(user, None);
    assert_eq!(
        request,
        FireRequest {
            target: Some(Target::ScheduleKey("0 8 * * 1-5|Asia/Seoul".into())),
            scheduled_time: "2024-01-01T08:00:00Z".into(),
            execution_id: "exec-1".into(),
        }
    );
}

#[tokio::test]
async fn an_alert_trigger_with_extra_fields_fires_the_alert() {
    let app = spawn_app().await;
    let body = r#"{"alertId": "alert-9", "userId": "user-1", "alertTypes": ["pm25"], "scheduledTime": "2024-01-01T17:00:00+09:00"}"#;
    let response = trigger(&app, Some(SCHEDULER_SECRET), body).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let (_, request) = app.recorder.last::<FireRequest>("SchedulerService/Fire");
    assert_eq!(request.target, Some(Target::AlertId("alert-9".into())));
    assert_eq!(request.scheduled_time, "2024-01-01T08:00:00Z");
}

#[tokio::test]
async fn a_repeated_or_unknown_target_is_accepted_so_eventbridge_stops_retrying() {
    let app = spawn_app().await;
    app.recorder.answer_fire(FireResponse {
        alerts: 0,
        first_delivery: false,
    });
    let response = trigger(&app, Some(SCHEDULER_SECRET), BUCKET_BODY).await;
    assert_eq!(
        response.json,
        json!({"accepted": true, "alerts": 0, "duplicate": true})
    );

    app.recorder.fail("SchedulerService/Fire", || {
        Status::not_found("no such alert")
    });
    let response = trigger(
        &app,
        Some(SCHEDULER_SECRET),
        r#"{"alertId": "gone", "scheduledTime": "2024-01-01T08:00:00Z"}"#,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.json["alerts"], 0);
}

#[tokio::test]
async fn malformed_trigger_bodies_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("not JSON", "fire!", None),
        (
            "neither target",
            r#"{"scheduledTime": "2024-01-01T08:00:00Z"}"#,
            Some("scheduleKey"),
        ),
        (
            "both targets",
            r#"{"scheduleKey": "k", "alertId": "a", "scheduledTime": "2024-01-01T08:00:00Z"}"#,
            Some("scheduleKey"),
        ),
        (
            "numeric alert id",
            r#"{"alertId": 7, "scheduledTime": "2024-01-01T08:00:00Z"}"#,
            Some("alertId"),
        ),
        (
            "no scheduled time",
            r#"{"scheduleKey": "k"}"#,
            Some("scheduledTime"),
        ),
        (
            "unparsable scheduled time",
            r#"{"scheduleKey": "k", "scheduledTime": "08:00 tomorrow"}"#,
            Some("scheduledTime"),
        ),
        (
            "scheduled time without offset",
            r#"{"scheduleKey": "k", "scheduledTime": "2024-01-01T08:00:00"}"#,
            Some("scheduledTime"),
        ),
    ];
    for (case, body, field) in cases {
        let response = trigger(&app, Some(SCHEDULER_SECRET), body).await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "case {case:?}: {}",
            response.text
        );
        let message = response.json["error"]["message"]
            .as_str()
            .unwrap_or_default();
        match field {
            Some(field) => {
                assert_eq!(
                    response.json["error"]["field"], *field,
                    "case {case:?}: {}",
                    response.text
                );
                assert!(
                    message.contains(field),
                    "case {case:?}: message {message:?} does not name {field}"
                );
            }
            None => assert!(message.contains("JSON"), "case {case:?}: {message:?}"),
        }
    }
    assert!(!app.recorder.called("SchedulerService/Fire"));
}

#[tokio::test]
async fn a_trigger_answers_503_while_the_scheduler_is_unavailable() {
    let app = spawn_app().await;
    app.recorder.fail("SchedulerService/Fire", || {
        Status::unavailable("database is down")
    });
    let response = trigger(&app, Some(SCHEDULER_SECRET), BUCKET_BODY).await;
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.text
    );

    app.recorder.fail("SchedulerService/Fire", || {
        Status::invalid_argument("schedule key is malformed")
    });
    let response = trigger(&app, Some(SCHEDULER_SECRET), BUCKET_BODY).await;
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text
    );
}

#[tokio::test]
async fn an_oversized_trigger_body_is_a_413() {
    let app = spawn_app().await;
    let body = json!({"scheduleKey": "k", "scheduledTime": "2024-01-01T08:00:00Z", "padding": "x".repeat(65 * 1024)}).to_string();
    let response = trigger(&app, Some(SCHEDULER_SECRET), &body).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
}
