//! What every service of the alert system shares: the error code model, typed configuration from
//! an injected environment, telemetry, shutdown, gRPC serving (TCP or in-process), gRPC health
//! (reported from the database, probed by the container), the caller identity in gRPC metadata,
//! database pools for PostgreSQL and SQLite, clocks, and the metrics provider.

pub mod access_token;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod grpc;
pub mod health;
pub mod identity;
pub mod metrics;
pub mod shutdown;
pub mod telemetry;
pub mod timestamp;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ConfigError, Env};
pub use error::{ErrorCode, ServiceError};
