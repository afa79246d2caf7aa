//! A run's report: figures with their ratios to the ceilings, the targets the issues name
//! (PASS/FAIL), regressions against the previous recorded run on the same machine, and the JSON
//! and Markdown forms.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::ceilings::CryptoCeilings;
use crate::http::Protocol;
use crate::stats::Measurement;
use crate::targets::{MEMORY_TARGET_MB, MEMORY_TARGET_USERS, at_least, at_most, directory_targets};

/// A throughput that falls by more than this fraction against the previous run is reported.
pub const REGRESSION_THRESHOLD: f64 = 0.10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub cpus: u32,
}

impl Machine {
    /// From `lscpu`'s "Model name:" and "CPU(s):" lines.
    pub fn from_lscpu(text: &str) -> Self {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                .unwrap_or_default()
        };
        Self {
            cpu_model: field("Model name:"),
            cpus: field("CPU(s):").parse().unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    pub protocol: Protocol,
    pub new_connections: bool,
    pub concurrency: usize,
    /// Clients of `signin-password`.
    #[serde(default)]
    pub signin_concurrency: usize,
    /// Fixed arrival rate (iterations/s), or `None` for a closed loop.
    pub rate: Option<f64>,
    pub warmup_s: f64,
    pub measure_s: f64,
    pub server_cores: String,
    pub client_cores: String,
    /// Clients of the scenarios whose targets are latencies (`graph-list-users` ...).
    #[serde(default)]
    pub latency_concurrency: usize,
}

impl Parameters {
    /// The number of cores the server may use (`1`, `0-1`, `1,3` ...).
    pub fn server_core_count(&self) -> usize {
        core_count(&self.server_cores)
    }

    /// Whether two runs applied the same load (so their figures compare).
    fn same_load(&self, other: &Parameters) -> bool {
        self.protocol == other.protocol
            && self.new_connections == other.new_connections
            && self.concurrency == other.concurrency
            && self.signin_concurrency == other.signin_concurrency
            && self.rate == other.rate
            && self.server_core_count() == other.server_core_count()
    }
}

/// The number of CPUs in a `taskset -c` list.
pub fn core_count(list: &str) -> usize {
    list.split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.trim().parse::<usize>(), b.trim().parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 0,
            },
            None => usize::from(!part.trim().is_empty()),
        })
        .sum::<usize>()
        .max(1)
}

/// A figure's ratio to a ceiling (both per core).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    pub ceiling: String,
    pub ratio: f64,
}

/// A target from an issue, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetCheck {
    pub target: String,
    pub required: f64,
    pub actual: f64,
    pub pass: bool,
    /// The unit of `actual` ("/s", "ms", "MB"); none for a ratio.
    #[serde(default)]
    pub unit: String,
}

/// The server process's memory (`/proc/PID/status`), in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the most it has been resident since it started.
    pub peak_kib: u64,
}

impl Memory {
    /// From the text of `/proc/PID/status`.
    pub fn parse(status: &str) -> Option<Self> {
        let field = |name: &str| {
            status.lines().find_map(|l| {
                l.strip_prefix(name)?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            })
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            peak_kib: field("VmHWM:")?,
        })
    }
}

/// Megabytes (10^6 bytes) of `kib` KiB.
pub fn megabytes(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// The generated directory a run measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryInfo {
    pub seed: u64,
    pub users: usize,
    /// How long writing it took (none when it was already there).
    pub seeding: Option<crate::seed::SeedStats>,
}

/// The change against the previous recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The previous run's figure per server CPU-second (per core when that is unknown).
    #[serde(alias = "previous_per_core")]
    pub previous_capacity: f64,
    pub previous_run: String,
    /// (now - before) / before.
    pub change: f64,
    pub regression: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub measurement: Measurement,
    /// Throughput divided by the server's cores.
    pub per_core: f64,
    /// Throughput per CPU-second the server used (its capacity per core when it alone had the
    /// core; the same as `per_core` when the server's cores were fully busy with nothing else).
    #[serde(default)]
    pub per_cpu_second: Option<f64>,
    pub ratios: Vec<Ratio>,
    pub targets: Vec<TargetCheck>,
    pub previous: Option<Change>,
    /// The server's memory at the end of the measured window.
    #[serde(default)]
    pub server_memory: Option<Memory>,
}

impl ScenarioResult {
    /// What the ratios compare: per server CPU-second when known, else per core.
    pub fn capacity(&self) -> f64 {
        self.per_cpu_second.unwrap_or(self.per_core)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerResult {
    pub peer: String,
    pub version: String,
    pub scenario: String,
    pub measurement: Measurement,
    pub per_core: f64,
    #[serde(default)]
    pub per_cpu_second: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// RFC 3339, UTC.
    pub started: String,
    pub commit: String,
    pub machine: Machine,
    /// The machine's 1-minute load average when the run started (other work on a shared machine
    /// skews the figures).
    #[serde(default)]
    pub load_average: Option<f64>,
    /// `sqlite` or `postgresql`.
    pub database: String,
    pub parameters: Parameters,
    pub crypto: CryptoCeilings,
    /// The empty HTTPS endpoint (`GET /healthz`) through the same stack and load.
    pub healthz: Option<ScenarioResult>,
    pub scenarios: Vec<ScenarioResult>,
    pub peers: Vec<PeerResult>,
    /// The generated directory the directory scenarios ran on.
    #[serde(default)]
    pub directory: Option<DirectoryInfo>,
    /// The server's peak resident memory over the run (`VmHWM`), in KiB.
    #[serde(default)]
    pub server_peak_rss_kib: Option<u64>,
    /// Targets of the whole run (the server's memory).
    #[serde(default)]
    pub targets: Vec<TargetCheck>,
}

impl Report {
    pub fn result(&self, name: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Fills in ratios and targets; call after all measurements are in.
    pub fn evaluate(&mut self) {
        let c = self.crypto.clone();
        let healthz = self.healthz.as_ref().map(ScenarioResult::capacity);
        let peer = self
            .peers
            .iter()
            .find(|p| p.scenario == "token-client-credentials")
            .map(|p| (p.peer.clone(), p.per_cpu_second.unwrap_or(p.per_core)));
        for s in &mut self.scenarios {
            s.ratios.clear();
            s.targets.clear();
            let capacity = s.capacity();
            let mut ratio = |ceiling: &str, value: f64| {
                if value > 0.0 {
                    s.ratios.push(Ratio {
                        ceiling: ceiling.to_owned(),
                        ratio: capacity / value,
                    });
                }
            };
            match s.name.as_str() {
                "token-client-credentials" | "token-refresh" => {
                    ratio("RS256 signatures/s", c.rs256_sign_per_s);
                }
                ES256_SCENARIO => ratio("ES256 signatures/s", c.es256_sign_per_s),
                "signin-password" => ratio("Argon2id hashes/s", c.argon2id_per_s),
                "graph-me" | "graph-get-user" | "graph-list-users" | "graph-list-filter"
                | "graph-count" => {
                    ratio("RS256 verifications/s", c.rs256_verify_per_s);
                    if let Some(h) = healthz {
                        ratio("empty HTTPS endpoint", h);
                    }
                }
                "graph-create-user" => ratio("Argon2id hashes/s", c.argon2id_per_s),
                _ => {}
            }
            s.targets.extend(directory_targets(s));
            if s.name == ES256_SCENARIO {
                s.targets.push(check(
                    "≥ 5,000 grants/s per core (issue 3)",
                    ES256_GRANTS_PER_CORE,
                    capacity,
                ));
            }
            if s.name == "token-client-credentials" {
                let actual = s.ratios.first().map_or(0.0, |r| r.ratio);
                s.targets.push(check(
                    "≥ 80% of the RS256 signing ceiling per core (issue 3)",
                    0.8,
                    actual,
                ));
                if let Some((peer, per_core)) = &peer
                    && *per_core > 0.0
                {
                    s.targets.push(check(
                        &format!("≥ 1.5× {peer} on the same core (issue 3)"),
                        1.5,
                        capacity / per_core,
                    ));
                }
            }
        }
        self.evaluate_run();
    }

    /// Checks the run's own targets; part of [`Report::evaluate`].
    fn evaluate_run(&mut self) {
        self.targets.clear();
        let users = self.directory.as_ref().map_or(0, |d| d.users);
        if let Some(peak) = self.server_peak_rss_kib
            && users >= MEMORY_TARGET_USERS
        {
            self.targets.push(at_most(
                "server memory < 500 MB with 1,000,000 users (issue 4)",
                MEMORY_TARGET_MB,
                megabytes(peak),
                "MB",
            ));
        }
    }

    /// Compares with `previous` runs: the latest one on the same machine, database and load.
    pub fn compare(&mut self, previous: &[Report]) {
        let Some(before) = previous
            .iter()
            .filter(|p| {
                p.started < self.started
                    && p.machine == self.machine
                    && p.database == self.database
                    && p.parameters.same_load(&self.parameters)
                    && p.directory.as_ref().map(|d| d.users)
                        == self.directory.as_ref().map(|d| d.users)
            })
            .max_by(|a, b| a.started.cmp(&b.started))
        else {
            return;
        };
        let mut all: Vec<&mut ScenarioResult> = self.scenarios.iter_mut().collect();
        all.extend(self.healthz.as_mut());
        for s in all {
            let old = before
                .result(&s.name)
                .or(before.healthz.as_ref().filter(|h| h.name == s.name));
            // Per server CPU-second: what the load generator or other work on the machine
            // limited in one run does not count as the server's regression.
            if let Some(old) = old.filter(|o| o.capacity() > 0.0) {
                let change = (s.capacity() - old.capacity()) / old.capacity();
                s.previous = Some(Change {
                    previous_capacity: old.capacity(),
                    previous_run: format!("{} ({})", before.started, before.commit),
                    change,
                    regression: change < -REGRESSION_THRESHOLD,
                });
            }
        }
    }

    pub fn failed_targets(&self) -> Vec<String> {
        self.scenarios
            .iter()
            .flat_map(|s| s.targets.iter().map(move |t| (s.name.as_str(), t)))
            .chain(self.targets.iter().map(|t| ("run", t)))
            .filter(|(_, t)| !t.pass)
            .map(|(name, t)| format!("{name}: {} (got {:.2})", t.target, t.actual))
            .collect()
    }

    pub fn regressions(&self) -> Vec<String> {
        self.scenarios
            .iter()
            .chain(self.healthz.iter())
            .filter_map(|s| Some((s, s.previous.as_ref()?)))
            .filter(|(_, c)| c.regression)
            .map(|(s, c)| {
                format!(
                    "{}: {:.0} per server CPU-second, {:+.1}% against {:.0} in {}",
                    s.name,
                    s.capacity(),
                    c.change * 100.0,
                    c.previous_capacity,
                    c.previous_run
                )
            })
            .collect()
    }

    /// The Markdown section appended to `docs/benchmarks.md`.
    pub fn markdown(&self) -> String {
        let p = &self.parameters;
        let mut md = String::new();
        let _ = writeln!(
            md,
            "### {} · commit `{}` · {}\n",
            self.started, self.commit, self.database
        );
        let load = match p.rate {
            Some(r) => format!("fixed arrival rate {r}/s over {} clients", p.concurrency),
            None if self.directory.is_some() => format!(
                "{} clients ({} for the latency targets' scenarios) in a closed loop",
                p.concurrency, p.latency_concurrency
            ),
            None => format!(
                "{} clients ({} for signin-password) in a closed loop",
                p.concurrency, p.signin_concurrency
            ),
        };
        let _ = writeln!(
            md,
            "Machine: {} ({} CPUs{}). Server pinned to core(s) {}, load generator to {}. {} over TLS, \
             {}, {load}; warm-up {} s, measured {} s. Argon2id {}.\n",
            self.machine.cpu_model,
            self.machine.cpus,
            self.load_average
                .map(|l| format!(", load average {l:.2} at the start"))
                .unwrap_or_default(),
            p.server_cores,
            p.client_cores,
            serde_json::to_value(p.protocol)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            if p.new_connections {
                "a new connection per iteration"
            } else {
                "keep-alive"
            },
            p.warmup_s,
            p.measure_s,
            self.crypto.argon2id_params,
        );
        if let Some(d) = &self.directory {
            let _ = writeln!(
                md,
                "Directory: {} generated users (seed {}){}. Server peak resident memory (VmHWM): {}.\n",
                thousands(d.users as f64),
                d.seed,
                d.seeding
                    .as_ref()
                    .map(|s| format!(
                        ", written through the store in {:.0} s ({} users/s, one Argon2id hash \
                         shared by all)",
                        s.seconds,
                        thousands(s.users_per_s)
                    ))
                    .unwrap_or_default(),
                self.server_peak_rss_kib
                    .map_or("–".to_owned(), |k| format!("{:.0} MB", megabytes(k))),
            );
        }
        let _ = writeln!(md, "| Ceiling (one core) | per second |\n|---|---:|");
        let _ = writeln!(
            md,
            "| RS256 signatures (server's signing code, ring) | {} |",
            thousands(self.crypto.rs256_sign_per_s)
        );
        let _ = writeln!(
            md,
            "| RS256 verifications (server's JWT check) | {} |",
            thousands(self.crypto.rs256_verify_per_s)
        );
        let _ = writeln!(
            md,
            "| ES256 signatures (server's signing code, ring) | {} |",
            thousands(self.crypto.es256_sign_per_s)
        );
        let _ = writeln!(
            md,
            "| ES256 verifications (server's JWT check) | {} |",
            thousands(self.crypto.es256_verify_per_s)
        );
        let _ = writeln!(
            md,
            "| Argon2id hashes | {} |",
            format_args!("{:.1}", self.crypto.argon2id_per_s)
        );
        if let Some(h) = &self.healthz {
            let _ = writeln!(
                md,
                "| Empty HTTPS endpoint (`GET /healthz`), per server CPU-second | {} |",
                thousands(h.capacity())
            );
        }
        let _ = writeln!(
            md,
            "\n| Scenario | per core /s | per server CPU-second | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU | server RSS | vs ceiling | target | vs previous |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"
        );
        for s in self.healthz.iter().chain(&self.scenarios) {
            let m = &s.measurement;
            let ratios = s
                .ratios
                .iter()
                .map(|r| format!("{:.0}% of {}", r.ratio * 100.0, r.ceiling))
                .collect::<Vec<_>>()
                .join("; ");
            let targets = s
                .targets
                .iter()
                .map(target_text)
                .collect::<Vec<_>>()
                .join("; ");
            let previous = s.previous.as_ref().map_or("–".to_owned(), |c| {
                format!(
                    "{:+.1}%{}",
                    c.change * 100.0,
                    if c.regression { " REGRESSION" } else { "" }
                )
            });
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} | {} | {} |",
                s.name,
                thousands(s.per_core),
                s.per_cpu_second.map_or("–".to_owned(), thousands),
                m.latency.p50_ms,
                m.latency.p90_ms,
                m.latency.p99_ms,
                m.latency.max_ms,
                m.errors,
                m.server_cpu_cores
                    .map_or("–".to_owned(), |c| format!("{:.0}%", c * 100.0)),
                s.server_memory.map_or("–".to_owned(), |m| format!(
                    "{:.0} MB",
                    megabytes(m.rss_kib)
                )),
                or_dash(ratios),
                or_dash(targets),
                previous,
            );
        }
        for peer in &self.peers {
            let m = &peer.measurement;
            let ours = self.result(&peer.scenario).map(ScenarioResult::capacity);
            let peer_capacity = peer.per_cpu_second.unwrap_or(peer.per_core);
            let _ = writeln!(
                md,
                "| {} — {} {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} | – | {} | – | – |",
                peer.scenario,
                peer.peer,
                peer.version,
                thousands(peer.per_core),
                peer.per_cpu_second.map_or("–".to_owned(), thousands),
                m.latency.p50_ms,
                m.latency.p90_ms,
                m.latency.p99_ms,
                m.latency.max_ms,
                m.errors,
                m.server_cpu_cores
                    .map_or("–".to_owned(), |c| format!("{:.0}%", c * 100.0)),
                ours.filter(|_| peer_capacity > 0.0)
                    .map_or("–".to_owned(), |o| {
                        format!("Gatehouse = {:.2}× {}", o / peer_capacity, peer.peer)
                    }),
            );
        }
        for t in &self.targets {
            let _ = writeln!(md, "\n{}", target_text(t));
        }
        md
    }

    /// Writes the JSON to `dir/STARTED-COMMIT.json`; returns the path.
    pub fn save(&self, dir: &Path) -> Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        let name = format!(
            "{}-{}.json",
            self.started.replace([':', '-'], ""),
            self.commit
        );
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(self)? + "\n")?;
        Ok(path)
    }

    /// Every report in `dir` (unreadable files are skipped with a warning on stderr).
    pub fn load_all(dir: &Path) -> Result<Vec<Report>> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(out);
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("read {}", path.display()))?;
                match serde_json::from_str(&text) {
                    Ok(report) => out.push(report),
                    Err(e) => {
                        #[allow(clippy::print_stderr)]
                        {
                            eprintln!("skipping {}: {e}", path.display());
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The client-credentials scenario of a tenant whose Graph tokens are ES256.
const ES256_SCENARIO: &str = "token-client-credentials-es256";
/// Issue 3's target for it, per core (server CPU-second).
const ES256_GRANTS_PER_CORE: f64 = 5000.0;

fn check(target: &str, required: f64, actual: f64) -> TargetCheck {
    at_least(target, required, actual, "")
}

/// `PASS target (got 12,345/s)`, `FAIL target (×0.73)`.
fn target_text(t: &TargetCheck) -> String {
    let got = match t.unit.as_str() {
        "" => format!("×{:.2}", t.actual),
        "/s" => format!("got {}/s", thousands(t.actual)),
        unit => format!("got {:.1} {unit}", t.actual),
    };
    format!(
        "{} {} ({got})",
        if t.pass { "PASS" } else { "FAIL" },
        t.target
    )
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "–".to_owned() } else { s }
}

/// `12345.6` → `12,346`.
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
