//! Interoperability with Microsoft's MSAL for Python: `interop/msal_test.py` runs against the real
//! `gatehouse` binary, changing only the authority, as an Entra ID user would.
//!
//! Opt-in with `GATEHOUSE_INTEROP=1` (CI sets it): it needs Python 3 with `venv`, PyPI (or a
//! `target/interop-venv` already holding `interop/requirements.txt`) and port 443, because MSAL's
//! username/password flow calls `https://{host}/common/userrealm/{upn}` on the default port
//! (`msal/authority.py`, `Authority.user_realm_discovery`, which uses the host name without port).
//!
//! Users: the bootstrap tenant's Global Administrator, with security defaults off, signs in; a
//! second tenant created through the operator API with security defaults on supplies a Global
//! Administrator who must be refused with AADSTS50076 (MFA required).

#![allow(clippy::print_stderr)]

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Server, serve_command_on};
use tokio::process::Command;

const LISTEN: &str = "127.0.0.1:443";
const PUBLIC_URL: &str = "https://localhost";
const TENANT: &str = "defaultdirectory.gatehouse.test";
const MEMBER: &str = "admin@defaultdirectory.gatehouse.test";
const MEMBER_PASSWORD: &str = "Interop-Msal-Pa55word!";
const MFA_TENANT_LABEL: &str = "msalmfa";
const MFA_ADMIN_PASSWORD: &str = "Interop-Mfa-Admin-Pa55word!";

/// Creating the virtual environment and installing from PyPI on a slow network.
const PIP_TIMEOUT: Duration = Duration::from_secs(600);
/// The whole MSAL script; each of its HTTP requests has its own 60-second limit.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_python_username_password_refresh_and_errors() {
    if std::env::var("GATEHOUSE_INTEROP").as_deref() != Ok("1") {
        eprintln!(
            "interop_msal: skipped; set GATEHOUSE_INTEROP=1 to run MSAL for Python against the \
             binary (needs python3 with venv, PyPI on first run, and port 443)"
        );
        return;
    }
    let total = Instant::now();
    let root = support::workspace_root();
    // interop_browser.rs also serves on port 443: one at a time, until the server is gone.
    let _lock = support::interop_lock("interop_msal", Duration::from_secs(1200));

    // MSAL asks for the user realm on port 443 whatever port the authority names.
    if let Err(e) = std::net::TcpListener::bind(LISTEN) {
        panic!(
            "interop_msal needs to listen on {LISTEN} and cannot ({e}): MSAL's username/password \
             flow calls https://localhost/common/userrealm/{{upn}} on the default port \
             (msal/authority.py, Authority.user_realm_discovery). Free port 443 or run as root \
             (or with CAP_NET_BIND_SERVICE)."
        );
    }

    let started = Instant::now();
    let python = support::interop_venv(&root, PIP_TIMEOUT).await;
    eprintln!(
        "interop_msal: Python environment ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve_command_on(&data, LISTEN);
    cmd.arg("--public-url")
        .arg(PUBLIC_URL)
        .env("GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS", "off")
        .env("GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD", MEMBER_PASSWORD);
    let server = Server::start(cmd, &data).await;
    server.wait_ready().await;
    let client = server.client();

    // A second tenant whose Global Administrator is under security defaults.
    let (status, body, _) = client
        .operator(
            Method::POST,
            "/tenants",
            Some(json!({
                "displayName": "MSAL interop (security defaults)",
                "initialDomain": MFA_TENANT_LABEL,
                "securityDefaultsEnabled": true,
                "adminPassword": MFA_ADMIN_PASSWORD,
            })),
        )
        .await
        .expect("create the second tenant");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["securityDefaultsEnabled"], true, "{body}");
    let mfa_admin = body["admin"]["userPrincipalName"]
        .as_str()
        .expect("admin userPrincipalName")
        .to_owned();
    let mfa_tenant = body["defaultDomain"]
        .as_str()
        .expect("defaultDomain")
        .to_owned();
    eprintln!(
        "interop_msal: server on {LISTEN} ready with both tenants in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("interop").join("msal_test.py"))
        .current_dir(&root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        // requests would let these override MSAL's verify= (the script drops them as well).
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .env("INTEROP_BASE_URL", PUBLIC_URL)
        .env("INTEROP_CA_FILE", server.ca_path())
        .env("INTEROP_TENANT", TENANT)
        .env("INTEROP_MEMBER_UPN", MEMBER)
        .env("INTEROP_MEMBER_PASSWORD", MEMBER_PASSWORD)
        .env("INTEROP_ADMIN_TENANT", &mfa_tenant)
        .env("INTEROP_ADMIN_UPN", &mfa_admin)
        .env("INTEROP_ADMIN_PASSWORD", MFA_ADMIN_PASSWORD);
    let out = support::run_captured("interop/msal_test.py", cmd, SCRIPT_TIMEOUT).await;
    eprintln!("{}", support::output_text(&out));
    eprintln!(
        "interop_msal: msal_test.py finished in {:.1}s; total {:.1}s",
        started.elapsed().as_secs_f64(),
        total.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "interop/msal_test.py failed ({}); its output is above",
        out.status
    );
    drop(server);
}
