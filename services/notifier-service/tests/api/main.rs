//! notifier-service against real databases and a real (local) push service.

mod crash;
mod deliveries;
mod failure_modes;
mod health;
mod helpers;
mod queue;
mod restart;
mod retries;
mod store;
mod subscriptions;
mod timing;
