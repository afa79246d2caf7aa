//! The directory with Microsoft's Graph SDK for Python: `interop/msgraph_test.py` runs msgraph-sdk
//! (app-only, azure-identity `ClientSecretCredential`) against the real `gatehouse` binary,
//! changing only the authority and the Graph base URL, and validates every JSON body it receives
//! against Microsoft's OpenAPI description (`../shared/graph-openapi/`).
//!
//! Opt-in with `GATEHOUSE_INTEROP=1` (CI sets it): needs Python 3 with `venv` and PyPI (or a
//! `target/interop-venv` already holding `interop/requirements.txt`). No fixed port: the SDK and
//! azure-identity take an authority with a port.
//!
//! Setup, over HTTPS as an administrator would do it: the bootstrap tenant's Global
//! Administrator (security defaults off) registers a confidential client with a secret and grants
//! it Microsoft Graph's `User.ReadWrite.All` application permission.

#![allow(clippy::print_stderr)]

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    Server, graph, interop_venv, output_text, password_grant_token, register_confidential_client,
    run_captured, serve_command_on, workspace_root,
};
use tokio::process::Command;

const TENANT: &str = "defaultdirectory.gatehouse.test";
const ADMIN: &str = "admin@defaultdirectory.gatehouse.test";
const ADMIN_PASSWORD: &str = "Interop-Graph-Admin-Pa55word!";
/// The application permissions the SDK's client gets.
const PERMISSIONS: &[&str] = &["User.ReadWrite.All"];

const INSTALL_TIMEOUT: Duration = Duration::from_secs(900);
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msgraph_sdk_manages_users() {
    if std::env::var("GATEHOUSE_INTEROP").as_deref() != Ok("1") {
        eprintln!(
            "interop_msgraph: skipped; set GATEHOUSE_INTEROP=1 to run Microsoft's Graph SDK for \
             Python against the binary (needs python3 with venv and PyPI on first run)"
        );
        return;
    }
    let root = workspace_root();
    let openapi = root.join("../shared/graph-openapi");
    assert!(
        openapi.join("Users.yml").exists(),
        "Microsoft's Graph OpenAPI description is expected at {}",
        openapi.display()
    );
    let total = Instant::now();
    let python = interop_venv(&root, INSTALL_TIMEOUT).await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("https://localhost:{port}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve_command_on(&data, &format!("127.0.0.1:{port}"));
    cmd.arg("--public-url")
        .arg(&base)
        .env("GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS", "off")
        .env("GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    let server = Server::start(cmd, &data).await;
    server.wait_ready().await;
    let client = server.client();
    let tenants = client.tenants().await;
    let tenant_id = tenants
        .iter()
        .find(|t| t["defaultDomain"] == TENANT)
        .and_then(|t| t["id"].as_str())
        .unwrap_or_else(|| panic!("no tenant {TENANT}: {tenants:?}"))
        .to_owned();

    let admin = password_grant_token(
        &client,
        TENANT,
        ADMIN,
        ADMIN_PASSWORD,
        "https://graph.microsoft.com/Application.ReadWrite.All \
         https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All",
    )
    .await;
    let app = register_confidential_client(&client, &admin, "Graph SDK interop").await;
    grant_graph_permissions(&client, &admin, &app.service_principal_id).await;

    let started = Instant::now();
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("interop").join("msgraph_test.py"))
        .current_dir(root.join("interop"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .env_remove("SSL_CERT_FILE")
        .env_remove("AZURE_AUTHORITY_HOST")
        .env("INTEROP_BASE_URL", &base)
        .env("INTEROP_CA_FILE", server.ca_path())
        .env("INTEROP_TENANT_ID", &tenant_id)
        .env("INTEROP_TENANT_DOMAIN", TENANT)
        .env("INTEROP_CLIENT_ID", &app.app_id)
        .env("INTEROP_CLIENT_SECRET", &app.secret)
        .env("INTEROP_OPENAPI_DIR", &openapi);
    let out = run_captured("interop/msgraph_test.py", cmd, SCRIPT_TIMEOUT).await;
    eprintln!("{}", output_text(&out).replace(&app.secret, "<secret>"));
    eprintln!(
        "interop_msgraph: msgraph_test.py finished in {:.1}s; total {:.1}s",
        started.elapsed().as_secs_f64(),
        total.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "interop/msgraph_test.py failed ({}); its output is above",
        out.status
    );
    drop(server);
}

/// Assigns Microsoft Graph's application permissions [`PERMISSIONS`] to the service principal.
async fn grant_graph_permissions(client: &support::Client, admin: &str, sp_id: &str) {
    let (status, body) = graph(
        client,
        admin,
        Method::GET,
        "/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let graph_sp = &body["value"][0];
    for permission in PERMISSIONS {
        let role = graph_sp["appRoles"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["value"] == *permission)
            .and_then(|r| r["id"].as_str())
            .unwrap_or_else(|| panic!("Graph has no application permission {permission}"));
        let (status, body): (StatusCode, Value) = graph(
            client,
            admin,
            Method::POST,
            &format!("/servicePrincipals/{sp_id}/appRoleAssignments"),
            Some(json!({"principalId": sp_id, "resourceId": graph_sp["id"], "appRoleId": role})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}
