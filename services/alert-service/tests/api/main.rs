//! alert-service's API tests: the real service on a random port, called over gRPC.

mod alerts;
mod auth;
mod helpers;
mod lifecycle;
mod preview;
mod runs;
mod store;
mod sync;
mod validation;
