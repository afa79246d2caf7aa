//! Passwords: Entra's complexity rule, generation, and Argon2id hashing with the parameters stored
//! in each hash (PHC string) so they can be raised later.

use std::fmt;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::random::Random;
use crate::{Error, Result};

/// A stored password hash in PHC string format. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string read back from storage.
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Argon2id with configurable cost. The default is the spec's minimum: 64 MiB, 3 passes, 1 lane.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new(64 * 1024, 3, 1).expect("default Argon2 parameters are valid")
    }
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| Error::invalid(format!("invalid Argon2 parameters: {e}")))?;
        Ok(Self { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str, random: &dyn Random) -> Result<PasswordHash> {
        let mut salt = [0u8; 16];
        random.fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal(e.to_string()))?;
        let phc = self
            .argon2()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(PasswordHash(phc.to_string()))
    }

    /// Constant-time verification against a stored hash (whatever parameters it was made with).
    pub fn verify(&self, password: &str, hash: &PasswordHash) -> bool {
        argon2::password_hash::PasswordHash::new(&hash.0).is_ok_and(|parsed| {
            self.argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }
}

/// Entra's password rule for cloud accounts: 8 to 256 characters, at least three of upper case,
/// lower case, digits and symbols.
pub fn check_complexity(password: &str) -> Result<()> {
    let len = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if !(8..=256).contains(&len) || classes.iter().filter(|c| **c).count() < 3 {
        return Err(Error::invalid_property(
            "passwordProfile.password",
            "The specified password does not comply with password complexity requirements. \
             Please provide a different password.",
        ));
    }
    Ok(())
}

/// A random 20-character password with upper case, lower case, digits and symbols, without
/// look-alike characters.
pub fn generate(random: &dyn Random) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"!#%+-=?@^_~";
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
    let pick = |set: &[u8]| set[random.below(set.len() as u32) as usize];
    let mut chars: Vec<u8> = vec![pick(UPPER), pick(LOWER), pick(DIGIT), pick(SYMBOL)];
    while chars.len() < 20 {
        chars.push(pick(&all));
    }
    for i in (1..chars.len()).rev() {
        let j = random.below(i as u32 + 1) as usize;
        chars.swap(i, j);
    }
    String::from_utf8(chars).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;

    #[test]
    fn hash_and_verify() {
        let random = SeededRandom::new(1);
        let hasher = PasswordHasher::new(1024, 1, 1).unwrap();
        let hash = hasher.hash("Correct-Horse-7", &random).unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(hasher.verify("Correct-Horse-7", &hash));
        assert!(!hasher.verify("correct-horse-7", &hash));
        assert!(!hasher.verify("x", &PasswordHash::from_phc("garbage".into())));
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn default_cost_meets_the_spec_minimum() {
        let phc = PasswordHasher::default()
            .hash("Correct-Horse-7", &SeededRandom::new(2))
            .unwrap();
        assert!(phc.as_phc().contains("m=65536,t=3,p=1"), "{}", phc.as_phc());
    }

    #[test]
    fn complexity_rule() {
        for ok in ["Passw0rd", "pass word1", "ABCdef!!"] {
            assert!(check_complexity(ok).is_ok(), "{ok}");
        }
        for bad in [
            "Pa1!",
            "password",
            "password1",
            "PASSWORD1",
            &"aA1".repeat(90),
        ] {
            assert!(check_complexity(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generated_passwords_are_complex_and_distinct() {
        let random = SeededRandom::new(3);
        let a = generate(&random);
        let b = generate(&random);
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        check_complexity(&a).unwrap();
    }
}
