//! scheduler-service, started for real on a random port, called with the generated client.

mod fanout;
mod fire;
mod helpers;
mod schedules;
mod store;
mod tick;
mod validation;
