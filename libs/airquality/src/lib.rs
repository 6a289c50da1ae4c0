//! Air quality for alerts: Korea Environment Corporation's AirKorea Open API (data.go.kr,
//! service B552584).
//!
//! - [`AirKoreaClient`] asks the API: the latest PM10/PM2.5 of a station, and the station list.
//!   It reads the API's quirks (values as strings, `"-"` for a missing value, flags, `24:00`,
//!   result codes, the gateway's XML error body) into [`Measurement`] or an [`AirQualityError`].
//! - [`AirQuality`] is what services use: the client behind a [`SharedCache`] (Redis shared by
//!   replicas, or memory), with single-flight, so a burst of alerts for one station costs one
//!   request. It counts upstream calls, cache hits and quota errors.
//! - [`Grade`], [`nearest`] and [`search`] are the pure parts: the Korean grading standard and
//!   how a user finds a station.

mod cache;
mod client;
mod entry;
mod error;
mod freshness;
mod grades;
mod measurement;
mod metrics;
#[cfg(test)]
mod parser_fuzz;
mod response;
mod single_flight;
mod source;
mod station;

pub use cache::{MemoryCache, RedisCache, SharedCache};
pub use client::{AirKoreaClient, AirKoreaConfig, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use error::{AirQualityError, Result};
pub use freshness::{PUBLISH_MARGIN, measurement_fresh_until};
pub use grades::{Grade, Language, Pollutant};
pub use measurement::{Measurement, Reading, format_data_time, kst, parse_data_time};
pub use metrics::SourceStats;
pub use source::AirQuality;
pub use station::{NearbyStation, Station, haversine_km, nearest, search};
