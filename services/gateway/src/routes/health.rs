//! `GET /health`: up only when every service behind the gateway says it is serving.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse, response::Response};
use serde_json::json;
use tonic::transport::Channel;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use super::AppState;

/// How long one service may take to answer its health check; load balancers time out soon after.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 `{"status": "ok"}`, or 503 naming the services that are down.
pub async fn health(State(state): State<AppState>) -> Response {
    let checks = state
        .upstreams
        .iter()
        .map(|(name, channel)| async move { (*name, is_serving(channel.clone()).await) });
    let down: Vec<&str> = futures::future::join_all(checks)
        .await
        .into_iter()
        .filter(|(_, serving)| !serving)
        .map(|(name, _)| name)
        .collect();
    if down.is_empty() {
        return (StatusCode::OK, Json(json!({"status": "ok"}))).into_response();
    }
    tracing::warn!(down = ?down, "health check failed");
    let body = json!({
        "status": "unavailable",
        "down": down,
        "error": {"code": "unavailable", "message": format!("not serving: {}", down.join(", "))},
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// 200 `{"status": "ok"}` whenever the gateway itself answers: the container health check.
pub async fn live() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Whether the server behind `channel` reports its overall health (service "") as SERVING.
async fn is_serving(channel: Channel) -> bool {
    let mut client = HealthClient::new(channel);
    let check = client.check(HealthCheckRequest {
        service: String::new(),
    });
    match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(Ok(response)) => response.into_inner().status() == ServingStatus::Serving,
        _ => false,
    }
}
