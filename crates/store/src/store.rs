//! The store: a connection pool on one engine, migrations, health, and transactions.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_domain::ids::TenantId;
use gatehouse_domain::{Error, Result};
use sqlx::AnyPool;
use tokio::sync::Mutex;

use crate::engine::Engine;
use crate::error::db;
use crate::tx::{InstanceTx, Read, TenantTx, Write};

/// Pool settings.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// How long a request waits for a connection before it gets a 503.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// The storage port. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    write_gate: Option<Arc<Mutex<()>>>,
}

impl Store {
    /// Opens a store on `url` (`sqlite:` or `postgres://`). Does not connect yet.
    pub fn open(url: &str, options: &StoreOptions) -> Result<Self> {
        let engine = Engine::from_url(url)?;
        let pool = engine.pool(url, options.max_connections, options.acquire_timeout)?;
        let write_gate = engine
            .adapter()
            .single_writer()
            .then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            engine,
            write_gate,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Applies the engine's pending migrations, under the engine's migration lock (an advisory lock
    /// on PostgreSQL, the write gate on SQLite). Forward-only; safe to call on every start.
    pub async fn migrate(&self) -> Result<()> {
        let _gate = match &self.write_gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        self.engine
            .adapter()
            .migrator()
            .run(&self.pool)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => db(e),
                other => Error::unavailable(format!("migrations failed: {other}")),
            })
    }

    /// Checks that the database answers and that every embedded migration has been applied.
    pub async fn check_ready(&self) -> Result<()> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await
                .map_err(|e| match db(e) {
                    Error::Unavailable { reason } => Error::unavailable(reason),
                    _ => Error::unavailable("migrations have not been applied"),
                })?;
        let pending = self
            .engine
            .adapter()
            .migrator()
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count();
        if pending > 0 {
            return Err(Error::unavailable(format!(
                "{pending} migration(s) not applied yet"
            )));
        }
        Ok(())
    }

    async fn gate(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        }
    }

    /// A read transaction scoped to one tenant.
    pub async fn read(&self, tenant: TenantId) -> Result<TenantTx<Read>> {
        let tx = self.pool.begin().await.map_err(db)?;
        Ok(TenantTx::new(tx, tenant, None))
    }

    /// A write transaction scoped to one tenant.
    pub async fn write(&self, tenant: TenantId) -> Result<TenantTx<Write>> {
        let gate = self.gate().await;
        let tx = self
            .pool
            .begin_with(self.engine.adapter().begin_write())
            .await
            .map_err(db)?;
        Ok(TenantTx::new(tx, tenant, gate))
    }

    /// A read transaction over the instance realm (the tenant list, instance settings).
    pub async fn instance_read(&self) -> Result<InstanceTx<Read>> {
        let tx = self.pool.begin().await.map_err(db)?;
        Ok(InstanceTx::new(tx, None))
    }

    /// A write transaction over the instance realm; it can create a tenant and continue inside it.
    pub async fn instance_write(&self) -> Result<InstanceTx<Write>> {
        let gate = self.gate().await;
        let tx = self
            .pool
            .begin_with(self.engine.adapter().begin_write())
            .await
            .map_err(db)?;
        Ok(InstanceTx::new(tx, gate))
    }

    /// Refreshes the query planner's statistics (`ANALYZE`, the same statement on both engines).
    /// Bulk loads call it: until PostgreSQL's autovacuum has analyzed a table that grew fast, the
    /// planner may pick a poor index (for a user by id, `users_deleted` over the primary key, so each
    /// read scans the tenant's users).
    pub async fn analyze(&self) -> Result<()> {
        let _gate = self.gate().await;
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Closes every connection; used at shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
