//! `gatehouse-bench run`: starts the server pinned to its cores, provisions it through its APIs,
//! measures the ceilings on the server's core, runs the scenarios, the peer side by side, and
//! reports.

#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use gatehouse_domain::ids::TenantId;
use gatehouse_store::{Store, StoreOptions};

use crate::ceilings::CryptoCeilings;
use crate::directory;
use crate::http::{Protocol, Session, Target};
use crate::load::{self, LoadShape};
use crate::peer;
use crate::process::{ServerProcess, gatehouse_command};
use crate::provision::{self, Api, GRAPH_DEFAULT, Provisioned};
use crate::report::{
    DirectoryInfo, Machine, Memory, Parameters, PeerResult, Report, ScenarioResult,
};
use crate::scenarios::{self, Scenario, ScenarioName, User, WorkerState};
use crate::seed::{self, Directory, SeedStats};
use crate::stats::Measurement;

/// What `run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub scenarios: Vec<ScenarioName>,
    pub binary: PathBuf,
    pub database_url: Option<String>,
    pub parameters: Parameters,
    /// Seconds per ceiling measurement.
    pub ceiling_seconds: f64,
    pub peer: bool,
    /// The directory the directory scenarios need: how many users, from which seed.
    pub users: usize,
    pub seed: u64,
}

/// The server under test and how to reach it.
struct Running {
    server: ServerProcess,
    api: Api,
    target: Arc<Target>,
}

impl Running {
    async fn start(options: &RunOptions, data: &std::path::Path) -> Result<Self> {
        let p = &options.parameters;
        let cmd = gatehouse_command(&options.binary, data, options.database_url.as_deref())?;
        eprintln!(
            "starting {} on core(s) {}",
            options.binary.display(),
            p.server_cores
        );
        let server = ServerProcess::start(&p.server_cores, cmd, "gatehouse serve")?;
        let ca = data.join("tls").join("ca.pem");
        let api = Api::new(&ca, server.addr)?;
        api.wait_ready(Duration::from_secs(120)).await?;
        let target = Arc::new(Target::new(
            server.addr,
            &ca,
            p.protocol,
            p.new_connections,
        )?);
        Ok(Self {
            server,
            api,
            target,
        })
    }
}

/// Runs everything `options` asks for and returns the evaluated report.
pub async fn run(options: &RunOptions) -> Result<Report> {
    let p = &options.parameters;
    let started = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)?
        .format(&time::format_description::well_known::Rfc3339)?;
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok());
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let mut running = Running::start(options, &data).await?;
    let setup = provision::provision(&running.api, &data).await?;
    eprintln!(
        "provisioned tenant {} with a daemon application ({}) holding {}",
        setup.tenant_id,
        setup.daemon.app_id,
        provision::DAEMON_ROLE
    );
    let mut directory = None;
    if options.scenarios.iter().any(|s| s.needs_directory()) {
        // Seeded straight into the database with the server stopped, then started again: the
        // server's memory is then that of a server started on a directory this size.
        drop(running);
        let dir = Directory {
            seed: options.seed,
            users: options.users,
            domain: setup.domain.clone(),
        };
        let stats = seed_directory(options, &data, &setup, &dir).await?;
        directory = Some(DirectoryInfo {
            seed: dir.seed,
            users: dir.users,
            seeding: Some(stats),
        });
        running = Running::start(options, &data).await?;
    }
    let ca = data.join("tls").join("ca.pem");
    let Running {
        server,
        api,
        target,
    } = running;
    let api = &api;

    let before = measure_ceilings(&p.server_cores, &setup, options.ceiling_seconds)?;

    let healthz = measure(&server, &target, Scenario::Healthz, &[], p, "healthz").await?;
    let directory_token = match &directory {
        Some(_) => Some(provision::directory_token(api, &setup).await?),
        None => None,
    };
    let context = Context {
        api,
        setup: &setup,
        directory: directory.as_ref().map(|d| Directory {
            seed: d.seed,
            users: d.users,
            domain: setup.domain.clone(),
        }),
        directory_token,
    };
    let mut scenarios = Vec::new();
    for name in &options.scenarios {
        let mut p = p.clone();
        if *name == ScenarioName::SigninPassword {
            p.concurrency = p.signin_concurrency.max(1);
        }
        if name.latency_bound() {
            p.concurrency = p.latency_concurrency.max(1);
        }
        let (scenario, states) = prepare(*name, &context, p.concurrency).await?;
        scenarios.push(measure(&server, &target, scenario, &states, &p, name.as_str()).await?);
    }
    let server_peak_rss_kib = memory(server.pid()).map(|m| m.peak_kib);
    // Again after the load: on a shared machine the best of the two is the closer to the
    // core's real capacity.
    let crypto = before.best_of(&measure_ceilings(
        &p.server_cores,
        &setup,
        options.ceiling_seconds,
    )?);
    drop(server);

    let mut peers = Vec::new();
    if options.peer
        && options
            .scenarios
            .contains(&ScenarioName::TokenClientCredentials)
    {
        eprintln!(
            "installing and starting {} on core(s) {}",
            peer::NAME,
            p.server_cores
        );
        peer::install()?;
        let tls = data.join("tls");
        let running = peer::start(
            &p.server_cores,
            &tls.join("server.pem"),
            &tls.join("server-key.pem"),
        )?;
        let target = Arc::new(Target::new(
            running.process.addr,
            &ca,
            p.protocol,
            p.new_connections,
        )?);
        let name = ScenarioName::TokenClientCredentials.as_str();
        let result = measure(
            &running.process,
            &target,
            running.scenario.clone(),
            &[],
            p,
            &format!("{name} ({})", peer::NAME),
        )
        .await?;
        peers.push(PeerResult {
            peer: peer::NAME.to_owned(),
            version: running.version.clone(),
            scenario: name.to_owned(),
            measurement: result.measurement,
            per_core: result.per_core,
            per_cpu_second: result.per_cpu_second,
        });
    }

    let mut report = Report {
        started,
        commit: commit(),
        machine: machine(),
        load_average,
        database: match &options.database_url {
            Some(url) if url.starts_with("postgres") => "postgresql".to_owned(),
            _ => "sqlite".to_owned(),
        },
        parameters: p.clone(),
        crypto,
        healthz: Some(healthz),
        scenarios,
        peers,
        directory,
        server_peak_rss_kib,
        targets: Vec::new(),
    };
    report.evaluate();
    Ok(report)
}

/// What the scenarios are prepared from.
struct Context<'a> {
    api: &'a Api,
    setup: &'a Provisioned,
    /// The generated directory, when one was seeded.
    directory: Option<Directory>,
    /// An application token holding `User.ReadWrite.All`, when a directory was seeded.
    directory_token: Option<String>,
}

/// The scenario and one state per client.
async fn prepare(
    name: ScenarioName,
    context: &Context<'_>,
    concurrency: usize,
) -> Result<(Scenario, Vec<WorkerState>)> {
    let (api, setup) = (context.api, context.setup);
    let user = User {
        tenant: setup.tenant_id.clone(),
        username: setup.admin.clone(),
        password: setup.admin_password.clone(),
    };
    let none: Vec<WorkerState> = (0..concurrency).map(WorkerState::for_worker).collect();
    let algorithm = name.graph_token_algorithm();
    api.set_graph_token_algorithm(&setup.operator_key, &setup.tenant_id, algorithm)
        .await?;
    Ok(match name {
        ScenarioName::TokenClientCredentials | ScenarioName::TokenClientCredentialsEs256 => {
            let fields = [
                ("grant_type", "client_credentials"),
                ("client_id", setup.daemon.app_id.as_str()),
                ("client_secret", setup.daemon.secret.as_str()),
                ("scope", GRAPH_DEFAULT),
            ];
            // The tokens the scenario will get are signed as the tenant now says.
            let probe = api.token(&setup.tenant_id, &fields).await?;
            let header = provision::jwt_header(probe["access_token"].as_str().unwrap_or_default())?;
            if header["alg"] != algorithm {
                bail!(
                    "{}: expected {algorithm} tokens, got {header}",
                    name.as_str()
                );
            }
            let fields = fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            (
                Scenario::TokenRequest {
                    path: format!("/{}/oauth2/v2.0/token", setup.tenant_id),
                    fields,
                },
                none,
            )
        }
        ScenarioName::TokenRefresh => {
            // Each client follows its own refresh-token family (a replay would revoke it).
            let mut states = Vec::with_capacity(concurrency);
            for worker in 0..concurrency {
                let body = api
                    .token(
                        &user.tenant,
                        &[
                            ("grant_type", "password"),
                            ("client_id", scenarios::GRAPH_COMMAND_LINE_TOOLS),
                            ("username", &user.username),
                            ("password", &user.password),
                            ("scope", scenarios::USER_SCOPE),
                        ],
                    )
                    .await?;
                states.push(WorkerState {
                    refresh_token: body["refresh_token"].as_str().map(str::to_owned),
                    ..WorkerState::for_worker(worker)
                });
            }
            (Scenario::Refresh { user }, states)
        }
        ScenarioName::SigninPassword => (Scenario::SigninPassword { user }, none),
        ScenarioName::GraphMe => {
            let token = api
                .password_grant_token(
                    &user.tenant,
                    &user.username,
                    &user.password,
                    scenarios::USER_SCOPE,
                )
                .await?;
            (Scenario::GraphMe { token }, none)
        }
        ScenarioName::GraphGetUser
        | ScenarioName::GraphCreateUser
        | ScenarioName::GraphListUsers
        | ScenarioName::GraphListFilter
        | ScenarioName::GraphCount => {
            let (Some(directory), Some(token)) = (&context.directory, &context.directory_token)
            else {
                bail!("{}: no directory was seeded", name.as_str());
            };
            let token = token.clone();
            let scenario = match name {
                ScenarioName::GraphGetUser => Scenario::GraphGetUser {
                    token,
                    directory: directory.clone(),
                },
                ScenarioName::GraphCreateUser => Scenario::GraphCreateUser {
                    token,
                    domain: setup.domain.clone(),
                    prefix: format!("bench{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
                },
                ScenarioName::GraphListFilter => Scenario::GraphListPages {
                    token,
                    firsts: Arc::new(directory::department_lists()),
                },
                ScenarioName::GraphCount => Scenario::GraphCount {
                    token,
                    counts: Arc::new(directory::department_counts(directory)),
                },
                _ => Scenario::GraphListPages {
                    token,
                    firsts: Arc::new(vec!["/v1.0/users?$top=100".to_owned()]),
                },
            };
            (scenario, none)
        }
    })
}

/// Seeds `dir` into the tenant of `setup` in the database of the (stopped) server on `data`.
async fn seed_directory(
    options: &RunOptions,
    data: &std::path::Path,
    setup: &Provisioned,
    dir: &Directory,
) -> Result<SeedStats> {
    let url = match &options.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}?mode=rw", data.join("gatehouse.db").display()),
    };
    let store = Store::open(&url, &StoreOptions::default())?;
    let tenant: TenantId = setup.tenant_id.parse()?;
    eprintln!(
        "seeding {} users (seed {}) into tenant {}",
        dir.users, dir.seed, setup.tenant_id
    );
    let hash = seed::seeded_password_hash(dir.seed)?;
    let mut last = Instant::now();
    let stats = seed::load(&store, tenant, dir, &hash, seed::BATCH, |done, elapsed| {
        if last.elapsed() >= Duration::from_secs(10) || done == dir.users {
            last = Instant::now();
            eprintln!(
                "  {done} users in {:.0} s ({:.0}/s)",
                elapsed.as_secs_f64(),
                done as f64 / elapsed.as_secs_f64().max(1e-9)
            );
        }
    })
    .await?;
    store.close().await;
    Ok(stats)
}

/// Warm-up and steady state of `scenario` against `server`, with its CPU use in the window.
async fn measure(
    server: &ServerProcess,
    target: &Arc<Target>,
    scenario: Scenario,
    states: &[WorkerState],
    p: &Parameters,
    name: &str,
) -> Result<ScenarioResult> {
    // One iteration first, so a broken setup fails loudly instead of measuring errors.
    let mut probe_state = states.first().cloned().unwrap_or_default();
    // A client of its own, so what it creates does not collide with the first client's.
    probe_state.worker = p.concurrency.max(states.len());
    let mut probe = Session::new(target.clone());
    if !matches!(scenario, Scenario::Refresh { .. }) {
        scenario
            .iteration(&mut probe, &mut probe_state)
            .await
            .with_context(|| format!("{name}: the first iteration failed"))?;
    }
    drop(probe);
    let mut states = states.to_vec();
    states.resize(p.concurrency, WorkerState::default());
    let shape = LoadShape {
        concurrency: p.concurrency,
        rate: p.rate,
        warmup: Duration::from_secs_f64(p.warmup_s),
        measure: Duration::from_secs_f64(p.measure_s),
    };
    eprintln!(
        "{name}: warm-up {} s, measuring {} s",
        p.warmup_s, p.measure_s
    );
    let pid = server.pid();
    let cpu = tokio::spawn(async move {
        tokio::time::sleep(shape.warmup).await;
        let before = crate::process::cpu_time(pid);
        tokio::time::sleep(shape.measure).await;
        let after = crate::process::cpu_time(pid);
        Some((after? - before?).as_secs_f64())
    });
    let mut m: Measurement = load::run(target.clone(), Arc::new(scenario), states, shape).await?;
    m.server_cpu_cores = cpu.await?.map(|busy| busy / p.measure_s);
    let server_memory = memory(pid);
    let per_core = m.throughput / p.server_core_count() as f64;
    eprintln!(
        "  {:.0}/s ({:.0}/s per core, server CPU {:.0}%), p50 {:.2} ms, p99 {:.2} ms, RSS {} MiB, {} errors{}",
        m.throughput,
        per_core,
        m.server_cpu_cores.unwrap_or(0.0) * 100.0,
        m.latency.p50_ms,
        m.latency.p99_ms,
        server_memory.map_or(0, |m| m.rss_kib / 1024),
        m.errors,
        m.error_samples
            .first()
            .map(|e| format!(" (e.g. {e})"))
            .unwrap_or_default()
    );
    if m.iterations == 0 {
        bail!(
            "{name}: no iteration completed in the window: {:?}",
            m.error_samples
        );
    }
    let per_cpu_second = m
        .server_cpu_cores
        .filter(|c| *c > 0.0)
        .map(|c| m.throughput / c);
    Ok(ScenarioResult {
        name: name.to_owned(),
        measurement: m,
        per_core,
        per_cpu_second,
        ratios: Vec::new(),
        targets: Vec::new(),
        previous: None,
        server_memory,
    })
}

/// The server's resident memory now and at its peak (`VmRSS`, `VmHWM` of `/proc/PID/status`).
fn memory(pid: u32) -> Option<Memory> {
    Memory::parse(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// `taskset -c CORES gatehouse-bench ceiling`: the crypto ceilings on the server's core.
fn measure_ceilings(cores: &str, setup: &Provisioned, seconds: f64) -> Result<CryptoCeilings> {
    eprintln!("measuring the ceilings on core(s) {cores}");
    let c = run_ceiling_process(cores, setup, seconds)?;
    eprintln!(
        "  RS256 sign {:.0}/s, verify {:.0}/s; ES256 sign {:.0}/s, verify {:.0}/s; Argon2id {:.1}/s",
        c.rs256_sign_per_s,
        c.rs256_verify_per_s,
        c.es256_sign_per_s,
        c.es256_verify_per_s,
        c.argon2id_per_s
    );
    Ok(c)
}

fn run_ceiling_process(cores: &str, setup: &Provisioned, seconds: f64) -> Result<CryptoCeilings> {
    let claims = tempfile::NamedTempFile::new()?;
    std::fs::write(claims.path(), setup.app_token_claims.to_string())?;
    let out = Command::new("taskset")
        .arg("-c")
        .arg(cores)
        .arg(std::env::current_exe()?)
        .arg("ceiling")
        .arg("--seconds")
        .arg(seconds.to_string())
        .arg("--claims")
        .arg(claims.path())
        .output()
        .context("run the ceiling measurement with taskset")?;
    if !out.status.success() {
        bail!(
            "ceiling measurement failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("ceiling measurement output")
}

/// Pins this process (every thread) to `cores`.
pub fn pin_self(cores: &str) -> Result<()> {
    let status = Command::new("taskset")
        .args(["-a", "-p", "-c", cores])
        .arg(std::process::id().to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .context("taskset (util-linux) is needed to pin processes to cores")?;
    if !status.success() {
        bail!("taskset -a -p -c {cores} failed ({status})");
    }
    Ok(())
}

fn machine() -> Machine {
    let text = Command::new("lscpu")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    Machine::from_lscpu(&text)
}

/// The short commit of the workspace, `-dirty` when it has uncommitted changes.
fn commit() -> String {
    let root = crate::process::workspace_root();
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".to_owned();
    };
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    if dirty { format!("{head}-dirty") } else { head }
}

/// Default protocol name for the CLI.
pub fn protocol(http2: bool) -> Protocol {
    if http2 {
        Protocol::Http2
    } else {
        Protocol::Http1
    }
}
