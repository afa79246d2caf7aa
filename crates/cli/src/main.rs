//! `gatehouse`: the server (`gatehouse serve`) and the admin CLI.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gatehouse_server::config::{ServeArgs, Settings};
use gatehouse_server::serve;

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
}

/// Exit code for a configuration or start-up problem.
const BAD_SETUP: u8 = 2;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => run_server(&args),
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
