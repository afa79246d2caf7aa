use super::*;
use crate::stats::{LatencySummary, Measurement};

fn measurement(throughput: f64) -> Measurement {
    Measurement {
        iterations: (throughput * 10.0) as u64,
        requests: (throughput * 10.0) as u64,
        errors: 0,
        seconds: 10.0,
        throughput,
        latency: LatencySummary {
            p50_ms: 1.0,
            p90_ms: 2.0,
            p99_ms: 3.0,
            max_ms: 4.0,
            mean_ms: 1.2,
        },
        server_cpu_cores: Some(0.99),
        error_samples: Vec::new(),
    }
}

fn result(name: &str, per_core: f64) -> ScenarioResult {
    ScenarioResult {
        name: name.to_owned(),
        measurement: measurement(per_core),
        per_core,
        per_cpu_second: None,
        ratios: Vec::new(),
        targets: Vec::new(),
        previous: None,
        server_memory: None,
    }
}

fn report(started: &str, cc: f64, peer: Option<f64>) -> Report {
    let mut r = Report {
        started: started.to_owned(),
        commit: "abc1234".to_owned(),
        machine: Machine {
            cpu_model: "AMD EPYC".to_owned(),
            cpus: 2,
        },
        load_average: Some(0.25),
        database: "sqlite".to_owned(),
        parameters: Parameters {
            protocol: Protocol::Http1,
            new_connections: false,
            concurrency: 32,
            signin_concurrency: 4,
            rate: None,
            warmup_s: 5.0,
            measure_s: 20.0,
            server_cores: "1".to_owned(),
            client_cores: "0".to_owned(),
            latency_concurrency: 1,
        },
        crypto: CryptoCeilings {
            rs256_sign_per_s: 1000.0,
            rs256_verify_per_s: 30000.0,
            es256_sign_per_s: 40000.0,
            es256_verify_per_s: 12000.0,
            argon2id_per_s: 20.0,
            argon2id_params: "m=65536,t=3,p=1".to_owned(),
        },
        healthz: Some(result("healthz", 20000.0)),
        scenarios: vec![
            result("token-client-credentials", cc),
            result("signin-password", 15.0),
            result("graph-me", 9000.0),
        ],
        peers: peer
            .into_iter()
            .map(|p| PeerResult {
                peer: "oidc-provider".to_owned(),
                version: "9.5.1".to_owned(),
                scenario: "token-client-credentials".to_owned(),
                measurement: measurement(p),
                per_core: p,
                per_cpu_second: None,
            })
            .collect(),
        directory: None,
        server_peak_rss_kib: None,
        targets: Vec::new(),
    };
    r.evaluate();
    r
}

#[test]
fn targets_pass_and_fail_against_the_ceiling_and_the_peer() {
    let r = report("2026-11-23T17:00:00Z", 850.0, Some(600.0));
    let cc = r.result("token-client-credentials").unwrap();
    assert!((cc.ratios[0].ratio - 0.85).abs() < 1e-9);
    assert_eq!(cc.targets.len(), 2);
    assert!(cc.targets[0].pass, "85% ≥ 80%");
    assert!(!cc.targets[1].pass, "850/600 = 1.42 < 1.5");
    assert!((cc.targets[1].actual - 850.0 / 600.0).abs() < 1e-9);
    assert_eq!(r.failed_targets().len(), 1);

    let r = report("2026-11-23T17:00:00Z", 700.0, None);
    let cc = r.result("token-client-credentials").unwrap();
    assert_eq!(cc.targets.len(), 1, "no peer, no peer target");
    assert!(!cc.targets[0].pass, "70% < 80%");

    let me = r.result("graph-me").unwrap();
    assert_eq!(me.ratios.len(), 2);
    assert!((me.ratios[0].ratio - 0.3).abs() < 1e-9);
    assert!((me.ratios[1].ratio - 0.45).abs() < 1e-9);
    let signin = r.result("signin-password").unwrap();
    assert!((signin.ratios[0].ratio - 0.75).abs() < 1e-9);
}

#[test]
fn a_drop_of_more_than_ten_percent_against_the_latest_comparable_run_is_a_regression() {
    let older = report("2026-11-22T10:00:00Z", 2000.0, None);
    let previous = report("2026-11-23T10:00:00Z", 1000.0, None);
    let mut other_db = report("2026-11-23T12:00:00Z", 5000.0, None);
    other_db.database = "postgresql".to_owned();
    let mut other_load = report("2026-11-23T12:30:00Z", 5000.0, None);
    other_load.parameters.concurrency = 8;
    let history = [older, previous, other_db, other_load];

    let mut now = report("2026-11-23T17:00:00Z", 880.0, None);
    now.compare(&history);
    let cc = now.result("token-client-credentials").unwrap();
    let change = cc.previous.as_ref().expect("compared with the 10:00 run");
    assert!((change.previous_capacity - 1000.0).abs() < 1e-9);
    assert!((change.change + 0.12).abs() < 1e-9);
    assert!(change.regression);
    assert_eq!(now.regressions().len(), 1);
    assert!(now.regressions()[0].starts_with("token-client-credentials"));
    assert!(
        !now.healthz
            .as_ref()
            .unwrap()
            .previous
            .as_ref()
            .unwrap()
            .regression
    );

    let mut fine = report("2026-11-23T17:00:00Z", 910.0, None);
    fine.compare(&history);
    assert!(
        fine.regressions().is_empty(),
        "-9% is within the noise allowance"
    );

    let mut other_machine = report("2026-11-23T17:00:00Z", 100.0, None);
    other_machine.machine.cpus = 4;
    other_machine.compare(&history);
    assert!(other_machine.result("graph-me").unwrap().previous.is_none());
}

#[test]
fn regressions_compare_figures_per_server_cpu_second() {
    let mut previous = report("2026-11-23T10:00:00Z", 1000.0, None);
    previous.scenarios[0].per_cpu_second = Some(1000.0);
    // Wall-clock throughput halved because the server had half its core, but per CPU-second
    // it did the same work: no regression.
    let mut now = report("2026-11-23T17:00:00Z", 500.0, None);
    now.scenarios[0].per_cpu_second = Some(990.0);
    now.compare(std::slice::from_ref(&previous));
    let change = now.scenarios[0].previous.as_ref().unwrap();
    assert!((change.change + 0.01).abs() < 1e-9);
    assert!(!change.regression);
    // And the other way round: the same wall-clock figure costing more CPU is one.
    let mut costlier = report("2026-11-23T17:00:00Z", 1000.0, None);
    costlier.scenarios[0].per_cpu_second = Some(850.0);
    costlier.compare(&[previous]);
    assert!(costlier.scenarios[0].previous.as_ref().unwrap().regression);
}

#[test]
fn the_markdown_table_carries_every_figure_and_verdict() {
    let r = report("2026-11-23T17:00:00Z", 850.0, Some(600.0));
    let md = r.markdown();
    assert!(md.contains("commit `abc1234` · sqlite"), "{md}");
    assert!(
        md.contains("AMD EPYC (2 CPUs, load average 0.25 at the start)"),
        "{md}"
    );
    assert!(md.contains("| RS256 signatures (server's signing code, ring) | 1,000 |"));
    assert!(
        md.contains("| Empty HTTPS endpoint (`GET /healthz`), per server CPU-second | 20,000 |")
    );
    assert!(
        md.contains("| token-client-credentials | 850 | – |"),
        "{md}"
    );
    assert!(md.contains("85% of RS256 signatures/s"), "{md}");
    assert!(md.contains("PASS ≥ 80%"), "{md}");
    assert!(md.contains("FAIL ≥ 1.5× oidc-provider"), "{md}");
    assert!(md.contains("Gatehouse = 1.42× oidc-provider"), "{md}");
    assert!(md.contains("| 99% |"), "server CPU: {md}");
}

#[test]
fn ratios_use_the_servers_cpu_seconds_when_known() {
    let mut r = report("2026-11-23T17:00:00Z", 850.0, Some(600.0));
    // The server had half its core (the rest went to other work): 1,700 per CPU-second.
    r.scenarios[0].per_cpu_second = Some(1700.0);
    r.peers[0].per_cpu_second = Some(1000.0);
    r.evaluate();
    let cc = r.result("token-client-credentials").unwrap();
    assert!((cc.ratios[0].ratio - 1.7).abs() < 1e-9);
    assert!((cc.targets[1].actual - 1.7).abs() < 1e-9);
    assert!(
        r.markdown()
            .contains("| token-client-credentials | 850 | 1,700 |")
    );
}

#[test]
fn reports_round_trip_through_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let r = report("2026-11-23T17:00:00Z", 850.0, Some(600.0));
    let path = r.save(dir.path()).unwrap();
    assert!(path.ends_with("20261123T170000Z-abc1234.json"), "{path:?}");
    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    let all = Report::load_all(dir.path()).unwrap();
    assert_eq!(all, vec![r]);
    assert!(
        Report::load_all(&dir.path().join("missing"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn machine_cores_and_numbers_are_read_and_written() {
    let lscpu = "Architecture: x86_64\nCPU(s):                 2\nOn-line CPU(s) list: 0,1\nModel name:    AMD EPYC\n";
    assert_eq!(
        Machine::from_lscpu(lscpu),
        Machine {
            cpu_model: "AMD EPYC".to_owned(),
            cpus: 2
        }
    );
    assert_eq!(core_count("1"), 1);
    assert_eq!(core_count("0-3"), 4);
    assert_eq!(core_count("1,3,5-6"), 4);
    assert_eq!(thousands(1234567.4), "1,234,567");
    assert_eq!(thousands(999.6), "1,000");
    assert_eq!(thousands(12.0), "12");
}

#[test]
fn the_es256_scenario_is_held_to_5000_grants_per_core() {
    for (per_core, pass) in [(6000.0, true), (4999.0, false)] {
        let mut r = report("2026-11-23T10:00:00Z", 850.0, None);
        r.scenarios
            .push(result("token-client-credentials-es256", per_core));
        r.evaluate();
        let es = r.result("token-client-credentials-es256").unwrap();
        assert_eq!(es.ratios[0].ceiling, "ES256 signatures/s");
        assert!((es.ratios[0].ratio - per_core / 40000.0).abs() < 1e-9);
        assert_eq!(es.targets.len(), 1);
        assert_eq!(es.targets[0].target, "≥ 5,000 grants/s per core (issue 3)");
        assert_eq!(es.targets[0].pass, pass, "{per_core}");
        let md = r.markdown();
        assert!(
            md.contains("| ES256 signatures (server's signing code, ring) | 40,000 |"),
            "{md}"
        );
    }
}

/// A run of the directory scenarios on `users` generated users.
fn directory_report(users: usize, peak_kib: u64) -> Report {
    let mut r = report("2026-11-24T10:00:00Z", 850.0, None);
    let mut get = result("graph-get-user", 12_000.0);
    get.per_cpu_second = Some(9_000.0);
    let mut list = result("graph-list-users", 400.0);
    list.measurement.latency.p99_ms = 7.5;
    list.server_memory = Some(Memory {
        rss_kib: 200_000,
        peak_kib,
    });
    r.scenarios = vec![get, result("graph-create-user", 15.0), list];
    r.directory = Some(DirectoryInfo {
        seed: 42,
        users,
        seeding: Some(crate::seed::SeedStats {
            users,
            seconds: 100.0,
            users_per_s: users as f64 / 100.0,
        }),
    });
    r.server_peak_rss_kib = Some(peak_kib);
    r.evaluate();
    r
}

#[test]
fn directory_scenarios_are_held_to_issue_4s_targets_and_ceilings() {
    let r = directory_report(20_000, 300_000);
    let get = r.result("graph-get-user").unwrap();
    // Per server CPU-second: 9,000 < 10,000 although 12,000 per core were seen.
    assert_eq!(get.targets.len(), 1);
    assert!(!get.targets[0].pass);
    assert_eq!(get.targets[0].actual, 9_000.0);
    assert!(
        (get.ratios[0].ratio - 0.3).abs() < 1e-9,
        "of RS256 verifications"
    );
    let create = r.result("graph-create-user").unwrap();
    assert!(!create.targets[0].pass);
    assert!((create.ratios[0].ratio - 0.75).abs() < 1e-9, "of Argon2id");
    // No target for the unfiltered list, no memory target under 1M users.
    assert!(r.result("graph-list-users").unwrap().targets.is_empty());
    assert!(r.targets.is_empty());
    assert_eq!(r.failed_targets().len(), 2);

    // A latency bound passes below its limit and fails above it.
    let mut filter = result("graph-list-filter", 100.0);
    filter.measurement.latency.p99_ms = 19.9;
    assert!(directory_targets(&filter)[0].pass);
    filter.measurement.latency.p99_ms = 20.1;
    assert!(!directory_targets(&filter)[0].pass);
}

#[test]
fn the_servers_memory_with_a_million_users_is_checked_and_reported() {
    // 600,000 KiB = 614 MB: over 500 MB.
    let r = directory_report(1_000_000, 600_000);
    assert_eq!(r.targets.len(), 1);
    assert!(!r.targets[0].pass);
    assert!(
        r.failed_targets()
            .iter()
            .any(|f| f.starts_with("run: server memory"))
    );
    let md = r.markdown();
    assert!(
        md.contains("Directory: 1,000,000 generated users (seed 42)"),
        "{md}"
    );
    assert!(
        md.contains("written through the store in 100 s (10,000 users/s"),
        "{md}"
    );
    assert!(
        md.contains("Server peak resident memory (VmHWM): 614 MB"),
        "{md}"
    );
    assert!(
        md.contains("FAIL server memory < 500 MB with 1,000,000 users (issue 4) (got 614.4 MB)"),
        "{md}"
    );
    assert!(md.contains("| 205 MB |"), "RSS column: {md}");
    assert!(
        md.contains("FAIL ≥ 10,000 reads/s per core (issue 4) (got 9,000/s)"),
        "{md}"
    );
    let r = directory_report(1_000_000, 400_000);
    assert!(r.targets[0].pass);
}

#[test]
fn memory_is_read_from_proc_status() {
    let status =
        "Name:\tgatehouse\nVmPeak:\t 900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";
    assert_eq!(
        Memory::parse(status),
        Some(Memory {
            rss_kib: 100_000,
            peak_kib: 123_456
        })
    );
    assert_eq!(Memory::parse("Name: x"), None);
    let own = std::fs::read_to_string("/proc/self/status").unwrap();
    assert!(Memory::parse(&own).unwrap().rss_kib > 0);
}

#[test]
fn runs_on_different_directory_sizes_are_not_compared() {
    let before = directory_report(20_000, 300_000);
    let mut now = directory_report(1_000_000, 300_000);
    now.started = "2026-11-24T11:00:00Z".to_owned();
    now.compare(std::slice::from_ref(&before));
    assert!(now.scenarios.iter().all(|s| s.previous.is_none()));
    let mut same = directory_report(20_000, 300_000);
    same.started = "2026-11-24T11:00:00Z".to_owned();
    same.compare(&[before]);
    assert!(same.result("graph-get-user").unwrap().previous.is_some());
}
