//! scheduler-service, started for real on a random port, called with the generated client.

mod eventbridge;
mod fanout;
mod fire;
mod helpers;
mod metrics;
mod moto;
mod schedules;
mod store;
mod tick;
mod validation;
