//! Sending: the retry policy, the decision what an attempt's result means, the workers, and the
//! settling of their outcomes.

mod backoff;
mod outcome;
mod settle;
mod worker;

pub use backoff::RetryPolicy;
pub use outcome::decide;
pub use worker::{DeliveryWorkers, WorkerSettings};
