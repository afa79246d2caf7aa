//! Health, readiness, request ids, error bodies, bootstrap and secrets, through the router.

mod support;

use axum::http::{Method, StatusCode};
use gatehouse_server::bootstrap;
use gatehouse_server::config::Secret;
use gatehouse_store::testing::TestDatabase;
use support::{TestApp, bootstrap_settings, each_engine};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::unprepared(TestDatabase::sqlite()).await;
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status,
        StatusCode::OK
    );
    let not_ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.body["status"], "unavailable");
    assert!(not_ready.body["reason"].is_string());
    // The API refuses with a Graph 503 until the database is prepared.
    let api = app.operator(Method::GET, "/_gatehouse/tenants", None).await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.body["error"]["code"], "serviceNotAvailable");
    assert_eq!(api.header("retry-after"), Some("5"));

    app.state.readiness.set_prepared();
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        ready.body,
        serde_json::json!({"status": "ready", "database": "sqlite"})
    );
}

#[tokio::test]
async fn every_response_carries_request_ids_and_security_headers() {
    let app = TestApp::new(TestDatabase::sqlite()).await;
    let req = axum::http::Request::get("/no/such/thing")
        .header("client-request-id", "my-trace-42")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app.router(), req).await.unwrap();
    let (parts, body) = r.into_parts();
    let body: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(body, 1 << 16).await.unwrap()).unwrap();
    assert_eq!(parts.status, StatusCode::NOT_FOUND);
    let request_id = parts.headers["request-id"].to_str().unwrap();
    assert!(uuid::Uuid::try_parse(request_id).is_ok());
    assert_eq!(parts.headers["client-request-id"], "my-trace-42");
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(body["error"]["innerError"]["request-id"], request_id);
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "my-trace-42"
    );
    assert_eq!(body["error"]["innerError"]["date"], "2026-11-23T12:00:00Z");
    assert_eq!(parts.headers["x-content-type-options"], "nosniff");
    assert_eq!(parts.headers["x-frame-options"], "DENY");
    assert_eq!(
        parts.headers["content-security-policy"],
        "frame-ancestors 'none'"
    );

    // Without (or with an unusable) client-request-id, the request id stands in.
    let r = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.header("client-request-id"), r.header("request-id"));
    let long = "x".repeat(200);
    let req = axum::http::Request::get("/healthz")
        .header("client-request-id", long.as_str())
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app.router(), req).await.unwrap();
    assert_eq!(r.headers()["client-request-id"], r.headers()["request-id"]);
}

#[tokio::test]
async fn bootstrap_runs_exactly_once_even_when_raced() {
    each_engine(|db| async {
        let app = TestApp::unprepared(db).await;
        let request = || {
            bootstrap::request(
                &bootstrap_settings(),
                &app.state.instance.initial_domain_suffix,
            )
            .unwrap()
        };
        let (a, b) = tokio::join!(
            bootstrap::run(&app.state, request()),
            bootstrap::run(&app.state, request())
        );
        let created: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(
            created.len(),
            1,
            "exactly one of two racing starts bootstraps"
        );
        let b = &created[0];
        assert_eq!(b.tenant_name, "Default Directory");
        assert_eq!(b.domain, "defaultdirectory.gatehouse.test");
        assert_eq!(b.admin, "admin@defaultdirectory.gatehouse.test");
        assert!(b.generated_password.is_some());
        assert!(
            bootstrap::run(&app.state, request())
                .await
                .unwrap()
                .is_none(),
            "never twice"
        );
        let tenants = app
            .state
            .store
            .instance_read()
            .await
            .unwrap()
            .list_tenants()
            .await
            .unwrap();
        assert_eq!(tenants.len(), 1);
        assert!(tenants[0].tenant.security_defaults_enabled);
    })
    .await;
}

#[tokio::test]
async fn bootstrap_honours_its_settings_and_refuses_bad_ones() {
    let app = TestApp::unprepared(TestDatabase::sqlite()).await;
    let suffix = app.state.instance.initial_domain_suffix.clone();
    let mut settings = bootstrap_settings();
    settings.tenant_name = "Fourth Coffee".into();
    settings.domain =
        Some(gatehouse_domain::domain_name::DomainName::parse("fourthcoffee.example").unwrap());
    settings.admin = Some("ops".into());
    settings.admin_password = Some(Secret::new("Correct-Horse-7"));
    settings.security_defaults = false;
    let b = bootstrap::run(&app.state, bootstrap::request(&settings, &suffix).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.admin, "ops@fourthcoffee.example");
    assert_eq!(b.generated_password, None);
    let tenant = &app
        .state
        .store
        .instance_read()
        .await
        .unwrap()
        .list_tenants()
        .await
        .unwrap()[0];
    assert!(!tenant.tenant.security_defaults_enabled);
    let mut tx = app.state.store.read(tenant.tenant.id).await.unwrap();
    let admin = tx
        .user_by_upn("ops@fourthcoffee.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.state
            .passwords
            .hasher()
            .verify("Correct-Horse-7", admin.password.as_ref().unwrap())
    );

    settings.admin_password = Some(Secret::new("weak"));
    assert!(bootstrap::request(&settings, &suffix).is_err());
    settings.admin_password = None;
    settings.admin = Some("ops@elsewhere.example".into());
    assert!(bootstrap::request(&settings, &suffix).is_err());
}

#[tokio::test]
async fn sealed_secrets_open_only_in_their_own_tenant() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let created = app
            .operator(
                Method::POST,
                "/_gatehouse/tenants",
                Some(serde_json::json!({"displayName": "B", "initialDomain": "tenantb"})),
            )
            .await;
        let b: gatehouse_domain::ids::TenantId =
            created.body["id"].as_str().unwrap().parse().unwrap();
        let tenants = app
            .state
            .store
            .instance_read()
            .await
            .unwrap()
            .list_tenants()
            .await
            .unwrap();
        let a = tenants
            .iter()
            .map(|t| t.tenant.id)
            .find(|id| *id != b)
            .unwrap();
        let mut tx = app.state.store.write(a).await.unwrap();
        let sealed = app
            .state
            .secrets
            .seal(
                &mut tx,
                "signing-key",
                b"private key bytes",
                app.state.random.as_ref(),
                support::START,
            )
            .await
            .unwrap();
        let again = app
            .state
            .secrets
            .seal(
                &mut tx,
                "signing-key",
                b"more",
                app.state.random.as_ref(),
                support::START,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"private"));
        let mut tx = app.state.store.read(a).await.unwrap();
        assert_eq!(
            app.state
                .secrets
                .open(&mut tx, "signing-key", &sealed)
                .await
                .unwrap()
                .as_slice(),
            b"private key bytes"
        );
        assert_eq!(
            app.state
                .secrets
                .open(&mut tx, "signing-key", &again)
                .await
                .unwrap()
                .as_slice(),
            b"more"
        );
        assert!(
            app.state
                .secrets
                .open(&mut tx, "other-purpose", &sealed)
                .await
                .is_err()
        );
        let mut other = app.state.store.read(b).await.unwrap();
        assert!(
            app.state
                .secrets
                .open(&mut other, "signing-key", &sealed)
                .await
                .is_err()
        );
    })
    .await;
}
