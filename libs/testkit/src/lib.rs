//! Test doubles for the Alert System.
//!
//! [`PushReceiver`] is a local stand-in for a browser's push service: it
//! hands out subscriptions like a browser ([`PushReceiver::new_browser`]),
//! verifies VAPID (RFC 8292), requires `TTL`, decrypts `aes128gcm` bodies
//! (RFC 8291/8188) with its own implementation, records what arrived, and
//! can answer with failures (410, 429 + `Retry-After`, 503 sequences,
//! delays). [`PushSink`] is a counting endpoint for benchmarks. [`AirKoreaStub`] answers like
//! the AirKorea air quality API, failures included.
//!
//! ```no_run
//! # async fn demo() {
//! use alert_testkit::{PushReceiver, Response};
//! use std::time::Duration;
//! let receiver = PushReceiver::start().await;
//! let browser = receiver.new_browser();
//! // Give `browser.to_json()` to the system under test, with
//! // PUSH_ALLOWED_ORIGINS = receiver.origin(); then:
//! receiver.respond_with_sequence(&browser.endpoint, [503, 201]);
//! let pushes = receiver.wait_for_received(1, Duration::from_secs(5)).await;
//! assert_eq!(pushes[0].payload_json().unwrap()["title"], "Hi");
//! # }
//! ```

#![warn(missing_docs)]

mod airkorea;
pub mod bench;
mod browser;
mod crypto;
mod handler;
mod receiver;
mod server;
mod sink;
mod vapid;

pub use airkorea::{AirKoreaStub, StubMeasurement, StubMode, StubStation};
pub use browser::BrowserSubscription;
pub use crypto::{DecryptError, decrypt_aes128gcm};
pub use receiver::{MAX_BODY_BYTES, PushAttempt, PushReceiver, ReceivedPush, Rejection, Response};
pub use sink::PushSink;
pub use vapid::{MAX_EXP_AHEAD_SECS, VapidClaims, VapidFailure, verify_vapid};
