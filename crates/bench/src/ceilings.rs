//! The ceilings the scenarios are measured against, computed with the server's own code on one
//! thread (run as `gatehouse-bench ceiling`, pinned to a server core, and counted per CPU-second
//! of that process, so the figures are per core even when others share the machine): RS256 and
//! ES256 signatures/s and verifications/s (`gatehouse_server::identity::keys`, ring), and
//! Argon2id hashes/s with the server's parameters (`gatehouse_domain::password`).

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use gatehouse_domain::password::PasswordHasher;
use gatehouse_domain::random::OsRandom;
use gatehouse_domain::tenant::TokenAlgorithm;
use gatehouse_server::identity::jwt;
use gatehouse_server::identity::keys::unstored_key_pair;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The per-core ceilings of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoCeilings {
    /// RS256 (RSA-2048) signatures of a client-credentials token's claims per second.
    pub rs256_sign_per_s: f64,
    /// RS256 verifications (parse + verify, as the Graph API does) per second.
    pub rs256_verify_per_s: f64,
    /// ES256 (P-256) signatures of the same claims per second (0 in runs recorded before ES256).
    #[serde(default)]
    pub es256_sign_per_s: f64,
    /// ES256 verifications (parse + verify, as the Graph API does) per second.
    #[serde(default)]
    pub es256_verify_per_s: f64,
    /// Argon2id hashes per second with the server's parameters.
    pub argon2id_per_s: f64,
    /// Those parameters as the PHC string records them: "m=KiB,t=passes,p=lanes".
    pub argon2id_params: String,
}

impl CryptoCeilings {
    /// The higher of each figure (the machine may have been busier during one measurement).
    pub fn best_of(&self, other: &CryptoCeilings) -> CryptoCeilings {
        CryptoCeilings {
            rs256_sign_per_s: self.rs256_sign_per_s.max(other.rs256_sign_per_s),
            rs256_verify_per_s: self.rs256_verify_per_s.max(other.rs256_verify_per_s),
            es256_sign_per_s: self.es256_sign_per_s.max(other.es256_sign_per_s),
            es256_verify_per_s: self.es256_verify_per_s.max(other.es256_verify_per_s),
            argon2id_per_s: self.argon2id_per_s.max(other.argon2id_per_s),
            argon2id_params: self.argon2id_params.clone(),
        }
    }
}

/// Measures the crypto ceilings on this thread, each for about `seconds`.
pub fn measure(claims: &Value, seconds: f64) -> Result<CryptoCeilings> {
    let window = Duration::from_secs_f64(seconds);
    let (rs256_sign_per_s, rs256_verify_per_s) =
        signing_rates(TokenAlgorithm::Rs256, claims, window)?;
    let (es256_sign_per_s, es256_verify_per_s) =
        signing_rates(TokenAlgorithm::Es256, claims, window)?;
    // What `gatehouse serve` configures.
    let hasher = PasswordHasher::default();
    let sample = hasher
        .hash("Correct-Horse-Battery-7", &OsRandom)
        .map_err(|e| anyhow!("Argon2id: {e}"))?;
    let argon2id_params = phc_params(sample.as_phc())
        .ok_or_else(|| anyhow!("unexpected PHC string"))?
        .to_owned();
    let argon2id_per_s = rate(window, || {
        std::hint::black_box(
            hasher
                .hash("Correct-Horse-Battery-7", &OsRandom)
                .expect("Argon2id hashing"),
        );
    });
    Ok(CryptoCeilings {
        rs256_sign_per_s,
        rs256_verify_per_s,
        es256_sign_per_s,
        es256_verify_per_s,
        argon2id_per_s,
        argon2id_params,
    })
}

/// Signatures/s and verifications/s of `claims` with a key of `algorithm`, through the server's
/// signer and its Graph bearer-token check.
fn signing_rates(
    algorithm: TokenAlgorithm,
    claims: &Value,
    window: Duration,
) -> Result<(f64, f64)> {
    let now = time::OffsetDateTime::now_utc();
    let (signer, public) =
        unstored_key_pair(algorithm, &[7; 32], now).map_err(|e| anyhow!("signing key: {e}"))?;
    let token = signer.sign(claims);
    let sign = rate(window, || {
        std::hint::black_box(signer.sign(claims));
    });
    let verify = rate(window, || {
        let parsed =
            jwt::parse_with(&token, jwt::GRAPH_ALGORITHMS).expect("a token the signer made parses");
        parsed
            .verify_signature(&public)
            .expect("a token the signer made verifies");
    });
    Ok((sign, verify))
}

/// The CPU time (user + system) of the calling thread.
pub fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    crate::process::parse_cpu_time(&stat)
}

/// The parameter segment of a PHC string (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`).
pub fn phc_params(phc: &str) -> Option<&str> {
    phc.split('$').nth(3).filter(|p| p.starts_with("m="))
}

/// Operations per CPU-second of `op` (this thread's CPU time, so a shared machine's other work
/// does not count against it), run repeatedly for at least `window` of CPU time (and at least 3
/// times).
pub fn rate(window: Duration, mut op: impl FnMut()) -> f64 {
    op(); // warm-up: caches, lazy initialisation
    let (start, wall) = (thread_cpu_time(), Instant::now());
    let mut n = 0u64;
    loop {
        op();
        n += 1;
        let used = match (start, thread_cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed(),
        };
        if n >= 3 && used >= window {
            return n as f64 / used.as_secs_f64();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_counts_operations_per_second() {
        // Busy work of 20 to 30 ms of this thread's CPU time each (the clock ticks every 10 ms):
        // CPU time is what counts, whatever else the machine runs.
        let busy = || {
            let start = thread_cpu_time().unwrap();
            while thread_cpu_time().unwrap() - start < Duration::from_millis(20) {
                std::hint::black_box(0);
            }
        };
        let r = rate(Duration::from_millis(200), busy);
        assert!((30.0..=51.0).contains(&r), "{r}");
    }

    #[test]
    fn the_best_of_two_measurements_takes_each_maximum() {
        let a = CryptoCeilings {
            rs256_sign_per_s: 1000.0,
            rs256_verify_per_s: 20.0,
            es256_sign_per_s: 40000.0,
            es256_verify_per_s: 9000.0,
            argon2id_per_s: 15.0,
            argon2id_params: "m=65536,t=3,p=1".to_owned(),
        };
        let b = CryptoCeilings {
            rs256_sign_per_s: 900.0,
            rs256_verify_per_s: 30.0,
            es256_sign_per_s: 30000.0,
            es256_verify_per_s: 12000.0,
            argon2id_per_s: 16.0,
            ..a.clone()
        };
        let best = a.best_of(&b);
        assert_eq!(
            (
                best.rs256_sign_per_s,
                best.rs256_verify_per_s,
                best.es256_sign_per_s,
                best.es256_verify_per_s,
                best.argon2id_per_s
            ),
            (1000.0, 30.0, 40000.0, 12000.0, 16.0)
        );
    }

    #[test]
    fn the_argon2id_parameters_come_from_the_phc_string() {
        let hash = PasswordHasher::new(1024, 2, 1)
            .unwrap()
            .hash("x", &OsRandom)
            .unwrap();
        assert_eq!(phc_params(hash.as_phc()), Some("m=1024,t=2,p=1"));
        assert_eq!(phc_params("$argon2id$v=19"), None);
    }
}
