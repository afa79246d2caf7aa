//! Tests against the real `gatehouse` binary: start-up and bootstrap over HTTPS, set-up errors,
//! graceful shutdown, a PostgreSQL outage, and `kill -9` during writes. Each test has its own data
//! directory and database, binds port 0 and kills its processes on every path.

#![allow(clippy::print_stderr)]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::TenantId;
use gatehouse_store::testing::TestDatabase;
use gatehouse_store::{Store, StoreOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    READY, Server, eventually, run_to_exit, send_signal, serve_command, serve_command_on,
};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot::{Receiver, Sender};
use tokio::task::{JoinHandle, JoinSet};

const BOOTSTRAP_ADMIN: &str = "admin@defaultdirectory.gatehouse.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_bootstraps_and_serves_https() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(serve_command(&data), &data).await;

    let password_line = server.wait_line("Password (shown once, not stored):").await;
    let password = password_line.split("):").nth(1).unwrap().trim();
    assert!(
        password.len() >= 12,
        "a generated password is printed: {password_line:?}"
    );
    let out = server.stdout().join("\n");
    assert!(
        out.contains(&format!("Listening on:    https://{}", server.addr)),
        "{out}"
    );
    let ca = server.ca_path();
    assert!(
        out.contains(&format!("Development CA:  {}", ca.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("First Global Administrator: {BOOTSTRAP_ADMIN}")),
        "{out}"
    );
    let ca_pem = std::fs::read(&ca).unwrap();

    let client = server.client();
    let (status, body, headers) = client.get("/healthz").await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        headers.get("request-id").is_some_and(|v| !v.is_empty()),
        "{headers:?}"
    );
    assert_eq!(
        server.wait_ready().await,
        json!({"status": "ready", "database": "sqlite"})
    );

    let client_request_id = "4d6f7c1e-live-test-client-request-id";
    let response = client
        .http
        .get(format!("{}/_gatehouse/tenants", client.base))
        .bearer_auth(&client.key)
        .header("client-request-id", client_request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["client-request-id"], client_request_id);
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!request_id.is_empty() && request_id != client_request_id);
    let tenants: Value = response.json().await.unwrap();
    assert_eq!(tenants["value"].as_array().unwrap().len(), 1, "{tenants}");
    assert_eq!(
        tenants["value"][0]["defaultDomain"],
        "defaultdirectory.gatehouse.test"
    );
    assert_eq!(tenants["value"][0]["graphTokenAlgorithm"], "RS256");

    // The operator's CLI changes the tenant's Graph token algorithm and shows it.
    let tenant_id = tenants["value"][0]["id"].as_str().unwrap().to_owned();
    let tenant_cli = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        cmd.env("GATEHOUSE_OPERATOR_KEY", &client.key)
            .arg("tenant")
            .args(args)
            .arg("--server")
            .arg(format!("https://{}", server.addr))
            .arg("--ca-cert")
            .arg(server.ca_path());
        run_to_exit(cmd, Duration::from_secs(30))
    };
    let (status, out, err) =
        tenant_cli(&["update", &tenant_id, "--graph-token-algorithm", "ES256"]);
    assert!(status.success(), "{out}{err}");
    assert!(
        out.contains("Graph tokens") && out.contains("ES256"),
        "{out}"
    );
    let (status, out, err) = tenant_cli(&["show", &tenant_id, "--json"]);
    assert!(status.success(), "{out}{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["graphTokenAlgorithm"], "ES256", "{shown}");
    let (status, out, err) =
        tenant_cli(&["update", &tenant_id, "--graph-token-algorithm", "HS256"]);
    assert!(!status.success(), "{out}{err}");
    let (status, out, err) =
        tenant_cli(&["update", &tenant_id, "--graph-token-algorithm", "RS256"]);
    assert!(status.success() && out.contains("RS256"), "{out}{err}");

    // The certificate also carries the IP address, so https://127.0.0.1:PORT verifies too.
    let by_ip = support::https_client(&ca, None);
    let direct = by_ip
        .get(format!("https://{}/healthz", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::OK);

    // A client that does not trust the development CA is refused.
    let untrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    assert!(
        untrusting
            .get(format!("https://{}/healthz", server.addr))
            .send()
            .await
            .is_err()
    );

    send_signal(server.pid(), "TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).await.success());
    drop(server);

    // Restart on the same data directory: same CA, no second bootstrap.
    let mut again = Server::start(serve_command(&data), &data).await;
    again.wait_ready().await;
    let tenants = again.client().tenants().await;
    assert_eq!(tenants.len(), 1, "{tenants:?}");
    assert_eq!(
        std::fs::read(again.ca_path()).unwrap(),
        ca_pem,
        "the CA is reused byte for byte"
    );
    send_signal(again.pid(), "TERM");
    assert!(again.wait_exit(Duration::from_secs(30)).await.success());
    let out = again.stdout().join("\n");
    assert!(
        !out.contains("Created tenant"),
        "bootstrap ran twice:\n{out}"
    );
    assert!(!out.contains("Password"), "{out}");
}

#[test]
fn setup_errors_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not PEM\n").unwrap();
    let unknown_key = dir.path().join("unknown.toml");
    std::fs::write(
        &unknown_key,
        "listen = [\"127.0.0.1:0\"]\nlisten_adress = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "not a directory").unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_addr = busy.local_addr().unwrap().to_string();

    type Case<'a> = (&'a str, Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let path = |p: &std::path::Path| p.display().to_string();
    let cases: Vec<Case> = vec![
        (
            "port in use",
            vec!["--listen".into(), busy_addr.clone()],
            vec![],
            "--listen",
        ),
        (
            "unknown config key",
            vec!["--config".into(), path(&unknown_key)],
            vec![],
            "listen_adress",
        ),
        (
            "plain-http public URL",
            vec!["--public-url".into(), "http://x".into()],
            vec![],
            "--public-url",
        ),
        (
            "certificate without key",
            vec!["--tls-cert".into(), path(&garbage)],
            vec![],
            "--tls-key",
        ),
        (
            "garbage TLS files",
            vec![
                "--tls-cert".into(),
                path(&garbage),
                "--tls-key".into(),
                path(&garbage),
            ],
            vec![],
            "--tls-cert",
        ),
        ("data dir is a file", vec![], vec![], "--data-dir"),
        (
            "weak bootstrap password",
            vec![],
            vec![("GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD", "weak")],
            "GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD",
        ),
    ];
    for (name, args, env, needle) in cases {
        let is_file_case = name == "data dir is a file";
        let data = if is_file_case {
            a_file.clone()
        } else {
            dir.path().join(name.replace(' ', "-"))
        };
        let mut cmd = match args.split_first() {
            // The busy address alone (--listen is repeatable; adding it would also bind port 0).
            Some((flag, rest)) if flag == "--listen" => serve_command_on(&data, &rest[0]),
            _ => {
                let mut cmd = serve_command(&data);
                cmd.args(&args);
                cmd
            }
        };
        cmd.envs(env);
        let (status, _out, err) = run_to_exit(cmd, Duration::from_secs(30));
        assert_eq!(
            status.code(),
            Some(2),
            "{name}: exit status {status}; stderr: {err}"
        );
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one line on stderr, got:\n{err}");
        assert!(
            lines[0].contains(needle),
            "{name}: the error names {needle}: {err}"
        );
        if is_file_case {
            assert_eq!(
                std::fs::read_to_string(&a_file).unwrap(),
                "not a directory",
                "{name}"
            );
        } else {
            assert!(!data.exists(), "{name}: {} was created", data.display());
        }
    }
    drop(busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(serve_command(&data), &data).await;
    server.wait_ready().await;
    let client = server.client();

    // A tenant creation whose body arrives in two halves, the second only after SIGTERM.
    let json = br#"{"displayName":"Late Tenant","initialDomain":"late"}"#;
    let (first, rest) = json.split_at(json.len() / 2);
    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let halves = Halves::First {
        first: first.to_vec(),
        rest: rest.to_vec(),
        sent: sent_tx,
        release: release_rx,
    };
    let body = futures_util::stream::unfold(halves, |step| async move {
        match step {
            Halves::First {
                first,
                rest,
                sent,
                release,
            } => Some((
                Ok::<_, std::io::Error>(first),
                Halves::Rest {
                    rest,
                    sent,
                    release,
                },
            )),
            Halves::Rest {
                rest,
                sent,
                release,
            } => {
                // Asked for more: the first half has been handed to the connection.
                let _ = sent.send(());
                let _ = release.await;
                Some((Ok(rest), Halves::Done))
            }
            Halves::Done => None,
        }
    });
    let request = client
        .http
        .post(format!("{}/_gatehouse/tenants", client.base))
        .bearer_auth(&client.key)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(body))
        .send();
    let in_flight = tokio::spawn(request);
    sent_rx.await.expect("the first half is sent");
    // One round trip on another connection, so the server has surely read the first request's head.
    assert_eq!(
        server.client().get("/healthz").await.unwrap().0,
        StatusCode::OK
    );

    send_signal(server.pid(), "TERM");
    let addr = server.addr;
    eventually(
        "new connections to be refused after SIGTERM",
        Duration::from_secs(20),
        || async move {
            match TcpStream::connect(addr).await {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Some(()),
                _ => None,
            }
        },
    )
    .await;
    assert!(
        server.is_running(),
        "the server waits for the in-flight request"
    );
    release_tx.send(()).unwrap();

    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["defaultDomain"], "late.gatehouse.test");
    let status = server.wait_exit(Duration::from_secs(35)).await;
    assert!(status.success(), "exit status {status}");
}

/// The states of the two-part request body.
enum Halves {
    First {
        first: Vec<u8>,
        rest: Vec<u8>,
        sent: Sender<()>,
        release: Receiver<()>,
    },
    Rest {
        rest: Vec<u8>,
        sent: Sender<()>,
        release: Receiver<()>,
    },
    Done,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_and_recovery() {
    let Some(db) = TestDatabase::postgres().await else {
        eprintln!("note: PostgreSQL is not available; postgres_outage_and_recovery skipped");
        return;
    };
    let (prefix, host_port, path) = split_postgres_url(&db.url);
    let target = tokio::net::lookup_host(&host_port)
        .await
        .unwrap()
        .next()
        .expect("PostgreSQL address");
    let mut proxy = Proxy::start(target).await;
    proxy.down().await;
    let url = format!("{prefix}127.0.0.1:{}{path}", proxy.port);

    // (a) The database is unreachable at start: the server runs, reports why, and answers 503.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve_command(&data);
    cmd.arg("--database-url").arg(&url);
    let mut server = Server::start(cmd, &data).await;
    let client = server.client();
    let reason = eventually("/readyz to give the reason", READY, || async {
        let (status, body, _) = client.get("/readyz").await.ok()?;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["database"], "postgres");
        let reason = body["reason"]
            .as_str()
            .filter(|r| !r.is_empty())?
            .to_owned();
        (reason != "the database is being prepared").then_some(reason)
    })
    .await;
    assert!(
        server.is_running(),
        "the server keeps running while the database is down ({reason})"
    );
    assert_unavailable(&client).await;

    // (b) The database comes up: the server prepares it and bootstraps by itself.
    proxy.up().await;
    assert_eq!(
        server.wait_ready().await,
        json!({"status": "ready", "database": "postgres"})
    );
    let tenants = client.tenants().await;
    assert_eq!(tenants.len(), 1, "{tenants:?}");
    assert_eq!(tenants[0]["displayName"], "Default Directory");

    // (c) The database goes away again: not ready, API calls get 503.
    proxy.down().await;
    eventually("/readyz to answer 503", Duration::from_secs(30), || async {
        let (status, body, _) = client.get("/readyz").await.ok()?;
        (status == StatusCode::SERVICE_UNAVAILABLE && body["reason"].is_string()).then_some(())
    })
    .await;
    assert_unavailable(&client).await;
    assert!(server.is_running());

    // (d) It comes back: the server recovers without a restart.
    proxy.up().await;
    server.wait_ready().await;
    let (status, body, _) = client.create_tenant("afteroutage").await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(client.tenants().await.len(), 2);
    send_signal(server.pid(), "TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).await.success());
}

/// An API call while the database is down: a Graph 503 with `Retry-After`.
async fn assert_unavailable(client: &support::Client) {
    let (status, body, headers) = client
        .operator(Method::GET, "/tenants", None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "serviceNotAvailable", "{body}");
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    assert!(headers.contains_key("retry-after"), "{headers:?}");
}

/// `(scheme://userinfo@, host:port, /database?query)` of a PostgreSQL URL.
fn split_postgres_url(url: &str) -> (String, String, String) {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let host = if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    (format!("{scheme}://{user}"), host, path.to_owned())
}

/// A TCP proxy to PostgreSQL that can be taken down (listener closed, every connection cut) and
/// brought up again on the same port.
struct Proxy {
    port: u16,
    target: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Proxy {
        let listener = proxy_listener(0).unwrap();
        let port = listener.local_addr().unwrap().port();
        Proxy {
            port,
            target,
            task: Some(tokio::spawn(forward(listener, target))),
        }
    }

    async fn down(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    async fn up(&mut self) {
        let port = self.port;
        let listener = eventually(
            "the proxy port to bind again",
            Duration::from_secs(30),
            || async move { proxy_listener(port).ok() },
        )
        .await;
        self.task = Some(tokio::spawn(forward(listener, self.target)));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn proxy_listener(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(128)
}

/// Accepts and forwards until aborted; aborting drops the JoinSet, which aborts every connection.
async fn forward(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_committed_tenant() {
    kill_9_during_writes(None).await;
    match TestDatabase::postgres().await {
        Some(db) => kill_9_during_writes(Some(&db.url)).await,
        None => eprintln!("note: PostgreSQL is not available; kill -9 tested on SQLite only"),
    }
}

/// Creates tenants four at a time, `kill -9`s the server with requests in flight once 20 have been
/// acknowledged, restarts it, and checks that every acknowledged tenant exists and every tenant is
/// whole.
async fn kill_9_during_writes(database_url: Option<&str>) {
    const ACKNOWLEDGED: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let command = || {
        let mut cmd = serve_command(&data);
        if let Some(url) = database_url {
            cmd.arg("--database-url").arg(url);
        }
        cmd
    };
    let mut server = Server::start(command(), &data).await;
    server.wait_ready().await;
    let client = server.client();

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let unexpected = Arc::new(Mutex::new(Vec::<String>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = JoinSet::new();
    for _ in 0..4 {
        let (client, acked, unexpected, next) = (
            client.clone(),
            acked.clone(),
            unexpected.clone(),
            next.clone(),
        );
        workers.spawn(async move {
            loop {
                let label = format!("k9n{}", next.fetch_add(1, Ordering::SeqCst));
                match client.create_tenant(&label).await {
                    Ok((StatusCode::CREATED, ..)) => acked.lock().unwrap().push(label),
                    Ok((status, body, _)) => unexpected
                        .lock()
                        .unwrap()
                        .push(format!("{label}: {status} {body}")),
                    Err(_) => break, // the server is gone
                }
            }
        });
    }
    eventually("20 acknowledged tenants", Duration::from_secs(240), || {
        let count = acked.lock().unwrap().len();
        async move { (count >= ACKNOWLEDGED).then_some(()) }
    })
    .await;
    server.kill_9();
    let started = next.load(Ordering::SeqCst);
    while workers.join_next().await.is_some() {}
    let acked = acked.lock().unwrap().clone();
    assert!(
        unexpected.lock().unwrap().is_empty(),
        "{:?}",
        unexpected.lock().unwrap()
    );
    assert!(
        started > acked.len(),
        "requests were in flight at kill -9 ({started} sent, {} acked)",
        acked.len()
    );
    drop(server);

    let server = Server::start(command(), &data).await;
    server.wait_ready().await;
    let tenants = server.client().tenants().await;
    let domains: Vec<&str> = tenants
        .iter()
        .map(|t| t["defaultDomain"].as_str().unwrap())
        .collect();
    for label in &acked {
        let domain = format!("{label}.gatehouse.test");
        assert!(
            domains.contains(&domain.as_str()),
            "acknowledged tenant {domain} is lost; listed: {domains:?}"
        );
    }

    let sqlite = format!("sqlite://{}?mode=rwc", data.join("gatehouse.db").display());
    let store = Store::open(database_url.unwrap_or(&sqlite), &StoreOptions::default()).unwrap();
    for tenant in &tenants {
        let id: TenantId = tenant["id"].as_str().unwrap().parse().unwrap();
        let domain = tenant["defaultDomain"].as_str().unwrap();
        let mut tx = store.read(id).await.unwrap();
        let names: Vec<String> = tx
            .domains()
            .await
            .unwrap()
            .iter()
            .map(|d| d.name.to_string())
            .collect();
        assert!(
            names.iter().any(|n| n == domain),
            "{domain}: domain missing ({names:?})"
        );
        let upn = format!("admin@{domain}");
        let admin = tx
            .user_by_upn(&upn)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{upn} missing"));
        let roles = tx.role_assignments_of(admin.id).await.unwrap();
        assert!(
            roles
                .iter()
                .any(|r| r.role_definition_id == GLOBAL_ADMINISTRATOR),
            "{upn}: not Global Administrator"
        );
        let audit = tx.audit_records(10).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.activity_display_name == "Create Company"),
            "{domain}: no audit record"
        );
    }
    store.close().await;
    eprintln!(
        "kill -9 on {}: {} acknowledged, {} listed",
        database_url.map_or("sqlite", |_| "postgres"),
        acked.len(),
        tenants.len()
    );
}
