//! Schedule sync with scheduler-service: every change is pushed, and none is lost while the
//! scheduler is down.

use std::time::Duration;

use alert_proto::v1 as pb;

use crate::helpers::{as_user, eventually, spawn_app, spawn_app_with, weekday_alert};

fn upsert(alert_id: &str, cron: &str, timezone: &str, enabled: bool) -> pb::UpsertScheduleRequest {
    pb::UpsertScheduleRequest {
        alert_id: alert_id.into(),
        cron: cron.into(),
        timezone: timezone.into(),
        enabled,
    }
}

#[tokio::test]
async fn creating_an_alert_upserts_its_schedule() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    assert_eq!(
        app.scheduler.upserts(),
        vec![upsert(&alert.id, "0 8 * * 1-5", "Asia/Seoul", true)]
    );
}

#[tokio::test]
async fn schedule_changes_upsert_and_other_changes_do_not() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    let id = alert.id.clone();
    let update = |request: pb::UpdateAlertRequest| {
        as_user(
            pb::UpdateAlertRequest {
                id: id.clone(),
                ..request
            },
            &user_id,
        )
    };

    let mut client = app.alerts();
    client
        .update_alert(update(pb::UpdateAlertRequest {
            name: Some("renamed".into()),
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(
        app.scheduler.upserts().len(),
        1,
        "a rename is not the scheduler's business"
    );

    let new_schedule = pb::UpdateAlertRequest {
        schedule: Some("30 7 * * *".into()),
        timezone: Some("Europe/Paris".into()),
        ..Default::default()
    };
    client.update_alert(update(new_schedule)).await.unwrap();
    client
        .update_alert(update(pb::UpdateAlertRequest {
            enabled: Some(false),
            ..Default::default()
        }))
        .await
        .unwrap();
    client
        .toggle_alert(as_user(pb::ToggleAlertRequest { id: id.clone() }, &user_id))
        .await
        .unwrap();

    assert_eq!(
        app.scheduler.upserts(),
        vec![
            upsert(&id, "0 8 * * 1-5", "Asia/Seoul", true),
            upsert(&id, "30 7 * * *", "Europe/Paris", true),
            upsert(&id, "30 7 * * *", "Europe/Paris", false),
            upsert(&id, "30 7 * * *", "Europe/Paris", true),
        ]
    );
}

#[tokio::test]
async fn deleting_an_alert_deletes_its_schedule() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    app.alerts()
        .delete_alert(as_user(
            pb::DeleteAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        ))
        .await
        .unwrap();
    assert_eq!(app.scheduler.deletes(), vec![alert.id]);
}

#[tokio::test]
async fn an_alert_created_while_the_scheduler_is_down_is_synced_once_it_is_up() {
    let app = spawn_app_with(&[("SCHEDULE_SYNC_INTERVAL", "100ms")]).await;
    let user_id = app.user_id("me@example.com").await;
    app.scheduler.set_unavailable(true);

    let alert = app.create_alert(&user_id, weekday_alert()).await;
    assert!(
        app.scheduler.refused() >= 1,
        "the create tried the scheduler at once"
    );
    assert!(app.scheduler.upserts().is_empty());

    app.scheduler.set_unavailable(false);
    eventually(
        "the background sync delivers the alert",
        Duration::from_secs(10),
        || {
            app.scheduler
                .upserts()
                .iter()
                .any(|u| u.alert_id == alert.id)
        },
    )
    .await;
    assert_eq!(
        app.scheduler.upserts(),
        vec![upsert(&alert.id, "0 8 * * 1-5", "Asia/Seoul", true)]
    );
}

#[tokio::test]
async fn the_latest_change_made_while_the_scheduler_is_down_wins() {
    let app = spawn_app_with(&[("SCHEDULE_SYNC_INTERVAL", "100ms")]).await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    app.scheduler.set_unavailable(true);
    let toggle = || {
        as_user(
            pb::ToggleAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        )
    };
    app.alerts()
        .toggle_alert(toggle())
        .await
        .expect("the write succeeds while the scheduler is down");
    let request = pb::UpdateAlertRequest {
        id: alert.id.clone(),
        schedule: Some("0 9 * * *".into()),
        ..Default::default()
    };
    app.alerts()
        .update_alert(as_user(request, &user_id))
        .await
        .unwrap();

    app.scheduler.set_unavailable(false);
    let latest = upsert(&alert.id, "0 9 * * *", "Asia/Seoul", false);
    eventually(
        "the latest state reaches the scheduler",
        Duration::from_secs(10),
        || app.scheduler.upserts().last() == Some(&latest),
    )
    .await;
}

#[tokio::test]
async fn an_alert_deleted_while_the_scheduler_is_down_is_deleted_there_later() {
    let app = spawn_app_with(&[("SCHEDULE_SYNC_INTERVAL", "100ms")]).await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    app.scheduler.set_unavailable(true);
    app.alerts()
        .delete_alert(as_user(
            pb::DeleteAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        ))
        .await
        .unwrap();
    assert!(app.scheduler.deletes().is_empty());

    app.scheduler.set_unavailable(false);
    eventually(
        "the delete reaches the scheduler",
        Duration::from_secs(10),
        || app.scheduler.deletes() == vec![alert.id.clone()],
    )
    .await;
}
