//! Serving and reaching gRPC services, over TCP or inside one process.
//!
//! In the embedded mode the four services run in one process and talk over in-memory duplex
//! pipes: the same tonic clients, servers, codecs and metadata as over the network, with no port
//! open to other local processes. Channels connect lazily, so services that call each other
//! (alert-service ↔ scheduler-service) can be wired in any order.

use std::{net::SocketAddr, time::Duration};

use hyper_util::rt::TokioIo;
use tokio::{io::DuplexStream, net::TcpListener, sync::mpsc};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint, server::Router};

/// Where a gRPC server takes its connections from.
pub enum GrpcListener {
    Tcp(TcpListener),
    InMemory(InMemoryIncoming),
}

impl GrpcListener {
    /// Binds a TCP listener; port 0 picks a free port.
    pub async fn bind(address: SocketAddr) -> std::io::Result<Self> {
        Ok(GrpcListener::Tcp(TcpListener::bind(address).await?))
    }

    /// The bound address of a TCP listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            GrpcListener::Tcp(listener) => listener.local_addr().ok(),
            GrpcListener::InMemory(_) => None,
        }
    }
}

/// The server side of an in-process connection point.
pub struct InMemoryIncoming {
    connections_rx: mpsc::Receiver<DuplexStream>,
}

/// Creates an in-process connection point: a listener for the server and a lazily connecting
/// channel for its clients.
pub fn in_memory() -> (GrpcListener, Channel) {
    let (connections_tx, connections_rx) = mpsc::channel::<DuplexStream>(16);
    let connector = tower::service_fn(move |_uri: http::Uri| {
        let connections_tx = connections_tx.clone();
        async move {
            let (client_side, server_side) = tokio::io::duplex(256 * 1024);
            connections_tx.send(server_side).await.map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::ConnectionRefused,
                    "in-memory server stopped",
                )
            })?;
            Ok::<_, std::io::Error>(TokioIo::new(client_side))
        }
    });
    // The URI is never dialled; the connector above makes the connection.
    let channel =
        Endpoint::from_static("http://in-memory.invalid").connect_with_connector_lazy(connector);
    (
        GrpcListener::InMemory(InMemoryIncoming { connections_rx }),
        channel,
    )
}

/// A lazily connecting channel to `url` (`http://host:port`); connection errors surface per call
/// as UNAVAILABLE, so a service can start before the services it calls.
pub fn connect_lazy(url: &str) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .tcp_keepalive(Some(Duration::from_secs(30)))
        .http2_keep_alive_interval(Duration::from_secs(30))
        .connect_lazy())
}

/// Serves `router` until `shutdown` is cancelled, then lets in-flight calls finish.
pub async fn serve(
    router: Router,
    listener: GrpcListener,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let signal = async move { shutdown.cancelled().await };
    match listener {
        GrpcListener::Tcp(listener) => {
            router
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), signal)
                .await
        }
        GrpcListener::InMemory(incoming) => {
            let stream = tokio_stream::StreamExt::map(
                ReceiverStream::new(incoming.connections_rx),
                Ok::<_, std::io::Error>,
            );
            router.serve_with_incoming_shutdown(stream, signal).await
        }
    }
}

/// The health service every server registers, and its reporter.
pub async fn health_service() -> (
    tonic_health::server::HealthReporter,
    tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health>,
) {
    tonic_health::server::health_reporter()
}

/// gRPC reflection over the `alert.v1` descriptors.
pub fn reflection_service() -> tonic_reflection::server::v1::ServerReflectionServer<
    impl tonic_reflection::server::v1::ServerReflection,
> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(alert_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the compiled descriptor sets are valid")
}
