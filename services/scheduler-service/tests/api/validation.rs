//! Bad input is rejected with INVALID_ARGUMENT naming the field; health is reported.

use alert_platform::error::status_field;
use alert_proto::v1::{
    DeleteScheduleRequest, FireRequest, UpsertScheduleRequest, fire_request::Target,
};
use tonic::Code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::{eventually, spawn_app};

fn upsert(alert_id: &str, cron: &str, timezone: &str) -> UpsertScheduleRequest {
    UpsertScheduleRequest {
        alert_id: alert_id.into(),
        cron: cron.into(),
        timezone: timezone.into(),
        enabled: true,
    }
}

fn fire(target: Option<Target>, scheduled_time: &str) -> FireRequest {
    FireRequest {
        target,
        scheduled_time: scheduled_time.into(),
        execution_id: "exec-1".into(),
    }
}

#[tokio::test]
async fn invalid_requests_are_rejected_naming_the_field() {
    let app = spawn_app().await;
    let key = || Some(Target::ScheduleKey("alert-000000000000000000000000".into()));
    let fire_cases = [
        (
            "missing target",
            fire(None, "2026-01-05T23:00:00Z"),
            "target",
        ),
        (
            "empty schedule key",
            fire(
                Some(Target::ScheduleKey(" ".into())),
                "2026-01-05T23:00:00Z",
            ),
            "schedule_key",
        ),
        (
            "empty alert id",
            fire(Some(Target::AlertId("".into())), "2026-01-05T23:00:00Z"),
            "alert_id",
        ),
        ("missing scheduled time", fire(key(), ""), "scheduled_time"),
        (
            "bad scheduled time",
            fire(key(), "tomorrow at eight"),
            "scheduled_time",
        ),
        (
            "scheduled time without offset",
            fire(key(), "2026-01-05T23:00:00"),
            "scheduled_time",
        ),
    ];
    for (case, request, field) in fire_cases {
        let status = app.client.clone().fire(request).await.expect_err(case);
        assert_invalid(case, &status, field);
    }

    let upsert_cases = [
        (
            "invalid cron",
            upsert("alert-1", "0 25 * * *", "Asia/Seoul"),
            "cron",
        ),
        (
            "cron with six fields",
            upsert("alert-1", "0 0 8 * * *", "Asia/Seoul"),
            "cron",
        ),
        ("empty cron", upsert("alert-1", "", "Asia/Seoul"), "cron"),
        (
            "unknown timezone",
            upsert("alert-1", "0 8 * * *", "Mars/Olympus_Mons"),
            "timezone",
        ),
        (
            "empty alert id",
            upsert("", "0 8 * * *", "Asia/Seoul"),
            "alert_id",
        ),
    ];
    for (case, request, field) in upsert_cases {
        let status = app
            .client
            .clone()
            .upsert_schedule(request)
            .await
            .expect_err(case);
        assert_invalid(case, &status, field);
    }

    let status = app
        .client
        .clone()
        .delete_schedule(DeleteScheduleRequest {
            alert_id: "  ".into(),
        })
        .await
        .expect_err("delete with empty alert id");
    assert_invalid("delete with empty alert id", &status, "alert_id");
}

fn assert_invalid(case: &str, status: &tonic::Status, field: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{case}: {status:?}");
    assert_eq!(
        status_field(status).as_deref(),
        Some(field),
        "{case}: field violation of {status:?}"
    );
    assert!(
        status.message().contains(field),
        "{case}: message {:?} names {field}",
        status.message()
    );
}

#[tokio::test]
async fn health_reports_serving_while_the_database_answers() {
    let app = spawn_app().await;
    let health = HealthClient::new(app.channel.clone());
    for service in ["", "alert.v1.SchedulerService"] {
        // The first database ping sets the status as the app starts.
        eventually(&format!("{service:?} is serving"), || async {
            let response = health
                .clone()
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await;
            response.is_ok_and(|r| r.into_inner().status() == ServingStatus::Serving)
        })
        .await;
    }
}
