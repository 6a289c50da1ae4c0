//! notifier-service against real databases and a real (local) push service.

mod deliveries;
mod health;
mod helpers;
mod restart;
mod retries;
mod store;
mod subscriptions;
