//! `gatehouse serve`: validate, bind, prepare the data directory and keys, serve HTTPS, prepare the
//! database in the background (with backoff, so a database that is down at start or later only
//! makes `/readyz` and the API answer 503 until it is back), and shut down gracefully.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use gatehouse_domain::clock::{Clock, SystemClock};
use gatehouse_domain::password::PasswordHasher;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::{Store, StoreOptions};
use tokio::task::JoinSet;

use crate::bootstrap::{self, Bootstrapped};
use crate::config::{LogFormat, Settings, TlsSource};
use crate::dns::Dns;
use crate::identity::keys::SigningKeys;
use crate::passwords::Passwords;
use crate::secrets::{MasterKeySource, Secrets};
use crate::services::{CreateTenant, tenants};
use crate::state::{AppState, Instance, Readiness};
use crate::{app, tls};

/// A reason the server cannot start: one line naming the setting and the fix. Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

/// How long in-flight requests get to finish after SIGTERM or SIGINT.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

pub fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::new(&settings.log_filter);
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match settings.log_format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Runs the server until SIGTERM or SIGINT.
pub async fn serve(settings: Settings) -> Result<(), StartError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let random: Arc<dyn Random> = Arc::new(OsRandom);

    // Checks that write nothing come first, so a bad setting leaves no trace.
    let listeners = bind(&settings.listen)?;
    let configured_tls = match &settings.tls {
        TlsSource::Files { .. } => Some(tls_setup(&settings, clock.now())?),
        TlsSource::Development => None,
    };
    let bootstrap = bootstrap::request(&settings.bootstrap, &settings.initial_domain_suffix)
        .map_err(|e| match e {
            gatehouse_domain::Error::Invalid {
                message,
                target: Some(setting),
            } => StartError(format!("invalid {setting}: {message}")),
            other => StartError(format!("invalid bootstrap setting: {other}")),
        })?;

    let _lock = prepare_data_dir(&settings.data_dir)?;
    let (secrets, key_source) = Secrets::load_or_create(
        settings.master_key.as_ref().map(|k| k.expose()),
        &settings.data_dir,
        random.as_ref(),
    )
    .map_err(StartError)?;
    let tls = match configured_tls {
        Some(t) => t,
        None => tls_setup(&settings, clock.now())?,
    };
    let operator_key = operator_key(&settings, random.as_ref())?;
    let store = Store::open(settings.database_url.as_str(), &StoreOptions::default())
        .map_err(|e| StartError(format!("--database-url: {e}")))?;

    let state = AppState {
        store: store.clone(),
        clock,
        random,
        instance: Arc::new(Instance {
            public_url: settings.public_url.as_str().to_owned(),
            initial_domain_suffix: settings.initial_domain_suffix.clone(),
            operator_key_hash: secrets.keyed_hash(operator_key.secret()),
        }),
        secrets: Arc::new(secrets),
        passwords: Arc::new(Passwords::per_cpu(PasswordHasher::default())),
        readiness: Arc::new(Readiness::default()),
        keys: Arc::new(SigningKeys::new()),
        dns: Arc::new(Dns::configured(settings.dns_resolver)),
    };

    announce(
        &settings,
        &listeners,
        tls.ca_pem.as_deref(),
        &key_source,
        &operator_key,
    );
    tracing::info!(database = %settings.database_url.redacted(), "starting");

    let handle = Handle::new();
    let rustls = RustlsConfig::from_config(tls.config);
    let router = app::router(state.clone());
    let mut servers = JoinSet::new();
    for (listener, _) in listeners {
        let server = axum_server::from_tcp_rustls(listener, rustls.clone()).handle(handle.clone());
        servers.spawn(
            server.serve(
                router
                    .clone()
                    .into_make_service_with_connect_info::<SocketAddr>(),
            ),
        );
    }
    let background = tokio::spawn(run_background(state, bootstrap));
    tokio::spawn(shutdown_on_signal(handle));

    while let Some(result) = servers.join_next().await {
        if let Ok(Err(e)) = result {
            tracing::error!(error = %e, "listener failed");
        }
    }
    background.abort();
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn bind(addresses: &[SocketAddr]) -> Result<Vec<(TcpListener, SocketAddr)>, StartError> {
    addresses
        .iter()
        .map(|addr| {
            let listener = TcpListener::bind(addr).map_err(|e| {
                let hint = match e.kind() {
                    std::io::ErrorKind::AddrInUse => {
                        "another process uses it; stop it or choose another address"
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "ports below 1024 need root or CAP_NET_BIND_SERVICE"
                    }
                    _ => "choose another address",
                };
                StartError(format!("cannot listen on {addr} (--listen): {e}; {hint}"))
            })?;
            listener
                .set_nonblocking(true)
                .map_err(|e| StartError(format!("cannot listen on {addr}: {e}")))?;
            let local = listener
                .local_addr()
                .map_err(|e| StartError(format!("cannot listen on {addr}: {e}")))?;
            Ok((listener, local))
        })
        .collect()
}

fn tls_setup(settings: &Settings, now: time::OffsetDateTime) -> Result<tls::TlsSetup, StartError> {
    tls::server_config(&settings.tls, &settings.data_dir, now)
        .map_err(|e| StartError(e.to_string()))
}

/// Creates the data directory if needed (mode 0700) and takes its lock, so that two servers never
/// share one data directory.
fn prepare_data_dir(dir: &Path) -> Result<std::fs::File, StartError> {
    use std::os::unix::fs::DirBuilderExt as _;
    let fail = |what: &str, e: std::io::Error| {
        StartError(format!(
            "data directory {} (--data-dir): {what}: {e}; choose a writable directory",
            dir.display()
        ))
    };
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(StartError(format!(
                "data directory {} (--data-dir) is not a directory; choose a directory",
                dir.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| fail("cannot create it", e))?;
        }
        Err(e) => return Err(fail("cannot read it", e)),
    }
    std::fs::read_dir(dir).map_err(|e| fail("cannot read it", e))?;
    let lock_path = dir.join("gatehouse.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| fail("cannot write in it", e))?;
    lock.try_lock().map_err(|_| {
        StartError(format!(
            "data directory {} (--data-dir) is in use by another gatehouse process; stop it or choose another directory",
            dir.display()
        ))
    })?;
    Ok(lock)
}

/// The operator key: `GATEHOUSE_OPERATOR_KEY`, or `DATA_DIR/operator.key` created on first start.
enum OperatorKey {
    Environment(String),
    File(PathBuf, String),
}

impl OperatorKey {
    fn secret(&self) -> &str {
        match self {
            Self::Environment(k) | Self::File(_, k) => k,
        }
    }
}

fn operator_key(settings: &Settings, random: &dyn Random) -> Result<OperatorKey, StartError> {
    use base64::Engine as _;
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(key) = &settings.operator_key {
        return Ok(OperatorKey::Environment(key.expose().to_owned()));
    }
    let path = settings.data_dir.join("operator.key");
    match std::fs::read_to_string(&path) {
        Ok(k) if !k.trim().is_empty() => Ok(OperatorKey::File(path, k.trim().to_owned())),
        Ok(_) => Err(StartError(format!(
            "{} is empty; delete it to have a new key made",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut raw = [0u8; 32];
            random.fill(&mut raw);
            let key = format!(
                "gho_{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
            );
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| writeln!(f, "{key}").and_then(|()| f.sync_all()).map(|()| f));
            file.as_mut()
                .map_err(|e| StartError(format!("cannot write {}: {e}", path.display())))?;
            Ok(OperatorKey::File(path, key))
        }
        Err(e) => Err(StartError(format!("cannot read {}: {e}", path.display()))),
    }
}

/// What a person starting the server needs to know, on standard output (logs go to standard error).
#[allow(clippy::print_stdout)]
fn announce(
    settings: &Settings,
    listeners: &[(TcpListener, SocketAddr)],
    ca: Option<&Path>,
    key_source: &MasterKeySource,
    operator_key: &OperatorKey,
) {
    println!("Gatehouse is starting.");
    println!("  Public URL:      {}", settings.public_url);
    for (_, addr) in listeners {
        println!("  Listening on:    https://{addr}");
    }
    match ca {
        Some(ca) => println!(
            "  Development CA:  {} (trust it, e.g. curl --cacert {})",
            ca.display(),
            ca.display()
        ),
        None => println!("  Certificate:     as configured (--tls-cert)"),
    }
    println!("  Database:        {}", settings.database_url.redacted());
    if let MasterKeySource::File(path) = key_source {
        println!(
            "  Master key:      {} (back it up; it encrypts secrets at rest)",
            path.display()
        );
    }
    if let OperatorKey::File(path, _) = operator_key {
        println!(
            "  Operator key:    {} (for /_gatehouse and `gatehouse tenant`)",
            path.display()
        );
    }
}

#[allow(clippy::print_stdout)]
fn announce_bootstrap(b: &Bootstrapped) {
    println!(
        "Created tenant \"{}\" ({}), domain {}.",
        b.tenant_name, b.tenant_id, b.domain
    );
    println!("  First Global Administrator: {}", b.admin);
    match &b.generated_password {
        Some(p) => println!("  Password (shown once, not stored): {p}"),
        None => println!("  Password: as set in GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD"),
    }
}

/// Prepares the database (migrations, bootstrap, first-party reconciliation), retrying with
/// backoff while it is unreachable; then runs the periodic jobs.
async fn run_background(state: AppState, bootstrap: CreateTenant) {
    let mut delay = Duration::from_millis(250);
    loop {
        match prepare(&state, bootstrap.clone()).await {
            Ok(report) => {
                state.readiness.set_prepared();
                tracing::info!("database prepared; ready");
                if let Some(b) = report {
                    announce_bootstrap(&b);
                }
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "database not ready");
                state.readiness.set_error(e.to_string());
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(15));
            }
        }
    }
    let mut interval = tokio::time::interval(PURGE_INTERVAL);
    loop {
        interval.tick().await;
        if let Err(e) = tenants::purge_expired(&state).await {
            tracing::warn!(error = %e, "purging deleted tenants failed; will retry");
        }
        if let Err(e) = crate::identity::device_code::purge_expired(&state).await {
            tracing::warn!(error = %e, "purging expired device codes failed; will retry");
        }
        if let Err(e) = crate::graph::deleted_items::purge_expired(&state).await {
            tracing::warn!(error = %e, "purging the recycle bin failed; will retry");
        }
        if let Err(e) = crate::graph::groups::purge_expired(&state).await {
            tracing::warn!(error = %e, "purging deleted groups failed; will retry");
        }
    }
}

async fn prepare(
    state: &AppState,
    bootstrap: CreateTenant,
) -> gatehouse_domain::Result<Option<Bootstrapped>> {
    state.store.migrate().await?;
    let report = bootstrap::run(state, bootstrap).await?;
    tenants::reconcile_all(state).await?;
    Ok(report)
}

async fn shutdown_on_signal(handle: Handle) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!(
        grace_s = SHUTDOWN_GRACE.as_secs(),
        "shutting down; finishing in-flight requests"
    );
    handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
}
