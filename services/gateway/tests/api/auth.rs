//! Only a valid HS256 access token opens the signed-in routes.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::json;

use alert_platform::access_token::AccessTokens;

use crate::helpers::{TestApp, send, spawn_app};

fn forged_claims() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        json!({"sub": "victim", "iat": 0, "exp": 4_000_000_000_i64, "iss": "alert-system", "typ": "access"}).to_string(),
    )
}

fn bad_authorizations(app: &TestApp) -> Vec<(&'static str, Option<String>)> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let expired = app
        .tokens
        .issue("user-1", chrono::Utc::now() - chrono::Duration::hours(2));
    let valid = app.token("user-1");
    let parts: Vec<&str> = valid.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], forged_claims(), parts[2]);
    let alg_none = format!(
        "{}.{}.",
        engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
        forged_claims()
    );
    let other_secret = AccessTokens::new(
        &SecretString::from("some-other-secret-0123456789abcdefghijk"),
        chrono::Duration::minutes(15),
    )
    .issue("user-1", chrono::Utc::now());
    vec![
        ("missing", None),
        ("expired", Some(format!("Bearer {expired}"))),
        ("tampered", Some(format!("Bearer {tampered}"))),
        ("alg=none", Some(format!("Bearer {alg_none}"))),
        (
            "signed with another secret",
            Some(format!("Bearer {other_secret}")),
        ),
        ("not a jwt", Some("Bearer hello".to_owned())),
        ("basic auth", Some("Basic dXNlcjpwdw==".to_owned())),
        ("no token after the scheme", Some("Bearer ".to_owned())),
    ]
}

#[tokio::test]
async fn requests_without_a_valid_access_token_are_401s() {
    let app = spawn_app().await;
    for (case, authorization) in bad_authorizations(&app) {
        let mut builder = app.request(Method::GET, "/alerts", None);
        if let Some(authorization) = &authorization {
            builder = builder.header("authorization", authorization);
        }
        let response = send(builder).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "case {case:?}: {}",
            response.text
        );
        assert_eq!(
            response.json["error"]["code"], "unauthenticated",
            "case {case:?}"
        );
    }
    assert!(
        app.recorder.calls().is_empty(),
        "no unauthenticated request reaches a service"
    );
}

#[tokio::test]
async fn an_expired_token_is_told_apart_from_a_bad_one() {
    let app = spawn_app().await;
    let expired = app
        .tokens
        .issue("user-1", chrono::Utc::now() - chrono::Duration::hours(2));
    let response = send(
        app.request(Method::GET, "/auth/me", None)
            .bearer_auth(expired),
    )
    .await;
    assert!(
        response.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        response.text
    );
}
