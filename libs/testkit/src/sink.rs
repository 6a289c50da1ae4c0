//! [`PushSink`]: a fast push endpoint for benchmarks that verifies nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tokio::sync::watch;

use crate::browser::{BrowserKeys, BrowserSubscription};
use crate::server::Server;

struct Counters {
    status: StatusCode,
    requests: AtomicU64,
    bytes: AtomicU64,
    notify: watch::Sender<u64>,
}

/// Answers every `POST` (any path) with a fixed status and counts requests
/// and body bytes. No VAPID check, no decryption: for load tests of the
/// sender side. Stops when dropped.
pub struct PushSink {
    counters: Arc<Counters>,
    server: Server,
}

impl PushSink {
    /// Starts a sink answering `status` (e.g. 201). Panics if no local port
    /// can be bound or the status is not a valid HTTP status.
    pub async fn start(status: u16) -> PushSink {
        let status = StatusCode::from_u16(status).expect("PushSink: invalid HTTP status");
        let (notify, _) = watch::channel(0);
        let counters = Arc::new(Counters {
            status,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            notify,
        });
        let state = Arc::clone(&counters);
        let server = Server::start(move |_| {
            Router::new()
                .fallback(post(count_request))
                .with_state(state)
        })
        .await
        .expect("PushSink: could not bind 127.0.0.1:0");
        PushSink { counters, server }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        self.server.origin()
    }

    /// A subscription with valid browser keys and a unique endpoint on this
    /// sink (the keys are not kept: the sink never decrypts).
    pub fn new_browser(&self) -> BrowserSubscription {
        let endpoint = format!("{}/push/{}", self.origin(), uuid::Uuid::new_v4());
        BrowserKeys::generate().subscription(endpoint)
    }

    /// Requests answered so far.
    pub fn count(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    /// Body bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.counters.bytes.load(Ordering::Relaxed)
    }

    /// Waits until `count` requests were answered or `timeout` passes;
    /// returns the count either way.
    pub async fn wait_for_count(&self, count: u64, timeout: Duration) -> u64 {
        let mut rx = self.counters.notify.subscribe();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|n| *n >= count)).await;
        self.count()
    }

    /// Stops the server.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

async fn count_request(State(counters): State<Arc<Counters>>, body: Bytes) -> StatusCode {
    counters
        .bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    let n = counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
    counters.notify.send_modify(|seen| *seen = (*seen).max(n));
    counters.status
}
