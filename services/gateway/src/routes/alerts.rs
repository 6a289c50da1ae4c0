//! `/alerts/*`: the caller's alerts, served by alert-service's `AlertService`.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    Alert, CreateAlertRequest, DeleteAlertRequest, GetAlertRequest, ListAlertsRequest,
    PreviewNextRunsRequest, PreviewNextRunsResponse, ToggleAlertRequest, UpdateAlertRequest,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use super::{AppState, present};
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
    title: String,
    body: Option<String>,
    enabled: Option<bool>,
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
        }
    }
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
        title: body.title,
        body: body.body.unwrap_or_default(),
        enabled: body.enabled,
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
