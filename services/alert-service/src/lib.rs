//! alert-service: users, sessions, alerts and alert runs.
//!
//! Serves `alert.v1.AuthService`, `alert.v1.AlertService` and `alert.v1.AirQualityService` (to
//! browsers, through the gateway) and `alert.v1.AlertRunnerService` (to scheduler-service).
//! Keeps scheduler-service's copy of each alert's schedule in step ([`sync`]) and sends runs
//! through notifier-service ([`runner`]), their words built by [`message`] (for air-quality
//! content, from AirKorea readings, see [`stations`]). The crate is a library so the embedded
//! mode and the tests run the same code as the `alert-service` binary.

pub mod accounts;
pub mod alerts;
pub mod config;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod message;
pub mod runner;
pub mod startup;
pub mod stations;
pub mod store;
pub mod sync;

pub use config::Config;
pub use error::{Error, Result};
pub use startup::{Application, Peers};
