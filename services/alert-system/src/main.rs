//! `alert-system`: the whole system in one process (see the crate docs).

use std::sync::Arc;

use alert_platform::{Env, SystemClock, metrics::Metrics, shutdown, telemetry};
use alert_system::EmbeddedSystem;

// glibc's malloc was about 15 % of the notifier's CPU in a burst; jemalloc cut the notifier's
// CPU per push by a tenth for 4 MiB more peak memory (docs/benchmarks.md, "Allocator").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = Env::from_process();
    telemetry::init(&env);
    let metrics = Metrics::install_from_env(&env, "alert-system")?;
    let system = EmbeddedSystem::build(&env, Arc::new(SystemClock)).await?;
    let addr = system.gateway_addr();
    tracing::info!(%addr, "alert system is up");
    println!("Alert System is running at http://{addr} (ctrl-c to stop)");
    system
        .run_until_stopped(shutdown::token_from_signals())
        .await?;
    metrics.shutdown().await;
    Ok(())
}
