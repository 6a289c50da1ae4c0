//! PreviewNextRuns: upcoming fire times in the alert's own offset.

use alert_proto::v1 as pb;
use chrono::{DateTime, Utc};
use tonic::Code;

use crate::helpers::{as_user, assert_rejected, spawn_app, weekday_alert};

/// Friday 2026-11-27 08:30 in Seoul: today's 08:00 has passed.
const FRIDAY_0830_SEOUL: &str = "2026-11-26T23:30:00Z";

fn at(instant: &str) -> DateTime<Utc> {
    instant.parse().expect("a valid instant")
}

#[tokio::test]
async fn weekday_mornings_in_seoul_are_previewed_in_order() {
    let app = spawn_app().await;
    app.clock.set(at(FRIDAY_0830_SEOUL));
    let user_id = app.user_id("me@example.com").await;
    let request = pb::PreviewNextRunsRequest {
        schedule: "0 8 * * 1-5".into(),
        timezone: "Asia/Seoul".into(),
        count: 7,
        ..Default::default()
    };
    let preview = app
        .alerts()
        .preview_next_runs(as_user(request, &user_id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.timezone, "Asia/Seoul");
    assert_eq!(
        preview.next_runs,
        [
            "2026-11-30T08:00:00+09:00",
            "2026-12-01T08:00:00+09:00",
            "2026-12-02T08:00:00+09:00",
            "2026-12-03T08:00:00+09:00",
            "2026-12-04T08:00:00+09:00",
            "2026-12-07T08:00:00+09:00",
            "2026-12-08T08:00:00+09:00",
        ]
    );
}

#[tokio::test]
async fn a_stored_alert_is_previewed_with_its_own_zone_and_five_runs_by_default() {
    let app = spawn_app().await;
    app.clock.set(at(FRIDAY_0830_SEOUL));
    let user_id = app.user_id("me@example.com").await;
    let request = pb::CreateAlertRequest {
        schedule: "0 7 * * *".into(),
        timezone: "Europe/Paris".into(),
        ..weekday_alert()
    };
    let alert = app.create_alert(&user_id, request).await;
    let request = pb::PreviewNextRunsRequest {
        id: alert.id,
        ..Default::default()
    };
    let preview = app
        .alerts()
        .preview_next_runs(as_user(request, &user_id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.timezone, "Europe/Paris");
    assert_eq!(
        preview.next_runs,
        [
            "2026-11-27T07:00:00+01:00",
            "2026-11-28T07:00:00+01:00",
            "2026-11-29T07:00:00+01:00",
            "2026-11-30T07:00:00+01:00",
            "2026-12-01T07:00:00+01:00",
        ]
    );
}

#[tokio::test]
async fn preview_input_is_validated() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let valid = pb::PreviewNextRunsRequest {
        schedule: "0 8 * * *".into(),
        ..Default::default()
    };
    let cases = [
        (
            "count of 51",
            pb::PreviewNextRunsRequest {
                count: 51,
                ..valid.clone()
            },
            "count",
            "between 1 and 50",
        ),
        (
            "no schedule and no id",
            pb::PreviewNextRunsRequest::default(),
            "schedule",
            "cron expression is empty",
        ),
        (
            "6-field cron",
            pb::PreviewNextRunsRequest {
                schedule: "0 0 8 * * *".into(),
                ..valid.clone()
            },
            "schedule",
            "seconds",
        ),
        (
            "unknown timezone",
            pb::PreviewNextRunsRequest {
                timezone: "Mars/Base".into(),
                ..valid.clone()
            },
            "timezone",
            "unknown time zone",
        ),
    ];
    for (case, request, field, fragment) in cases {
        let status = app
            .alerts()
            .preview_next_runs(as_user(request, &user_id))
            .await
            .expect_err(case);
        assert_rejected(case, &status, Code::InvalidArgument, Some(field), fragment);
    }
    let fifty = pb::PreviewNextRunsRequest { count: 50, ..valid };
    let preview = app
        .alerts()
        .preview_next_runs(as_user(fifty, &user_id))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.next_runs.len(), 50);
}
