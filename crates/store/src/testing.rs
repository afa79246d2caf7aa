//! Test support: a fresh, empty database per test on each engine.
//!
//! SQLite always runs. PostgreSQL runs against `GATEHOUSE_TEST_DATABASE_URL` (required to work when
//! set; CI sets it) or, when unset, against the local default `postgres://postgres@127.0.0.1:5432/test`
//! if it answers. Each test gets its own database, dropped when the handle is dropped.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use gatehouse_domain::Result;
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::password::PasswordHash;
use gatehouse_domain::provisioning::{TenantPlan, admin_upn, plan_tenant};
use gatehouse_domain::random::OsRandom;
use gatehouse_domain::tenant::NewTenant;
use sqlx::{Connection, Executor, PgConnection};
use time::OffsetDateTime;

use crate::{Engine, Store, StoreOptions};

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// An empty database that lives as long as this handle.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self {
            url,
            engine: Engine::Sqlite,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured or reachable.
    pub async fn postgres() -> Option<Self> {
        let (admin_url, required) = match std::env::var("GATEHOUSE_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => (url, true),
            _ => (DEFAULT_POSTGRES.to_owned(), false),
        };
        let connect =
            tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&admin_url)).await;
        let mut admin = match connect {
            Ok(Ok(c)) => c,
            Ok(Err(e)) if required => {
                panic!("GATEHOUSE_TEST_DATABASE_URL={admin_url} is unreachable: {e}")
            }
            Err(_) if required => panic!("GATEHOUSE_TEST_DATABASE_URL={admin_url} timed out"),
            _ => {
                eprintln!(
                    "note: PostgreSQL not reachable at {admin_url}; running this test on SQLite only"
                );
                return None;
            }
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "gatehouse_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..8)
                .unwrap_or("x")
        );
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((base, tail)) if !base.ends_with('/') => {
                let query = tail
                    .split_once('?')
                    .map(|(_, q)| format!("?{q}"))
                    .unwrap_or_default();
                format!("{base}/{name}{query}")
            }
            _ => format!("{}/{name}", admin_url.trim_end_matches('/')),
        };
        Some(Self {
            url,
            engine: Engine::Postgres,
            _dir: None,
            postgres: Some((admin_url, name)),
        })
    }

    /// SQLite, plus PostgreSQL when available.
    pub async fn all() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        all.extend(Self::postgres().await);
        all
    }

    /// A store on this database with the migrations applied.
    pub async fn store(&self) -> Store {
        let store = Store::open(&self.url, &StoreOptions::default()).expect("open store");
        store.migrate().await.expect("migrate");
        store
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop the database on a separate runtime: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                    admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// The plan of a test tenant named `name` with the initial domain `domain`, created at `now`.
pub fn tenant_plan(name: &str, domain: &str, now: OffsetDateTime) -> TenantPlan {
    let new = NewTenant::new(
        name,
        DomainName::parse(domain).expect("test domain"),
        "US",
        true,
    )
    .expect("test tenant");
    let upn = admin_upn(None, &new).expect("test admin");
    plan_tenant(
        new,
        upn,
        PasswordHash::from_phc("$argon2id$test".into()),
        Initiator::instance("test"),
        now,
        &OsRandom,
    )
}

/// Writes a plan's tenant, initial domain, administrator, role assignment and audit record in one
/// transaction.
pub async fn create_tenant(store: &Store, plan: &TenantPlan) -> Result<()> {
    let now = plan.tenant.created;
    let mut tx = store
        .instance_write()
        .await?
        .create_tenant(&plan.tenant)
        .await?;
    tx.insert_domain(&plan.initial_domain, now).await?;
    tx.insert_user(&plan.admin).await?;
    tx.insert_role_assignment(&plan.admin_role).await?;
    tx.audit(&plan.audit).await?;
    tx.commit().await
}
