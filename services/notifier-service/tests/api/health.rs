//! `grpc.health.v1` answers for the server and each of its services.

use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::World;

#[tokio::test]
async fn the_server_reports_serving_while_the_database_answers() {
    let world = World::sqlite().await;
    let app = world.start().await;
    for service in ["", "alert.v1.PushService", "alert.v1.NotifierService"] {
        let mut client = HealthClient::new(app.channel());
        let response = client
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await;
        let status = response
            .unwrap_or_else(|e| panic!("{service:?}: {e:?}"))
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }
}
