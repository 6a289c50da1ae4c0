//! The `alert.v1.SchedulerSyncService` gRPC adapter: the sync state of each bucket's schedule.

use std::sync::Arc;

use alert_platform::timestamp::to_rfc3339;
use alert_proto::v1::{
    BucketSyncState, BucketSyncStatus, ListBucketSyncStatesRequest, ListBucketSyncStatesResponse,
    scheduler_sync_service_server::SchedulerSyncService,
};
use tonic::{Request, Response, Status};

use crate::{
    eventbridge::{Reconciler, SchedulerApi},
    store::{BucketSync, SyncState, SyncStore},
};

const DEFAULT_PAGE_SIZE: u32 = 100;
const MAX_PAGE_SIZE: u32 = 1000;

/// Serves the sync state; the EventBridge parts are `None` with the local backend.
pub struct SchedulerSyncGrpc {
    store: Arc<dyn SyncStore>,
    backend: &'static str,
    reconciler: Option<Reconciler>,
    api: Option<SchedulerApi>,
}

impl SchedulerSyncGrpc {
    pub fn new(
        store: Arc<dyn SyncStore>,
        backend: &'static str,
        reconciler: Option<Reconciler>,
        api: Option<SchedulerApi>,
    ) -> SchedulerSyncGrpc {
        SchedulerSyncGrpc {
            store,
            backend,
            reconciler,
            api,
        }
    }
}

fn status_of(state: SyncState) -> BucketSyncStatus {
    match state {
        SyncState::Synced => BucketSyncStatus::Synced,
        SyncState::Pending => BucketSyncStatus::Pending,
        SyncState::Failed => BucketSyncStatus::Failed,
    }
}

fn to_proto(row: BucketSync) -> BucketSyncState {
    BucketSyncState {
        schedule_key: row.key.to_string(),
        expression: row.expression.unwrap_or_default(),
        timezone: row.timezone.unwrap_or_default(),
        desired_present: row.present,
        status: status_of(row.state).into(),
        attempts: row.attempts,
        last_error: row.last_error.unwrap_or_default(),
        next_attempt_time: to_rfc3339(row.next_attempt_at),
        updated_time: to_rfc3339(row.updated_at),
        synced_time: row.synced_at.map(to_rfc3339).unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl SchedulerSyncService for SchedulerSyncGrpc {
    async fn list_bucket_sync_states(
        &self,
        request: Request<ListBucketSyncStatesRequest>,
    ) -> Result<Response<ListBucketSyncStatesResponse>, Status> {
        let request = request.into_inner();
        let state = match BucketSyncStatus::try_from(request.status) {
            Ok(BucketSyncStatus::Synced) => Some(SyncState::Synced),
            Ok(BucketSyncStatus::Pending) => Some(SyncState::Pending),
            Ok(BucketSyncStatus::Failed) => Some(SyncState::Failed),
            Ok(BucketSyncStatus::Unspecified) => None,
            Err(_) => return Err(Status::invalid_argument("status is not a known value")),
        };
        let page_size = match request.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        let after = Some(request.page_token.as_str()).filter(|t| !t.is_empty());
        let rows = self.store.sync_states(state, after, page_size + 1).await?;
        let counts = self.store.sync_counts().await?;
        let more = rows.len() > page_size as usize;
        let buckets: Vec<BucketSyncState> = rows
            .into_iter()
            .take(page_size as usize)
            .map(to_proto)
            .collect();
        let next_page_token = if more {
            buckets
                .last()
                .map(|b| b.schedule_key.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let status = self.reconciler.as_ref().map(Reconciler::status);
        let report = status.as_ref().and_then(|s| s.report.clone());
        let count = |items: Option<usize>| u32::try_from(items.unwrap_or(0)).unwrap_or(u32::MAX);
        Ok(Response::new(ListBucketSyncStatesResponse {
            backend: self.backend.to_owned(),
            buckets,
            next_page_token,
            synced: counts.synced,
            pending: counts.pending,
            failed: counts.failed,
            last_reconcile_time: status
                .as_ref()
                .and_then(|s| s.finished_at)
                .map(to_rfc3339)
                .unwrap_or_default(),
            last_reconcile_error: status.and_then(|s| s.error).unwrap_or_default(),
            last_reconcile_missing: count(report.as_ref().map(|r| r.missing.len())),
            last_reconcile_drifted: count(report.as_ref().map(|r| r.drifted.len())),
            last_reconcile_orphans: count(report.as_ref().map(|r| r.orphans.len())),
            api_calls: self.api.as_ref().map(SchedulerApi::calls).unwrap_or(0),
        }))
    }
}
