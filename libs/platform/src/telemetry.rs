//! Logging setup: `tracing` to stdout, text or JSON (`LOG_FORMAT=json`), filtered by `RUST_LOG`.

use std::sync::Once;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::Env;

/// Installs the global subscriber. Later calls do nothing, so tests may call it freely.
pub fn init(env: &Env) {
    static INIT: Once = Once::new();
    let json = env
        .get("LOG_FORMAT")
        .is_some_and(|f| f.eq_ignore_ascii_case("json"));
    let filter = env
        .get("RUST_LOG")
        .unwrap_or("info,sqlx=warn,h2=warn,hyper=warn,tower=warn")
        .to_owned();
    INIT.call_once(|| {
        let filter = EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info"));
        let registry = tracing_subscriber::registry().with(filter);
        let result = if json {
            registry
                .with(
                    fmt::layer()
                        .json()
                        .flatten_event(true)
                        .with_current_span(false),
                )
                .try_init()
        } else {
            registry.with(fmt::layer().compact()).try_init()
        };
        // Another subscriber may already be installed (a test harness); keep it.
        let _ = result;
    });
}

/// For tests: logs only when `TEST_LOG` is set, so test output stays quiet by default.
pub fn init_for_tests() {
    if std::env::var_os("TEST_LOG").is_some() {
        init(&Env::from_process());
    }
}
