//! `alert.v1.AlertRunnerService` over [`Runner`].

use alert_proto::v1::{self as pb, alert_runner_service_server::AlertRunnerService};
use tonic::{Request, Response, Status};

use crate::runner::{RunRequest, Runner};

pub struct RunnerGrpc {
    runner: Runner,
}

impl RunnerGrpc {
    pub fn new(runner: Runner) -> RunnerGrpc {
        RunnerGrpc { runner }
    }
}

#[tonic::async_trait]
impl AlertRunnerService for RunnerGrpc {
    async fn run_alert(
        &self,
        request: Request<pb::RunAlertRequest>,
    ) -> Result<Response<pb::RunAlertResponse>, Status> {
        let run_request = RunRequest::try_from(request.into_inner())?;
        let result = self.runner.run(run_request).await?;
        Ok(Response::new(pb::RunAlertResponse {
            outcome: result.outcome.into(),
            deliveries: result.deliveries,
            reason: result.reason,
        }))
    }
}
