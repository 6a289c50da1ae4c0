//! notifier-service: push subscriptions and deliveries.
//!
//! `Notify` records one delivery per subscription of a user in one transaction, then hands them
//! to a [`queue::DeliveryQueue`]; delivery workers encrypt and send them as Web Push, retry
//! transient failures with backoff, delete subscriptions the push service reports gone, and record
//! every attempt. Serves `alert.v1.PushService` (public, through the gateway) and
//! `alert.v1.NotifierService` (internal).

pub mod config;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod queue;
pub mod service;
mod startup;
pub mod store;

pub use config::Config;
pub use error::{Error, Result};
pub use startup::{Application, SCHEMA, migrations};
