//! The gateway: the only public entry point of the alert system.
//!
//! One port serves REST JSON and gRPC-web for browsers, `POST /scheduler/trigger` for
//! EventBridge, `/health`, and the web app. It owns nothing persistent: it checks access tokens,
//! rate-limits callers, and forwards to alert-service, notifier-service and scheduler-service
//! with the caller's user id in the `x-user-id` metadata.

pub mod browser_auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod grpc_proxy;
pub mod layers;
pub mod probe;
pub mod routes;
pub mod startup;
pub mod trigger;

pub use config::Config;
pub use error::{Error, Result};
pub use startup::{Application, Peers};
