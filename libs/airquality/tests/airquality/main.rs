//! Behaviour of the AirKorea client and the cached source, against the stub server (a real HTTP
//! server answering in the API's format) and the real Redis.

mod client;
mod helpers;
mod metrics;
mod redis;
mod source;
mod stub;
