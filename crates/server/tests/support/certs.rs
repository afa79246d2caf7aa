//! Client certificates for tests: RSA-2048 keys (cached per seed, since generating them is slow),
//! self-signed certificates with chosen validity, and JWTs signed with them (client assertions,
//! `addKey` proofs).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng as _;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair};
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

/// A certificate (DER) and its private key.
#[derive(Clone)]
pub struct TestCert {
    pub der: Vec<u8>,
    pkcs8: Vec<u8>,
}

fn pkcs8(seed: u8) -> Vec<u8> {
    static KEYS: OnceLock<Mutex<HashMap<u8, Vec<u8>>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    if let Some(k) = keys.lock().unwrap().get(&seed) {
        return k.clone();
    }
    use rsa::pkcs8::EncodePrivateKey as _;
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let der = key.to_pkcs8_der().unwrap().as_bytes().to_vec();
    keys.lock().unwrap().insert(seed, der.clone());
    der
}

/// A self-signed certificate `CN={cn}` for the key `seed`, valid from `not_before` to `not_after`.
pub fn cert(seed: u8, cn: &str, not_before: OffsetDateTime, not_after: OffsetDateTime) -> TestCert {
    let pkcs8 = pkcs8(seed);
    let key_pair = rcgen::KeyPair::try_from(pkcs8.as_slice()).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    params.not_before = not_before;
    params.not_after = not_after;
    let der = params.self_signed(&key_pair).unwrap().der().to_vec();
    TestCert { der, pkcs8 }
}

impl TestCert {
    /// The certificate as Graph takes it (`key`): base64 DER.
    pub fn base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    /// `x5t`: base64url(SHA-1).
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha1::digest(&self.der))
    }

    /// Graph's `customKeyIdentifier`: base64(SHA-1).
    pub fn thumbprint_base64(&self) -> String {
        STANDARD.encode(Sha1::digest(&self.der))
    }

    /// `x5t#S256`: base64url(SHA-256).
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(&self.der))
    }

    /// A compact JWS of `claims` with `header` (whose `alg` says RS256 or PS256).
    pub fn sign(&self, header: Value, claims: Value) -> String {
        let key = RsaKeyPair::from_pkcs8(&self.pkcs8).unwrap();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let padding: &dyn ring::signature::RsaEncoding = match header["alg"].as_str() {
            Some("PS256") => &RSA_PSS_SHA256,
            _ => &RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(padding, &SystemRandom::new(), input.as_bytes(), &mut sig)
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// A client assertion as MSAL makes it: `x5t` header, RS256, `iss` = `sub` = client, `aud`,
    /// five minutes of validity from `now`, and `jti`.
    pub fn assertion(&self, client: &str, aud: &str, now: OffsetDateTime, jti: &str) -> String {
        let t = now.unix_timestamp();
        self.sign(
            json!({"alg": "RS256", "typ": "JWT", "x5t": self.x5t()}),
            json!({"iss": client, "sub": client, "aud": aud, "iat": t, "nbf": t, "exp": t + 300, "jti": jti}),
        )
    }
}
