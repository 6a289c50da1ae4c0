//! The gateway over HTTP, in front of fake upstream services.

mod air_quality;
mod auth;
mod cors;
mod errors;
mod eventbridge;
mod fakes;
mod grpc_web;
mod health;
mod helpers;
mod lifecycle;
mod rate_limit;
mod rest;
mod trigger;
mod web;
