//! Everything the notifier needs to send one Web Push message.
//!
//! - [`VapidKeys`]: the application server's P-256 key pair (RFC 8292),
//!   read from `VAPID_PRIVATE_KEY` (raw base64url or PEM).
//! - [`SubscriptionKeys`]: a browser's `p256dh`/`auth`, validated.
//! - [`EndpointPolicy`] and [`validate_endpoint`]: the SSRF guard for push
//!   endpoints (https and public addresses only, except allowed origins from
//!   `PUSH_ALLOWED_ORIGINS`).
//! - [`PushSender`]: encrypts with the `web-push` crate (aes128gcm, RFC 8291)
//!   and POSTs over one pooled `reqwest` client (HTTP/2 where the push
//!   service offers it), with a VAPID JWT cached per push-service origin.
//! - [`install_crypto_backend`]: the primitives under `web-push`'s encryption,
//!   on `ring` ([`RingCryptographer`]); building a sender installs them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alert_webpush::*;
//! let keys = VapidKeys::from_private_key(&std::env::var("VAPID_PRIVATE_KEY")?)?;
//! let policy = EndpointPolicy::from_comma_separated(
//!     &std::env::var("PUSH_ALLOWED_ORIGINS").unwrap_or_default(),
//! )?;
//! let sender = PushSender::builder(keys, "mailto:ops@example.com")
//!     .endpoint_policy(policy)
//!     .build()?;
//! let target = PushTarget {
//!     endpoint: "https://fcm.googleapis.com/fcm/send/…".into(),
//!     p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4".into(),
//!     auth: "BTBZMqHH6r4Tts7J_aSIgg".into(),
//! };
//! let response = sender.send(&target, br#"{"title":"Hi"}"#, &PushOptions::default()).await?;
//! if response.is_gone() { /* delete the subscription */ }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod b64;
mod ece_backend;
mod endpoint;
mod keys;
mod message;
mod retry;
mod sender;
mod topic;
mod vapid;

pub use ece_backend::{RingCryptographer, install_crypto_backend};
pub use endpoint::{
    AddressClass, EndpointError, EndpointPolicy, MAX_ENDPOINT_LEN, PolicyError, classify_ip,
    validate_endpoint, validate_endpoint_without_dns,
};
pub use keys::{SubscriptionKeyError, SubscriptionKeys};
pub use message::{PushOptions, PushResponse, PushTarget, Urgency};
pub use retry::parse_retry_after;
pub use sender::{
    BuildError, MAX_PAYLOAD_BYTES, PushSender, PushSenderBuilder, RFC8291_MAX_PLAINTEXT, SendError,
};
pub use topic::{MAX_TOPIC_LEN, sanitize_topic};
pub use vapid::{MAX_JWT_LIFETIME, SubjectError, VapidKeyError, VapidKeys, validate_subject};
