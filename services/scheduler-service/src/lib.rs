//! scheduler-service: files alerts into schedule buckets (one per distinct cron expression and
//! time zone), fires due buckets (the local durable scheduler, or EventBridge Scheduler calling
//! `Fire` through the gateway's trigger webhook), records each fire once, and fans it out to
//! alert-service `RunAlert` in the background with retries.

pub mod backend;
pub mod config;
pub mod domain;
pub mod error;
pub mod eventbridge;
pub mod fanout;
pub mod grpc;
pub mod grpc_sync;
pub mod metrics;
pub mod scheduler;
pub mod startup;
pub mod store;
pub mod tick;

pub use config::Config;
pub use error::{Error, Result};
pub use startup::{Application, Peers};
