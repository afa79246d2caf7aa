//! In-process test harness: the real router on a fresh database, with a manual clock, seeded
//! randomness and a cheap password hash.

#![allow(dead_code)]

pub mod browser;
pub mod certs;
pub mod dns;
pub mod graph;
pub mod groups;
pub mod openapi;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use gatehouse_domain::clock::ManualClock;
use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::ids::{ObjectId, TenantId};
use gatehouse_domain::password::PasswordHasher;
use gatehouse_domain::random::SeededRandom;
use gatehouse_domain::user::{User, UserPrincipalName, UserType};
use gatehouse_server::config::Bootstrap;
use gatehouse_server::dns::Dns;
use gatehouse_server::identity::keys::SigningKeys;
use gatehouse_server::passwords::Passwords;
use gatehouse_server::secrets::Secrets;
use gatehouse_server::state::{AppState, Instance, Readiness};
use gatehouse_server::{app, bootstrap};
use gatehouse_store::testing::TestDatabase;
use serde_json::Value;
use tower::ServiceExt as _;

pub const OPERATOR_KEY: &str = "gho_test-operator-key";
pub const START: time::OffsetDateTime = time::macros::datetime!(2026-11-23 12:00 UTC);

pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db: TestDatabase,
}

pub fn bootstrap_settings() -> Bootstrap {
    Bootstrap {
        tenant_name: "Default Directory".into(),
        domain: None,
        admin: None,
        admin_password: None,
        security_defaults: true,
    }
}

impl TestApp {
    /// An app on `db` whose database is migrated but not bootstrapped, and not yet marked prepared.
    pub async fn unprepared(db: TestDatabase) -> Self {
        let store = db.store().await;
        let clock = Arc::new(ManualClock::new(START));
        let secrets = Secrets::from_key([42u8; 32]);
        let state = AppState {
            store,
            clock: clock.clone(),
            random: Arc::new(SeededRandom::new(rand_seed())),
            instance: Arc::new(Instance {
                public_url: "https://localhost:8443".into(),
                initial_domain_suffix: DomainName::parse("gatehouse.test").unwrap(),
                operator_key_hash: secrets.keyed_hash(OPERATOR_KEY),
            }),
            secrets: Arc::new(secrets),
            passwords: Arc::new(Passwords::new(PasswordHasher::new(1024, 1, 1).unwrap(), 2)),
            readiness: Arc::new(Readiness::default()),
            keys: Arc::new(SigningKeys::new()),
            // Nothing answers there: tests that verify domains point it at their own server.
            dns: Arc::new(Dns::at(([127, 0, 0, 1], 9).into())),
        };
        Self { state, clock, db }
    }

    /// A prepared app with the bootstrap tenant.
    pub async fn new(db: TestDatabase) -> Self {
        let app = Self::unprepared(db).await;
        let request = bootstrap::request(
            &bootstrap_settings(),
            &app.state.instance.initial_domain_suffix,
        )
        .unwrap();
        bootstrap::run(&app.state, request)
            .await
            .unwrap()
            .expect("bootstrapped");
        app.state.readiness.set_prepared();
        app
    }

    /// The bootstrap tenant's id.
    pub async fn bootstrap_tenant(&self) -> TenantId {
        let tenants = self
            .state
            .store
            .instance_read()
            .await
            .unwrap()
            .list_tenants()
            .await
            .unwrap();
        tenants[0].tenant.id
    }

    /// Adds an enabled member user with a password to `tenant`; returns its id.
    pub async fn add_member(
        &self,
        tenant: TenantId,
        upn: &str,
        display_name: &str,
        password: &str,
    ) -> ObjectId {
        self.add_user(tenant, upn, display_name, password, UserType::Member)
            .await
    }

    /// Adds an enabled user of `user_type` with a password to `tenant`; returns its id.
    pub async fn add_user(
        &self,
        tenant: TenantId,
        upn: &str,
        display_name: &str,
        password: &str,
        user_type: UserType,
    ) -> ObjectId {
        let random = self.state.random.as_ref();
        let user = User {
            id: ObjectId::generate(random),
            user_principal_name: UserPrincipalName::parse(upn).unwrap(),
            display_name: display_name.into(),
            mail_nickname: upn.split('@').next().unwrap().into(),
            account_enabled: true,
            user_type,
            password: Some(
                self.state
                    .passwords
                    .hasher()
                    .hash(password, random)
                    .unwrap(),
            ),
            created: START,
            last_password_change: Some(START),
            sign_in_sessions_valid_from: None,
            profile: Default::default(),
            deleted: None,
        };
        let mut tx = self.state.store.write(tenant).await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.commit().await.unwrap();
        user.id
    }

    pub fn router(&self) -> Router {
        app::router(self.state.clone())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        read(self.router().oneshot(req).await.unwrap()).await
    }

    /// A request with a raw body of `content_type` and a bearer token.
    pub async fn call_bytes(
        &self,
        method: Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Response {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        read(self.router().oneshot(req).await.unwrap()).await
    }

    /// `GET path` with a bearer token: status, content type and the raw body.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        let req = Request::builder()
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let r = self.router().oneshot(req).await.unwrap();
        let status = r.status();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 24).await.unwrap();
        (status, content_type, bytes.to_vec())
    }

    pub async fn operator(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.call(method, path, Some(OPERATOR_KEY), body).await
    }
}

fn rand_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: AtomicU64 = AtomicU64::new(1);
    SEED.fetch_add(1, Ordering::Relaxed)
}

/// A response with its body read.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

/// Reads a response's status, headers and JSON body.
pub async fn read(r: axum::response::Response) -> Response {
    Response::from(r).await
}

impl Response {
    async fn from(r: axum::response::Response) -> Self {
        let (parts, body) = r.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Runs `test` once per engine (SQLite, and PostgreSQL when available).
pub async fn each_engine<F, Fut>(test: F)
where
    F: Fn(TestDatabase) -> Fut,
    Fut: Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        test(db).await;
    }
}
