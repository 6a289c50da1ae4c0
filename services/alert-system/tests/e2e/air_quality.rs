//! Air-quality alerts end to end, against a local AirKorea stub: the user picks a station as the
//! web app does, the alert fires, and the push service decrypts the stub's numbers.

use std::time::Duration;

use alert_testkit::{AirKoreaStub, StubMeasurement, StubMode};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Mode, TestSystem, User, next_minute_in_seoul};

in_both_modes!(
    an_air_quality_alert_pushes_the_stations_numbers_and_one_whose_condition_fails_stays_quiet,
    an_english_reader_gets_a_long_message_cut_to_one_push_and_a_notice_when_airkorea_is_out,
);

/// The system with AirKorea at `stub`.
async fn start(mode: Mode, stub: &AirKoreaStub) -> TestSystem {
    let base_url = stub.base_url();
    TestSystem::start_with(
        mode,
        &[
            ("AIR_QUALITY_API_KEY", "e2e-service-key"),
            ("AIR_QUALITY_BASE_URL", &base_url),
        ],
    )
    .await
}

fn air_quality(station: &str, condition: Value) -> Value {
    json!({"airQuality": {"station": station, "condition": condition}})
}

impl TestSystem {
    /// Polls an alert's runs until there is one.
    async fn first_run(&self, user: &User, alert_id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self
                .get(&format!("/alerts/{alert_id}/runs"), &user.token)
                .await;
            assert_eq!(status, StatusCode::OK, "runs: {body}");
            if let Some(run) = body["runs"].get(0) {
                return run.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "alert {alert_id} never ran"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn an_air_quality_alert_pushes_the_stations_numbers_and_one_whose_condition_fails_stays_quiet(
    mode: Mode,
) {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("45", "2", "38", "3", "2026-11-30 08:00"),
    );
    let system = start(mode, &stub).await;
    let user = system.sign_up("commuter@example.com").await;
    let browser = system.subscribe_browser(&user).await;

    // The station, found by name and by the browser's location, and its reading previewed.
    let (status, found) = system
        .get("/air-quality/stations?query=종로", &user.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["stations"][0]["name"], "종로구");
    let (status, nearest) = system
        .get(
            "/air-quality/stations/nearest?lat=37.5721&lon=127.0049&limit=1",
            &user.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{nearest}");
    assert_eq!(nearest["stations"][0]["name"], "종로구");
    let (status, reading) = system
        .get("/air-quality/stations/종로구/reading", &user.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{reading}");
    assert_eq!(reading["pm25"], json!({"value": 38, "grade": "bad"}));

    let (due, minute, hour) = next_minute_in_seoul(alert_platform::Clock::now(&system.clock));
    let schedule = format!("{minute} {hour} * * *");
    let bad_air = system
        .create_alert(
            &user,
            json!({"name": "Mask", "schedule": schedule,
                   "content": air_quality("종로구", json!({"measure": "pm25", "atLeastGrade": "bad"}))}),
        )
        .await;
    let very_bad_only = system
        .create_alert(
            &user,
            json!({"name": "Stay in", "schedule": schedule,
                   "content": air_quality("종로구", json!({"measure": "pm10", "atLeastGrade": "veryBad"}))}),
        )
        .await;

    system.clock.set(due);
    let pushes = system.settled_pushes(1).await;
    assert_eq!(
        pushes.len(),
        1,
        "only the alert whose condition holds sends"
    );
    assert_eq!(pushes[0].endpoint, browser.endpoint);
    let payload = pushes[0].payload_json().unwrap();
    assert_eq!(payload["title"], "종로구 미세먼지 나쁨");
    assert_eq!(
        payload["body"],
        "미세먼지 45㎍/㎥ (보통), 초미세먼지 38㎍/㎥ (나쁨) · 08:00 기준"
    );
    assert_eq!(payload["alertId"], bad_air["id"]);
    assert!(
        payload["url"].is_string(),
        "the push opens the app: {payload}"
    );

    let sent = system
        .first_run(&user, bad_air["id"].as_str().unwrap())
        .await;
    assert_eq!(sent["outcome"], "sent", "{sent}");
    assert_eq!(sent["deliveries"], 1);
    let skipped = system
        .first_run(&user, very_bad_only["id"].as_str().unwrap())
        .await;
    assert_eq!(
        skipped,
        json!({"scheduledTime": skipped["scheduledTime"], "outcome": "skipped", "deliveries": 0,
               "reason": "condition not met: PM10 is moderate (45 µg/m³), below very bad",
               "createdAt": skipped["createdAt"]})
    );
    assert_eq!(
        stub.measurement_calls(),
        1,
        "the preview and both runs shared one upstream call"
    );
    system.stop().await;
}

async fn an_english_reader_gets_a_long_message_cut_to_one_push_and_a_notice_when_airkorea_is_out(
    mode: Mode,
) {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("45", "2", "38", "3", "2026-11-30 08:00"),
    );
    let system = start(mode, &stub).await;
    let user = system.sign_up("reader@example.com").await;
    let (status, me) = system
        .patch("/auth/me", &user.token, json!({"language": "en"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["language"], "en");
    system.subscribe_browser(&user).await;

    // 985 four-byte characters: the body alone is over the push limit.
    let long = system
        .create_alert(
            &user,
            json!({"name": "Long", "schedule": "0 8 * * *", "title": "{station}: {grade}",
                   "body": format!("{{pm25}} µg/m³ {}", "😷".repeat(985)),
                   "content": {"airQuality": {"station": "종로구"}}}),
        )
        .await;
    let unreachable = system
        .create_alert(
            &user,
            json!({"name": "Downtown", "schedule": "0 8 * * *",
                   "content": {"airQuality": {"station": "중구", "whenUnavailable": "send"}}}),
        )
        .await;

    let (status, answer) = system
        .trigger(json!({"alertId": long["id"], "scheduledTime": "2026-11-30T08:00:00+09:00"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let pushes = system.settled_pushes(1).await;
    let payload = pushes[0].payload_json().unwrap();
    assert_eq!(payload["title"], "종로구: Bad");
    let body = payload["body"].as_str().unwrap();
    assert!(body.starts_with("38 µg/m³ 😷😷"), "{body}");
    assert!(body.ends_with('…'), "cut to fit: {body}");
    assert!(
        pushes[0].payload.len() <= alert_webpush::MAX_PAYLOAD_BYTES,
        "{} bytes",
        pushes[0].payload.len()
    );

    stub.set_mode(StubMode::QuotaExceeded);
    let (status, answer) = system
        .trigger(
            json!({"alertId": unreachable["id"], "scheduledTime": "2026-11-30T08:00:00+09:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let pushes = system.settled_pushes(2).await;
    let payload = pushes[1].payload_json().unwrap();
    assert_eq!(
        (payload["title"].as_str(), payload["body"].as_str()),
        (
            Some("중구 air quality: no data"),
            Some("The measurement is unavailable right now.")
        )
    );
    let run = system
        .first_run(&user, unreachable["id"].as_str().unwrap())
        .await;
    assert_eq!(run["outcome"], "sent");
    assert_eq!(
        run["reason"],
        "measurement unavailable: the AirKorea daily request quota is exhausted"
    );

    let (status, refused) = system
        .get("/air-quality/stations/중구/reading", &user.token)
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{refused}");
    assert_eq!(refused["error"]["reason"], "AIR_QUALITY_QUOTA_EXCEEDED");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("quota is used up"),
        "{refused}"
    );
    system.stop().await;
}
