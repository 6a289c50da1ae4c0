//! gRPC-web calls built by hand, as a browser's grpc-web client sends them.

use alert_proto::v1::{
    FireRequest, ListAlertsRequest, ListAlertsResponse, LoginRequest, LoginResponse, LogoutRequest,
    NotifyRequest, RefreshRequest, RefreshResponse, RunAlertRequest, SearchStationsRequest,
    SearchStationsResponse, UpdateSettingsRequest, UpdateSettingsResponse,
};
use base64::Engine as _;
use prost::Message;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, spawn_app};

/// A gRPC-web answer: its data messages and its status (from the trailer frame, or the headers
/// of a trailers-only answer).
#[derive(Debug)]
struct GrpcWebReply {
    http_status: StatusCode,
    content_type: String,
    grpc_status: Option<String>,
    messages: Vec<Vec<u8>>,
    set_cookies: Vec<String>,
}

fn frame(message: &impl Message) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&u32::try_from(bytes.len()).unwrap().to_be_bytes());
    framed.extend_from_slice(&bytes);
    framed
}

async fn grpc_web_call(
    app: &TestApp,
    path: &str,
    message: &impl Message,
    user_id: Option<&str>,
    text: bool,
) -> GrpcWebReply {
    grpc_web_call_with_cookie(app, path, message, user_id, text, None).await
}

async fn grpc_web_call_with_cookie(
    app: &TestApp,
    path: &str,
    message: &impl Message,
    user_id: Option<&str>,
    text: bool,
    cookie: Option<&str>,
) -> GrpcWebReply {
    let (content_type, accept, body) = if text {
        let body = base64::engine::general_purpose::STANDARD
            .encode(frame(message))
            .into_bytes();
        (
            "application/grpc-web-text",
            "application/grpc-web-text",
            body,
        )
    } else {
        (
            "application/grpc-web+proto",
            "application/grpc-web+proto",
            frame(message),
        )
    };
    let mut builder = app
        .request(Method::POST, path, user_id)
        .header("content-type", content_type)
        .header("accept", accept)
        .header("x-grpc-web", "1")
        .header("x-user-id", "forged-user");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    let response = builder.body(body).send().await.unwrap();
    let http_status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let set_cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let mut grpc_status = response
        .headers()
        .get("grpc-status")
        .map(|v| v.to_str().unwrap().to_owned());
    let mut body = response.bytes().await.unwrap().to_vec();
    if content_type.starts_with("application/grpc-web-text") {
        // Each frame is encoded on its own, padding included, so decode quantum by quantum.
        body = body
            .chunks(4)
            .flat_map(|quantum| {
                base64::engine::general_purpose::STANDARD
                    .decode(quantum)
                    .unwrap()
            })
            .collect();
    }
    let mut messages = Vec::new();
    let mut rest = body.as_slice();
    while rest.len() >= 5 {
        let flags = rest[0];
        let length = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let payload = &rest[5..5 + length];
        if flags & 0x80 != 0 {
            let trailers = String::from_utf8_lossy(payload);
            for line in trailers.split("\r\n") {
                if let Some((name, value)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("grpc-status")
                {
                    grpc_status = Some(value.trim().to_owned());
                }
            }
        } else {
            messages.push(payload.to_vec());
        }
        rest = &rest[5 + length..];
    }
    GrpcWebReply {
        http_status,
        content_type,
        grpc_status,
        messages,
        set_cookies,
    }
}

#[tokio::test]
async fn a_grpc_web_call_reaches_alert_service_as_the_signed_in_user() {
    let app = spawn_app().await;
    let reply = grpc_web_call(
        &app,
        "/alert.v1.AlertService/ListAlerts",
        &ListAlertsRequest {},
        Some("web-user"),
        false,
    )
    .await;
    assert_eq!(reply.http_status, StatusCode::OK);
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    assert!(
        reply.content_type.starts_with("application/grpc-web"),
        "{reply:?}"
    );
    let response = ListAlertsResponse::decode(reply.messages[0].as_slice()).unwrap();
    assert_eq!(response.alerts.len(), 2);
    let (user, _) = app
        .recorder
        .last::<ListAlertsRequest>("AlertService/ListAlerts");
    assert_eq!(
        user.as_deref(),
        Some("web-user"),
        "the forged x-user-id header must be replaced by the token's user"
    );
}

#[tokio::test]
async fn air_quality_and_settings_calls_reach_alert_service_as_the_signed_in_user() {
    let app = spawn_app().await;
    let request = SearchStationsRequest {
        query: "종로".into(),
        limit: 0,
    };
    let reply = grpc_web_call(
        &app,
        "/alert.v1.AirQualityService/SearchStations",
        &request,
        Some("web-user"),
        false,
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    let response = SearchStationsResponse::decode(reply.messages[0].as_slice()).unwrap();
    assert_eq!(response.stations[0].name, "종로구");
    let (user, forwarded) = app
        .recorder
        .last::<SearchStationsRequest>("AirQualityService/SearchStations");
    assert_eq!((user.as_deref(), forwarded), (Some("web-user"), request));

    let reply = grpc_web_call(
        &app,
        "/alert.v1.AuthService/UpdateSettings",
        &UpdateSettingsRequest {
            language: Some(alert_proto::v1::Language::En.into()),
        },
        Some("web-user"),
        false,
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    let response = UpdateSettingsResponse::decode(reply.messages[0].as_slice()).unwrap();
    assert_eq!(
        response.user.unwrap().language(),
        alert_proto::v1::Language::En
    );
    let (user, _) = app
        .recorder
        .last::<UpdateSettingsRequest>("AuthService/UpdateSettings");
    assert_eq!(user.as_deref(), Some("web-user"));

    let signed_out = grpc_web_call(
        &app,
        "/alert.v1.AirQualityService/SearchStations",
        &SearchStationsRequest::default(),
        None,
        false,
    )
    .await;
    assert_eq!(
        signed_out.grpc_status.as_deref(),
        Some("16"),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn grpc_web_text_calls_work_too() {
    let app = spawn_app().await;
    let reply = grpc_web_call(
        &app,
        "/alert.v1.AlertService/ListAlerts",
        &ListAlertsRequest {},
        Some("web-user"),
        true,
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    assert!(
        reply.content_type.starts_with("application/grpc-web-text"),
        "{reply:?}"
    );
    assert_eq!(
        ListAlertsResponse::decode(reply.messages[0].as_slice())
            .unwrap()
            .alerts
            .len(),
        2
    );
}

#[tokio::test]
async fn a_grpc_web_call_without_a_token_is_unauthenticated() {
    let app = spawn_app().await;
    let reply = grpc_web_call(
        &app,
        "/alert.v1.AlertService/ListAlerts",
        &ListAlertsRequest {},
        None,
        false,
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("16"), "{reply:?}");
    assert!(app.recorder.calls().is_empty());
}

#[tokio::test]
async fn sign_in_over_grpc_web_needs_no_token_and_carries_no_user() {
    let app = spawn_app().await;
    let login = LoginRequest {
        email: "ada@example.com".into(),
        password: "pw".into(),
    };
    let reply = grpc_web_call(&app, "/alert.v1.AuthService/Login", &login, None, false).await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    let response = LoginResponse::decode(reply.messages[0].as_slice()).unwrap();
    let session = response.session.unwrap();
    assert_eq!(session.access_token, "access");
    assert_eq!(
        session.refresh_token, "",
        "the refresh token goes into the cookie, not to the page's script"
    );
    let [cookie] = reply.set_cookies.as_slice() else {
        panic!("one cookie expected: {reply:?}");
    };
    assert!(
        cookie.starts_with("alert_refresh_token=refresh;"),
        "{cookie}"
    );
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/alert.v1.AuthService/",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert_eq!(
        app.recorder.calls(),
        vec![("AuthService/Login", None)],
        "the forged x-user-id header must be dropped"
    );
}

#[tokio::test]
async fn grpc_web_calls_to_internal_services_are_refused() {
    let app = spawn_app().await;
    let notify = NotifyRequest {
        user_id: "victim".into(),
        ..Default::default()
    };
    let fire = FireRequest::default();
    let run = RunAlertRequest::default();
    let cases: [(&str, Vec<u8>); 3] = [
        ("/alert.v1.NotifierService/Notify", notify.encode_to_vec()),
        ("/alert.v1.SchedulerService/Fire", fire.encode_to_vec()),
        ("/alert.v1.AlertRunnerService/RunAlert", run.encode_to_vec()),
    ];
    for (path, _) in &cases {
        let reply = grpc_web_call(&app, path, &notify, Some("user-1"), false).await;
        let refused = reply.http_status == StatusCode::NOT_FOUND
            || reply.grpc_status.as_deref() == Some("12");
        assert!(refused, "{path} must be refused: {reply:?}");
    }
    assert!(
        app.recorder.calls().is_empty(),
        "no internal service was called: {:?}",
        app.recorder.calls()
    );
}

#[tokio::test]
async fn refresh_over_grpc_web_takes_the_token_from_the_cookie_and_renews_it() {
    let app = spawn_app().await;
    let reply = grpc_web_call_with_cookie(
        &app,
        "/alert.v1.AuthService/Refresh",
        &RefreshRequest::default(),
        None,
        false,
        Some("theme=dark; alert_refresh_token=from-cookie"),
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    let (_, request) = app.recorder.last::<RefreshRequest>("AuthService/Refresh");
    assert_eq!(request.refresh_token, "from-cookie");
    let response = RefreshResponse::decode(reply.messages[0].as_slice()).unwrap();
    assert_eq!(response.session.unwrap().refresh_token, "");
    assert!(
        reply.set_cookies[0].starts_with("alert_refresh_token=refresh;"),
        "{reply:?}"
    );
}

#[tokio::test]
async fn a_refused_refresh_clears_the_cookie() {
    let app = spawn_app().await;
    app.recorder.fail("AuthService/Refresh", || {
        tonic::Status::unauthenticated("session expired, sign in again")
    });
    let reply = grpc_web_call_with_cookie(
        &app,
        "/alert.v1.AuthService/Refresh",
        &RefreshRequest::default(),
        None,
        false,
        Some("alert_refresh_token=spent"),
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("16"), "{reply:?}");
    assert!(
        reply.set_cookies.iter().any(|c| c.contains("Max-Age=0")),
        "{reply:?}"
    );
}

#[tokio::test]
async fn logout_over_grpc_web_spends_the_cookies_token_and_clears_it() {
    let app = spawn_app().await;
    let reply = grpc_web_call_with_cookie(
        &app,
        "/alert.v1.AuthService/Logout",
        &LogoutRequest::default(),
        Some("user-1"),
        false,
        Some("alert_refresh_token=current"),
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("0"), "{reply:?}");
    let (user, request) = app.recorder.last::<LogoutRequest>("AuthService/Logout");
    assert_eq!(
        (user.as_deref(), request.refresh_token.as_str()),
        (Some("user-1"), "current")
    );
    assert!(
        reply.set_cookies.iter().any(|c| c.contains("Max-Age=0")),
        "{reply:?}"
    );
}

#[tokio::test]
async fn logout_over_grpc_web_still_needs_an_access_token() {
    let app = spawn_app().await;
    let reply = grpc_web_call_with_cookie(
        &app,
        "/alert.v1.AuthService/Logout",
        &LogoutRequest::default(),
        None,
        false,
        Some("alert_refresh_token=current"),
    )
    .await;
    assert_eq!(reply.grpc_status.as_deref(), Some("16"), "{reply:?}");
    assert!(app.recorder.calls().is_empty());
}
