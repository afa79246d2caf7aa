//! SQLite: the embedded default. WAL for concurrent readers, one writer at a time.

use sqlx::Executor as _;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use super::Adapter;

static MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");

pub(crate) struct Sqlite;

impl Adapter for Sqlite {
    fn migrator(&self) -> &'static Migrator {
        &MIGRATIONS
    }

    fn configure(&self, options: AnyPoolOptions, max_connections: u32) -> AnyPoolOptions {
        options
            .max_connections(max_connections.max(2))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    Ok(())
                })
            })
    }

    /// SQLite allows one writer; serialising writers in-process means a transaction that reads before
    /// it writes never meets a busy database.
    fn single_writer(&self) -> bool {
        true
    }

    /// Takes the write lock at the start, not at the first write.
    fn begin_write(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }
}
