//! [`PushReceiver`]: a local push service that behaves like a browser's.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use alert_webpush::b64;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::browser::{BrowserKeys, BrowserSubscription};
use crate::handler::router;
use crate::server::Server;

/// Largest body a push service must accept (RFC 8030 §7.2); larger → 413.
pub const MAX_BODY_BYTES: usize = 4096;

/// How the receiver answers a delivery that passed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Answer with this status (201 is what push services answer).
    Status(u16),
    /// Answer with a status and a `Retry-After` header value (e.g. `"5"` or
    /// an HTTP-date), typically 429 or 503.
    RetryAfter {
        /// HTTP status.
        status: u16,
        /// `Retry-After` value.
        retry_after: String,
    },
    /// Wait, then answer as `then` (use it to provoke sender timeouts).
    Delayed {
        /// How long to wait before answering.
        delay: Duration,
        /// The answer after the wait.
        then: Box<Response>,
    },
}

impl Response {
    /// `201 Created`, the default.
    pub fn created() -> Self {
        Response::Status(201)
    }

    /// `status` with `Retry-After: <seconds>`.
    pub fn retry_after(status: u16, seconds: u64) -> Self {
        Response::RetryAfter {
            status,
            retry_after: seconds.to_string(),
        }
    }

    /// This answer, after `delay`.
    pub fn delayed(self, delay: Duration) -> Self {
        Response::Delayed {
            delay,
            then: Box::new(self),
        }
    }

    /// Total delay and the final status/`Retry-After`.
    pub(crate) fn resolve(&self) -> (Duration, u16, Option<&str>) {
        match self {
            Response::Status(status) => (Duration::ZERO, *status, None),
            Response::RetryAfter {
                status,
                retry_after,
            } => (Duration::ZERO, *status, Some(retry_after)),
            Response::Delayed { delay, then } => {
                let (inner, status, retry_after) = then.resolve();
                (*delay + inner, status, retry_after)
            }
        }
    }
}

impl From<u16> for Response {
    fn from(status: u16) -> Self {
        Response::Status(status)
    }
}

/// A push message that was verified, decrypted and answered with 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPush {
    /// The subscription endpoint it was sent to.
    pub endpoint: String,
    /// The decrypted payload (empty for a push without body).
    pub payload: Vec<u8>,
    /// `TTL` header.
    pub ttl: u32,
    /// `Urgency` header, if sent.
    pub urgency: Option<String>,
    /// `Topic` header, if sent.
    pub topic: Option<String>,
    /// The JWT's `sub`.
    pub vapid_sub: String,
    /// The JWT (`t=`): equal across pushes when the sender reuses it.
    pub vapid_jwt: String,
    /// The VAPID public key (`k=`).
    pub vapid_key: String,
    /// The JWT's `exp` (Unix seconds).
    pub vapid_exp: u64,
    /// When the receiver accepted it.
    pub received_at: DateTime<Utc>,
}

impl ReceivedPush {
    /// The payload parsed as JSON.
    pub fn payload_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.payload)
    }

    /// The payload as (lossy) UTF-8 text.
    pub fn payload_text(&self) -> String {
        String::from_utf8_lossy(&self.payload).into_owned()
    }
}

/// A verified delivery that the receiver answered with a non-2xx status
/// (configured with [`PushReceiver::respond_with`] and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAttempt {
    /// The status answered.
    pub status: u16,
    /// The delivery itself.
    pub push: ReceivedPush,
}

/// A delivery refused before acceptance (bad VAPID, missing TTL, decryption
/// failure, unknown subscription, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The path it was sent to.
    pub path: String,
    /// The status answered (400, 401, 403, 404, 410, 413).
    pub status: u16,
    /// What was wrong.
    pub reason: String,
}

pub(crate) struct Subscription {
    pub(crate) endpoint: String,
    pub(crate) keys: BrowserKeys,
    pub(crate) active: bool,
}

/// Everything the handler records and reads, behind one lock.
#[derive(Default)]
pub(crate) struct Records {
    pub(crate) subscriptions: HashMap<String, Subscription>,
    pub(crate) queued: HashMap<String, VecDeque<Response>>,
    pub(crate) fixed: HashMap<String, Response>,
    pub(crate) default_response: Option<Response>,
    pub(crate) expected_key: Option<Vec<u8>>,
    pub(crate) received: Vec<ReceivedPush>,
    pub(crate) attempts: Vec<PushAttempt>,
    pub(crate) rejections: Vec<Rejection>,
}

/// State shared between the receiver handle and the HTTP handler.
pub(crate) struct Shared {
    /// `http://127.0.0.1:<port>`: the required JWT `aud`.
    pub(crate) origin: String,
    pub(crate) records: Mutex<Records>,
    /// Number of accepted pushes, for `wait_for_received`.
    pub(crate) received_count: watch::Sender<usize>,
    pub(crate) requests: AtomicU64,
}

impl Shared {
    pub(crate) fn records(&self) -> MutexGuard<'_, Records> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How the receiver is reached.
enum Transport<'a> {
    Plain,
    /// TLS, offering these ALPN protocols in order.
    Tls(&'a [&'a str]),
}

/// A local Web Push service on `127.0.0.1:<random port>`.
///
/// For every `POST /push/<id>` it checks, like a real push service: the
/// subscription exists (404) and is active (410); VAPID (401/403); a `TTL`
/// header (400); body size (413); `Content-Encoding: aes128gcm` and the
/// decryption with the browser's keys (400). Accepted deliveries are answered
/// with the configured [`Response`] (default 201): 2xx ones are recorded in
/// [`received`](Self::received), others in [`attempts`](Self::attempts).
///
/// The server stops when the receiver is dropped.
pub struct PushReceiver {
    shared: Arc<Shared>,
    server: Server,
}

impl PushReceiver {
    /// Starts the receiver. Panics if no local port can be bound (use
    /// [`try_start`](Self::try_start) to handle that).
    pub async fn start() -> PushReceiver {
        Self::try_start()
            .await
            .expect("PushReceiver: could not bind 127.0.0.1:0")
    }

    /// Starts the receiver.
    pub async fn try_start() -> std::io::Result<PushReceiver> {
        Self::start_on(Transport::Plain).await
    }

    /// Starts the receiver on `https://127.0.0.1:<port>` with a certificate made now (see
    /// [`certificate_pem`](Self::certificate_pem)), offering `alpn` (e.g. `["h2", "http/1.1"]`)
    /// in that order. Panics if no local port can be bound.
    pub async fn start_https(alpn: &[&str]) -> PushReceiver {
        Self::start_on(Transport::Tls(alpn))
            .await
            .expect("PushReceiver: could not start https on 127.0.0.1:0")
    }

    async fn start_on(transport: Transport<'_>) -> std::io::Result<PushReceiver> {
        let mut shared = None;
        let make_router = |origin| {
            let (received_count, _) = watch::channel(0usize);
            let state = Arc::new(Shared {
                origin,
                records: Mutex::new(Records::default()),
                received_count,
                requests: AtomicU64::new(0),
            });
            shared = Some(Arc::clone(&state));
            router(state)
        };
        let server = match transport {
            Transport::Plain => Server::start(make_router).await?,
            Transport::Tls(alpn) => Server::start_tls(make_router, alpn).await?,
        };
        let shared = shared.ok_or_else(|| std::io::Error::other("router was not built"))?;
        Ok(PushReceiver { shared, server })
    }

    /// The receiver's certificate (PEM) when it speaks https, for the sender to trust.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.server.certificate_pem()
    }

    /// What each TLS connection agreed on by ALPN (`h2`, `http/1.1`, or `none`), in order;
    /// empty over plain HTTP.
    pub fn negotiated_protocols(&self) -> Vec<String> {
        self.server.negotiated_protocols()
    }

    /// `http://127.0.0.1:<port>` (`https://` from [`start_https`](Self::start_https)): the origin
    /// for `PUSH_ALLOWED_ORIGINS` and the `aud` the receiver requires.
    pub fn origin(&self) -> String {
        self.server.origin()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.server.connections()
    }

    /// Subscribes a new "browser": fresh P-256 key pair and auth secret, and
    /// a unique endpoint `http://127.0.0.1:<port>/push/<uuid>`.
    pub fn new_browser(&self) -> BrowserSubscription {
        let id = uuid::Uuid::new_v4().to_string();
        let endpoint = format!("{}/push/{id}", self.origin());
        let keys = BrowserKeys::generate();
        let subscription = keys.subscription(endpoint.clone());
        self.shared.records().subscriptions.insert(
            id,
            Subscription {
                endpoint,
                keys,
                active: true,
            },
        );
        subscription
    }

    /// The browser unsubscribed: later pushes to `endpoint` get 410 Gone.
    pub fn unsubscribe(&self, endpoint: &str) {
        let mut records = self.shared.records();
        for sub in records.subscriptions.values_mut() {
            if sub.endpoint == endpoint {
                sub.active = false;
            }
        }
    }

    /// Require this VAPID public key (base64url) as `k`, as a push service
    /// does for a subscription created with an `applicationServerKey`;
    /// another valid key is answered 403. Panics if the key is not base64.
    pub fn expect_vapid_key(&self, public_key_base64url: &str) {
        let key = b64::decode_lenient(public_key_base64url).unwrap_or_else(|_| {
            panic!("expect_vapid_key: {public_key_base64url:?} is not base64url")
        });
        self.shared.records().expected_key = Some(key);
    }

    /// Answer deliveries to `endpoint` with `response` from now on (after
    /// any queued responses are used up).
    pub fn respond_with(&self, endpoint: &str, response: impl Into<Response>) {
        self.shared
            .records()
            .fixed
            .insert(endpoint.to_owned(), response.into());
    }

    /// Answer the next deliveries to `endpoint` with these, one each, e.g.
    /// `[503, 503, 201]`; afterwards the fixed or default response applies.
    pub fn respond_with_sequence<R: Into<Response>>(
        &self,
        endpoint: &str,
        responses: impl IntoIterator<Item = R>,
    ) {
        self.shared
            .records()
            .queued
            .entry(endpoint.to_owned())
            .or_default()
            .extend(responses.into_iter().map(Into::into));
    }

    /// Answer deliveries to endpoints without their own configuration with
    /// `response` (instead of 201).
    pub fn respond_all_with(&self, response: impl Into<Response>) {
        self.shared.records().default_response = Some(response.into());
    }

    /// Accepted (2xx) pushes, in arrival order.
    pub fn received(&self) -> Vec<ReceivedPush> {
        self.shared.records().received.clone()
    }

    /// Accepted pushes for one endpoint.
    pub fn received_for(&self, endpoint: &str) -> Vec<ReceivedPush> {
        self.shared
            .records()
            .received
            .iter()
            .filter(|p| p.endpoint == endpoint)
            .cloned()
            .collect()
    }

    /// Verified deliveries answered with a non-2xx status.
    pub fn attempts(&self) -> Vec<PushAttempt> {
        self.shared.records().attempts.clone()
    }

    /// Refused deliveries as `"<status>: <reason>"`.
    pub fn rejections(&self) -> Vec<String> {
        self.shared
            .records()
            .rejections
            .iter()
            .map(|r| format!("{}: {}", r.status, r.reason))
            .collect()
    }

    /// Refused deliveries with path and status.
    pub fn rejection_details(&self) -> Vec<Rejection> {
        self.shared.records().rejections.clone()
    }

    /// Every request that reached a push endpoint, accepted or not.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Waits until at least `count` pushes were accepted or `timeout`
    /// passes; returns what was received either way.
    pub async fn wait_for_received(&self, count: usize, timeout: Duration) -> Vec<ReceivedPush> {
        let mut counter = self.shared.received_count.subscribe();
        let _ = tokio::time::timeout(timeout, counter.wait_for(|n| *n >= count)).await;
        self.received()
    }

    /// Forgets received pushes, attempts and rejections (not subscriptions
    /// or configured responses).
    pub fn clear(&self) {
        let mut records = self.shared.records();
        records.received.clear();
        records.attempts.clear();
        records.rejections.clear();
        drop(records);
        self.shared.received_count.send_replace(0);
    }

    /// Stops the server and waits (up to 5 s) for in-flight requests.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
