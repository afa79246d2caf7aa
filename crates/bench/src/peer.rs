//! The side-by-side peer: `bench/peers/oidc-provider/run.sh` installs oidc-provider from npm at
//! run time and serves it, pinned to the server's cores, with a client-credentials configuration
//! equivalent to Gatehouse's (client secret in the body, RS256 JWT access tokens, HTTPS).

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::process::{ServerProcess, workspace_root};
use crate::scenarios::Scenario;

pub const NAME: &str = "oidc-provider";
const CLIENT_ID: &str = "gatehouse-bench";

/// A running peer, its version and the scenario that asks it for client-credentials tokens.
#[derive(Debug)]
pub struct Peer {
    pub process: ServerProcess,
    pub version: String,
    pub scenario: Scenario,
}

fn script() -> std::path::PathBuf {
    workspace_root().join("bench/peers/oidc-provider/run.sh")
}

/// `run.sh install` (not pinned: npm is not measured).
pub fn install() -> Result<()> {
    let status = Command::new("bash")
        .arg(script())
        .arg("install")
        .status()
        .context("run bench/peers/oidc-provider/run.sh install (needs bash, node and npm)")?;
    if !status.success() {
        bail!("installing {NAME} failed ({status})");
    }
    Ok(())
}

/// Serves the peer on `cores` with the HTTPS certificate and key at `cert`/`key`.
pub fn start(cores: &str, cert: &Path, key: &Path) -> Result<Peer> {
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut cmd = Command::new("bash");
    cmd.arg(script())
        .arg("serve")
        .env("PEER_CERT", cert)
        .env("PEER_KEY", key)
        .env("PEER_CLIENT_ID", CLIENT_ID)
        .env("PEER_CLIENT_SECRET", &secret);
    let process = ServerProcess::start(cores, cmd, NAME)?;
    let version = process
        .output()
        .lines()
        .find_map(|l| l.strip_prefix("Peer: oidc-provider ").map(str::to_owned))
        .unwrap_or_default();
    let scenario = Scenario::TokenRequest {
        path: "/token".to_owned(),
        fields: vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), CLIENT_ID.to_owned()),
            ("client_secret".to_owned(), secret),
            ("scope".to_owned(), "api.read".to_owned()),
        ],
    };
    Ok(Peer {
        process,
        version,
        scenario,
    })
}
