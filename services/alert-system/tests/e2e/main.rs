//! The whole system end to end, as a user drives it through the gateway's REST API, with a local
//! push service that verifies VAPID and decrypts every push: once embedded (one process, SQLite)
//! and once as four services talking gRPC over TCP on PostgreSQL; and the `alert-system` binary
//! as a child process on PostgreSQL, killed and restarted in the middle of a fan-out.

/// Runs a journey once embedded (SQLite) and once distributed (PostgreSQL, gRPC over TCP).
macro_rules! in_both_modes {
    ($($journey:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $journey() { super::$journey(super::Mode::Embedded).await })*
        }
        mod distributed {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $journey() { super::$journey(super::Mode::Distributed).await })*
        }
    };
}

mod air_quality;
mod bucket_fanout;
mod helpers;
mod journeys;
mod process;
