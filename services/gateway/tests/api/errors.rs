//! Upstream statuses and malformed requests become JSON error bodies with the right HTTP status.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::helpers::{send, spawn_app};

fn field_violation(
    code: Code,
    field: &'static str,
    message: &'static str,
) -> impl Fn() -> Status + Send + Sync + 'static {
    move || {
        Status::with_error_details(
            code,
            message,
            ErrorDetails::with_bad_request_violation(field, message),
        )
    }
}

#[tokio::test]
async fn an_upstream_invalid_argument_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    app.recorder.fail(
        "AlertService/CreateAlert",
        field_violation(
            Code::InvalidArgument,
            "schedule",
            "schedule must have five fields",
        ),
    );
    let response = app
        .call(
            Method::POST,
            "/alerts",
            Some("user-1"),
            Some(json!({"name": "n", "schedule": "0 8", "title": "t"})),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json,
        json!({"error": {"code": "invalid_argument", "message": "schedule must have five fields", "field": "schedule"}})
    );
}

#[tokio::test]
async fn upstream_field_names_are_spelled_as_in_our_json() {
    let app = spawn_app().await;
    app.recorder.fail(
        "AuthService/Refresh",
        field_violation(
            Code::InvalidArgument,
            "refresh_token",
            "refresh token is required",
        ),
    );
    let response = app
        .call(
            Method::POST,
            "/auth/refresh",
            None,
            Some(json!({"refreshToken": ""})),
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json["error"]["field"], "refreshToken");
}

#[tokio::test]
async fn upstream_statuses_map_to_http_statuses() {
    let cases: &[(Code, StatusCode, &str)] = &[
        (Code::NotFound, StatusCode::NOT_FOUND, "not_found"),
        (Code::AlreadyExists, StatusCode::CONFLICT, "already_exists"),
        (
            Code::Unauthenticated,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            Code::PermissionDenied,
            StatusCode::FORBIDDEN,
            "permission_denied",
        ),
        (
            Code::FailedPrecondition,
            StatusCode::PRECONDITION_FAILED,
            "failed_precondition",
        ),
        (
            Code::Unavailable,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ),
        (
            Code::Internal,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
        ),
    ];
    for (code, expected_status, expected_code) in cases {
        let app = spawn_app().await;
        let code = *code;
        app.recorder.fail("AlertService/GetAlert", move || {
            Status::new(code, "alert not found")
        });
        let response = app
            .call(Method::GET, "/alerts/alert-1", Some("user-1"), None)
            .await;
        assert_eq!(
            response.status, *expected_status,
            "upstream {code:?}: {}",
            response.text
        );
        assert_eq!(
            response.json["error"]["code"], *expected_code,
            "upstream {code:?}"
        );
    }
}

#[tokio::test]
async fn upstream_server_faults_are_answered_opaquely() {
    let app = spawn_app().await;
    app.recorder.fail("AlertService/ListAlerts", || {
        Status::internal("relation \"alerts\" does not exist")
    });
    let response = app.call(Method::GET, "/alerts", Some("user-1"), None).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.json,
        json!({"error": {"code": "internal", "message": "internal error"}})
    );

    app.recorder.fail("AlertService/ListAlerts", || {
        Status::unavailable("connection refused by 10.0.0.7")
    });
    let response = app.call(Method::GET, "/alerts", Some("user-1"), None).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!response.text.contains("10.0.0.7"), "{}", response.text);
}

#[tokio::test]
async fn malformed_bodies_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("not JSON", "/alerts", "name=dust", None),
        ("empty", "/alerts", "", None),
        ("a JSON array", "/alerts", "[1, 2]", None),
        (
            "name is a number",
            "/alerts",
            r#"{"name": 5, "schedule": "* * * * *", "title": "t"}"#,
            Some("name"),
        ),
        (
            "enabled is a string",
            "/alerts",
            r#"{"name": "n", "schedule": "* * * * *", "title": "t", "enabled": "yes"}"#,
            Some("enabled"),
        ),
        (
            "schedule is missing",
            "/alerts",
            r#"{"name": "n", "title": "t"}"#,
            Some("schedule"),
        ),
        (
            "keys are missing",
            "/push/subscribe",
            r#"{"endpoint": "https://push.example/1"}"#,
            Some("keys"),
        ),
        (
            "auth key is missing",
            "/push/subscribe",
            r#"{"endpoint": "https://push.example/1", "keys": {"p256dh": "p"}}"#,
            Some("keys.auth"),
        ),
    ];
    for (case, path, body, field) in cases {
        let response = send(
            app.request(Method::POST, path, Some("user-1"))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "case {case:?}: {}",
            response.text
        );
        assert_eq!(
            response.json["error"]["code"], "invalid_argument",
            "case {case:?}"
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
            None => assert!(
                message.contains("JSON"),
                "case {case:?}: message {message:?} does not say what is wrong"
            ),
        }
    }
    assert!(
        app.recorder.calls().is_empty(),
        "no malformed request reaches a service"
    );
}

#[tokio::test]
async fn a_body_over_64_kib_is_a_413() {
    let app = spawn_app().await;
    let huge =
        json!({"name": "n", "schedule": "* * * * *", "title": "t", "body": "x".repeat(65 * 1024)});
    let response = app
        .call(Method::POST, "/alerts", Some("user-1"), Some(huge))
        .await;
    assert_eq!(
        response.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        response.text
    );
    assert_eq!(response.json["error"]["code"], "payload_too_large");
    assert!(
        response.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("64 KiB"),
        "{}",
        response.text
    );
    assert!(app.recorder.calls().is_empty());
}

#[tokio::test]
async fn a_malformed_query_parameter_is_a_400_naming_it() {
    let app = spawn_app().await;
    let response = app
        .call(Method::GET, "/deliveries?limit=lots", Some("user-1"), None)
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json["error"]["field"], "limit");
    let response = app
        .call(
            Method::GET,
            "/alerts/alert-1/next-runs?count=-1",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json["error"]["field"], "count");
}
