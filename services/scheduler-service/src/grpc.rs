//! The `alert.v1.SchedulerService` gRPC adapter: proto in, domain out, errors mapped once.

use std::sync::Arc;

use alert_proto::v1::{
    DeleteScheduleRequest, DeleteScheduleResponse, FireRequest, FireResponse,
    UpsertScheduleRequest, UpsertScheduleResponse, scheduler_service_server::SchedulerService,
};
use tonic::{Request, Response, Status};

use crate::{
    domain::{AlertId, Fire, ScheduleRequest},
    scheduler::Scheduler,
};

/// Serves [`Scheduler`] over gRPC.
pub struct SchedulerGrpc {
    scheduler: Arc<Scheduler>,
}

impl SchedulerGrpc {
    pub fn new(scheduler: Arc<Scheduler>) -> SchedulerGrpc {
        SchedulerGrpc { scheduler }
    }
}

#[tonic::async_trait]
impl SchedulerService for SchedulerGrpc {
    async fn upsert_schedule(
        &self,
        request: Request<UpsertScheduleRequest>,
    ) -> Result<Response<UpsertScheduleResponse>, Status> {
        let request = ScheduleRequest::try_from(request.into_inner())?;
        let key = self.scheduler.upsert_schedule(request).await?;
        Ok(Response::new(UpsertScheduleResponse {
            schedule_key: key.to_string(),
        }))
    }

    async fn delete_schedule(
        &self,
        request: Request<DeleteScheduleRequest>,
    ) -> Result<Response<DeleteScheduleResponse>, Status> {
        let alert_id = AlertId::parse(&request.into_inner().alert_id)?;
        self.scheduler.delete_schedule(&alert_id).await?;
        Ok(Response::new(DeleteScheduleResponse {}))
    }

    async fn fire(&self, request: Request<FireRequest>) -> Result<Response<FireResponse>, Status> {
        let fire = Fire::try_from(request.into_inner())?;
        let recorded = self.scheduler.fire(&fire).await?;
        Ok(Response::new(FireResponse {
            alerts: recorded.alerts,
            first_delivery: recorded.first_delivery,
        }))
    }
}
