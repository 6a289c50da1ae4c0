//! `/alerts/*`: the caller's alerts, served by alert-service's `AlertService`.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    Alert, AlertRun, AlertRunOutcome, CreateAlertRequest, DeleteAlertRequest, GetAlertRequest,
    ListAlertRunsRequest, ListAlertsRequest, PreviewNextRunsRequest, PreviewNextRunsResponse,
    ToggleAlertRequest, UpdateAlertRequest,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use super::{AppState, content::ContentJson, present};
use crate::{
    error::{Error, Result},
    extract::{Caller, JsonBody, PathId, QueryParams, optional_count},
};

const SERVICE: &str = "alert-service";

#[derive(Debug, Deserialize)]
pub struct CreateAlertBody {
    name: String,
    schedule: String,
    timezone: Option<String>,
    /// Required for plain content; a template (empty for the default) for air quality.
    title: Option<String>,
    body: Option<String>,
    enabled: Option<bool>,
    /// Absent means plain.
    content: Option<ContentJson>,
}

/// Fields left out keep their stored value.
#[derive(Debug, Deserialize)]
pub struct UpdateAlertBody {
    name: Option<String>,
    schedule: Option<String>,
    timezone: Option<String>,
    title: Option<String>,
    body: Option<String>,
    enabled: Option<bool>,
    content: Option<ContentJson>,
}

#[derive(Debug, Deserialize)]
pub struct RunsQuery {
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextRunsQuery {
    count: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PreviewQuery {
    schedule: Option<String>,
    timezone: Option<String>,
    count: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertJson {
    id: String,
    name: String,
    schedule: String,
    timezone: String,
    title: String,
    body: String,
    enabled: bool,
    created_at: String,
    updated_at: String,
    content: ContentJson,
}

impl From<Alert> for AlertJson {
    fn from(alert: Alert) -> Self {
        AlertJson {
            id: alert.id,
            name: alert.name,
            schedule: alert.schedule,
            timezone: alert.timezone,
            title: alert.title,
            body: alert.body,
            enabled: alert.enabled,
            created_at: alert.created_at,
            updated_at: alert.updated_at,
            content: ContentJson::from_proto(alert.content),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunJson {
    scheduled_time: String,
    /// `sent` or `skipped`.
    outcome: &'static str,
    deliveries: u32,
    /// Why the run skipped, or why its message lacks the reading; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    created_at: String,
}

impl From<AlertRun> for RunJson {
    fn from(run: AlertRun) -> Self {
        let outcome = match run.outcome() {
            AlertRunOutcome::Sent => "sent",
            AlertRunOutcome::Skipped => "skipped",
            AlertRunOutcome::Unspecified => "unknown",
        };
        RunJson {
            scheduled_time: run.scheduled_time,
            outcome,
            deliveries: run.deliveries,
            reason: Some(run.reason).filter(|reason| !reason.is_empty()),
            created_at: run.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RunsJson {
    runs: Vec<RunJson>,
}

#[derive(Debug, Serialize)]
pub struct AlertsJson {
    alerts: Vec<AlertJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextRunsJson {
    timezone: String,
    next_runs: Vec<String>,
}

impl From<PreviewNextRunsResponse> for NextRunsJson {
    fn from(response: PreviewNextRunsResponse) -> Self {
        NextRunsJson {
            timezone: response.timezone,
            next_runs: response.next_runs,
        }
    }
}

fn alert_json(alert: Option<Alert>) -> Result<Json<AlertJson>> {
    Ok(Json(present(alert, SERVICE, "alert")?.into()))
}

fn upstream(status: tonic::Status) -> Error {
    Error::upstream(SERVICE, status)
}

/// `POST /alerts` → 201 with the alert.
pub async fn create(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    JsonBody(body): JsonBody<CreateAlertBody>,
) -> Result<(StatusCode, Json<AlertJson>)> {
    let request = CreateAlertRequest {
        name: body.name,
        schedule: body.schedule,
        timezone: body.timezone.unwrap_or_default(),
        title: body.title.unwrap_or_default(),
        body: body.body.unwrap_or_default(),
        enabled: body.enabled,
        content: body.content.map(ContentJson::into_proto).transpose()?,
    };
    let response = state
        .alerts
        .clone()
        .create_alert(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    Ok((
        StatusCode::CREATED,
        alert_json(response.into_inner().alert)?,
    ))
}

/// `GET /alerts` → `{alerts}`.
pub async fn list(
    State(state): State<AppState>,
    Caller(user_id): Caller,
) -> Result<Json<AlertsJson>> {
    let response = state
        .alerts
        .clone()
        .list_alerts(user_request(ListAlertsRequest {}, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(AlertsJson {
        alerts: response
            .into_inner()
            .alerts
            .into_iter()
            .map(AlertJson::from)
            .collect(),
    }))
}

/// `GET /alerts/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
) -> Result<Json<AlertJson>> {
    let response = state
        .alerts
        .clone()
        .get_alert(user_request(GetAlertRequest { id }, &user_id))
        .await
        .map_err(upstream)?;
    alert_json(response.into_inner().alert)
}

/// `PATCH /alerts/{id}` with any subset of the fields.
pub async fn update(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
    JsonBody(body): JsonBody<UpdateAlertBody>,
) -> Result<Json<AlertJson>> {
    let request = UpdateAlertRequest {
        id,
        name: body.name,
        schedule: body.schedule,
        timezone: body.timezone,
        title: body.title,
        body: body.body,
        enabled: body.enabled,
        content: body.content.map(ContentJson::into_proto).transpose()?,
    };
    let response = state
        .alerts
        .clone()
        .update_alert(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    alert_json(response.into_inner().alert)
}

/// `DELETE /alerts/{id}` → 204.
pub async fn delete(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
) -> Result<StatusCode> {
    state
        .alerts
        .clone()
        .delete_alert(user_request(DeleteAlertRequest { id }, &user_id))
        .await
        .map_err(upstream)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /alerts/{id}/toggle`: flips `enabled`.
pub async fn toggle(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
) -> Result<Json<AlertJson>> {
    let response = state
        .alerts
        .clone()
        .toggle_alert(user_request(ToggleAlertRequest { id }, &user_id))
        .await
        .map_err(upstream)?;
    alert_json(response.into_inner().alert)
}

/// `GET /alerts/{id}/next-runs?count=` → `{timezone, nextRuns}` of a stored alert.
pub async fn next_runs(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
    QueryParams(query): QueryParams<NextRunsQuery>,
) -> Result<Json<NextRunsJson>> {
    let request = PreviewNextRunsRequest {
        id,
        count: optional_count(query.count.as_deref(), "count")?,
        ..PreviewNextRunsRequest::default()
    };
    let response = state
        .alerts
        .clone()
        .preview_next_runs(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(response.into_inner().into()))
}

/// `GET /alerts/{id}/runs?limit=` → `{runs}`, newest first: what each scheduled time did, and
/// why a run skipped (condition not met, reading unavailable).
pub async fn runs(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    PathId(id): PathId,
    QueryParams(query): QueryParams<RunsQuery>,
) -> Result<Json<RunsJson>> {
    let request = ListAlertRunsRequest {
        id,
        limit: optional_count(query.limit.as_deref(), "limit")?,
    };
    let response = state
        .alerts
        .clone()
        .list_alert_runs(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(RunsJson {
        runs: response
            .into_inner()
            .runs
            .into_iter()
            .map(RunJson::from)
            .collect(),
    }))
}

/// `GET /alerts/next-runs?schedule=&timezone=&count=` → the next runs of an unsaved schedule,
/// for the editor's preview.
pub async fn preview(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    QueryParams(query): QueryParams<PreviewQuery>,
) -> Result<Json<NextRunsJson>> {
    let request = PreviewNextRunsRequest {
        id: String::new(),
        schedule: query.schedule.unwrap_or_default(),
        timezone: query.timezone.unwrap_or_default(),
        count: optional_count(query.count.as_deref(), "count")?,
    };
    let response = state
        .alerts
        .clone()
        .preview_next_runs(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(response.into_inner().into()))
}
