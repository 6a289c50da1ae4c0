//! `gateway health`: the container health check. Images carry no curl, so the binary probes its
//! own server. It asks the shallow `/health/live`, not `/health`: a gateway whose upstreams are
//! down is still a working gateway, and replacing it would not bring them back.

use std::{net::SocketAddr, time::Duration};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The path the probe asks.
pub const LIVENESS_PATH: &str = "/health/live";

/// Why the probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("gateway at {address} did not answer within {timeout_secs} s")]
    Timeout {
        address: SocketAddr,
        timeout_secs: u64,
    },
    #[error("cannot reach the gateway at {address}")]
    Unreachable {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("gateway at {address} answered {status_line:?}")]
    Unhealthy {
        address: SocketAddr,
        status_line: String,
    },
}

/// Succeeds when the gateway at `address` answers `GET /health/live` with 200.
pub async fn probe_liveness(address: SocketAddr, timeout: Duration) -> Result<(), ProbeError> {
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let request =
            format!("GET {LIVENESS_PATH} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut head = Vec::with_capacity(256);
        // The status line is all we need; a short read is enough.
        let mut buffer = [0u8; 256];
        while !head.contains(&b'\n') {
            let read = stream.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        Ok::<_, std::io::Error>(head)
    };
    let head = tokio::time::timeout(timeout, probe)
        .await
        .map_err(|_| ProbeError::Timeout {
            address,
            timeout_secs: timeout.as_secs(),
        })?
        .map_err(|source| ProbeError::Unreachable { address, source })?;
    let status_line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if status_line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(ProbeError::Unhealthy {
            address,
            status_line,
        })
    }
}
