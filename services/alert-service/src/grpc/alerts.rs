//! `alert.v1.AlertService` over [`Alerts`].

use alert_platform::identity::caller_user_id;
use alert_proto::v1::{self as pb, alert_service_server::AlertService};
use tonic::{Request, Response, Status};

use super::{alert_to_proto, run_to_proto};
use crate::{
    alerts::{Alerts, PreviewRequest, RunsRequest},
    domain::{AlertDraft, AlertPatch},
};

pub struct AlertGrpc {
    alerts: Alerts,
}

impl AlertGrpc {
    pub fn new(alerts: Alerts) -> AlertGrpc {
        AlertGrpc { alerts }
    }
}

#[tonic::async_trait]
impl AlertService for AlertGrpc {
    async fn create_alert(
        &self,
        request: Request<pb::CreateAlertRequest>,
    ) -> Result<Response<pb::CreateAlertResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let draft = AlertDraft::try_from(request.into_inner())?;
        let alert = self.alerts.create(&user_id, draft).await?;
        Ok(Response::new(pb::CreateAlertResponse {
            alert: Some(alert_to_proto(alert)),
        }))
    }

    async fn get_alert(
        &self,
        request: Request<pb::GetAlertRequest>,
    ) -> Result<Response<pb::GetAlertResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let alert = self
            .alerts
            .get(&user_id, request.get_ref().id.trim())
            .await?;
        Ok(Response::new(pb::GetAlertResponse {
            alert: Some(alert_to_proto(alert)),
        }))
    }

    async fn list_alerts(
        &self,
        request: Request<pb::ListAlertsRequest>,
    ) -> Result<Response<pb::ListAlertsResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let alerts = self.alerts.list(&user_id).await?;
        Ok(Response::new(pb::ListAlertsResponse {
            alerts: alerts.into_iter().map(alert_to_proto).collect(),
        }))
    }

    async fn update_alert(
        &self,
        request: Request<pb::UpdateAlertRequest>,
    ) -> Result<Response<pb::UpdateAlertResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let patch = AlertPatch::try_from(request.into_inner())?;
        let alert = self.alerts.update(&user_id, patch).await?;
        Ok(Response::new(pb::UpdateAlertResponse {
            alert: Some(alert_to_proto(alert)),
        }))
    }

    async fn toggle_alert(
        &self,
        request: Request<pb::ToggleAlertRequest>,
    ) -> Result<Response<pb::ToggleAlertResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let alert = self
            .alerts
            .toggle(&user_id, request.get_ref().id.trim())
            .await?;
        Ok(Response::new(pb::ToggleAlertResponse {
            alert: Some(alert_to_proto(alert)),
        }))
    }

    async fn delete_alert(
        &self,
        request: Request<pb::DeleteAlertRequest>,
    ) -> Result<Response<pb::DeleteAlertResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        self.alerts
            .delete(&user_id, request.get_ref().id.trim())
            .await?;
        Ok(Response::new(pb::DeleteAlertResponse {}))
    }

    async fn preview_next_runs(
        &self,
        request: Request<pb::PreviewNextRunsRequest>,
    ) -> Result<Response<pb::PreviewNextRunsResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let preview_request = PreviewRequest::try_from(request.into_inner())?;
        let preview = self.alerts.preview(&user_id, preview_request).await?;
        Ok(Response::new(pb::PreviewNextRunsResponse {
            next_runs: preview.next_runs,
            timezone: preview.timezone,
        }))
    }

    async fn list_alert_runs(
        &self,
        request: Request<pb::ListAlertRunsRequest>,
    ) -> Result<Response<pb::ListAlertRunsResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let runs_request = RunsRequest::try_from(request.into_inner())?;
        let runs = self.alerts.runs(&user_id, runs_request).await?;
        Ok(Response::new(pb::ListAlertRunsResponse {
            runs: runs.into_iter().map(run_to_proto).collect(),
        }))
    }
}
