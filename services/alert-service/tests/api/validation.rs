//! Every bad input, as tables: the status code, the field at fault and what the message says.

use alert_proto::v1 as pb;
use tonic::Code;

use crate::helpers::{as_user, assert_rejected, spawn_app, weekday_alert};

#[tokio::test]
async fn registration_input_is_validated() {
    let app = spawn_app().await;
    let long_email = format!("{}@example.com", "a".repeat(250));
    let cases: [(&str, &str, &str, &str, &str); 6] = [
        (
            "empty email",
            "",
            "long enough",
            "email",
            "not a valid email",
        ),
        (
            "email without domain",
            "someone",
            "long enough",
            "email",
            "not a valid email",
        ),
        (
            "email without a dot in the domain",
            "someone@localhost",
            "long enough",
            "email",
            "not a valid email",
        ),
        (
            "email over 254 characters",
            &long_email,
            "long enough",
            "email",
            "at most 254",
        ),
        (
            "password of 7 characters",
            "a@example.com",
            "1234567",
            "password",
            "8 to 128",
        ),
        (
            "password of 129 characters",
            "a@example.com",
            &"p".repeat(129),
            "password",
            "8 to 128",
        ),
    ];
    for (case, email, password, field, fragment) in cases {
        let status = app
            .auth()
            .register(pb::RegisterRequest {
                email: email.into(),
                password: password.into(),
            })
            .await
            .expect_err(case);
        assert_rejected(case, &status, Code::InvalidArgument, Some(field), fragment);
    }
}

#[tokio::test]
async fn alert_input_is_validated_on_create() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    type Edit = fn(&mut pb::CreateAlertRequest);
    let cases: [(&str, Edit, &str, &str); 12] = [
        (
            "not a cron expression",
            |r| r.schedule = "every morning".into(),
            "schedule",
            "exactly 5 are needed",
        ),
        (
            "empty schedule",
            |r| r.schedule = "  ".into(),
            "schedule",
            "cron expression is empty",
        ),
        (
            "6-field cron",
            |r| r.schedule = "0 0 8 * * *".into(),
            "schedule",
            "seconds or year field",
        ),
        (
            "both day fields restricted",
            |r| r.schedule = "0 8 1 * 1".into(),
            "schedule",
            "restricting both",
        ),
        (
            "minute out of range",
            |r| r.schedule = "60 8 * * *".into(),
            "schedule",
            "out of range",
        ),
        (
            "too frequent",
            |r| r.schedule = "*/2 * * * *".into(),
            "schedule",
            "more often than every 5 minutes",
        ),
        (
            "unknown timezone",
            |r| r.timezone = "Mars/Olympus".into(),
            "timezone",
            "unknown time zone",
        ),
        (
            "empty name",
            |r| r.name = "   ".into(),
            "name",
            "name must not be empty",
        ),
        (
            "101-character name",
            |r| r.name = "n".repeat(101),
            "name",
            "at most 100",
        ),
        (
            "empty title",
            |r| r.title = String::new(),
            "title",
            "title must not be empty",
        ),
        (
            "101-character title",
            |r| r.title = "t".repeat(101),
            "title",
            "at most 100",
        ),
        (
            "1001-character body",
            |r| r.body = "b".repeat(1001),
            "body",
            "at most 1000",
        ),
    ];
    for (case, edit, field, fragment) in cases {
        let mut request = weekday_alert();
        edit(&mut request);
        app.assert_create_rejected(&user_id, (case, request, field, fragment))
            .await;
    }
    assert!(
        app.alerts_of(&user_id).await.is_empty(),
        "no rejected alert was stored"
    );
    assert!(
        app.scheduler.upserts().is_empty(),
        "the scheduler heard of no rejected alert"
    );
}

#[tokio::test]
async fn the_minimum_interval_is_configurable() {
    let app = crate::helpers::spawn_app_with(&[("MIN_SCHEDULE_INTERVAL", "60m")]).await;
    let user_id = app.user_id("me@example.com").await;
    let request = pb::CreateAlertRequest {
        schedule: "*/30 * * * *".into(),
        ..weekday_alert()
    };
    let status = app
        .alerts()
        .create_alert(as_user(request, &user_id))
        .await
        .unwrap_err();
    assert_rejected(
        "every 30 minutes",
        &status,
        Code::InvalidArgument,
        Some("schedule"),
        "every 60 minutes",
    );
}

#[tokio::test]
async fn alert_input_is_validated_on_update() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app.create_alert(&user_id, weekday_alert()).await;
    type Edit = fn(&mut pb::UpdateAlertRequest);
    let cases: [(&str, Edit, &str, &str); 6] = [
        (
            "6-field cron",
            |r| r.schedule = Some("0 0 8 * * *".into()),
            "schedule",
            "seconds or year field",
        ),
        (
            "too frequent",
            |r| r.schedule = Some("* * * * *".into()),
            "schedule",
            "more often than",
        ),
        (
            "unknown timezone",
            |r| r.timezone = Some("Nowhere/City".into()),
            "timezone",
            "unknown time zone",
        ),
        (
            "empty name",
            |r| r.name = Some(String::new()),
            "name",
            "must not be empty",
        ),
        (
            "empty title",
            |r| r.title = Some(" ".into()),
            "title",
            "must not be empty",
        ),
        (
            "1001-character body",
            |r| r.body = Some("b".repeat(1001)),
            "body",
            "at most 1000",
        ),
    ];
    for (case, edit, field, fragment) in cases {
        let mut request = pb::UpdateAlertRequest {
            id: alert.id.clone(),
            ..Default::default()
        };
        edit(&mut request);
        let status = app
            .alerts()
            .update_alert(as_user(request, &user_id))
            .await
            .expect_err(case);
        assert_rejected(case, &status, Code::InvalidArgument, Some(field), fragment);
    }
    let stored = app
        .alerts()
        .get_alert(as_user(pb::GetAlertRequest { id: alert.id }, &user_id))
        .await
        .unwrap();
    assert_eq!(
        stored.into_inner().alert.unwrap().schedule,
        "0 8 * * 1-5",
        "nothing changed"
    );
}

#[tokio::test]
async fn the_101st_alert_is_refused() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    for n in 0..100 {
        let request = pb::CreateAlertRequest {
            name: format!("alert {n}"),
            ..weekday_alert()
        };
        app.alerts()
            .create_alert(as_user(request, &user_id))
            .await
            .unwrap_or_else(|e| panic!("alert {n}: {e}"));
    }
    let status = app
        .alerts()
        .create_alert(as_user(weekday_alert(), &user_id))
        .await
        .unwrap_err();
    assert_rejected(
        "101st alert",
        &status,
        Code::ResourceExhausted,
        None,
        "maximum of 100 alerts",
    );

    let other_user = app.user_id("other@example.com").await;
    app.alerts()
        .create_alert(as_user(weekday_alert(), &other_user))
        .await
        .expect("the limit is per user");
}

#[tokio::test]
async fn a_deleted_alert_frees_its_place_under_the_limit() {
    let app = crate::helpers::spawn_app_with(&[("MAX_ALERTS_PER_USER", "2")]).await;
    let user_id = app.user_id("me@example.com").await;
    let first = app.create_alert(&user_id, weekday_alert()).await;
    app.create_alert(&user_id, weekday_alert()).await;
    let status = app
        .alerts()
        .create_alert(as_user(weekday_alert(), &user_id))
        .await
        .unwrap_err();
    assert_rejected(
        "third alert",
        &status,
        Code::ResourceExhausted,
        None,
        "maximum of 2 alerts",
    );
    app.alerts()
        .delete_alert(as_user(pb::DeleteAlertRequest { id: first.id }, &user_id))
        .await
        .unwrap();
    app.alerts()
        .create_alert(as_user(weekday_alert(), &user_id))
        .await
        .expect("room again after a delete");
}

#[tokio::test]
async fn run_alert_needs_an_rfc3339_scheduled_time() {
    let app = spawn_app().await;
    for (case, scheduled_time) in [
        ("empty", ""),
        ("a date only", "2026-11-27"),
        ("words", "tomorrow at 8"),
    ] {
        let request = pb::RunAlertRequest {
            alert_id: "a".into(),
            scheduled_time: scheduled_time.into(),
        };
        let status = app.runner().run_alert(request).await.expect_err(case);
        assert_rejected(
            case,
            &status,
            Code::InvalidArgument,
            Some("scheduled_time"),
            "RFC 3339",
        );
    }
}
