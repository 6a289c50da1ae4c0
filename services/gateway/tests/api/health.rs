//! `/health` is up only while every upstream service is serving.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tonic_health::ServingStatus;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_is_ok_when_every_service_is_serving() {
    let app = spawn_app().await;
    let response = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.json, json!({"status": "ok"}));
}

#[tokio::test]
async fn health_is_503_naming_the_service_that_is_not_serving() {
    let app = spawn_app().await;
    app.set_health(&app.scheduler_health, ServingStatus::NotServing)
        .await;
    let response = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.json["down"], json!(["scheduler-service"]));

    app.set_health(&app.scheduler_health, ServingStatus::Serving)
        .await;
    app.set_health(&app.notifier_health, ServingStatus::NotServing)
        .await;
    app.set_health(&app.alert_health, ServingStatus::NotServing)
        .await;
    let response = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(
        response.json["down"],
        json!(["alert-service", "notifier-service"])
    );
}
