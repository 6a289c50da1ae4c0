//! Creating, reading, changing and deleting alerts, and that they stay their owner's.

use alert_proto::v1 as pb;
use tonic::{Code, Request};

use crate::helpers::{as_user, spawn_app, weekday_alert};

#[tokio::test]
async fn a_created_alert_is_stored_as_typed_with_defaults() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let request = pb::CreateAlertRequest {
        name: "  morning air  ".into(),
        schedule: "  0 8 * * mon-fri ".into(),
        timezone: String::new(),
        ..weekday_alert()
    };
    let alert = app.create_alert(&user_id, request).await;
    assert_eq!(alert.name, "morning air");
    assert_eq!(
        alert.schedule, "0 8 * * mon-fri",
        "the user's spelling, trimmed"
    );
    assert_eq!(alert.timezone, "Asia/Seoul", "the default zone");
    assert!(alert.enabled, "enabled unless said otherwise");
    assert_eq!(alert.title, "PM2.5 today");
    assert_eq!(alert.created_at, alert.updated_at);

    let fetched = app
        .alerts()
        .get_alert(as_user(
            pb::GetAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        ))
        .await;
    assert_eq!(fetched.unwrap().into_inner().alert.unwrap(), alert);
}

#[tokio::test]
async fn a_time_zone_is_stored_in_its_canonical_spelling() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let request = pb::CreateAlertRequest {
        timezone: "america/new_york".into(),
        enabled: Some(false),
        ..weekday_alert()
    };
    let alert = app.create_alert(&user_id, request).await;
    assert_eq!(alert.timezone, "America/New_York");
    assert!(!alert.enabled);
}

#[tokio::test]
async fn alerts_are_listed_oldest_first_and_only_the_callers() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let other_user = app.user_id("other@example.com").await;
    let mut created = Vec::new();
    for name in ["first", "second", "third"] {
        created.push(
            app.create_alert(
                &user_id,
                pb::CreateAlertRequest {
                    name: name.into(),
                    ..weekday_alert()
                },
            )
            .await,
        );
        app.create_alert(&other_user, weekday_alert()).await;
    }
    let listed = app
        .alerts()
        .list_alerts(as_user(pb::ListAlertsRequest {}, &user_id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.alerts, created);
}

#[tokio::test]
async fn an_update_changes_only_the_fields_present() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    app.clock.advance(chrono::Duration::minutes(1));
    let request = pb::UpdateAlertRequest {
        id: alert.id.clone(),
        name: Some("renamed".into()),
        body: Some(String::new()),
        ..Default::default()
    };
    let updated = app
        .alerts()
        .update_alert(as_user(request, &user_id))
        .await
        .unwrap()
        .into_inner()
        .alert
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.body, "", "an empty body is allowed");
    assert_eq!(updated.schedule, alert.schedule);
    assert_eq!(updated.timezone, alert.timezone);
    assert_eq!(updated.title, alert.title);
    assert_eq!(updated.enabled, alert.enabled);
    assert_eq!(updated.created_at, alert.created_at);
    assert!(
        updated.updated_at > alert.updated_at,
        "{} > {}",
        updated.updated_at,
        alert.updated_at
    );
}

#[tokio::test]
async fn toggling_flips_enabled() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    let toggle = || {
        as_user(
            pb::ToggleAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        )
    };
    let off = app
        .alerts()
        .toggle_alert(toggle())
        .await
        .unwrap()
        .into_inner()
        .alert
        .unwrap();
    assert!(!off.enabled);
    let on = app
        .alerts()
        .toggle_alert(toggle())
        .await
        .unwrap()
        .into_inner()
        .alert
        .unwrap();
    assert!(on.enabled);
}

#[tokio::test]
async fn a_deleted_alert_is_gone() {
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

    let status = app
        .alerts()
        .get_alert(as_user(
            pb::GetAlertRequest {
                id: alert.id.clone(),
            },
            &user_id,
        ))
        .await;
    assert_eq!(status.unwrap_err().code(), Code::NotFound);
    let status = app
        .alerts()
        .delete_alert(as_user(pb::DeleteAlertRequest { id: alert.id }, &user_id))
        .await;
    assert_eq!(
        status.unwrap_err().code(),
        Code::NotFound,
        "a second delete finds nothing"
    );
    let listed = app
        .alerts()
        .list_alerts(as_user(pb::ListAlertsRequest {}, &user_id))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.alerts.is_empty());
}

#[tokio::test]
async fn another_users_alert_is_not_found() {
    let app = spawn_app().await;
    let owner = app.user_id("owner@example.com").await;
    let intruder = app.user_id("intruder@example.com").await;
    let alert = app.create_alert(&owner, weekday_alert()).await;
    let id = alert.id.clone();

    let mut client = app.alerts();
    let get = client
        .get_alert(as_user(pb::GetAlertRequest { id: id.clone() }, &intruder))
        .await
        .map(drop);
    let update = client
        .update_alert(as_user(
            pb::UpdateAlertRequest {
                id: id.clone(),
                name: Some("mine".into()),
                ..Default::default()
            },
            &intruder,
        ))
        .await
        .map(drop);
    let toggle = client
        .toggle_alert(as_user(
            pb::ToggleAlertRequest { id: id.clone() },
            &intruder,
        ))
        .await
        .map(drop);
    let delete = client
        .delete_alert(as_user(
            pb::DeleteAlertRequest { id: id.clone() },
            &intruder,
        ))
        .await
        .map(drop);
    let preview = client
        .preview_next_runs(as_user(
            pb::PreviewNextRunsRequest {
                id: id.clone(),
                ..Default::default()
            },
            &intruder,
        ))
        .await
        .map(drop);
    for (case, result) in [
        ("get", get),
        ("update", update),
        ("toggle", toggle),
        ("delete", delete),
        ("preview", preview),
    ] {
        let status = result.expect_err(case);
        assert_eq!(
            status.code(),
            Code::NotFound,
            "{case}: {}",
            status.message()
        );
        assert_eq!(status.message(), "alert not found", "{case}");
    }
    let listed = client
        .list_alerts(as_user(pb::ListAlertsRequest {}, &intruder))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.alerts.is_empty(), "the intruder lists nothing");

    let unchanged = client
        .get_alert(as_user(pb::GetAlertRequest { id }, &owner))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        unchanged.alert.unwrap(),
        alert,
        "the owner's alert is untouched"
    );
}

#[tokio::test]
async fn alert_calls_without_a_caller_are_unauthenticated() {
    let app = spawn_app().await;
    let status = app
        .alerts()
        .create_alert(Request::new(weekday_alert()))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "create");
    let status = app
        .alerts()
        .list_alerts(Request::new(pb::ListAlertsRequest {}))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "list");
}
