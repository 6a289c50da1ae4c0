//! What a user does, start to finish, in both shapes of the system.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Mode, SCHEDULER_SECRET, TestSystem, next_minute_in_seoul};

in_both_modes!(
    an_alert_due_at_the_next_minute_is_pushed_exactly_once,
    a_trigger_delivered_many_times_sends_one_push_per_subscription,
    a_subscription_the_push_service_calls_gone_is_deleted_and_not_pushed_again,
    alerts_can_be_listed_edited_paused_resumed_and_deleted,
    a_bucket_trigger_fans_out_to_every_enabled_alert_with_that_schedule,
);

async fn an_alert_due_at_the_next_minute_is_pushed_exactly_once(mode: Mode) {
    let system = TestSystem::start(mode).await;
    let user = system.sign_up("commuter@example.com").await;
    let browser = system.subscribe_browser(&user).await;
    let (due, minute, hour) = next_minute_in_seoul(alert_platform::Clock::now(&system.clock));
    let alert = system
        .create_alert(
            &user,
            json!({"name": "Umbrella", "schedule": format!("{minute} {hour} * * *"), "timezone": "Asia/Seoul",
                   "title": "Take an umbrella", "body": "Rain from 18:00 at Gangnam"}),
        )
        .await;
    let alert_id = alert["id"].as_str().unwrap().to_owned();

    let (status, preview) = system
        .get(
            &format!("/alerts/{alert_id}/next-runs?count=2"),
            &user.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let first_run =
        chrono::DateTime::parse_from_rfc3339(preview["nextRuns"][0].as_str().unwrap()).unwrap();
    assert_eq!(
        first_run, due,
        "the preview shows the minute the alert will fire: {preview}"
    );

    assert!(
        system.receiver.received().is_empty(),
        "nothing is sent before the time"
    );
    system.clock.set(due);
    let pushes = system.settled_pushes(1).await;
    assert_eq!(
        pushes.len(),
        1,
        "exactly one push: {:?}",
        pushes.iter().map(|p| p.payload_text()).collect::<Vec<_>>()
    );
    assert_eq!(pushes[0].endpoint, browser.endpoint);
    let payload = pushes[0].payload_json().unwrap();
    assert_eq!(payload["title"], "Take an umbrella");
    assert_eq!(payload["body"], "Rain from 18:00 at Gangnam");

    // Later in the same minute, and the tick after, nothing fires again.
    system.clock.set(due + chrono::Duration::seconds(30));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(system.receiver.received().len(), 1, "the minute fires once");

    let deliveries = system
        .wait_for_deliveries(&user, &format!("?alertId={alert_id}"), |d| {
            d.first().is_some_and(|d| d["status"] == "delivered")
        })
        .await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["attempts"], 1);
    assert_eq!(deliveries[0]["pushStatusCode"], 201);
    system.stop().await;
}

async fn a_trigger_delivered_many_times_sends_one_push_per_subscription(mode: Mode) {
    let system = TestSystem::start(mode).await;
    let user = system.sign_up("twice@example.com").await;
    let phone = system.subscribe_browser(&user).await;
    let laptop = system.subscribe_browser(&user).await;
    let alert = system
        .create_alert(&user, json!({"name": "Dust", "schedule": "0 8 * * 1-5", "title": "Fine dust", "body": "Check the air"}))
        .await;
    let alert_id = alert["id"].as_str().unwrap();

    // EventBridge delivers at least once: the same trigger five times, concurrently, with the
    // original product's extra fields.
    let body = json!({"alertId": alert_id, "scheduledTime": "2026-11-30T08:00:00+09:00",
                      "userId": "ignored", "alertTypes": ["pm25"]});
    let responses = futures::future::join_all((0..5).map(|_| system.trigger(body.clone()))).await;
    for (status, answer) in &responses {
        assert_eq!(*status, StatusCode::OK, "{answer}");
    }
    let pushes = system.settled_pushes(2).await;
    let mut endpoints: Vec<_> = pushes.iter().map(|p| p.endpoint.clone()).collect();
    endpoints.sort();
    let mut expected = vec![phone.endpoint.clone(), laptop.endpoint.clone()];
    expected.sort();
    assert_eq!(
        endpoints, expected,
        "one push per subscription, however often the trigger arrives"
    );

    // A trigger for another scheduled time is a new run.
    let (status, _) = system
        .trigger(json!({"alertId": alert_id, "scheduledTime": "2026-12-01T08:00:00+09:00"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(system.settled_pushes(4).await.len(), 4);

    // Unknown alerts are accepted without sending, so EventBridge does not retry them.
    let (status, answer) =
        system.trigger(json!({"alertId": "00000000-0000-0000-0000-000000000000", "scheduledTime": "2026-11-30T08:00:00Z"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // Without the shared secret nothing is fired.
    let response = system
        .http
        .post(system.url("/scheduler/trigger"))
        .header("x-scheduler-secret", format!("{SCHEDULER_SECRET}-wrong"))
        .json(&json!({"alertId": alert_id, "scheduledTime": "2026-12-02T08:00:00+09:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        system.receiver.received().len(),
        4,
        "a refused trigger sends nothing"
    );
    system.stop().await;
}

async fn a_bucket_trigger_fans_out_to_every_enabled_alert_with_that_schedule(mode: Mode) {
    let system = TestSystem::start(mode).await;
    let mut browsers = Vec::new();
    let mut alert_ids = Vec::new();
    // Three users, the same time spelled two ways; the third user's alert is paused.
    for (email, schedule, enabled) in [
        ("a@example.com", "0 8 * * 1-5", true),
        ("b@example.com", "0 8 * * MON-FRI", true),
        ("c@example.com", "0 8 * * 1-5", false),
    ] {
        let user = system.sign_up(email).await;
        browsers.push(system.subscribe_browser(&user).await);
        let alert = system
            .create_alert(&user, json!({"name": "Dust", "schedule": schedule, "title": format!("for {email}"), "enabled": enabled}))
            .await;
        alert_ids.push(alert["id"].as_str().unwrap().to_owned());
    }
    let key = scheduler_service::domain::Schedule::parse("0 8 * * 1-5", "Asia/Seoul")
        .unwrap()
        .bucket_key();
    let scheduled_time = alert_platform::timestamp::to_rfc3339(
        alert_platform::Clock::now(&system.clock) + chrono::Duration::minutes(1),
    );
    let body = json!({"scheduleKey": key.as_str(), "scheduledTime": scheduled_time, "executionId": "exec-1"});
    for _ in 0..3 {
        let (status, answer) = system.trigger(body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let pushes = system.settled_pushes(2).await;
    let mut titles: Vec<String> = pushes
        .iter()
        .map(|p| {
            p.payload_json().unwrap()["title"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        ["for a@example.com", "for b@example.com"],
        "enabled members get one push each; the paused one none"
    );
    system.stop().await;
}

async fn a_subscription_the_push_service_calls_gone_is_deleted_and_not_pushed_again(mode: Mode) {
    let system = TestSystem::start(mode).await;
    let user = system.sign_up("gone@example.com").await;
    let browser = system.subscribe_browser(&user).await;
    system.receiver.respond_with(&browser.endpoint, 410);

    let (status, body) = system
        .post("/push/test", Some(&user.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["queued"], 1);
    let deliveries = system
        .wait_for_deliveries(&user, "", |d| {
            d.first().is_some_and(|d| d["status"] == "expired")
        })
        .await;
    assert_eq!(deliveries[0]["status"], "expired", "{deliveries:?}");
    assert_eq!(deliveries[0]["pushStatusCode"], 410);

    let (_, subscriptions) = system.get("/push/subscriptions", &user.token).await;
    assert_eq!(
        subscriptions["subscriptions"],
        json!([]),
        "the gone subscription is deleted"
    );
    let attempts_before = system.receiver.attempts().len();
    let (status, body) = system
        .post("/push/test", Some(&user.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["queued"], 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        system.receiver.attempts().len(),
        attempts_before,
        "a deleted subscription is not pushed again"
    );
    system.stop().await;
}

async fn alerts_can_be_listed_edited_paused_resumed_and_deleted(mode: Mode) {
    let system = TestSystem::start(mode).await;
    let owner = system.sign_up("owner@example.com").await;
    let stranger = system.sign_up("stranger@example.com").await;
    let alert = system
        .create_alert(
            &owner,
            json!({"name": "Morning", "schedule": "0 8 * * 1-5", "title": "Good morning"}),
        )
        .await;
    let id = alert["id"].as_str().unwrap().to_owned();
    assert_eq!(alert["timezone"], "Asia/Seoul", "the default time zone");
    assert_eq!(alert["enabled"], true);

    let (_, list) = system.get("/alerts", &owner.token).await;
    assert_eq!(list["alerts"].as_array().map(Vec::len), Some(1), "{list}");

    let (status, edited) = system
        .patch(
            &format!("/alerts/{id}"),
            &owner.token,
            json!({"schedule": "30 7 * * *", "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["schedule"], "30 7 * * *");
    assert_eq!(edited["timezone"], "Europe/Berlin");
    assert_eq!(
        edited["name"], "Morning",
        "fields not sent keep their value"
    );

    let toggle = |expected: bool| {
        let system = &system;
        let token = owner.token.clone();
        let id = id.clone();
        async move {
            let (status, body) = system
                .patch(&format!("/alerts/{id}/toggle"), &token, Value::Null)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["enabled"], expected, "{body}");
        }
    };
    toggle(false).await;
    toggle(true).await;

    for (status, what) in [
        (
            system
                .get(&format!("/alerts/{id}"), &stranger.token)
                .await
                .0,
            "get",
        ),
        (
            system
                .patch(
                    &format!("/alerts/{id}"),
                    &stranger.token,
                    json!({"name": "mine"}),
                )
                .await
                .0,
            "edit",
        ),
        (
            system
                .delete(&format!("/alerts/{id}"), &stranger.token)
                .await,
            "delete",
        ),
    ] {
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another user's alert is invisible to {what}"
        );
    }

    let (status, body) = system
        .post(
            "/alerts",
            Some(&owner.token),
            json!({"name": "Bad", "schedule": "0 8 1 * 1", "title": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "schedule", "{body}");

    assert_eq!(
        system.delete(&format!("/alerts/{id}"), &owner.token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        system.get(&format!("/alerts/{id}"), &owner.token).await.0,
        StatusCode::NOT_FOUND
    );
    system.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_system_keeps_its_data_and_secrets_across_restarts() {
    let system = TestSystem::start(Mode::Embedded).await;
    let user = system.sign_up("stays@example.com").await;
    system
        .create_alert(
            &user,
            json!({"name": "Kept", "schedule": "0 9 * * *", "title": "Still here"}),
        )
        .await;
    let secrets_before =
        std::fs::read_to_string(system.data_dir.path().join("dev-secrets.json")).unwrap();
    let receiver_origin = system.receiver.origin();
    let kept_dir = system.stop().await;

    let env = alert_platform::Env::from_pairs([
        ("PORT", "0".to_owned()),
        ("HOST", "127.0.0.1".to_owned()),
        ("DATA_DIR", kept_dir.path().display().to_string()),
        ("PUSH_ALLOWED_ORIGINS", receiver_origin),
    ]);
    let restarted =
        alert_system::EmbeddedSystem::build(&env, std::sync::Arc::new(alert_platform::SystemClock))
            .await
            .unwrap();
    let base = format!("http://{}", restarted.gateway_addr());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let run = tokio::spawn(restarted.run_until_stopped(shutdown.clone()));
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": "stays@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["accessToken"]
        .as_str()
        .expect("the account survived the restart");
    let alerts: Value = http
        .get(format!("{base}/alerts"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(alerts["alerts"][0]["name"], "Kept");
    assert_eq!(
        std::fs::read_to_string(kept_dir.path().join("dev-secrets.json")).unwrap(),
        secrets_before
    );
    shutdown.cancel();
    run.await.unwrap().unwrap();
}
