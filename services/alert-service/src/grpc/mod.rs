//! Thin tonic adapters: parse the request into domain types, call the logic, map the result.
//! Errors become statuses in one place (`impl From<Error> for Status`).

mod alerts;
mod auth;
mod runner;

pub use alerts::AlertGrpc;
pub use auth::AuthGrpc;
pub use runner::RunnerGrpc;

use alert_platform::timestamp::millis_to_rfc3339;
use alert_proto::v1 as pb;

use crate::store::{AlertRecord, UserRecord};

fn user_to_proto(user: UserRecord) -> pb::User {
    pb::User {
        id: user.id,
        email: user.email,
        created_at: millis_to_rfc3339(user.created_at),
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
    }
}
