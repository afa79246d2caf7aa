//! PostgreSQL: shared by any number of stateless Gatehouse nodes. Migrations run under sqlx's advisory
//! lock; concurrency is PostgreSQL's own.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use super::Adapter;

static MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

pub(crate) struct Postgres;

impl Adapter for Postgres {
    fn migrator(&self) -> &'static Migrator {
        &MIGRATIONS
    }

    fn configure(&self, options: AnyPoolOptions, max_connections: u32) -> AnyPoolOptions {
        options.max_connections(max_connections)
    }

    fn single_writer(&self) -> bool {
        false
    }

    fn begin_write(&self) -> &'static str {
        "BEGIN"
    }
}
