//! CORS for the configured origins only.

use reqwest::{Method, StatusCode};

use crate::helpers::{send, spawn_app_with};

const ALLOWED: &str = "https://app.example.com";

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_allowed() {
    let app = spawn_app_with(|env| {
        env.with(
            "CORS_ALLOWED_ORIGINS",
            format!("{ALLOWED}, http://localhost:5173"),
        )
    })
    .await;
    let response = send(
        app.request(Method::OPTIONS, "/alert.v1.AlertService/ListAlerts", None)
            .header("origin", ALLOWED)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent,authorization",
            ),
    )
    .await;
    assert!(response.status.is_success(), "{}", response.status);
    assert_eq!(response.headers["access-control-allow-origin"], ALLOWED);
    let allowed_headers = response.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "content-type",
        "x-grpc-web",
        "x-user-agent",
        "authorization",
    ] {
        assert!(
            allowed_headers.contains(header),
            "{header} is not allowed: {allowed_headers}"
        );
    }

    let actual = send(
        app.request(Method::GET, "/alerts", Some("user-1"))
            .header("origin", ALLOWED),
    )
    .await;
    assert_eq!(actual.headers["access-control-allow-origin"], ALLOWED);
    let exposed = actual.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        assert!(
            exposed.contains(header),
            "{header} is not exposed: {exposed}"
        );
    }
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed() {
    let app = spawn_app_with(|env| env.with("CORS_ALLOWED_ORIGINS", ALLOWED)).await;
    let response = send(
        app.request(Method::OPTIONS, "/alerts", None)
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert!(
        response
            .headers
            .get("access-control-allow-origin")
            .is_none(),
        "{:?}",
        response.headers
    );
    assert_ne!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
}
