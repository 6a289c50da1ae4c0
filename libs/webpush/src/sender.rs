//! [`PushSender`]: encrypts one message with `web-push` (aes128gcm, RFC 8291)
//! and POSTs it to the push service (RFC 8030) over one pooled HTTP client.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::Semaphore;

use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use web_push::{ContentEncoding, SubscriptionInfo, WebPushError, WebPushMessageBuilder};

use crate::ece_backend::install_crypto_backend;
use crate::endpoint::{
    EndpointError, EndpointPolicy, ForbiddenResolution, GuardedResolver,
    validate_endpoint_without_dns,
};
use crate::keys::{SubscriptionKeyError, SubscriptionKeys};
use crate::message::{PushOptions, PushResponse, PushTarget};
use crate::retry::parse_retry_after;
use crate::topic::sanitize_topic;
use crate::vapid::{JwtCache, MAX_JWT_LIFETIME, SubjectError, VapidKeys, validate_subject};

/// Largest plaintext payload [`PushSender::send`] accepts, in bytes.
///
/// RFC 8291 allows 3993 bytes (4096-byte record minus the 86-byte header,
/// 16-byte tag and 1-byte delimiter), but `web-push` 0.11 refuses anything
/// over 3052 bytes: it pads the plaintext to a multiple of 128 bytes (which
/// hides the exact length from the push service) and keeps the body well
/// under 4096. Its limit is therefore the effective one, checked up front.
pub const MAX_PAYLOAD_BYTES: usize = 3052;

/// The RFC 8291 bound on the plaintext of a single 4096-byte record.
pub const RFC8291_MAX_PLAINTEXT: usize = 3993;

/// Most bytes of a push-service response body kept in [`PushResponse`].
const BODY_EXCERPT_CHARS: usize = 200;
/// Most bytes of a response body read at all.
const BODY_READ_LIMIT: usize = 4096;

/// Why a message was not sent (a non-2xx answer is not an error).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The endpoint failed the SSRF guard or is not a valid URL.
    #[error(transparent)]
    InvalidEndpoint(#[from] EndpointError),
    /// `p256dh` or `auth` is malformed.
    #[error("invalid subscription keys: {0}")]
    InvalidSubscription(#[from] SubscriptionKeyError),
    /// The plaintext payload is over [`MAX_PAYLOAD_BYTES`].
    #[error("push payload is {size} bytes, over the limit of {limit} bytes")]
    PayloadTooLarge {
        /// Payload size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The message could not be built or encrypted.
    #[error("could not build the push message: {0}")]
    Build(String),
    /// Connect or request timeout (retryable).
    #[error("push request timed out: {0}")]
    Timeout(String),
    /// Could not connect, e.g. DNS failure or refused (retryable).
    #[error("could not connect to the push service: {0}")]
    Connect(String),
    /// Other transport failure (retryable).
    #[error("network error talking to the push service: {0}")]
    Network(String),
}

impl SendError {
    /// Transport failures are worth retrying; bad input is not.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SendError::Timeout(_) | SendError::Connect(_) | SendError::Network(_)
        )
    }

    fn from_reqwest(error: reqwest::Error) -> Self {
        let error = error.without_url();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(e) = source {
            if let Some(forbidden) = e.downcast_ref::<ForbiddenResolution>() {
                return SendError::InvalidEndpoint(EndpointError::ResolvesToForbidden(forbidden.0));
            }
            source = e.source();
        }
        let message = error_chain(&error);
        if error.is_timeout() {
            SendError::Timeout(message)
        } else if error.is_connect() {
            SendError::Connect(message)
        } else {
            SendError::Network(message)
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = e.source();
    }
    message
}

/// Why a [`PushSender`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The VAPID `sub` is not `mailto:`/`https:`.
    #[error(transparent)]
    Subject(#[from] SubjectError),
    /// JWT lifetime over 24 h or not longer than the refresh margin.
    #[error(
        "VAPID JWT lifetime must be at most 24 h and longer than the refresh margin (lifetime {lifetime:?}, margin {margin:?})"
    )]
    JwtLifetime {
        /// Configured lifetime.
        lifetime: Duration,
        /// Configured refresh margin.
        margin: Duration,
    },
    /// The HTTP client could not be created.
    #[error("could not create the HTTP client: {0}")]
    Client(String),
}

/// Configures a [`PushSender`]; see [`PushSender::builder`].
pub struct PushSenderBuilder {
    keys: VapidKeys,
    subject: String,
    policy: EndpointPolicy,
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Duration,
    /// `None`: as many as requests may be in flight to one origin.
    pool_max_idle_per_host: Option<usize>,
    jwt_lifetime: Duration,
    jwt_refresh_margin: Duration,
    user_agent: String,
    use_system_proxy: bool,
    max_in_flight_per_origin: usize,
    /// PEM certificates trusted besides the platform's roots.
    extra_root_certificates: Vec<Vec<u8>>,
}

impl PushSenderBuilder {
    /// Requests in flight to one push-service origin at most (default 256); more wait their
    /// turn, so one slow push service cannot take every connection of a burst.
    pub fn max_in_flight_per_origin(mut self, max: usize) -> Self {
        self.max_in_flight_per_origin = max.max(1);
        self
    }

    /// Endpoints exempt from the https/public-address rules (default: none).
    pub fn endpoint_policy(mut self, policy: EndpointPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// TCP/TLS connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whole-request timeout including the response body (default 15 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long idle pooled connections are kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Idle HTTP/1 connections kept per push-service host (default: the per-origin cap of
    /// requests in flight, so that every connection one burst opened serves the next one instead
    /// of being closed and opened again).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// `exp` of the VAPID JWT, from signing (default 12 h, at most 24 h).
    pub fn jwt_lifetime(mut self, lifetime: Duration) -> Self {
        self.jwt_lifetime = lifetime;
        self
    }

    /// Re-sign the JWT this long before it expires (default 1 h).
    pub fn jwt_refresh_margin(mut self, margin: Duration) -> Self {
        self.jwt_refresh_margin = margin;
        self
    }

    /// The `User-Agent` header (default `alert-webpush/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use `HTTPS_PROXY`/`HTTP_PROXY` from the environment (default off:
    /// a proxy would resolve names itself, bypassing the SSRF resolver).
    pub fn use_system_proxy(mut self, enabled: bool) -> Self {
        self.use_system_proxy = enabled;
        self
    }

    /// Also trusts this CA certificate (PEM) for push services over https, besides the
    /// platform's roots: a push service behind a private CA, or a test one. Checked by
    /// [`build`](Self::build).
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// Validates the subject and JWT lifetime and creates the client.
    pub fn build(self) -> Result<PushSender, BuildError> {
        install_crypto_backend();
        let subject = validate_subject(&self.subject)?;
        if self.jwt_lifetime > MAX_JWT_LIFETIME || self.jwt_lifetime <= self.jwt_refresh_margin {
            return Err(BuildError::JwtLifetime {
                lifetime: self.jwt_lifetime,
                margin: self.jwt_refresh_margin,
            });
        }
        // HTTP/2 is negotiated by ALPN on https; plain-http test origins use
        // HTTP/1.1. Redirects are not followed: a push service never
        // redirects, and following one would bypass the endpoint checks.
        let mut client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(
                self.pool_max_idle_per_host
                    .unwrap_or(self.max_in_flight_per_origin),
            )
            .tcp_keepalive(Duration::from_secs(60))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_timeout(Duration::from_secs(10))
            .http2_keep_alive_while_idle(true)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver::new(&self.policy)))
            .user_agent(self.user_agent);
        if !self.use_system_proxy {
            client = client.no_proxy();
        }
        for pem in &self.extra_root_certificates {
            // A PEM without a certificate in it would otherwise be taken without a word.
            let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                BuildError::Client(format!("bad root certificate: {}", error_chain(&e)))
            })?;
            if certificates.is_empty() {
                return Err(BuildError::Client(
                    "bad root certificate: no PEM certificate in it".to_owned(),
                ));
            }
            for certificate in certificates {
                client = client.add_root_certificate(certificate);
            }
        }
        let client = client
            .build()
            .map_err(|e| BuildError::Client(error_chain(&e)))?;
        Ok(PushSender {
            client,
            keys: self.keys,
            subject,
            policy: self.policy,
            jwt_cache: JwtCache::new(self.jwt_lifetime, self.jwt_refresh_margin),
            origins: Origins::new(self.max_in_flight_per_origin, self.connect_timeout),
        })
    }
}

/// Sends Web Push messages: one pooled HTTP client, one VAPID key pair, and
/// a JWT cache per push-service origin. Cheap to share behind an `Arc`.
pub struct PushSender {
    client: reqwest::Client,
    keys: VapidKeys,
    subject: String,
    policy: EndpointPolicy,
    jwt_cache: JwtCache,
    origins: Origins,
}

/// What the sender keeps per push-service origin, created on first use.
struct Origin {
    /// Bounds the pushes in flight to the origin.
    in_flight: Semaphore,
    /// Set once a request to the origin has completed (answered or failed): its connection is
    /// in the pool from then on.
    contacted: AtomicBool,
    first_contact: tokio::sync::Mutex<()>,
}

impl Origin {
    /// Until a request to this origin has completed, lets one through at a time and returns its
    /// guard. Requests that start together before any connection is up each open their own (a
    /// TLS handshake each), even to a push service that speaks HTTP/2, where one connection
    /// carries them all once it is up. HTTP/1.1 origins only lose the overlap of the first
    /// request. A request waits at most `wait` (the connect timeout) for the one ahead of it, so
    /// a push service slow to answer one request does not hold up the others.
    async fn first_contact(&self, wait: Duration) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.contacted.load(Ordering::Acquire) {
            return None;
        }
        let guard = tokio::time::timeout(wait, self.first_contact.lock())
            .await
            .ok()?;
        (!self.contacted.load(Ordering::Acquire)).then_some(guard)
    }
}

/// The [`Origin`]s the sender has sent to.
struct Origins {
    per_origin: usize,
    first_contact_wait: Duration,
    known: Mutex<HashMap<String, Arc<Origin>>>,
}

impl Origins {
    fn new(per_origin: usize, first_contact_wait: Duration) -> Self {
        Origins {
            per_origin,
            first_contact_wait,
            known: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, origin: &str) -> Arc<Origin> {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = known.get(origin) {
            return Arc::clone(found);
        }
        // Endpoints pointing at many hosts must not grow this without bound: forget idle ones.
        if known.len() >= 1024 {
            let per_origin = self.per_origin;
            known.retain(|_, o| o.in_flight.available_permits() < per_origin);
        }
        let created = Arc::new(Origin {
            in_flight: Semaphore::new(self.per_origin),
            contacted: AtomicBool::new(false),
            first_contact: tokio::sync::Mutex::new(()),
        });
        known.insert(origin.to_owned(), Arc::clone(&created));
        created
    }
}

impl fmt::Debug for PushSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushSender")
            .field("keys", &self.keys)
            .field("subject", &self.subject)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl PushSender {
    /// Starts configuring a sender with the VAPID key pair and `sub`
    /// (`mailto:` address or `https:` URL).
    pub fn builder(keys: VapidKeys, subject: impl Into<String>) -> PushSenderBuilder {
        PushSenderBuilder {
            keys,
            subject: subject.into(),
            policy: EndpointPolicy::strict(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: None,
            jwt_lifetime: Duration::from_secs(12 * 3600),
            jwt_refresh_margin: Duration::from_secs(3600),
            user_agent: concat!("alert-webpush/", env!("CARGO_PKG_VERSION")).to_owned(),
            use_system_proxy: false,
            max_in_flight_per_origin: 256,
            extra_root_certificates: Vec::new(),
        }
    }

    /// The VAPID public key (the browser's `applicationServerKey`).
    pub fn vapid_public_key(&self) -> String {
        self.keys.public_key_base64url()
    }

    /// The VAPID `sub`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The endpoint policy in force.
    pub fn endpoint_policy(&self) -> &EndpointPolicy {
        &self.policy
    }

    /// Encrypts `payload` for `target` and POSTs it with `TTL`, `Urgency`,
    /// `Topic` (if any), `Content-Encoding: aes128gcm` and a VAPID
    /// `Authorization`. An empty payload is sent as a push without a body.
    ///
    /// Returns the push service's answer whatever its status; errors are
    /// bad input (not retryable) or transport failures
    /// ([`SendError::is_retryable`]).
    pub async fn send(
        &self,
        target: &PushTarget,
        payload: &[u8],
        options: &PushOptions,
    ) -> Result<PushResponse, SendError> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(SendError::PayloadTooLarge {
                size: payload.len(),
                limit: MAX_PAYLOAD_BYTES,
            });
        }
        let url = validate_endpoint_without_dns(&target.endpoint, &self.policy)?;
        let keys = SubscriptionKeys::parse(&target.p256dh, &target.auth)?;
        let topic = options.topic.as_deref().and_then(sanitize_topic);

        // Encryption (a fresh P-256 key pair, ECDH, HKDF, AES-GCM) takes about 40 µs of CPU on
        // the ring backend (`examples/crypto_cost.rs`): within what a task may run between two
        // awaits. Handing it to the blocking pool and back cost more than it saved (7-23 % fewer
        // pushes/s end to end, docs/benchmarks.md).
        let info = SubscriptionInfo::new(
            url.as_str().to_owned(),
            keys.p256dh_base64url(),
            keys.auth_base64url(),
        );
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_ttl(options.ttl_seconds);
        builder.set_urgency(options.urgency.to_web_push());
        if let Some(topic) = topic {
            builder.set_topic(topic);
        }
        if !payload.is_empty() {
            builder.set_payload(ContentEncoding::Aes128Gcm, payload);
        }
        let built = builder.build();
        let message = built.map_err(|e| match e {
            WebPushError::PayloadTooLarge => SendError::PayloadTooLarge {
                size: payload.len(),
                limit: MAX_PAYLOAD_BYTES,
            },
            other => SendError::Build(other.to_string()),
        })?;

        let origin = url.origin().ascii_serialization();
        let authorization =
            self.jwt_cache
                .authorization(&self.keys, &self.subject, &origin, SystemTime::now());

        let mut request = self
            .client
            .post(url)
            .header("TTL", message.ttl)
            .header(AUTHORIZATION, authorization.as_ref());
        if let Some(urgency) = message.urgency {
            request = request.header("Urgency", urgency.to_string());
        }
        if let Some(topic) = message.topic {
            request = request.header("Topic", topic);
        }
        request = match message.payload {
            Some(body) => request
                .header(CONTENT_ENCODING, body.content_encoding.to_str())
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body.content),
            None => request.header(CONTENT_LENGTH, 0),
        };

        let push_service = self.origins.get(&origin);
        let _permit = push_service
            .in_flight
            .acquire()
            .await
            .expect("origin semaphores are never closed");
        let first_contact = push_service
            .first_contact(self.origins.first_contact_wait)
            .await;
        let sent = request.send().await;
        push_service.contacted.store(true, Ordering::Release);
        drop(first_contact);
        let mut response = sent.map_err(SendError::from_reqwest)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body_excerpt = read_excerpt(&mut response).await;
        tracing::debug!(status, origin = %origin, "push service answered");
        Ok(PushResponse {
            status,
            retry_after,
            body_excerpt,
        })
    }
}

/// Reads at most [`BODY_READ_LIMIT`] bytes and keeps the first 200 chars.
/// A body that fails mid-way keeps what arrived: the status is what matters.
async fn read_excerpt(response: &mut reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < BODY_READ_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(BODY_READ_LIMIT);
    excerpt(&bytes)
}

fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim()
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Urgency;

    // RFC 8291 appendix A user agent keys.
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    fn sender() -> PushSender {
        PushSender::builder(VapidKeys::generate(), "mailto:ops@example.com")
            .build()
            .unwrap()
    }

    fn target(endpoint: &str) -> PushTarget {
        PushTarget {
            endpoint: endpoint.into(),
            p256dh: UA_PUBLIC.into(),
            auth: AUTH.into(),
        }
    }

    #[tokio::test]
    async fn payload_limit_is_checked_before_anything_else() {
        let sender = sender();
        // Even an invalid endpoint: size is checked first, nothing is sent.
        for size in [
            MAX_PAYLOAD_BYTES + 1,
            RFC8291_MAX_PLAINTEXT,
            RFC8291_MAX_PLAINTEXT + 1,
            10_000,
        ] {
            let err = sender
                .send(
                    &target("https://10.0.0.1/x"),
                    &vec![b'x'; size],
                    &PushOptions::default(),
                )
                .await
                .unwrap_err();
            match err {
                SendError::PayloadTooLarge { size: s, limit } => {
                    assert_eq!((s, limit), (size, MAX_PAYLOAD_BYTES));
                }
                other => panic!("{size}: {other:?}"),
            }
        }
    }

    #[test]
    fn web_push_encrypts_the_largest_payload_into_one_record() {
        install_crypto_backend();
        let info = SubscriptionInfo::new("https://push.example.com/x", UA_PUBLIC, AUTH);
        let payload = vec![b'x'; MAX_PAYLOAD_BYTES];
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, &payload);
        let body = builder.build().unwrap().payload.unwrap().content;
        assert!(body.len() <= 4096, "{}", body.len());
        assert_eq!(&body[16..20], &4096u32.to_be_bytes(), "rs");
        assert!(body.len() - 86 <= 4096, "single record");

        let mut builder = WebPushMessageBuilder::new(&info);
        let over = vec![b'x'; MAX_PAYLOAD_BYTES + 1];
        builder.set_payload(ContentEncoding::Aes128Gcm, &over);
        assert!(matches!(
            builder.build(),
            Err(WebPushError::PayloadTooLarge)
        ));
    }

    #[tokio::test]
    async fn bad_input_is_not_retryable() {
        let sender = sender();
        let opts = PushOptions::default();
        let err = sender
            .send(&target("http://push.example.com/x"), b"hi", &opts)
            .await
            .unwrap_err();
        assert!(
            matches!(err, SendError::InvalidEndpoint(EndpointError::NotHttps)),
            "{err:?}"
        );
        assert!(!err.is_retryable());
        assert_eq!(err.to_string(), "push endpoint must use https");

        let err = sender
            .send(&target("https://127.0.0.1/x"), b"hi", &opts)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                SendError::InvalidEndpoint(EndpointError::ForbiddenAddress(_))
            ),
            "{err:?}"
        );

        let mut bad_keys = target("https://push.example.com/x");
        bad_keys.auth = "c2hvcnQ".into();
        let err = sender.send(&bad_keys, b"hi", &opts).await.unwrap_err();
        assert!(
            err.to_string().contains("auth: must be 16 bytes, got 5"),
            "{err}"
        );
        assert!(!err.is_retryable());
    }

    /// A push service answering 201 after `delay`, counting the requests it handles at once.
    async fn counting_push_service(
        delay: Duration,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let active = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let seen_peak = Arc::clone(&peak);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (active, peak) = (Arc::clone(&active), Arc::clone(&peak));
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 16 * 1024];
                    let mut read = Vec::new();
                    loop {
                        let Ok(n) = socket.read(&mut buffer).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        read.extend_from_slice(&buffer[..n]);
                        let text = String::from_utf8_lossy(&read).to_ascii_lowercase();
                        let Some(head_end) = text.find("\r\n\r\n") else {
                            continue;
                        };
                        let length = text
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if read.len() < head_end + 4 + length {
                            continue;
                        }
                        read.drain(..head_end + 4 + length);
                        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(delay).await;
                        active.fetch_sub(1, Ordering::SeqCst);
                        let answer = b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n";
                        if socket.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (origin, seen_peak)
    }

    #[tokio::test]
    async fn requests_to_one_origin_are_capped() {
        let (origin, peak) = counting_push_service(Duration::from_millis(100)).await;
        let sender = Arc::new(
            PushSender::builder(VapidKeys::generate(), "mailto:ops@example.com")
                .endpoint_policy(EndpointPolicy::from_comma_separated(&origin).unwrap())
                .max_in_flight_per_origin(2)
                .build()
                .unwrap(),
        );
        let mut sends = tokio::task::JoinSet::new();
        for index in 0..6 {
            let sender = Arc::clone(&sender);
            let target = target(&format!("{origin}/push/{index}"));
            sends.spawn(async move { sender.send(&target, b"hi", &PushOptions::default()).await });
        }
        while let Some(sent) = sends.join_next().await {
            assert_eq!(sent.unwrap().unwrap().status, 201);
        }
        assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn connection_refused_is_retryable() {
        // Bind then drop a listener to get a local port nobody listens on.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let origin = format!("http://127.0.0.1:{port}");
        let sender = PushSender::builder(VapidKeys::generate(), "mailto:ops@example.com")
            .endpoint_policy(EndpointPolicy::from_comma_separated(&origin).unwrap())
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let err = sender
            .send(
                &target(&format!("{origin}/push/1")),
                b"hi",
                &PushOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, SendError::Connect(_)), "{err:?}");
        assert!(err.is_retryable());
    }

    #[tokio::test]
    async fn localhost_names_are_refused_at_connect_time_too() {
        // Allowed origin for 127.0.0.1 does not make "localhost" allowed.
        let sender = PushSender::builder(VapidKeys::generate(), "mailto:ops@example.com")
            .endpoint_policy(EndpointPolicy::from_comma_separated("http://127.0.0.1:1").unwrap())
            .build()
            .unwrap();
        let err = sender
            .send(
                &target("https://localhost:1/x"),
                b"hi",
                &PushOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                SendError::InvalidEndpoint(EndpointError::ResolvesToForbidden(_))
            ),
            "{err:?}"
        );
    }

    #[test]
    fn builder_validates_subject_and_lifetime() {
        let err = PushSender::builder(VapidKeys::generate(), "ops@example.com")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("mailto:"), "{err}");
        let err = PushSender::builder(VapidKeys::generate(), "https://example.com")
            .jwt_lifetime(Duration::from_secs(25 * 3600))
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::JwtLifetime { .. }), "{err:?}");
        let err = PushSender::builder(VapidKeys::generate(), "https://example.com")
            .jwt_lifetime(Duration::from_secs(600))
            .jwt_refresh_margin(Duration::from_secs(600))
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::JwtLifetime { .. }), "{err:?}");
    }

    #[test]
    fn response_helpers_and_excerpt() {
        let r = |status| PushResponse {
            status,
            retry_after: None,
            body_excerpt: String::new(),
        };
        assert!(r(201).is_success() && !r(201).is_gone() && !r(201).is_retryable());
        assert!(r(410).is_gone() && r(404).is_gone() && !r(410).is_retryable());
        assert!(r(429).is_retryable() && r(503).is_retryable());
        assert!(!r(400).is_retryable() && !r(413).is_retryable());

        let long = "é".repeat(300);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), 200);
        assert_eq!(excerpt(b"  {\"error\":\"x\"}\n"), "{\"error\":\"x\"}");
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let t = target("https://push.example.com/x");
        assert!(!format!("{t:?}").contains(AUTH));
        let keys = VapidKeys::generate();
        let secret = keys.private_key_base64url();
        let s = PushSender::builder(keys, "mailto:a@b.c").build().unwrap();
        assert!(!format!("{s:?}").contains(&secret));
    }

    #[test]
    fn urgency_serde_matches_header_values() {
        for u in [
            Urgency::VeryLow,
            Urgency::Low,
            Urgency::Normal,
            Urgency::High,
        ] {
            assert_eq!(serde_json::to_value(u).unwrap(), u.as_str());
            assert_eq!(u.to_web_push().to_string(), u.as_str());
        }
    }
}
