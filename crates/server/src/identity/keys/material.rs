//! Key material: RSA-2048 generation (the `rsa` crate; ring cannot generate RSA keys), the
//! self-signed certificate published as `x5c`, the parsed `ring` signer of the active key, and the
//! published public keys that verify tokens.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gatehouse_domain::random::Random;
use gatehouse_domain::{Error, Result};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
use ring::rand::SystemRandom;
use ring::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use serde_json::{Value, json};
use sha1::{Digest as _, Sha1};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::ALGORITHM;

const RSA_BITS: usize = 2048;
/// Lifetime of the self-signed certificates (Entra's signing certificates last about five years).
const CERTIFICATE_LIFETIME: Duration = Duration::days(5 * 365);
const CERTIFICATE_SUBJECT: &str = "Gatehouse token signing";

/// A freshly generated key: PKCS#8 private key, self-signed certificate, kid.
pub(crate) struct KeyMaterial {
    pub(crate) kid: String,
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
    pub(crate) certificate: Vec<u8>,
}

/// Generates a key on the blocking pool, from a seed drawn from the injected randomness.
pub(super) async fn generate(random: &dyn Random, now: OffsetDateTime) -> Result<KeyMaterial> {
    let mut seed = Zeroizing::new([0u8; 32]);
    random.fill(seed.as_mut());
    tokio::task::spawn_blocking(move || generate_blocking(&seed, now))
        .await
        .map_err(|e| Error::internal(format!("signing key generation failed: {e}")))?
}

pub(crate) fn generate_blocking(seed: &[u8; 32], now: OffsetDateTime) -> Result<KeyMaterial> {
    use rsa::pkcs8::EncodePrivateKey as _;
    let failed =
        |e: &dyn fmt::Display| Error::internal(format!("signing key generation failed: {e}"));
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let key = rsa::RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(|e| failed(&e))?;
    let pkcs8 = Zeroizing::new(
        key.to_pkcs8_der()
            .map_err(|e| failed(&e))?
            .as_bytes()
            .to_vec(),
    );
    let key_pair = rcgen::KeyPair::try_from(pkcs8.as_slice()).map_err(|e| failed(&e))?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, CERTIFICATE_SUBJECT);
    params.not_before = now - Duration::days(1);
    params.not_after = now + CERTIFICATE_LIFETIME;
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let certificate = params
        .self_signed(&key_pair)
        .map_err(|e| failed(&e))?
        .der()
        .to_vec();
    Ok(KeyMaterial {
        kid: thumbprint(&certificate),
        pkcs8,
        certificate,
    })
}

/// A key pair generated in memory from `seed` and never stored: the same generation, signer and
/// verifier as a tenant's keys, for measuring what signing and verifying cost (the ceilings of
/// `gatehouse-bench`). Slow (RSA key generation): call it once.
pub fn unstored_key_pair(seed: &[u8; 32], now: OffsetDateTime) -> Result<(Signer, PublicKey)> {
    let material = generate_blocking(seed, now)?;
    Ok((
        Signer::from_pkcs8(&material.kid, &material.pkcs8)?,
        PublicKey::from_certificate(&material.kid, &material.certificate)?,
    ))
}

/// `x5t`: base64url(SHA-1(certificate DER)).
pub fn thumbprint(certificate_der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha1::digest(certificate_der))
}

/// The active key of a tenant, parsed once, ready to sign.
pub struct Signer {
    pub kid: String,
    pub x5t: String,
    key_pair: RsaKeyPair,
    /// `base64url(header) + "."`, the same for every token.
    header_prefix: String,
    rng: SystemRandom,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for the PKCS#8 RSA key with this kid (which is also its `x5t`).
    pub(crate) fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Result<Self> {
        let key_pair = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|e| Error::internal(format!("stored signing key {kid} is invalid: {e}")))?;
        let header = json!({ "typ": "JWT", "alg": ALGORITHM, "kid": kid, "x5t": kid });
        let mut header_prefix = URL_SAFE_NO_PAD.encode(header.to_string());
        header_prefix.push('.');
        Ok(Self {
            kid: kid.to_owned(),
            x5t: kid.to_owned(),
            key_pair,
            header_prefix,
            rng: SystemRandom::new(),
        })
    }

    /// A compact JWS: header `{"typ":"JWT","alg":"RS256","kid":..,"x5t":..}`, payload = claims.
    pub fn sign(&self, claims: &Value) -> String {
        let payload = serde_json::to_vec(claims).expect("a JSON value always serialises");
        let modulus_len = self.key_pair.public().modulus_len();
        let mut token = String::with_capacity(
            self.header_prefix.len()
                + payload.len().div_ceil(3) * 4
                + 2
                + modulus_len.div_ceil(3) * 4,
        );
        token.push_str(&self.header_prefix);
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let mut signature = vec![0u8; modulus_len];
        // Fails only for a wrong buffer length or a broken system RNG (used for blinding).
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                token.as_bytes(),
                &mut signature,
            )
            .expect("RSA signing cannot fail with a correctly sized buffer");
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        token
    }
}

/// A published key: what JWKS shows and what verifies tokens.
pub struct PublicKey {
    pub kid: String,
    pub x5t: String,
    /// Modulus and exponent, big-endian without leading zeros.
    n: Vec<u8>,
    e: Vec<u8>,
    certificate: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kid", &self.kid)
            .field("x5t", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// The public key of an RSA certificate (DER).
    pub(crate) fn from_certificate(kid: &str, der: &[u8]) -> Result<Self> {
        use x509_parser::public_key::PublicKey as Spki;
        let invalid = || {
            Error::internal(format!(
                "stored certificate of signing key {kid} is invalid"
            ))
        };
        let (rest, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| invalid())?;
        let Ok(Spki::RSA(rsa)) = cert.public_key().parsed() else {
            return Err(invalid());
        };
        if !rest.is_empty() {
            return Err(invalid());
        }
        let strip = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..].to_vec();
        Ok(Self {
            kid: kid.to_owned(),
            x5t: thumbprint(der),
            n: strip(rsa.modulus),
            e: strip(rsa.exponent),
            certificate: der.to_vec(),
        })
    }

    /// The certificate (DER) published as `x5c`.
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The JWK as Entra publishes it.
    pub fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.x5t,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
            "x5c": [STANDARD.encode(&self.certificate)],
            "issuer": issuer,
        })
    }

    /// Whether `signature` is this key's RS256 signature of `signing_input`.
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signing_input, signature)
        .is_ok()
    }
}

/// Keys for unit tests, generated once per test binary (RSA generation is slow).
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::{Arc, OnceLock};

    use super::*;

    pub(crate) struct TestKey {
        pub(crate) signer: Arc<Signer>,
        pub(crate) public: Arc<PublicKey>,
        pub(crate) material: KeyMaterial,
    }

    pub(crate) const NOW: OffsetDateTime = time::macros::datetime!(2026-11-23 12:00 UTC);

    /// Test key 0 or 1.
    pub(crate) fn key(i: usize) -> &'static TestKey {
        static KEYS: [OnceLock<TestKey>; 2] = [OnceLock::new(), OnceLock::new()];
        KEYS[i].get_or_init(|| {
            let material = generate_blocking(&[i as u8 + 1; 32], NOW).unwrap();
            TestKey {
                signer: Arc::new(Signer::from_pkcs8(&material.kid, &material.pkcs8).unwrap()),
                public: Arc::new(
                    PublicKey::from_certificate(&material.kid, &material.certificate).unwrap(),
                ),
                material,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{NOW, key};
    use super::*;

    #[test]
    fn signed_tokens_verify_with_the_published_key_only() {
        let (k0, k1) = (key(0), key(1));
        let token = k0.signer.sign(&json!({ "sub": "x" }));
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        assert!(k0.public.verify(input.as_bytes(), &sig));
        assert!(!k1.public.verify(input.as_bytes(), &sig));
        assert!(!k0.public.verify(b"other input", &sig));
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(input.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            header,
            json!({ "typ": "JWT", "alg": "RS256", "kid": k0.signer.kid, "x5t": k0.signer.kid })
        );
    }

    #[test]
    fn kid_and_x5t_are_the_certificate_thumbprint() {
        let k = key(0);
        let jwk = k.public.jwk("https://issuer");
        let der = STANDARD.decode(jwk["x5c"][0].as_str().unwrap()).unwrap();
        let expected = URL_SAFE_NO_PAD.encode(Sha1::digest(&der));
        assert_eq!(jwk["x5t"], expected);
        assert_eq!(jwk["kid"], expected);
        assert_eq!(k.signer.kid, expected);
        assert_eq!(expected.len(), 27, "20 bytes in base64url");
        assert_eq!(
            (jwk["kty"].as_str(), jwk["use"].as_str()),
            (Some("RSA"), Some("sig"))
        );
        assert_eq!(jwk["issuer"], "https://issuer");
    }

    #[test]
    fn the_jwk_modulus_and_exponent_are_the_key() {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let k = key(0);
        let jwk = k.public.jwk("i");
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256, "2048 bits, no leading zero");
        assert_eq!(e, [1, 0, 1]);
        // The same numbers as the private key, read independently of the certificate.
        let private = rsa::RsaPrivateKey::from_pkcs8_der(&k.material.pkcs8).unwrap();
        assert_eq!(n, private.n().to_bytes_be());
        // And n/e alone verify the signer's tokens.
        let token = k.signer.sign(&json!({}));
        let (input, sig) = token.rsplit_once('.').unwrap();
        RsaPublicKeyComponents { n: &n, e: &e }
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                input.as_bytes(),
                &URL_SAFE_NO_PAD.decode(sig).unwrap(),
            )
            .unwrap();
    }

    #[test]
    fn the_x5c_certificate_parses_is_current_and_self_signed() {
        use x509_parser::public_key::PublicKey as Spki;
        let k = key(0);
        let der = STANDARD
            .decode(k.public.jwk("i")["x5c"][0].as_str().unwrap())
            .unwrap();
        let (rest, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        assert!(rest.is_empty());
        assert!(
            cert.validity()
                .is_valid_at(x509_parser::time::ASN1Time::from(NOW))
        );
        assert!(
            cert.validity()
                .is_valid_at(x509_parser::time::ASN1Time::from(
                    NOW + Duration::days(4 * 365)
                ))
        );
        assert_eq!(cert.subject(), cert.issuer());
        assert_eq!(
            cert.subject().to_string(),
            format!("CN={CERTIFICATE_SUBJECT}")
        );
        let Ok(Spki::RSA(rsa)) = cert.public_key().parsed() else {
            panic!("not RSA")
        };
        let n = rsa.modulus.strip_prefix(&[0]).unwrap_or(rsa.modulus);
        RsaPublicKeyComponents { n, e: rsa.exponent }
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                cert.tbs_certificate.as_ref(),
                &cert.signature_value.data,
            )
            .expect("signed by its own key");
    }

    #[test]
    fn an_unstored_key_pair_signs_and_verifies_like_a_tenant_key() {
        let (signer, public) = unstored_key_pair(&[1; 32], NOW).unwrap();
        assert_eq!(signer.kid, key(0).material.kid, "same seed, same key");
        let token = signer.sign(&json!({ "sub": "x" }));
        let jwt = crate::identity::jwt::parse(&token).unwrap();
        jwt.verify_signature(&public).unwrap();
        assert!(jwt.verify_signature(&key(1).public).is_err());
    }

    #[test]
    fn generation_is_reproducible_from_the_seed() {
        let again = generate_blocking(&[1; 32], NOW).unwrap();
        assert_eq!(again.kid, key(0).material.kid);
        assert_ne!(key(0).material.kid, key(1).material.kid);
    }
}
