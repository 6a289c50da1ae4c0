//! `alert.v1.NotifierService`: the internal `Notify`, called by alert-service.

use std::sync::Arc;

use alert_proto::v1::{NotifyRequest, NotifyResponse, notifier_service_server::NotifierService};
use tonic::{Request, Response, Status};

use crate::{domain::NotifyCommand, service::Notifier};

pub struct NotifierApi {
    notifier: Arc<Notifier>,
}

impl NotifierApi {
    pub fn new(notifier: Arc<Notifier>) -> Self {
        NotifierApi { notifier }
    }
}

#[tonic::async_trait]
impl NotifierService for NotifierApi {
    async fn notify(
        &self,
        request: Request<NotifyRequest>,
    ) -> Result<Response<NotifyResponse>, Status> {
        let command = NotifyCommand::try_from(request.into_inner())?;
        let queued = self.notifier.notify(command).await?;
        Ok(Response::new(NotifyResponse { queued }))
    }
}
