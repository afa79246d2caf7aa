//! Confidential clients with Microsoft's libraries: `interop/confidential_test.py` runs MSAL for
//! Python's `ConfidentialClientApplication.acquire_token_for_client` and the Azure Identity
//! library's `ClientSecretCredential` and `CertificateCredential` against the real `gatehouse`
//! binary, with a client secret and with certificates (`private_key_jwt`; the script generates
//! them and uploads them through Graph: PATCH keyCredentials, then addKey with a proof), changing
//! only the authority, as an Entra ID user would.
//!
//! Opt-in with `GATEHOUSE_INTEROP=1` (CI sets it). Needs what interop_msal.rs needs: Python 3 with
//! `venv`, PyPI (or a `target/interop-venv` already holding `interop/requirements.txt`) and port
//! 443 — the same server setup, so the interop tests take the machine-wide interop lock in turn.
//!
//! Setup, over HTTPS as an administrator would do it: the bootstrap tenant's Global
//! Administrator (security defaults off) gets a delegated Graph token with the password grant
//! (Graph Command Line Tools), registers an application, adds a client secret and creates the
//! application's service principal.

#![allow(clippy::print_stderr)]

mod support;

use std::time::{Duration, Instant};

use support::{
    Server, interop_lock, interop_venv, output_text, password_grant_token,
    register_confidential_client, run_captured, serve_command_on, workspace_root,
};
use tokio::process::Command;

const LISTEN: &str = "127.0.0.1:443";
const PUBLIC_URL: &str = "https://localhost";
const TENANT: &str = "defaultdirectory.gatehouse.test";
const ADMIN: &str = "admin@defaultdirectory.gatehouse.test";
const ADMIN_PASSWORD: &str = "Interop-Confidential-Pa55word!";

/// Creating the virtual environment and installing from PyPI on a slow network.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// The whole script; each of its HTTP requests has its own 60-second limit.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long to wait for the other interop tests to release port 443.
const LOCK_TIMEOUT: Duration = Duration::from_secs(1200);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_and_azure_identity_client_credentials_with_a_secret() {
    if std::env::var("GATEHOUSE_INTEROP").as_deref() != Ok("1") {
        eprintln!(
            "interop_confidential: skipped; set GATEHOUSE_INTEROP=1 to run MSAL for Python's \
             ConfidentialClientApplication and azure-identity's ClientSecretCredential against \
             the binary (needs python3 with venv, PyPI on first run, and port 443)"
        );
        return;
    }
    let total = Instant::now();
    let root = workspace_root();
    // interop_msal.rs and interop_browser.rs also serve on port 443: one at a time.
    let _lock = interop_lock("interop_confidential", LOCK_TIMEOUT);
    if let Err(e) = std::net::TcpListener::bind(LISTEN) {
        panic!(
            "interop_confidential needs to listen on {LISTEN} and cannot ({e}): the server's \
             public URL is {PUBLIC_URL}, as for interop_msal.rs. Free port 443 or run as root \
             (or with CAP_NET_BIND_SERVICE)."
        );
    }

    let started = Instant::now();
    let python = interop_venv(&root, INSTALL_TIMEOUT).await;
    eprintln!(
        "interop_confidential: Python environment ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve_command_on(&data, LISTEN);
    cmd.arg("--public-url")
        .arg(PUBLIC_URL)
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
    eprintln!(
        "interop_confidential: server on {LISTEN} ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let admin = password_grant_token(
        &client,
        TENANT,
        ADMIN,
        ADMIN_PASSWORD,
        "https://graph.microsoft.com/Application.ReadWrite.All",
    )
    .await;
    let app = register_confidential_client(&client, &admin, "Interop daemon").await;
    eprintln!(
        "interop_confidential: application {} (service principal {}) with a client secret in \
         {:.1}s",
        app.app_id,
        app.service_principal_id,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("interop").join("confidential_test.py"))
        .current_dir(&root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        // requests would let these override MSAL's verify= (the script drops them as well).
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        // azure-identity reads these; the credential is given everything it needs explicitly.
        .env_remove("AZURE_AUTHORITY_HOST")
        .env_remove("AZURE_REGIONAL_AUTHORITY_NAME")
        .env("INTEROP_BASE_URL", PUBLIC_URL)
        .env("INTEROP_CA_FILE", server.ca_path())
        .env("INTEROP_TENANT_ID", &tenant_id)
        .env("INTEROP_TENANT_DOMAIN", TENANT)
        .env("INTEROP_CLIENT_ID", &app.app_id)
        .env("INTEROP_CLIENT_SECRET", &app.secret)
        .env("INTEROP_APP_OBJECT_ID", &app.object_id)
        .env("INTEROP_ADMIN_TOKEN", &admin);
    let out = run_captured("interop/confidential_test.py", cmd, SCRIPT_TIMEOUT).await;
    let text = output_text(&out)
        .replace(&app.secret, "<secret>")
        .replace(&admin, "<admin token>");
    eprintln!("{text}");
    eprintln!(
        "interop_confidential: confidential_test.py finished in {:.1}s; total {:.1}s",
        started.elapsed().as_secs_f64(),
        total.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "interop/confidential_test.py failed ({}); its output is above",
        out.status
    );
    drop(server);
}
