//! `gatehouse-bench`: reproduces the figures of `docs/benchmarks.md`.
//!
//! ```text
//! cargo build --release -p gatehouse-cli -p gatehouse-bench
//! target/release/gatehouse-bench run --record             # everything, recorded
//! target/release/gatehouse-bench run token-client-credentials --concurrency 16
//! target/release/gatehouse-bench run graph-get-user graph-list-users --users 1000000
//! ```

#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand};
use gatehouse_bench::report::{Parameters, Report, core_count};
use gatehouse_bench::runner::{self, RunOptions};
use gatehouse_bench::scenarios::ScenarioName;
use gatehouse_bench::{ceilings, process, seed};

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse-bench",
    version,
    about = "Gatehouse's benchmark suite"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Start the release server pinned to its cores, measure the ceilings and the scenarios
    /// (all of them when none is named), and oidc-provider side by side.
    Run(Box<RunArgs>),
    /// Measure the crypto ceilings on this thread and print them as JSON (`run` starts this
    /// pinned to the server's cores).
    #[command(hide = true)]
    Ceiling {
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// A JSON file with the claims to sign (a real client-credentials token's).
        #[arg(long)]
        claims: PathBuf,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenarios to run; all when none is named.
    #[arg(value_enum)]
    scenarios: Vec<ScenarioName>,
    /// The server binary (built with `cargo build --release -p gatehouse-cli`).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// PostgreSQL instead of the embedded SQLite database (a database the server may migrate).
    #[arg(long)]
    database_url: Option<String>,
    /// CPUs for the server and the peer (`taskset -c` list); the ceilings are measured there.
    #[arg(long, default_value = "1")]
    server_cores: String,
    /// CPUs for the load generator.
    #[arg(long, default_value = "0")]
    client_cores: String,
    /// Simulated clients (each with its own connection).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Clients of `signin-password` (bound by Argon2id, which the server runs one per core).
    #[arg(long, default_value_t = 4)]
    signin_concurrency: usize,
    /// Clients of the scenarios whose targets are latencies (`graph-list-users`): one measures
    /// each request's own time, not the queue in front of a saturated core.
    #[arg(long, default_value_t = 1)]
    latency_concurrency: usize,
    /// Users of the generated directory the directory scenarios (`graph-*-user(s)`) run on,
    /// written into the server's database through the store before they start.
    #[arg(long, default_value_t = 20_000)]
    users: usize,
    /// The generator's seed (any word): the same seed gives the same directory.
    #[arg(long, default_value = "gatehouse")]
    seed: String,
    /// A fixed arrival rate (iterations/s over all clients) instead of a closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds of warm-up before each measurement.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Seconds measured per scenario.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Speak HTTP/2 (ALPN h2) instead of HTTP/1.1.
    #[arg(long)]
    http2: bool,
    /// A new TCP and TLS connection for every iteration instead of keep-alive.
    #[arg(long)]
    new_connections: bool,
    /// Seconds per crypto ceiling.
    #[arg(long, default_value_t = 5.0)]
    ceiling_seconds: f64,
    /// Skip oidc-provider (which needs node and npm).
    #[arg(long)]
    no_peer: bool,
    /// Save the JSON in --results and append the Markdown table to --docs.
    #[arg(long)]
    record: bool,
    /// Where recorded runs are kept (and previous runs are read for the regression check).
    #[arg(long)]
    results: Option<PathBuf>,
    /// The Markdown file the table is appended to.
    #[arg(long)]
    docs: Option<PathBuf>,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Run(args) => run(*args),
        Cmd::Ceiling { seconds, claims } => {
            let claims = std::fs::read_to_string(&claims)
                .with_context(|| format!("read {}", claims.display()))?;
            let ceilings = ceilings::measure(&serde_json::from_str(&claims)?, seconds)?;
            println!("{}", serde_json::to_string(&ceilings)?);
            Ok(())
        }
    }
}

fn run(args: RunArgs) -> Result<()> {
    // Before the runtime starts its threads, so they all inherit the affinity.
    runner::pin_self(&args.client_cores)?;
    let root = process::workspace_root();
    let mut scenarios = args.scenarios.clone();
    if scenarios.is_empty() {
        scenarios = ScenarioName::ALL.to_vec();
    }
    scenarios.sort();
    scenarios.dedup();
    let options = RunOptions {
        scenarios,
        binary: args.binary.clone().unwrap_or_else(process::default_binary),
        database_url: args.database_url.clone(),
        parameters: Parameters {
            protocol: runner::protocol(args.http2),
            new_connections: args.new_connections,
            concurrency: args.concurrency.max(1),
            signin_concurrency: args.signin_concurrency.max(1),
            rate: args.rate,
            warmup_s: args.warmup,
            measure_s: args.duration,
            server_cores: args.server_cores.clone(),
            client_cores: args.client_cores.clone(),
            latency_concurrency: args.latency_concurrency.max(1),
        },
        ceiling_seconds: args.ceiling_seconds,
        peer: !args.no_peer,
        users: args.users.max(1),
        seed: seed::seed_from(&args.seed),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(core_count(&args.client_cores))
        .enable_all()
        .build()?;
    let mut report = runtime.block_on(runner::run(&options))?;

    let results = args.results.unwrap_or_else(|| root.join("bench/results"));
    report.compare(&Report::load_all(&results)?);
    let markdown = report.markdown();
    println!("\n{markdown}");
    for failed in report.failed_targets() {
        println!("FAIL {failed}");
    }
    for regression in report.regressions() {
        println!("REGRESSION {regression}");
    }
    if args.record {
        let path = report.save(&results)?;
        let docs = args.docs.unwrap_or_else(|| root.join("docs/benchmarks.md"));
        let mut text = std::fs::read_to_string(&docs).unwrap_or_default();
        if !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&markdown);
        std::fs::write(&docs, text).with_context(|| format!("write {}", docs.display()))?;
        println!(
            "recorded {} and appended to {}",
            path.display(),
            docs.display()
        );
    }
    Ok(())
}
