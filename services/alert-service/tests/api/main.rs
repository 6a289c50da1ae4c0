//! alert-service's API tests: the real service on a random port, called over gRPC.

mod air_quality;
mod alerts;
mod auth;
mod helpers;
mod lifecycle;
mod preview;
mod runs;
mod stations;
mod store;
mod sync;
mod validation;
