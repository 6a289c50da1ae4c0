//! The whole system end to end, as a user drives it through the gateway's REST API, with a local
//! push service that verifies VAPID and decrypts every push: once embedded (one process, SQLite)
//! and once as four services talking gRPC over TCP on PostgreSQL; and the `alert-system` binary
//! as a child process on PostgreSQL, killed and restarted in the middle of a fan-out.

mod bucket_fanout;
mod helpers;
mod journeys;
mod process;
