//! The two engines behind the port. Queries are written once (sqlx `Any`, `$n` placeholders); what
//! differs between the engines is the [`Adapter`] each one implements, and nothing else.

mod postgres;
mod sqlite;

use std::time::Duration;

use gatehouse_domain::{Error, Result};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

/// A storage engine, chosen by the database URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One file in the data directory, WAL mode, foreign keys on; one writer at a time.
    Sqlite,
    /// Shared by any number of Gatehouse nodes.
    Postgres,
}

/// What an engine must provide to stand behind the storage port.
pub(crate) trait Adapter: Sync {
    /// The engine's own numbered, forward-only migrations (kept in step by a test).
    fn migrator(&self) -> &'static Migrator;
    /// Per-engine pool settings, e.g. pragmas run on every new connection.
    fn configure(&self, options: AnyPoolOptions, max_connections: u32) -> AnyPoolOptions;
    /// Whether writers must be serialised in-process (the store then gates write transactions and
    /// migrations behind one lock).
    fn single_writer(&self) -> bool;
    /// The statement that opens a write transaction.
    fn begin_write(&self) -> &'static str;
}

impl Engine {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(Error::invalid(
                "the database URL must start with sqlite: or postgres://",
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub(crate) fn adapter(self) -> &'static dyn Adapter {
        match self {
            Self::Sqlite => &sqlite::Sqlite,
            Self::Postgres => &postgres::Postgres,
        }
    }

    /// The pool; it connects lazily, so an unreachable database does not stop the server starting.
    pub(crate) fn pool(
        self,
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<AnyPool> {
        sqlx::any::install_default_drivers();
        let options = AnyPoolOptions::new()
            .acquire_timeout(acquire_timeout)
            .test_before_acquire(true);
        self.adapter()
            .configure(options, max_connections)
            .connect_lazy(url)
            .map_err(|e| Error::invalid(format!("invalid database URL: {e}")))
    }
}
