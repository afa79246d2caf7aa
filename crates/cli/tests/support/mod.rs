//! Support for the live tests: the real `gatehouse` binary as a child process that is killed on
//! every path, polling with deadlines (never sleeping for timing), and an HTTPS client that trusts
//! only the server's development CA.

#![allow(dead_code, clippy::print_stderr)]

use std::future::Future;
use std::io::{BufRead as _, BufReader, Read as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

/// How long a server may take to become ready on a busy two-core machine.
pub const READY: Duration = Duration::from_secs(60);
/// How often a condition is polled.
const POLL: Duration = Duration::from_millis(50);

/// Polls `check` until it returns `Some`, or panics naming `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// `gatehouse serve --listen 127.0.0.1:0 --data-dir DIR`, with a clean `GATEHOUSE_*` environment
/// and quiet logs. Callers add flags and variables.
pub fn serve_command(data_dir: &Path) -> Command {
    serve_command_on(data_dir, "127.0.0.1:0")
}

/// [`serve_command`] listening on `listen`.
pub fn serve_command_on(data_dir: &Path, listen: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GATEHOUSE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("GATEHOUSE_LOG", "warn")
        .arg("serve")
        .arg("--listen")
        .arg(listen)
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

/// Sends a signal with the `kill` command (no `unsafe`, no extra crate).
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Output lines a reader thread collects; `closed` once the stream ends.
#[derive(Debug, Default)]
struct Lines {
    lines: Vec<String>,
    closed: bool,
}

fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Lines>> {
    let lines = Arc::new(Mutex::new(Lines::default()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().lines.push(line);
        }
        sink.lock().unwrap().closed = true;
    });
    lines
}

/// A running `gatehouse serve`. Dropping it kills the process (and shows its output if the test
/// is failing).
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    stdout: Arc<Mutex<Lines>>,
    stderr: Arc<Mutex<Lines>>,
}

impl Server {
    /// Spawns `cmd` and waits until it prints the address it listens on.
    pub async fn start(mut cmd: Command, data_dir: &Path) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gatehouse");
        let stdout = collect(child.stdout.take().expect("stdout"));
        let stderr = collect(child.stderr.take().expect("stderr"));
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_owned(),
            stdout,
            stderr,
        };
        let line = server.wait_line("Listening on:").await;
        let addr = line.trim().rsplit("https://").next().unwrap_or_default();
        server.addr = addr
            .parse()
            .unwrap_or_else(|_| panic!("bad address line {line:?}"));
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().lines.clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().lines.join("\n")
    }

    /// Waits for a stdout line containing `needle`; fails early if the process ends.
    pub async fn wait_line(&mut self, needle: &str) -> String {
        let what = format!("a stdout line with {needle:?}");
        eventually(&what, READY, || {
            let found = self
                .stdout
                .lock()
                .unwrap()
                .lines
                .iter()
                .find(|l| l.contains(needle))
                .cloned();
            if found.is_none()
                && let Ok(Some(status)) = self.child.try_wait()
            {
                panic!(
                    "gatehouse exited ({status}) before printing {needle:?}; stderr:\n{}",
                    self.stderr()
                );
            }
            async { found }
        })
        .await
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Waits for the process to exit and for its stdout to be read to the end.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let status = eventually("the process to exit", timeout, || {
            let status = self.child.try_wait().expect("try_wait");
            async move { status }
        })
        .await;
        let stdout = self.stdout.clone();
        eventually("stdout to close", timeout, || {
            let closed = stdout.lock().unwrap().closed;
            async move { closed.then_some(()) }
        })
        .await;
        status
    }

    /// `kill -9`, then waits for the process to be gone.
    pub fn kill_9(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("wait");
    }

    pub fn ca_path(&self) -> PathBuf {
        self.data_dir.join("tls").join("ca.pem")
    }

    pub fn operator_key(&self) -> String {
        let path = self.data_dir.join("operator.key");
        std::fs::read_to_string(&path)
            .expect("operator.key")
            .trim()
            .to_owned()
    }

    /// A client that trusts only this server's development CA and reaches `https://localhost:PORT`.
    pub fn client(&self) -> Client {
        Client {
            http: https_client(&self.ca_path(), Some(self.addr)),
            base: format!("https://localhost:{}", self.port()),
            key: self.operator_key(),
        }
    }

    /// Waits until `/readyz` answers 200 and returns its body.
    pub async fn wait_ready(&self) -> Value {
        let client = self.client();
        eventually("/readyz to answer 200", READY, || async {
            let response = client.get("/readyz").await.ok()?;
            (response.0 == StatusCode::OK).then_some(response.1)
        })
        .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- gatehouse stdout ---\n{}", self.stdout().join("\n"));
            eprintln!("--- gatehouse stderr ---\n{}", self.stderr());
        }
    }
}

/// A reqwest client trusting only the PEM CA at `ca`; `resolve` maps `localhost` to the server.
pub fn https_client(ca: &Path, resolve: Option<SocketAddr>) -> reqwest::Client {
    let pem = std::fs::read(ca).expect("read ca.pem");
    let mut builder = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA certificate"))
        .timeout(Duration::from_secs(30));
    if let Some(addr) = resolve {
        builder = builder.resolve("localhost", addr);
    }
    builder.build().expect("client")
}

/// The operator API and health endpoints of one server.
#[derive(Debug, Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

/// Status, JSON body (`Null` when not JSON) and headers.
pub type Reply = (StatusCode, Value, reqwest::header::HeaderMap);

impl Client {
    async fn reply(request: reqwest::RequestBuilder) -> reqwest::Result<Reply> {
        let response = request.send().await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.bytes().await?;
        Ok((
            status,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            headers,
        ))
    }

    pub async fn get(&self, path: &str) -> reqwest::Result<Reply> {
        Self::reply(self.http.get(format!("{}{path}", self.base))).await
    }

    /// A request to the operator API, with the operator key.
    pub async fn operator(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Result<Reply> {
        let mut request = self
            .http
            .request(method, format!("{}/_gatehouse{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(request).await
    }

    pub async fn create_tenant(&self, label: &str) -> reqwest::Result<Reply> {
        let body = json!({ "displayName": format!("Tenant {label}"), "initialDomain": label });
        self.operator(reqwest::Method::POST, "/tenants", Some(body))
            .await
    }

    /// The tenant list; panics unless it answers 200.
    pub async fn tenants(&self) -> Vec<Value> {
        let (status, body, _) = self
            .operator(reqwest::Method::GET, "/tenants", None)
            .await
            .expect("list tenants");
        assert_eq!(status, StatusCode::OK, "list tenants: {body}");
        body["value"].as_array().expect("value array").clone()
    }
}

/// Runs a setup-error case: the process must exit within a deadline. Returns (status, stdout, stderr).
pub fn run_to_exit(mut cmd: Command, timeout: Duration) -> (ExitStatus, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gatehouse");
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gatehouse did not exit within {timeout:?}");
        }
        std::thread::sleep(POLL);
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read stdout");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read stderr");
    (status, out, err)
}

// --- the opt-in interop tests (interop_msal.rs, interop_browser.rs) -------------------------------

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Runs `cmd` to completion with its output captured; kills it and panics after `timeout`.
pub async fn run_captured(
    what: &str,
    mut cmd: tokio::process::Command,
    timeout: Duration,
) -> std::process::Output {
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

/// A command's stdout and stderr, as text.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `target/interop-venv` with `interop/requirements.txt` installed; reused while the requirements
/// are unchanged (a stamp file holds the requirements it was built from). The same environment
/// and stamp as interop_msal.rs builds. Returns its `python`.
pub async fn interop_venv(root: &Path, timeout: Duration) -> PathBuf {
    let venv = root.join("target").join("interop-venv");
    let python = venv.join("bin").join("python");
    let requirements_path = root.join("interop").join("requirements.txt");
    let requirements =
        std::fs::read_to_string(&requirements_path).expect("interop/requirements.txt");
    let stamp = venv.join(".gatehouse-requirements");
    if !python.exists() {
        let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mut cmd = tokio::process::Command::new(&system_python);
        cmd.arg("-m").arg("venv").arg("--clear").arg(&venv);
        let out = run_captured("python3 -m venv", cmd, timeout).await;
        assert!(
            out.status.success(),
            "`{system_python} -m venv {}` failed (on Debian/Ubuntu install python3-venv):\n{}",
            venv.display(),
            output_text(&out)
        );
    }
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(requirements.as_str()) {
        let mut cmd = tokio::process::Command::new(&python);
        cmd.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
        ])
        .arg(&requirements_path);
        let out = run_captured("pip install -r interop/requirements.txt", cmd, timeout).await;
        assert!(
            out.status.success(),
            "pip install -r {} failed:\n{}",
            requirements_path.display(),
            output_text(&out)
        );
        std::fs::write(&stamp, &requirements).expect("write the venv's requirements stamp");
    }
    python
}

/// An exclusive machine-wide lock (`$TMPDIR/gatehouse-interop-443.lock`), held until the returned
/// file is dropped (or the process ends): the interop tests each run a server on 127.0.0.1:443 and
/// must not overlap, even from two checkouts' `cargo test` processes. Waits for the lock, saying
/// so, for at most `timeout`.
pub fn interop_lock(who: &str, timeout: Duration) -> std::fs::File {
    let path = std::env::temp_dir().join("gatehouse-interop-443.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{who}: cannot open {}: {e}", path.display()));
    let deadline = Instant::now() + timeout;
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return file,
            Err(std::fs::TryLockError::WouldBlock) => {
                assert!(
                    Instant::now() < deadline,
                    "{who}: {} still locked by another interop test after {timeout:?}",
                    path.display()
                );
                if !said {
                    eprintln!(
                        "{who}: waiting for {} (another interop test holds port 443)",
                        path.display()
                    );
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                panic!("{who}: cannot lock {}: {e}", path.display())
            }
        }
    }
}

// --- applications with a client secret, set up over HTTPS as an administrator would -----------
// The setup itself lives in gatehouse-bench's `provision` module, which the benchmark uses too.

use gatehouse_bench::provision::Api;
pub use gatehouse_bench::provision::ConfidentialClient;

fn api(client: &Client) -> Api {
    Api {
        http: client.http.clone(),
        base: client.base.clone(),
    }
}

/// `POST /{tenant}/oauth2/v2.0/token` with `grant_type=password` as Graph Command Line Tools;
/// panics unless it answers 200. Returns the access token.
pub async fn password_grant_token(
    client: &Client,
    tenant: &str,
    upn: &str,
    password: &str,
    scope: &str,
) -> String {
    api(client)
        .password_grant_token(tenant, upn, password, scope)
        .await
        .unwrap_or_else(|e| panic!("password grant for {upn}: {e:#}"))
}

/// With an administrator's delegated Graph token: `POST /applications`, `addPassword`,
/// `POST /servicePrincipals`; panics on any unexpected answer.
pub async fn register_confidential_client(
    client: &Client,
    admin_token: &str,
    display_name: &str,
) -> ConfidentialClient {
    api(client)
        .register_confidential_client(admin_token, display_name)
        .await
        .unwrap_or_else(|e| panic!("registering {display_name}: {e:#}"))
}

/// A Microsoft Graph call (`/v1.0{path}`) with a bearer token: status and JSON body; panics when
/// the request cannot be made.
pub async fn graph(
    client: &Client,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    api(client)
        .graph(token, method, path, body)
        .await
        .unwrap_or_else(|e| panic!("Graph {path}: {e:#}"))
}
