//! Timeouts, plain gRPC clients, the container health probe, and shutdown.

use std::time::Duration;

use alert_platform::grpc;
use alert_proto::v1::{
    ListAlertsRequest, NotifyRequest, alert_service_client::AlertServiceClient,
    notifier_service_client::NotifierServiceClient,
};
use gateway::probe::probe_liveness;
use reqwest::{Method, StatusCode};
use tonic::{Code, Request};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

fn signed_in<T>(app: &TestApp, message: T, user_id: &str) -> Request<T> {
    let mut request = Request::new(message);
    let authorization = format!("Bearer {}", app.token(user_id)).parse().unwrap();
    request
        .metadata_mut()
        .insert("authorization", authorization);
    request
        .metadata_mut()
        .insert("x-user-id", "forged-user".parse().unwrap());
    request
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_503() {
    let app = spawn_app_with(|env| env.with("REQUEST_TIMEOUT", "300ms")).await;
    app.recorder.hang("AlertService/ListAlerts");
    let response = app.call(Method::GET, "/alerts", Some("user-1"), None).await;
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        response.text
    );
    assert_eq!(response.json["error"]["code"], "unavailable");
}

#[tokio::test]
async fn a_plain_grpc_client_reaches_public_services_and_not_internal_ones() {
    let app = spawn_app().await;
    let channel = grpc::connect_lazy(&format!("http://{}", app.address)).unwrap();

    let response = AlertServiceClient::new(channel.clone())
        .list_alerts(signed_in(&app, ListAlertsRequest {}, "grpc-user"))
        .await
        .expect("ListAlerts through the gateway");
    assert_eq!(response.into_inner().alerts.len(), 2);
    let (user, _) = app
        .recorder
        .last::<ListAlertsRequest>("AlertService/ListAlerts");
    assert_eq!(user.as_deref(), Some("grpc-user"));

    let unauthenticated = AlertServiceClient::new(channel.clone())
        .list_alerts(ListAlertsRequest {})
        .await
        .unwrap_err();
    assert_eq!(unauthenticated.code(), Code::Unauthenticated);

    let refused = NotifierServiceClient::new(channel)
        .notify(signed_in(&app, NotifyRequest::default(), "grpc-user"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unimplemented);
    assert!(!app.recorder.called("NotifierService/Notify"));
}

#[tokio::test]
async fn the_health_probe_passes_while_the_gateway_answers() {
    let app = spawn_app().await;
    probe_liveness(app.address, Duration::from_secs(5))
        .await
        .expect("a running gateway is live");

    // Live even when an upstream is not: the probe is about this process.
    app.set_health(&app.alert_health, tonic_health::ServingStatus::NotServing)
        .await;
    probe_liveness(app.address, Duration::from_secs(5))
        .await
        .expect("still live");

    let unused = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let unused_address = unused.local_addr().unwrap();
    drop(unused);
    assert!(
        probe_liveness(unused_address, Duration::from_secs(5))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn health_is_503_once_a_service_stops_answering() {
    let app = spawn_app().await;
    assert_eq!(
        app.call(Method::GET, "/health", None, None).await.status,
        StatusCode::OK
    );
    app.scheduler_stop.cancel();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let response = app.call(Method::GET, "/health", None, None).await;
        if response.status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(
                response.json["down"],
                serde_json::json!(["scheduler-service"])
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "health still {} after the scheduler stopped",
            response.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_gateway_stops_when_cancelled() {
    let mut app = spawn_app().await;
    assert_eq!(
        app.call(Method::GET, "/health/live", None, None)
            .await
            .status,
        StatusCode::OK
    );
    app.stop().await.expect("a clean stop");
    assert!(
        app.http.get(app.url("/health/live")).send().await.is_err(),
        "nothing listens after the stop"
    );
}
