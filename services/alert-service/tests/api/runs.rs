//! RunAlert: the notification it sends, and that it runs once per scheduled time.

use alert_proto::v1::{self as pb, RunOutcome, Urgency};
use tonic::Code;

use crate::helpers::{APP_URL, QUEUED_PER_NOTIFY, as_user, spawn_app, weekday_alert};

const SCHEDULED_TIME: &str = "2026-11-30T08:00:00+09:00";
/// `SCHEDULED_TIME` in Unix milliseconds.
const SCHEDULED_MILLIS: i64 = 1_795_993_200_000;

fn run(alert_id: &str) -> pb::RunAlertRequest {
    pb::RunAlertRequest {
        alert_id: alert_id.into(),
        scheduled_time: SCHEDULED_TIME.into(),
    }
}

#[tokio::test]
async fn a_run_notifies_the_owner_with_the_alerts_message() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;

    let response = app
        .runner()
        .run_alert(run(&alert.id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.outcome(), RunOutcome::Sent);
    assert_eq!(response.deliveries, QUEUED_PER_NOTIFY);

    let expected = pb::NotifyRequest {
        user_id: user_id.clone(),
        message: Some(pb::NotificationMessage {
            title: alert.title.clone(),
            body: alert.body.clone(),
            url: APP_URL.into(),
            tag: alert.id.clone(),
        }),
        dedupe_key: format!("alert:{}:{SCHEDULED_MILLIS}", alert.id),
        alert_id: alert.id.clone(),
        ttl_seconds: 0,
        urgency: Urgency::Normal.into(),
    };
    assert_eq!(app.notifier.notifies(), vec![expected]);
}

#[tokio::test]
async fn the_same_scheduled_time_in_another_offset_is_the_same_run() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;

    let first = app
        .runner()
        .run_alert(run(&alert.id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.outcome(), RunOutcome::Sent);
    let same_instant = pb::RunAlertRequest {
        alert_id: alert.id.clone(),
        scheduled_time: "2026-11-29T23:00:00Z".into(),
    };
    let second = app
        .runner()
        .run_alert(same_instant)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.outcome(), RunOutcome::Duplicate);
    assert_eq!(second.deliveries, 0);
    assert_eq!(
        app.notifier.notifies().len(),
        1,
        "a duplicate run sends nothing"
    );

    let next_day = pb::RunAlertRequest {
        alert_id: alert.id,
        scheduled_time: "2026-12-01T08:00:00+09:00".into(),
    };
    let third = app.runner().run_alert(next_day).await.unwrap().into_inner();
    assert_eq!(
        third.outcome(),
        RunOutcome::Sent,
        "another scheduled time is another run"
    );
}

#[tokio::test]
async fn disabled_deleted_and_unknown_alerts_are_skipped_without_a_notification() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let disabled = app
        .create_alert(
            &user_id,
            pb::CreateAlertRequest {
                enabled: Some(false),
                ..weekday_alert()
            },
        )
        .await;
    let deleted = app.create_alert(&user_id, weekday_alert()).await;
    app.alerts()
        .delete_alert(as_user(
            pb::DeleteAlertRequest {
                id: deleted.id.clone(),
            },
            &user_id,
        ))
        .await
        .unwrap();
    // Keep one deleted alert's row around (the scheduler has not acknowledged its deletion yet).
    app.scheduler.set_unavailable(true);
    let deleted_pending = app.create_alert(&user_id, weekday_alert()).await;
    app.alerts()
        .delete_alert(as_user(
            pb::DeleteAlertRequest {
                id: deleted_pending.id.clone(),
            },
            &user_id,
        ))
        .await
        .unwrap();

    for (case, alert_id) in [
        ("disabled", disabled.id.as_str()),
        ("deleted", deleted.id.as_str()),
        ("deleted, not yet purged", deleted_pending.id.as_str()),
        ("unknown", "01900000-0000-7000-8000-000000000000"),
        ("empty id", ""),
    ] {
        let response = app
            .runner()
            .run_alert(run(alert_id))
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(
            response.into_inner().outcome(),
            RunOutcome::Skipped,
            "{case}"
        );
    }
    assert!(app.notifier.notifies().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_run_is_unavailable_while_the_notifier_is_and_succeeds_on_retry() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;

    app.notifier.set_unavailable(true);
    let status = app.runner().run_alert(run(&alert.id)).await.unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unavailable,
        "the scheduler retries: {}",
        status.message()
    );

    app.notifier.set_unavailable(false);
    let retried = app
        .runner()
        .run_alert(run(&alert.id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        retried.outcome(),
        RunOutcome::Sent,
        "the failed attempt recorded no run"
    );
}
