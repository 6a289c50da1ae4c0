//! The schedule API calls scheduler-service makes, over `aws-sdk-scheduler`: rate limited,
//! counted, and with their errors sorted into what a retry may fix and what it cannot.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use aws_sdk_scheduler::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    types::{
        DeadLetterConfig, EventBridgeParameters, FlexibleTimeWindow, FlexibleTimeWindowMode,
        RetryPolicy, ScheduleState, Target,
    },
};

use super::{rate_limit::RateLimiter, schedule::ScheduleSpec};
use crate::metrics::SchedulerMetrics;

/// Why a call failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `ThrottlingException` or HTTP 429: back off.
    Throttled,
    /// Timeouts, connection failures, 5xx: AWS may answer later.
    Transient,
    /// Validation, access, a missing group: retrying alone will not fix it.
    Permanent,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Throttled => "throttled",
            ErrorKind::Transient => "transient",
            ErrorKind::Permanent => "permanent",
        }
    }
}

/// A failed schedule API call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed ({kind:?}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
pub struct ApiError {
    pub operation: &'static str,
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub message: String,
}

impl ApiError {
    fn from_sdk<E, R>(operation: &'static str, error: &SdkError<E, R>) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let code = error.code().map(str::to_owned);
        let kind = match error {
            SdkError::ConstructionFailure(_) => ErrorKind::Permanent,
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => ErrorKind::Transient,
            SdkError::ServiceError(service) => {
                let status = format!("{:?}", service.raw());
                classify(code.as_deref(), &status)
            }
            _ => ErrorKind::Transient,
        };
        let message = error
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| alert_platform::error::error_chain(error));
        ApiError {
            operation,
            kind,
            code,
            message,
        }
    }

    /// Whether the error says the named resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref() == Some("ResourceNotFoundException")
    }

    pub fn is_conflict(&self) -> bool {
        self.code.as_deref() == Some("ConflictException")
    }
}

/// Sorts a service error by its code, falling back on the HTTP status in the raw response.
fn classify(code: Option<&str>, raw_response: &str) -> ErrorKind {
    match code {
        Some("ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded") => {
            ErrorKind::Throttled
        }
        Some("InternalServerException" | "ServiceUnavailable" | "InternalFailure") => {
            ErrorKind::Transient
        }
        Some(
            "ValidationException"
            | "AccessDeniedException"
            | "ResourceNotFoundException"
            | "ServiceQuotaExceededException"
            | "ConflictException",
        ) => ErrorKind::Permanent,
        _ if raw_response.contains("StatusCode(429)") || raw_response.contains("status: 429") => {
            ErrorKind::Throttled
        }
        _ => ErrorKind::Transient,
    }
}

/// What a remote schedule looks like, in the parts we set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSchedule {
    pub name: String,
    pub expression: Option<String>,
    pub timezone: Option<String>,
    pub state: Option<String>,
    pub flexible_window_off: bool,
    pub target_arn: Option<String>,
    pub role_arn: Option<String>,
    pub input: Option<String>,
    pub detail_type: Option<String>,
    pub source: Option<String>,
    pub retry_max_attempts: Option<i32>,
    pub retry_max_event_age_seconds: Option<i32>,
    pub dead_letter_arn: Option<String>,
}

/// The EventBridge Scheduler calls of one schedule group.
#[derive(Clone)]
pub struct SchedulerApi {
    client: Client,
    group_name: String,
    limiter: Arc<RateLimiter>,
    calls: Arc<AtomicU64>,
    metrics: SchedulerMetrics,
}

impl SchedulerApi {
    pub fn new(
        client: Client,
        group_name: String,
        limiter: Arc<RateLimiter>,
        metrics: SchedulerMetrics,
    ) -> SchedulerApi {
        SchedulerApi {
            client,
            group_name,
            limiter,
            calls: Arc::default(),
            metrics,
        }
    }

    pub fn group_name(&self) -> &str {
        &self.group_name
    }

    /// API calls made so far (for metrics and the benchmark).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Waits for the rate limiter, then counts the call `operation` is about to make.
    async fn slot(&self, operation: &'static str) {
        self.limiter.acquire().await;
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.metrics.aws_call(operation);
    }

    /// Whether the group exists. It is never created here: creating a group that exists would,
    /// on some implementations (moto), drop its schedules; Terraform owns it.
    pub async fn group_exists(&self) -> Result<bool, ApiError> {
        self.slot("GetScheduleGroup").await;
        match self
            .client
            .get_schedule_group()
            .name(&self.group_name)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => {
                let error = ApiError::from_sdk("GetScheduleGroup", &error);
                if error.is_not_found() {
                    Ok(false)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Creates the schedule, or updates it when it exists (`ConflictException`).
    pub async fn put(&self, spec: &ScheduleSpec) -> Result<(), ApiError> {
        let target = spec_target(spec).map_err(|message| ApiError {
            operation: "CreateSchedule",
            kind: ErrorKind::Permanent,
            code: None,
            message,
        })?;
        let window = FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Off)
            .build()
            .map_err(|e| ApiError {
                operation: "CreateSchedule",
                kind: ErrorKind::Permanent,
                code: None,
                message: e.to_string(),
            })?;
        self.slot("CreateSchedule").await;
        let created = self
            .client
            .create_schedule()
            .name(&spec.name)
            .group_name(&self.group_name)
            .description(&spec.description)
            .schedule_expression(&spec.expression)
            .schedule_expression_timezone(&spec.timezone)
            .flexible_time_window(window.clone())
            .target(target.clone())
            .state(ScheduleState::Enabled)
            .send()
            .await;
        let error = match created {
            Ok(_) => return Ok(()),
            Err(error) => ApiError::from_sdk("CreateSchedule", &error),
        };
        if !error.is_conflict() {
            return Err(error);
        }
        self.slot("UpdateSchedule").await;
        self.client
            .update_schedule()
            .name(&spec.name)
            .group_name(&self.group_name)
            .description(&spec.description)
            .schedule_expression(&spec.expression)
            .schedule_expression_timezone(&spec.timezone)
            .flexible_time_window(window)
            .target(target)
            .state(ScheduleState::Enabled)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| ApiError::from_sdk("UpdateSchedule", &error))
    }

    /// Deletes the schedule; one that does not exist is already deleted.
    pub async fn delete(&self, name: &str) -> Result<(), ApiError> {
        self.slot("DeleteSchedule").await;
        match self
            .client
            .delete_schedule()
            .name(name)
            .group_name(&self.group_name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = ApiError::from_sdk("DeleteSchedule", &error);
                if error.is_not_found() {
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }

    /// The schedule as it is, or `None` when it does not exist.
    pub async fn get(&self, name: &str) -> Result<Option<RemoteSchedule>, ApiError> {
        self.slot("GetSchedule").await;
        let output = match self
            .client
            .get_schedule()
            .name(name)
            .group_name(&self.group_name)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) => {
                let error = ApiError::from_sdk("GetSchedule", &error);
                return if error.is_not_found() {
                    Ok(None)
                } else {
                    Err(error)
                };
            }
        };
        let target = output.target();
        let retry = target.and_then(|t| t.retry_policy());
        let parameters = target.and_then(|t| t.event_bridge_parameters());
        Ok(Some(RemoteSchedule {
            name: name.to_owned(),
            expression: output.schedule_expression().map(str::to_owned),
            timezone: output.schedule_expression_timezone().map(str::to_owned),
            state: output.state().map(|s| s.as_str().to_owned()),
            flexible_window_off: output
                .flexible_time_window()
                .is_some_and(|w| w.mode() == &FlexibleTimeWindowMode::Off),
            target_arn: target.map(|t| t.arn().to_owned()),
            role_arn: target.map(|t| t.role_arn().to_owned()),
            input: target.and_then(|t| t.input()).map(str::to_owned),
            detail_type: parameters.map(|p| p.detail_type().to_owned()),
            source: parameters.map(|p| p.source().to_owned()),
            retry_max_attempts: retry.and_then(|r| r.maximum_retry_attempts()),
            retry_max_event_age_seconds: retry.and_then(|r| r.maximum_event_age_in_seconds()),
            dead_letter_arn: target
                .and_then(|t| t.dead_letter_config())
                .and_then(|d| d.arn())
                .map(str::to_owned),
        }))
    }

    /// Names of the group's schedules that start with `prefix`, following every page.
    pub async fn list_names(&self, prefix: &str) -> Result<Vec<String>, ApiError> {
        let mut names = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            self.slot("ListSchedules").await;
            let page = self
                .client
                .list_schedules()
                .group_name(&self.group_name)
                .name_prefix(prefix)
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|error| ApiError::from_sdk("ListSchedules", &error))?;
            names.extend(
                page.schedules()
                    .iter()
                    .filter_map(|s| s.name())
                    .filter(|name| name.starts_with(prefix))
                    .map(str::to_owned),
            );
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(names),
            }
        }
    }
}

fn spec_target(spec: &ScheduleSpec) -> Result<Target, String> {
    let parameters = EventBridgeParameters::builder()
        .detail_type(&spec.detail_type)
        .source(&spec.source)
        .build()
        .map_err(|e| e.to_string())?;
    let retry = RetryPolicy::builder()
        .maximum_retry_attempts(spec.retry_max_attempts)
        .maximum_event_age_in_seconds(spec.retry_max_event_age_seconds)
        .build();
    let mut target = Target::builder()
        .arn(&spec.target_arn)
        .role_arn(&spec.role_arn)
        .input(&spec.input)
        .event_bridge_parameters(parameters)
        .retry_policy(retry);
    if let Some(dlq) = &spec.dead_letter_arn {
        target = target.dead_letter_config(DeadLetterConfig::builder().arn(dlq).build());
    }
    target.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_sorted_by_code_then_status() {
        assert_eq!(
            classify(Some("ThrottlingException"), ""),
            ErrorKind::Throttled
        );
        assert_eq!(
            classify(Some("ValidationException"), ""),
            ErrorKind::Permanent
        );
        assert_eq!(
            classify(Some("InternalServerException"), ""),
            ErrorKind::Transient
        );
        assert_eq!(classify(None, "status: 429"), ErrorKind::Throttled);
        assert_eq!(classify(None, "status: 500"), ErrorKind::Transient);
    }
}
