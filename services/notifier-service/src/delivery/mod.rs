//! Sending: the retry policy, the decision what an attempt's result means, and the workers.

mod backoff;
mod outcome;
mod worker;

pub use backoff::RetryPolicy;
pub use outcome::decide;
pub use worker::{DeliveryWorkers, WorkerSettings};
