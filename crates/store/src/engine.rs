//! The two engines behind the port. Everything engine-specific lives here.

use std::time::Duration;

use gatehouse_domain::{Error, Result};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// A storage engine, chosen by the database URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One file in the data directory, WAL mode, foreign keys on; one writer at a time.
    Sqlite,
    /// Shared by any number of Gatehouse nodes.
    Postgres,
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

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The pool, configured for the engine; it connects lazily, so an unreachable database does not
    /// stop the server from starting.
    pub(crate) fn pool(
        self,
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<AnyPool> {
        sqlx::any::install_default_drivers();
        let options = AnyPoolOptions::new()
            .max_connections(match self {
                // WAL gives concurrent readers; writers are serialised by the store's write gate.
                Self::Sqlite => max_connections.max(2),
                Self::Postgres => max_connections,
            })
            .acquire_timeout(acquire_timeout)
            .test_before_acquire(true);
        let options = match self {
            Self::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    Ok(())
                })
            }),
            Self::Postgres => options,
        };
        options
            .connect_lazy(url)
            .map_err(|e| Error::invalid(format!("invalid database URL: {e}")))
    }

    /// SQLite allows one writer; the store serialises write transactions in-process so that a
    /// transaction that reads before it writes never meets a busy database.
    pub(crate) fn single_writer(self) -> bool {
        matches!(self, Self::Sqlite)
    }

    /// The statement that opens a write transaction.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }
}
