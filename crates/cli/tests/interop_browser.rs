//! Interactive sign-in in a real browser, driven by Microsoft's MSAL for Python:
//! `interop/msal_browser_test.py` runs MSAL's authorization code flow (PKCE) against the real
//! `gatehouse` binary, and `interop/browser/sign_in.mjs` (playwright-core) walks Debian's Chromium
//! through the sign-in page, "Stay signed in?" and the redirect to MSAL's loopback redirect URI;
//! then single sign-on from the session cookie, and `prompt=login` asking for the password again;
//! then MSAL's device code flow with the code approved at `/devicelogin` in the same browser (with
//! and without an SSO session), the tokens' claims checked and used on `/v1.0/me`.
//!
//! Opt-in with `GATEHOUSE_INTEROP=1` (CI sets it). Needs what interop_msal.rs needs (Python 3 with
//! `venv`, PyPI or a ready `target/interop-venv`, port 443 — same server setup, so the two take
//! the machine-wide interop lock in turn), plus `/usr/bin/chromium` (Debian's `chromium` package; never a
//! browser downloaded by Playwright) and Node.js with npm, for `npm ci` in `interop/browser`.
//! The sign-in page is saved to `target/interop-signin.png`.

#![allow(clippy::print_stderr)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{
    Server, interop_lock, interop_venv, output_text, run_captured, serve_command_on, workspace_root,
};
use tokio::process::Command;

const LISTEN: &str = "127.0.0.1:443";
const PUBLIC_URL: &str = "https://localhost";
const TENANT: &str = "defaultdirectory.gatehouse.test";
const MEMBER: &str = "admin@defaultdirectory.gatehouse.test";
const MEMBER_PASSWORD: &str = "Interop-Browser-Pa55word!";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Creating the virtual environment and installing from PyPI (or npm) on a slow network.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// The whole script; each browser step has 30 seconds, each HTTP request 60.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long to wait for interop_msal.rs to release port 443.
const LOCK_TIMEOUT: Duration = Duration::from_secs(1200);

/// `interop/browser/node_modules` as `npm ci` makes it from `package-lock.json`; redone when the
/// lock file changed since (a stamp in node_modules holds the lock file it was installed from).
async fn node_modules(root: &Path) {
    let dir = root.join("interop").join("browser");
    let lock = std::fs::read_to_string(dir.join("package-lock.json"))
        .expect("interop/browser/package-lock.json");
    let stamp = dir.join("node_modules").join(".gatehouse-package-lock");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str()) {
        return;
    }
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(&dir);
    let out = run_captured("npm ci (interop/browser)", cmd, INSTALL_TIMEOUT).await;
    assert!(
        out.status.success(),
        "`npm ci` in {} failed:\n{}",
        dir.display(),
        output_text(&out)
    );
    std::fs::write(&stamp, &lock).expect("write the node_modules stamp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_python_auth_code_flow_in_chromium() {
    if std::env::var("GATEHOUSE_INTEROP").as_deref() != Ok("1") {
        eprintln!(
            "interop_browser: skipped; set GATEHOUSE_INTEROP=1 to run MSAL for Python's \
             authorization code flow through the sign-in page in Chromium (needs {CHROMIUM}, \
             node and npm, python3 with venv, PyPI and npm on first run, and port 443)"
        );
        return;
    }
    let total = Instant::now();
    let root = workspace_root();

    assert!(
        Path::new(CHROMIUM).exists(),
        "interop_browser needs Debian's Chromium at {CHROMIUM}: `apt-get install chromium` \
         (.ci/run installs it). Playwright's own browser downloads are not used."
    );
    let mut cmd = Command::new("node");
    cmd.arg("--version");
    let node = run_captured("node --version", cmd, Duration::from_secs(60)).await;
    assert!(
        node.status.success(),
        "interop_browser needs Node.js (`apt-get install npm`, as .ci/run does):\n{}",
        output_text(&node)
    );
    let node_version = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let node_major: u32 = node_version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        node_major >= 20,
        "interop_browser needs Node.js 20 or newer for playwright-core (interop/browser/\
         package-lock.json); `node --version` says {node_version:?}"
    );

    // interop_msal.rs also serves on port 443 (and builds the same venv): one at a time.
    let _lock = interop_lock("interop_browser", LOCK_TIMEOUT);
    if let Err(e) = std::net::TcpListener::bind(LISTEN) {
        panic!(
            "interop_browser needs to listen on {LISTEN} and cannot ({e}): the server's public \
             URL is {PUBLIC_URL}, as for interop_msal.rs. Free port 443 or run as root (or with \
             CAP_NET_BIND_SERVICE)."
        );
    }

    let started = Instant::now();
    let python = interop_venv(&root, INSTALL_TIMEOUT).await;
    node_modules(&root).await;
    eprintln!(
        "interop_browser: Python environment and node_modules ready in {:.1}s (node {node_version})",
        started.elapsed().as_secs_f64(),
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
    eprintln!(
        "interop_browser: server on {LISTEN} ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let screenshot = root.join("target").join("interop-signin.png");
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("interop").join("msal_browser_test.py"))
        .current_dir(&root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .env("INTEROP_BASE_URL", PUBLIC_URL)
        .env("INTEROP_CA_FILE", server.ca_path())
        .env("INTEROP_SERVER_CERT", data.join("tls").join("server.pem"))
        .env("INTEROP_TENANT", TENANT)
        .env("INTEROP_MEMBER_UPN", MEMBER)
        .env("INTEROP_MEMBER_PASSWORD", MEMBER_PASSWORD)
        .env("INTEROP_SCREENSHOT", &screenshot)
        .env("INTEROP_NODE", "node")
        // Only if Chromium refuses the SPKI pin; the script then says it fell back.
        .env("INTEROP_ALLOW_IGNORE_HTTPS_ERRORS", "1");
    let out = run_captured("interop/msal_browser_test.py", cmd, SCRIPT_TIMEOUT).await;
    eprintln!("{}", output_text(&out));
    eprintln!(
        "interop_browser: msal_browser_test.py finished in {:.1}s; total {:.1}s; sign-in page \
         saved to {}",
        started.elapsed().as_secs_f64(),
        total.elapsed().as_secs_f64(),
        screenshot.display()
    );
    assert!(
        out.status.success(),
        "interop/msal_browser_test.py failed ({}); its output is above",
        out.status
    );
    drop(server);
}
