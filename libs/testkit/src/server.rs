//! A tiny axum server on 127.0.0.1:0, over plain HTTP or over TLS with ALPN, that stops when its
//! handle is dropped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{
    self,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
};

pub(crate) struct Server {
    addr: SocketAddr,
    origin: String,
    connections: Arc<AtomicU64>,
    /// The protocol each TLS connection agreed on by ALPN (`h2`, `http/1.1`, or `none`).
    negotiated: Arc<Mutex<Vec<String>>>,
    /// The self-signed certificate of a TLS server, PEM, for the client to trust.
    certificate_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds 127.0.0.1:0, then builds the router knowing the origin.
    pub(crate) async fn start(make_router: impl FnOnce(String) -> Router) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let router = make_router(format!("http://{addr}"));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let connections = Arc::new(AtomicU64::new(0));
        let accepted = Arc::clone(&connections);
        let listener = listener.tap_io(move |_| {
            accepted.fetch_add(1, Ordering::Relaxed);
        });
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::warn!(%error, "test push server stopped with an error");
            }
        });
        Ok(Self {
            addr,
            origin: format!("http://{addr}"),
            connections,
            negotiated: Arc::default(),
            certificate_pem: None,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Like [`start`](Self::start) over TLS: a certificate for 127.0.0.1 made now, and `alpn`
    /// offered in this order, so a client that speaks HTTP/2 gets it only when `h2` is offered.
    pub(crate) async fn start_tls(
        make_router: impl FnOnce(String) -> Router,
        alpn: &[&str],
    ) -> std::io::Result<Self> {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .map_err(std::io::Error::other)?;
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(certified.cert.der().to_vec())],
            key,
        )
        .map_err(std::io::Error::other)?;
        config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let origin = format!("https://{addr}");
        let router = make_router(origin.clone());
        let (shutdown, mut stopped) = oneshot::channel::<()>();
        let connections = Arc::new(AtomicU64::new(0));
        let negotiated: Arc<Mutex<Vec<String>>> = Arc::default();
        let (accepted, agreed) = (Arc::clone(&connections), Arc::clone(&negotiated));
        let task = tokio::spawn(async move {
            loop {
                let stream = tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => stream,
                        Err(error) => {
                            tracing::warn!(%error, "test push server cannot accept");
                            continue;
                        }
                    },
                };
                accepted.fetch_add(1, Ordering::Relaxed);
                let (acceptor, agreed, router) =
                    (acceptor.clone(), Arc::clone(&agreed), router.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let protocol = tls.get_ref().1.alpn_protocol().map_or_else(
                        || "none".to_owned(),
                        |p| String::from_utf8_lossy(p).into_owned(),
                    );
                    agreed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(protocol);
                    let served = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), TowerToHyperService::new(router))
                        .await;
                    if let Err(error) = served {
                        tracing::debug!(%error, "test push server connection ended");
                    }
                });
            }
        });
        Ok(Self {
            addr,
            origin,
            connections,
            negotiated,
            certificate_pem: Some(certified.cert.pem()),
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// What each TLS connection agreed on by ALPN, in the order they were made.
    pub(crate) fn negotiated_protocols(&self) -> Vec<String> {
        self.negotiated
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// TCP connections accepted so far: a client that keeps its connections alive opens few.
    pub(crate) fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    pub(crate) fn origin(&self) -> String {
        self.origin.clone()
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s).
    pub(crate) async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
        {
            tracing::warn!("test push server did not stop within 5 s");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
