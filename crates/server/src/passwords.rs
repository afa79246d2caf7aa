//! Password hashing and checking as a bounded service: Argon2id costs 64 MiB and tens of
//! milliseconds per call, so at most one computation per CPU runs at a time (the rest wait their
//! turn), keeping memory bounded and the async runtime free.

use std::sync::Arc;

use gatehouse_domain::password::{PasswordHash, PasswordHasher};
use gatehouse_domain::random::Random;
use gatehouse_domain::{Error, Result};
use tokio::sync::Semaphore;

#[derive(Debug)]
pub struct Passwords {
    hasher: Arc<PasswordHasher>,
    slots: Semaphore,
}

impl Passwords {
    /// At most `concurrency` hash computations at once (at least one).
    pub fn new(hasher: PasswordHasher, concurrency: usize) -> Self {
        Self {
            hasher: Arc::new(hasher),
            slots: Semaphore::new(concurrency.max(1)),
        }
    }

    /// One computation per available CPU.
    pub fn per_cpu(hasher: PasswordHasher) -> Self {
        Self::new(
            hasher,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )
    }

    /// The underlying hasher, for synchronous use outside request handling (tests, tools).
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    pub async fn hash(&self, clear: String, random: Arc<dyn Random>) -> Result<PasswordHash> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let hasher = self.hasher.clone();
        tokio::task::spawn_blocking(move || hasher.hash(&clear, random.as_ref()))
            .await
            .map_err(|e| Error::internal(e.to_string()))?
    }

    /// Constant-time check of `clear` against `hash`.
    pub async fn verify(&self, clear: String, hash: PasswordHash) -> Result<bool> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| Error::internal(e.to_string()))?;
        let hasher = self.hasher.clone();
        tokio::task::spawn_blocking(move || hasher.verify(&clear, &hash))
            .await
            .map_err(|e| Error::internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_domain::random::SeededRandom;

    #[tokio::test]
    async fn hashes_and_verifies_through_the_slots() {
        let passwords = Passwords::new(PasswordHasher::new(1024, 1, 1).unwrap(), 1);
        let hash = passwords
            .hash("Correct-Horse-7".into(), Arc::new(SeededRandom::new(1)))
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            passwords.verify("Correct-Horse-7".into(), hash.clone()),
            passwords.verify("wrong".into(), hash.clone())
        );
        assert!(a.unwrap());
        assert!(!b.unwrap());
        assert!(passwords.hasher().verify("Correct-Horse-7", &hash));
    }
}
