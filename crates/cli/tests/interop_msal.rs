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

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
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

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Runs `cmd` to completion with its output captured; kills it and panics after `timeout`.
async fn run(what: &str, mut cmd: Command, timeout: Duration) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(output) => output.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => panic!("{what} did not finish within {timeout:?} (killed)"),
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `target/interop-venv` with `interop/requirements.txt` installed; reused while the requirements
/// are unchanged (a stamp file holds the requirements it was built from).
async fn venv(root: &Path) -> PathBuf {
    let venv = root.join("target").join("interop-venv");
    let python = venv.join("bin").join("python");
    let requirements_path = root.join("interop").join("requirements.txt");
    let requirements =
        std::fs::read_to_string(&requirements_path).expect("interop/requirements.txt");
    let stamp = venv.join(".gatehouse-requirements");
    if !python.exists() {
        let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mut cmd = Command::new(&system_python);
        cmd.arg("-m").arg("venv").arg("--clear").arg(&venv);
        let out = run("python3 -m venv", cmd, PIP_TIMEOUT).await;
        assert!(
            out.status.success(),
            "`{system_python} -m venv {}` failed (on Debian/Ubuntu install python3-venv):\n{}",
            venv.display(),
            text(&out)
        );
    }
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(requirements.as_str()) {
        let mut cmd = Command::new(&python);
        cmd.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
        ])
        .arg(&requirements_path);
        let out = run("pip install -r interop/requirements.txt", cmd, PIP_TIMEOUT).await;
        assert!(
            out.status.success(),
            "pip install -r {} failed:\n{}",
            requirements_path.display(),
            text(&out)
        );
        std::fs::write(&stamp, &requirements).expect("write the venv's requirements stamp");
    }
    python
}

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
    let root = workspace_root();
    // interop_browser.rs also serves on port 443: one at a time, until the server is gone.
    let _lock = support::interop_lock(&root, "interop_msal", Duration::from_secs(1200));

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
    let python = venv(&root).await;
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
    let out = run("interop/msal_test.py", cmd, SCRIPT_TIMEOUT).await;
    eprintln!("{}", text(&out));
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
