//! `gatehouse`: the server (`gatehouse serve`) and the admin CLI.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gatehouse_server::config::{ServeArgs, Settings};
use gatehouse_server::serve;

mod tenant;

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Gatehouse: a self-hosted identity platform that speaks Entra ID's protocols."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage the instance's tenants (instance operator; needs the operator key).
    Tenant(tenant::TenantArgs),
}

/// Exit code for a configuration or start-up problem.
const BAD_SETUP: u8 = 2;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => run_server(&args),
        Command::Tenant(args) => run_client(tenant::run(args)),
    }
}

/// Runs an admin command; failures print one line and exit 1.
#[allow(clippy::print_stderr)]
fn run_client(command: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(command))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stderr)]
fn run_server(args: &ServeArgs) -> ExitCode {
    let env: HashMap<String, String> = std::env::vars().collect();
    let settings = match Settings::load(args, &env) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            return ExitCode::from(BAD_SETUP);
        }
    };
    serve::init_logging(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatehouse: cannot start the async runtime: {e}");
            return ExitCode::from(BAD_SETUP);
        }
    };
    match runtime.block_on(serve::serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            ExitCode::from(BAD_SETUP)
        }
    }
}
