//! Database pools for both backends through `sqlx::Any`: PostgreSQL in production, SQLite in the
//! embedded mode. Each service owns its tables: on PostgreSQL it gets its own schema (and its own
//! migration history there), on SQLite its own file.
//!
//! Stores keep timestamps as Unix milliseconds (BIGINT) and ids as text, which both backends
//! store and compare alike, so one SQL text serves both; where the dialects differ a store asks
//! [`Database::backend`].

use std::{str::FromStr, time::Duration};

use sqlx::{
    AnyPool, ConnectOptions, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
};

/// Which database a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("DATABASE_URL must start with postgres:// or sqlite:, got {0:?}")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// A pool plus the backend it talks to.
#[derive(Debug, Clone)]
pub struct Database {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// The migrations of one service, one set per backend.
pub struct Migrations {
    pub postgres: Migrator,
    pub sqlite: Migrator,
}

impl Database {
    /// Connects, creates the service's schema (PostgreSQL) or file (SQLite) if missing, and
    /// applies the service's migrations.
    pub async fn connect(
        url: &str,
        schema: &'static str,
        migrations: &Migrations,
    ) -> Result<Database, DatabaseError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::of_url(url).ok_or_else(|| DatabaseError::UnsupportedUrl(redact(url)))?;
        let pool = match backend {
            Backend::Postgres => {
                // Create the schema on a plain connection first: the pool's connections set
                // their search_path to it.
                let options = AnyConnectOptions::from_str(url).map_err(DatabaseError::Connect)?;
                let mut connection = options.connect().await.map_err(DatabaseError::Connect)?;
                connection
                    .execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                    .await
                    .map_err(DatabaseError::Connect)?;
                drop(connection);
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(move |connection, _| {
                        Box::pin(async move {
                            connection
                                .execute(format!("SET search_path TO {schema}").as_str())
                                .await?;
                            // The default cost of a random page read, 4 × a sequential one,
                            // models disks that seek; these tables are read from memory or
                            // SSD, where a key look-up costs about a page read. With the
                            // default, a batch load right after a burst (statistics still
                            // small) hashed every subscription for each 128 deliveries instead
                            // of looking up 128 keys (docs/benchmarks.md, "Plans after a burst").
                            connection.execute("SET random_page_cost = 1.1").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(DatabaseError::Connect)?
            }
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                AnyPoolOptions::new()
                    // One connection: SQLite has one writer, and a single connection never meets
                    // "database is locked" on a read that turns into a write.
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            connection.execute("PRAGMA journal_mode = WAL").await?;
                            connection.execute("PRAGMA synchronous = NORMAL").await?;
                            connection.execute("PRAGMA foreign_keys = ON").await?;
                            connection.execute("PRAGMA busy_timeout = 5000").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .map_err(DatabaseError::Connect)?
            }
        };
        let migrator = match backend {
            Backend::Postgres => &migrations.postgres,
            Backend::Sqlite => &migrations.sqlite,
        };
        migrator.run(&pool).await.map_err(DatabaseError::Migrate)?;
        Ok(Database { pool, backend })
    }

    /// Whether the database answers, for health checks.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// What a failed statement means to a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintViolation {
    Unique,
    ForeignKey,
}

/// Classifies a database error by SQLSTATE (PostgreSQL) or extended result code (SQLite).
pub fn constraint_violation(error: &sqlx::Error) -> Option<ConstraintViolation> {
    let database_error = error.as_database_error()?;
    if database_error.is_unique_violation() {
        Some(ConstraintViolation::Unique)
    } else if database_error.is_foreign_key_violation() {
        Some(ConstraintViolation::ForeignKey)
    } else {
        None
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:hunter2@db:5432/alerts"),
            "postgres://app:***@db:5432/alerts"
        );
        assert_eq!(redact("sqlite://data/a.db"), "sqlite://data/a.db");
    }

    #[test]
    fn backends_are_told_apart_by_scheme() {
        assert_eq!(Backend::of_url("postgres://x"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("mysql://x"), None);
    }
}

/// Fresh databases for tests: one new PostgreSQL database per test, so tests never share state.
pub mod testing {
    use sqlx::{ConnectOptions, Executor, any::AnyConnectOptions};
    use std::str::FromStr;

    /// The server tests use: `TEST_DATABASE_URL`, or the local trust-auth server.
    pub fn postgres_server_url() -> String {
        std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// Creates an empty database and returns its URL. Panics (failing the test) when PostgreSQL
    /// is not running: a missing service must fail the suite, never skip it.
    pub async fn fresh_postgres_database() -> String {
        sqlx::any::install_default_drivers();
        let server = postgres_server_url();
        let options =
            AnyConnectOptions::from_str(&server).expect("TEST_DATABASE_URL is a valid URL");
        let mut connection = options.connect().await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL must be running for the tests at {}: {e}",
                super::redact(&server)
            )
        });
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        connection
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let (prefix, _) = server
            .rsplit_once('/')
            .expect("TEST_DATABASE_URL names a database");
        format!("{prefix}/{name}")
    }

    /// A fresh SQLite database file in `dir`.
    pub fn sqlite_url(dir: &std::path::Path, name: &str) -> String {
        format!("sqlite://{}", dir.join(format!("{name}.db")).display())
    }
}
