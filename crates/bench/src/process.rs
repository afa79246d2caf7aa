//! Servers under test as separate processes pinned to chosen cores with `taskset`: the release
//! `gatehouse serve` on its own data directory, or a peer's start script. Both print a
//! `Listening on: https://ADDR` line; the process is killed when dropped.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

/// How long a server may take to start on a busy machine (a peer's `npm install` included).
const START_TIMEOUT: Duration = Duration::from_secs(300);

/// A running server process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// `taskset -c CORES PROGRAM ARGS...`, waiting for its `Listening on:` line.
    pub fn start(cores: &str, mut cmd: Command, what: &str) -> Result<Self> {
        let mut pinned = Command::new("taskset");
        pinned.arg("-c").arg(cores).arg(cmd.get_program());
        pinned.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => pinned.env(k, v),
                None => pinned.env_remove(k),
            };
        }
        if let Some(dir) = cmd.get_current_dir() {
            pinned.current_dir(dir);
        }
        cmd = pinned;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("start {what} with taskset"))?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(|l| l.ok()) {
                    sink.lock().expect("lines").push(line);
                }
            });
        }
        let mut process = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let found = process.lines.lock().expect("lines").iter().find_map(|l| {
                l.split_once("Listening on:")
                    .map(|(_, a)| a.trim().to_owned())
            });
            if let Some(addr) = found {
                let addr = addr.rsplit("https://").next().unwrap_or_default();
                process.addr = addr
                    .parse()
                    .with_context(|| format!("{what}: bad address {addr:?}"))?;
                return Ok(process);
            }
            if let Some(status) = process.child.try_wait()? {
                bail!("{what} exited ({status}):\n{}", process.output());
            }
            if Instant::now() > deadline {
                bail!(
                    "{what} did not start within {START_TIMEOUT:?}:\n{}",
                    process.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// CPU time (user + system) the process and its threads have used, from `/proc`.
    /// The `taskset` wrapper `exec`s the program, so this is the server itself.
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time(self.pid())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// utime + stime of `/proc/PID/stat` (fields 14 and 15, in clock ticks of 1/100 s).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    parse_cpu_time(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// utime + stime of a `/proc/.../stat` line.
pub fn parse_cpu_time(stat: &str) -> Option<Duration> {
    parse_cpu_ticks(stat).map(|ticks| Duration::from_millis(ticks * 10))
}

fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // `rest` starts at field 3.
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

/// `gatehouse serve` from `binary` on a fresh data directory under `data_dir`, listening on a free
/// local port, with the bootstrap tenant's security defaults off (the benchmark signs in without
/// MFA) and quiet logs.
pub fn gatehouse_command(
    binary: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<Command> {
    if !binary.exists() {
        bail!(
            "{} does not exist: build it first with `cargo build --release -p gatehouse-cli`",
            binary.display()
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut cmd = Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GATEHOUSE_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("GATEHOUSE_LOG", "warn")
        .env("GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS", "off")
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--public-url")
        .arg(format!("https://localhost:{port}"))
        .arg("--data-dir")
        .arg(data_dir);
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    Ok(cmd)
}

/// The default release binary: `$CARGO_TARGET_DIR/release/gatehouse` or `target/release/gatehouse`
/// in the workspace.
pub fn default_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("release").join("gatehouse")
}

/// The workspace this crate was built in.
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_past_a_command_name_with_spaces() {
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 2091 0 0 0 150 27 0 0 20 0 9 0";
        assert_eq!(parse_cpu_ticks(stat), Some(177));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn this_process_has_a_cpu_time() {
        assert!(cpu_time(std::process::id()).is_some());
    }
}
