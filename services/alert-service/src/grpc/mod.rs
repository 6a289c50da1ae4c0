//! Thin tonic adapters: parse the request into domain types, call the logic, map the result.
//! Errors become statuses in one place (`impl From<Error> for Status`).

mod air_quality;
mod alerts;
mod auth;
mod runner;

pub use air_quality::AirQualityGrpc;
pub use alerts::AlertGrpc;
pub use auth::AuthGrpc;
pub use runner::RunnerGrpc;

use alert_platform::timestamp::millis_to_rfc3339;
use alert_proto::v1 as pb;

use crate::{
    domain::language_to_proto,
    store::{AlertRecord, RunRecord, UserRecord},
};

fn user_to_proto(user: UserRecord) -> pb::User {
    pb::User {
        id: user.id,
        email: user.email,
        created_at: millis_to_rfc3339(user.created_at),
        language: language_to_proto(user.language).into(),
    }
}

fn alert_to_proto(alert: AlertRecord) -> pb::Alert {
    pb::Alert {
        id: alert.id,
        name: alert.name,
        schedule: alert.schedule,
        timezone: alert.timezone,
        title: alert.title,
        body: alert.body,
        enabled: alert.enabled,
        created_at: millis_to_rfc3339(alert.created_at),
        updated_at: millis_to_rfc3339(alert.updated_at),
        content: Some(pb::AlertContent::from(&alert.content)),
    }
}

fn run_to_proto(run: RunRecord) -> pb::AlertRun {
    let outcome = match run.outcome.as_str() {
        "sent" => pb::AlertRunOutcome::Sent,
        "skipped" => pb::AlertRunOutcome::Skipped,
        _ => pb::AlertRunOutcome::Unspecified,
    };
    pb::AlertRun {
        scheduled_time: millis_to_rfc3339(run.scheduled_time),
        outcome: outcome.into(),
        deliveries: u32::try_from(run.deliveries).unwrap_or(u32::MAX),
        reason: run.reason,
        created_at: millis_to_rfc3339(run.created_at),
    }
}
