//! Runs of air-quality alerts against the AirKorea stub: the message a user reads, conditions,
//! an unavailable reading, and one upstream call for a burst.

use std::time::Duration;

use alert_proto::v1::{
    self as pb, AirQualityGrade as Grade, AirQualityMeasure as Measure, RunOutcome,
    UnavailableMeasurementPolicy as Policy,
};
use alert_testkit::{StubMeasurement, StubMode};
use futures::future::join_all;

use crate::helpers::{
    APP_URL, QUEUED_PER_NOTIFY, TestApp, air_quality_alert, as_user, at_least_grade,
    spawn_app_with_air_korea,
};

const SCHEDULED_TIME: &str = "2026-11-30T08:00:00+09:00";

fn run(alert_id: &str) -> pb::RunAlertRequest {
    pb::RunAlertRequest {
        alert_id: alert_id.into(),
        scheduled_time: SCHEDULED_TIME.into(),
    }
}

/// PM10 45 (보통) and PM2.5 38 (나쁨) at 종로구, measured at 08:00.
fn bad_pm25() -> StubMeasurement {
    StubMeasurement::new("45", "2", "38", "3", "2026-11-30 08:00")
}

impl TestApp {
    async fn run_alert(&self, alert_id: &str) -> pb::RunAlertResponse {
        self.runner()
            .run_alert(run(alert_id))
            .await
            .expect("run alert")
            .into_inner()
    }

    async fn runs_of(&self, user_id: &str, alert_id: &str) -> Vec<pb::AlertRun> {
        self.alerts()
            .list_alert_runs(as_user(
                pb::ListAlertRunsRequest {
                    id: alert_id.into(),
                    limit: 0,
                },
                user_id,
            ))
            .await
            .expect("list runs")
            .into_inner()
            .runs
    }

    /// The one message sent so far.
    fn sent_message(&self) -> pb::NotificationMessage {
        let notifies = self.notifier.notifies();
        assert_eq!(notifies.len(), 1, "one notification: {notifies:?}");
        notifies[0].message.clone().expect("a message")
    }
}

#[tokio::test]
async fn an_air_quality_alert_tells_the_stations_numbers_in_korean_by_default() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_measurement("종로구", bad_pm25());
    let user_id = app.user_id("me@example.com").await;
    let alert = app
        .create_alert(
            &user_id,
            air_quality_alert(
                "종로구",
                at_least_grade(Measure::Pm25, Grade::Bad),
                Policy::Send,
            ),
        )
        .await;

    let response = app.run_alert(&alert.id).await;
    assert_eq!(response.outcome(), RunOutcome::Sent, "PM2.5 38 is bad");
    assert_eq!(response.deliveries, QUEUED_PER_NOTIFY);
    assert_eq!(response.reason, "");
    let message = app.sent_message();
    assert_eq!(message.title, "종로구 미세먼지 나쁨");
    assert_eq!(
        message.body,
        "미세먼지 45㎍/㎥ (보통), 초미세먼지 38㎍/㎥ (나쁨) · 08:00 기준"
    );
    assert_eq!(message.url, APP_URL, "the notification opens the app");
    assert_eq!(message.tag, alert.id);
}

#[tokio::test]
async fn a_user_who_chose_english_gets_english_and_their_own_templates() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_measurement("종로구", bad_pm25());
    let session = app.signed_up_user("me@example.com").await;
    let user_id = session.user.expect("a user").id;
    let updated = app
        .auth()
        .update_settings(as_user(
            pb::UpdateSettingsRequest {
                language: Some(pb::Language::En.into()),
            },
            &user_id,
        ))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(updated.language(), pb::Language::En);

    let default_text = app
        .create_alert(&user_id, air_quality_alert("종로구", None, Policy::Send))
        .await;
    let own_text = app
        .create_alert(
            &user_id,
            pb::CreateAlertRequest {
                title: "Mask? {grade} at {station}".into(),
                body: "PM2.5 {pm25} ({pm25_grade}) at {time}".into(),
                ..air_quality_alert("종로구", None, Policy::Send)
            },
        )
        .await;
    app.run_alert(&default_text.id).await;
    app.run_alert(&own_text.id).await;

    let messages: Vec<_> = app
        .notifier
        .notifies()
        .into_iter()
        .map(|notify| notify.message.unwrap())
        .map(|message| (message.title, message.body))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "종로구 air quality: Bad".to_owned(),
                "PM10 45 µg/m³ (Moderate), PM2.5 38 µg/m³ (Bad) · measured 08:00".to_owned()
            ),
            (
                "Mask? Bad at 종로구".to_owned(),
                "PM2.5 38 (Bad) at 08:00".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn a_condition_not_met_skips_the_run_and_the_runs_list_says_why() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("25", "1", "12", "1", "2026-11-30 08:00"),
    );
    let user_id = app.user_id("me@example.com").await;
    let alert = app
        .create_alert(
            &user_id,
            air_quality_alert(
                "종로구",
                at_least_grade(Measure::Pm25, Grade::Bad),
                Policy::Send,
            ),
        )
        .await;

    let response = app.run_alert(&alert.id).await;
    assert_eq!(response.outcome(), RunOutcome::Skipped);
    assert_eq!(response.deliveries, 0);
    let reason = "condition not met: PM2.5 is good (12 µg/m³), below bad";
    assert_eq!(response.reason, reason);
    assert!(app.notifier.notifies().is_empty(), "nothing is sent");

    let runs = app.runs_of(&user_id, &alert.id).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].outcome(), pb::AlertRunOutcome::Skipped);
    assert_eq!(runs[0].reason, reason);
    assert_eq!(runs[0].scheduled_time, "2026-11-29T23:00:00.000Z");

    let repeated = app.run_alert(&alert.id).await;
    assert_eq!(
        repeated.outcome(),
        RunOutcome::Duplicate,
        "a skipped run is a run: the scheduler's retry changes nothing"
    );
}

#[tokio::test]
async fn a_missing_value_reads_as_no_data_and_a_condition_on_it_follows_the_alerts_policy() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("45", "2", "-", "", "2026-11-30 08:00"),
    );
    stub.set_measurement(
        "중구",
        StubMeasurement::new("50", "2", "30", "2", "2026-11-30 08:00")
            .with_flags(None, Some("점검및교정")),
    );
    let user_id = app.user_id("me@example.com").await;
    let unconditional = app
        .create_alert(&user_id, air_quality_alert("종로구", None, Policy::Skip))
        .await;
    let sends_anyway = app
        .create_alert(
            &user_id,
            air_quality_alert(
                "종로구",
                at_least_grade(Measure::Pm25, Grade::Moderate),
                Policy::Send,
            ),
        )
        .await;
    let skips = app
        .create_alert(
            &user_id,
            air_quality_alert(
                "중구",
                at_least_grade(Measure::Pm25, Grade::Good),
                Policy::Skip,
            ),
        )
        .await;

    let response = app.run_alert(&unconditional.id).await;
    assert_eq!(response.outcome(), RunOutcome::Sent);
    let message = app.sent_message();
    assert_eq!(
        message.title, "종로구 미세먼지 보통",
        "the worse of what was measured"
    );
    assert_eq!(
        message.body, "미세먼지 45㎍/㎥ (보통), 초미세먼지 -㎍/㎥ (정보 없음) · 08:00 기준",
        "never 0, never good"
    );

    let response = app.run_alert(&sends_anyway.id).await;
    assert_eq!(response.outcome(), RunOutcome::Sent);
    assert_eq!(
        response.reason,
        "measurement unavailable: PM2.5 has no reading"
    );
    let body = app.notifier.notifies()[1].message.clone().unwrap().body;
    assert!(body.ends_with("\n측정값을 가져오지 못했습니다."), "{body}");

    let response = app.run_alert(&skips.id).await;
    assert_eq!(
        response.outcome(),
        RunOutcome::Skipped,
        "a flagged value is no value"
    );
    assert_eq!(
        response.reason,
        "measurement unavailable: PM2.5 has no reading"
    );
    assert_eq!(app.notifier.notifies().len(), 2);
}

/// Creates one alert that sends and one that skips without a reading, switches the stub to
/// `mode`, runs both, and returns their responses and the message sent.
async fn run_with_upstream_failing(
    mode: StubMode,
    overrides: &[(&str, &str)],
) -> (
    pb::RunAlertResponse,
    pb::RunAlertResponse,
    pb::NotificationMessage,
) {
    let (app, stub) = spawn_app_with_air_korea(overrides).await;
    let user_id = app.user_id("me@example.com").await;
    let sends = app
        .create_alert(&user_id, air_quality_alert("종로구", None, Policy::Send))
        .await;
    let skips = app
        .create_alert(&user_id, air_quality_alert("종로구", None, Policy::Skip))
        .await;
    stub.set_mode(mode);
    let sent = app.run_alert(&sends.id).await;
    let skipped = app.run_alert(&skips.id).await;
    let message = app.sent_message();
    (sent, skipped, message)
}

#[tokio::test]
async fn an_exhausted_quota_sends_a_measurement_unavailable_line_or_skips_per_alert() {
    let (sent, skipped, message) = run_with_upstream_failing(StubMode::QuotaExceeded, &[]).await;
    let reason = "measurement unavailable: the AirKorea daily request quota is exhausted";
    assert_eq!(
        (sent.outcome(), sent.reason.as_str()),
        (RunOutcome::Sent, reason)
    );
    assert_eq!(
        (skipped.outcome(), skipped.reason.as_str()),
        (RunOutcome::Skipped, reason)
    );
    assert_eq!(
        (message.title.as_str(), message.body.as_str()),
        ("종로구 미세먼지 정보 없음", "측정값을 가져오지 못했습니다.")
    );
}

#[tokio::test]
async fn an_unregistered_key_and_a_timeout_are_recorded_as_the_reason() {
    let (sent, skipped, _) = run_with_upstream_failing(StubMode::KeyNotRegistered, &[]).await;
    assert_eq!(sent.outcome(), RunOutcome::Sent);
    assert!(
        sent.reason
            .starts_with("measurement unavailable: the AirKorea API key is not accepted"),
        "{}",
        sent.reason
    );
    assert_eq!(skipped.outcome(), RunOutcome::Skipped);

    let (sent, skipped, message) = run_with_upstream_failing(
        StubMode::Delay(Duration::from_secs(3)),
        &[("AIR_QUALITY_TIMEOUT", "200ms")],
    )
    .await;
    assert_eq!(
        sent.reason, "measurement unavailable: AirKorea did not answer within 200ms",
        "the run waits no longer than the timeout"
    );
    assert_eq!(skipped.outcome(), RunOutcome::Skipped);
    assert_eq!(message.body, "측정값을 가져오지 못했습니다.");
}

#[tokio::test]
async fn a_thousand_alerts_for_one_station_firing_together_ask_airkorea_once() {
    let (app, stub) = spawn_app_with_air_korea(&[("MAX_ALERTS_PER_USER", "1000")]).await;
    let user_id = app.user_id("me@example.com").await;
    let mut alert_ids = Vec::new();
    for _ in 0..10 {
        let created =
            join_all((0..100).map(|_| {
                app.create_alert(&user_id, air_quality_alert("강남구", None, Policy::Send))
            }))
            .await;
        alert_ids.extend(created.into_iter().map(|alert| alert.id));
    }
    assert_eq!(
        stub.measurement_calls(),
        0,
        "creating asks for the station list only"
    );

    let responses = join_all(alert_ids.iter().map(|id| app.run_alert(id))).await;
    assert!(
        responses
            .iter()
            .all(|response| response.outcome() == RunOutcome::Sent && response.reason.is_empty()),
        "every run sent its reading"
    );
    assert_eq!(app.notifier.notifies().len(), 1000);
    assert_eq!(
        stub.measurement_calls(),
        1,
        "one upstream call for 1,000 alerts"
    );
}

#[tokio::test]
async fn replicas_sharing_redis_share_the_reading() {
    let prefix = format!("test-air-quality-{}", uuid::Uuid::new_v4());
    let settings = [
        ("REDIS_URL", "redis://127.0.0.1:6379"),
        ("AIR_QUALITY_CACHE_PREFIX", prefix.as_str()),
    ];
    let (first, stub) = spawn_app_with_air_korea(&settings).await;
    let base_url = stub.base_url();
    let mut second_settings = settings.to_vec();
    second_settings.extend([
        ("AIR_QUALITY_API_KEY", "test-service-key"),
        ("AIR_QUALITY_BASE_URL", base_url.as_str()),
    ]);
    let second = crate::helpers::spawn_app_with(&second_settings).await;
    stub.set_measurement("종로구", bad_pm25());

    for app in [&first, &second] {
        let user_id = app.user_id("me@example.com").await;
        let alert = app
            .create_alert(&user_id, air_quality_alert("종로구", None, Policy::Send))
            .await;
        assert_eq!(app.run_alert(&alert.id).await.outcome(), RunOutcome::Sent);
        assert_eq!(app.sent_message().title, "종로구 미세먼지 나쁨");
    }
    assert_eq!(
        stub.measurement_calls(),
        1,
        "the second replica read the first one's answer from Redis"
    );
}

#[tokio::test]
async fn a_long_template_is_cut_to_fit_one_push() {
    let (app, _stub) = spawn_app_with_air_korea(&[]).await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app
        .create_alert(
            &user_id,
            pb::CreateAlertRequest {
                title: format!("{{station}} {}", "제목".repeat(45)),
                body: format!("{{pm25}} {}", "초미세먼지".repeat(198)),
                ..air_quality_alert("종로구", None, Policy::Send)
            },
        )
        .await;
    assert_eq!(app.run_alert(&alert.id).await.outcome(), RunOutcome::Sent);

    let message = app.sent_message();
    assert!(
        message.title.starts_with("종로구 제목"),
        "{}",
        message.title
    );
    assert!(
        message.body.starts_with("18 초미세먼지"),
        "{}",
        message.body
    );
    assert!(message.body.ends_with('…'), "the body was cut");
    // The payload as notifier-service writes it, with a delivery id.
    let payload = serde_json::json!({
        "title": message.title, "body": message.body, "url": message.url, "tag": message.tag,
        "alertId": alert.id, "deliveryId": "0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f",
    })
    .to_string();
    assert!(
        payload.len() <= alert_webpush::MAX_PAYLOAD_BYTES,
        "{} bytes",
        payload.len()
    );
    assert!(
        payload.len() > alert_webpush::MAX_PAYLOAD_BYTES - 10,
        "cut no more than needed"
    );
}

#[test]
fn the_message_budget_is_the_push_senders_limit() {
    assert_eq!(
        alert_service::message::PUSH_PAYLOAD_LIMIT_BYTES,
        alert_webpush::MAX_PAYLOAD_BYTES
    );
}
