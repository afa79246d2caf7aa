//! Secrets at rest. An instance key (KEK) from `GATEHOUSE_MASTER_KEY` or `DATA_DIR/master.key`
//! wraps one random data key per tenant; tenant secrets (signing keys, ...) are sealed with
//! AES-256-GCM under that data key, bound to the tenant and purpose as associated data. Keyed hashes
//! (HMAC-SHA256 under a key derived from the KEK) store high-entropy secrets that only need checking.

use std::fmt;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gatehouse_domain::random::Random;
use gatehouse_domain::{Error, Result};
use gatehouse_store::{TenantTx, Write};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;
use zeroize::Zeroizing;

const DATA_KEY_ID: &str = "dek-1";
const SEALED_VERSION: u8 = 1;

/// The instance key and what is derived from it. Never printed.
pub struct Secrets {
    kek: Zeroizing<[u8; 32]>,
    hash_key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

/// Where the instance key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    Environment,
    File(PathBuf),
}

impl Secrets {
    pub fn from_key(key: [u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"gatehouse"), &key);
        let mut hash_key = Zeroizing::new([0u8; 32]);
        hk.expand(b"keyed-hash v1", hash_key.as_mut())
            .expect("32 bytes is a valid HKDF length");
        Self {
            kek: Zeroizing::new(key),
            hash_key,
        }
    }

    /// Uses the configured key (base64 of 32 bytes), or reads `DATA_DIR/master.key`, creating it
    /// with mode 0600 on first start.
    pub fn load_or_create(
        configured: Option<&str>,
        data_dir: &Path,
        random: &dyn Random,
    ) -> std::result::Result<(Self, MasterKeySource), String> {
        if let Some(b64) = configured {
            return Ok((
                Self::from_key(decode_key(b64).map_err(|e| format!("GATEHOUSE_MASTER_KEY: {e}"))?),
                MasterKeySource::Environment,
            ));
        }
        let path = data_dir.join("master.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key =
                    decode_key(text.trim()).map_err(|e| format!("{}: {e}", path.display()))?;
                Ok((Self::from_key(key), MasterKeySource::File(path)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                random.fill(&mut key);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| {
                        format!("{}: cannot create the master key file: {e}", path.display())
                    })?;
                writeln!(file, "{}", STANDARD.encode(key))
                    .and_then(|()| file.sync_all())
                    .map_err(|e| {
                        format!("{}: cannot write the master key file: {e}", path.display())
                    })?;
                Ok((Self::from_key(key), MasterKeySource::File(path)))
            }
            Err(e) => Err(format!(
                "{}: cannot read the master key file: {e}",
                path.display()
            )),
        }
    }

    /// A keyed hash of a high-entropy secret, for storage (client secrets, operator keys).
    pub fn keyed_hash(&self, secret: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(self.hash_key.as_ref()).expect("any key length");
        mac.update(secret.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a presented secret against a stored keyed hash in constant time.
    pub fn verify_keyed_hash(&self, secret: &str, stored: &str) -> bool {
        self.keyed_hash(secret)
            .as_bytes()
            .ct_eq(stored.as_bytes())
            .into()
    }

    /// Seals `plaintext` for `purpose` in the transaction's tenant, creating the tenant's data key on
    /// first use.
    pub async fn seal(
        &self,
        tx: &mut TenantTx<Write>,
        purpose: &str,
        plaintext: &[u8],
        random: &dyn Random,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let data_key = match tx.data_key(DATA_KEY_ID).await? {
            Some(wrapped) => {
                self.unwrap_data_key(tx.tenant_id().to_string().as_bytes(), &wrapped)?
            }
            None => {
                let mut key = Zeroizing::new([0u8; 32]);
                random.fill(key.as_mut());
                let wrapped = encrypt(
                    &self.kek,
                    tx.tenant_id().to_string().as_bytes(),
                    key.as_ref(),
                    random,
                )?;
                tx.insert_data_key(DATA_KEY_ID, &wrapped, now).await?;
                key
            }
        };
        encrypt(
            &data_key,
            &aad(tx.tenant_id().to_string(), purpose),
            plaintext,
            random,
        )
    }

    /// Opens what `seal` produced for the same tenant and purpose.
    pub async fn open<M>(
        &self,
        tx: &mut TenantTx<M>,
        purpose: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let wrapped = tx
            .data_key(DATA_KEY_ID)
            .await?
            .ok_or_else(|| Error::internal("tenant data key missing"))?;
        let data_key = self.unwrap_data_key(tx.tenant_id().to_string().as_bytes(), &wrapped)?;
        decrypt(&data_key, &aad(tx.tenant_id().to_string(), purpose), sealed).map(Zeroizing::new)
    }

    fn unwrap_data_key(&self, tenant: &[u8], wrapped: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let bytes = decrypt(&self.kek, tenant, wrapped)?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| Error::internal("data key has the wrong length"))?;
        Ok(Zeroizing::new(key))
    }
}

fn decode_key(b64: &str) -> std::result::Result<[u8; 32], String> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|_| "not valid base64".to_owned())?;
    bytes.try_into().map_err(|_| {
        "must be 32 bytes (44 base64 characters); create one with `openssl rand -base64 32`"
            .to_owned()
    })
}

fn aad(tenant: String, purpose: &str) -> Vec<u8> {
    format!("{tenant}/{purpose}").into_bytes()
}

/// `version || nonce(12) || ciphertext+tag`.
fn encrypt(key: &[u8; 32], aad: &[u8], plaintext: &[u8], random: &dyn Random) -> Result<Vec<u8>> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    random.fill(&mut nonce);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::internal("encryption failed"))?;
    let mut out = Vec::with_capacity(1 + 12 + ct.len());
    out.push(SEALED_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn decrypt(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < 1 + 12 + 16 || sealed[0] != SEALED_VERSION {
        return Err(Error::internal("sealed secret has an unknown format"));
    }
    Aes256Gcm::new(key.into())
        .decrypt(
            Nonce::from_slice(&sealed[1..13]),
            Payload {
                msg: &sealed[13..],
                aad,
            },
        )
        .map_err(|_| {
            Error::internal("sealed secret failed authentication (wrong key or tampered data)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_domain::random::SeededRandom;

    #[test]
    fn master_key_file_is_created_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let random = SeededRandom::new(1);
        let (a, source) = Secrets::load_or_create(None, dir.path(), &random).unwrap();
        let path = dir.path().join("master.key");
        assert_eq!(source, MasterKeySource::File(path.clone()));
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let (b, _) = Secrets::load_or_create(None, dir.path(), &random).unwrap();
        assert_eq!(
            a.keyed_hash("x"),
            b.keyed_hash("x"),
            "the same key is reused"
        );
        assert_eq!(format!("{a:?}"), "Secrets(<redacted>)");
    }

    #[test]
    fn configured_key_wins_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let key = STANDARD.encode([7u8; 32]);
        let (_, source) =
            Secrets::load_or_create(Some(&key), dir.path(), &SeededRandom::new(1)).unwrap();
        assert_eq!(source, MasterKeySource::Environment);
        assert!(!dir.path().join("master.key").exists(), "nothing written");
        let err = Secrets::load_or_create(Some("c2hvcnQ="), dir.path(), &SeededRandom::new(1))
            .unwrap_err();
        assert!(
            err.starts_with("GATEHOUSE_MASTER_KEY: must be 32 bytes"),
            "{err}"
        );
    }

    #[test]
    fn keyed_hashes_verify_only_the_right_secret_and_depend_on_the_key() {
        let s = Secrets::from_key([1u8; 32]);
        let stored = s.keyed_hash("correct horse");
        assert!(s.verify_keyed_hash("correct horse", &stored));
        assert!(!s.verify_keyed_hash("correct horsf", &stored));
        assert_ne!(
            Secrets::from_key([2u8; 32]).keyed_hash("correct horse"),
            stored
        );
    }

    #[test]
    fn sealing_is_authenticated_and_bound_to_its_context() {
        let random = SeededRandom::new(3);
        let key = [9u8; 32];
        let sealed = encrypt(&key, b"t1/signing-key", b"secret", &random).unwrap();
        assert_eq!(
            decrypt(&key, b"t1/signing-key", &sealed).unwrap(),
            b"secret"
        );
        assert!(
            decrypt(&key, b"t2/signing-key", &sealed).is_err(),
            "another tenant cannot open it"
        );
        assert!(
            decrypt(&[8u8; 32], b"t1/signing-key", &sealed).is_err(),
            "another key cannot open it"
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(decrypt(&key, b"t1/signing-key", &tampered).is_err());
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
    }
}
