//! Health reporting and graceful shutdown.

use std::time::Duration;

use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_reports_serving_while_the_database_answers() {
    let app = spawn_app().await;
    let mut health = HealthClient::new(app.channel.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for service in [
        "",
        "alert.v1.AuthService",
        "alert.v1.AlertService",
        "alert.v1.AlertRunnerService",
    ] {
        loop {
            let answer = health
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await;
            if answer.is_ok_and(|a| a.into_inner().status() == ServingStatus::Serving) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{service:?} never became SERVING"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn cancelling_the_shutdown_token_stops_the_server() {
    let mut app = spawn_app().await;
    app.user_id("me@example.com").await;
    app.shutdown.cancel();
    let server = app.server.take().expect("the server task");
    let result = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops in time");
    result
        .expect("the server task did not panic")
        .expect("the server stopped cleanly");
}

#[tokio::test]
async fn the_service_runs_on_postgresql_too() {
    let database_url = alert_platform::db::testing::fresh_postgres_database().await;
    let app = crate::helpers::spawn_app_with(&[("DATABASE_URL", &database_url)]).await;
    let user_id = app.user_id("me@example.com").await;
    let alert = app
        .create_alert(&user_id, crate::helpers::weekday_alert())
        .await;
    assert_eq!(app.scheduler.upserts().len(), 1);

    let run = alert_proto::v1::RunAlertRequest {
        alert_id: alert.id.clone(),
        scheduled_time: "2026-11-30T08:00:00+09:00".into(),
    };
    let outcome = app
        .runner()
        .run_alert(run.clone())
        .await
        .unwrap()
        .into_inner()
        .outcome();
    assert_eq!(outcome, alert_proto::v1::RunOutcome::Sent);
    let outcome = app
        .runner()
        .run_alert(run)
        .await
        .unwrap()
        .into_inner()
        .outcome();
    assert_eq!(outcome, alert_proto::v1::RunOutcome::Duplicate);

    let delete = alert_proto::v1::DeleteAlertRequest {
        id: alert.id.clone(),
    };
    app.alerts()
        .delete_alert(crate::helpers::as_user(delete, &user_id))
        .await
        .unwrap();
    assert_eq!(app.scheduler.deletes(), vec![alert.id]);
}
