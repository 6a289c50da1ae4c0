//! `POST /scheduler/trigger`: EventBridge (through an API destination) fires a bucket or one
//! alert. Authenticated by a shared secret, not a user token, and exempt from rate limits.

use std::sync::Arc;

use alert_proto::v1::{FireRequest, fire_request};
use axum::{
    Json,
    extract::{Request, State},
};
use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::{
    error::{Error, Result},
    extract::read_body,
    trigger::{FireTarget, parse_trigger_body},
};

const SECRET_HEADER: &str = "x-scheduler-secret";

/// The secret EventBridge's connection sends; `None` refuses every trigger (never fail open).
#[derive(Clone)]
pub struct SchedulerSecret(pub Option<Arc<SecretString>>);

impl SchedulerSecret {
    /// Compares in constant time, so the answer time does not reveal how much of a guess matched.
    fn check(&self, headers: &HeaderMap) -> Result<()> {
        let expected = self.0.as_ref().ok_or(Error::InvalidSchedulerCredentials)?;
        let provided = headers
            .get(SECRET_HEADER)
            .ok_or(Error::InvalidSchedulerCredentials)?;
        let matches: bool = expected
            .expose_secret()
            .as_bytes()
            .ct_eq(provided.as_bytes())
            .into();
        if matches {
            Ok(())
        } else {
            Err(Error::InvalidSchedulerCredentials)
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TriggerResponse {
    accepted: bool,
    /// Alerts this fire runs; 0 for an unknown, deleted or disabled target.
    alerts: u32,
    /// This (target, scheduled time) had fired before: EventBridge delivers at least once.
    duplicate: bool,
}

/// Fires the target once the scheduler has recorded it; the fan-out runs after we answer.
pub async fn trigger(
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<TriggerResponse>> {
    if let Err(error) = state.scheduler_secret.check(request.headers()) {
        tracing::warn!("scheduler trigger with missing or wrong secret");
        return Err(error);
    }
    let body = read_body(request, &()).await?;
    let trigger = parse_trigger_body(&body)?;
    let scheduled_time = trigger.scheduled_time_rfc3339();
    let target = match trigger.target {
        FireTarget::ScheduleKey(key) => fire_request::Target::ScheduleKey(key),
        FireTarget::AlertId(id) => fire_request::Target::AlertId(id),
    };
    let request = FireRequest {
        target: Some(target.clone()),
        scheduled_time: scheduled_time.clone(),
        execution_id: trigger.execution_id.clone().unwrap_or_default(),
    };
    let response = match state.scheduler.clone().fire(request).await {
        Ok(response) => response.into_inner(),
        // A target that no longer exists will never fire: answer 2xx so EventBridge stops retrying.
        Err(status) if status.code() == tonic::Code::NotFound => {
            tracing::info!(
                ?target,
                scheduled_time,
                "trigger for an unknown target ignored"
            );
            return Ok(Json(TriggerResponse {
                accepted: true,
                alerts: 0,
                duplicate: false,
            }));
        }
        Err(status) => return Err(Error::upstream("scheduler-service", status)),
    };
    tracing::info!(
        ?target,
        scheduled_time,
        execution_id = trigger.execution_id.as_deref().unwrap_or(""),
        alerts = response.alerts,
        duplicate = !response.first_delivery,
        "trigger fired"
    );
    Ok(Json(TriggerResponse {
        accepted: true,
        alerts: response.alerts,
        duplicate: !response.first_delivery,
    }))
}
