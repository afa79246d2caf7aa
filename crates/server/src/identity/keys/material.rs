//! Key material: RSA-2048 generation (the `rsa` crate; ring cannot generate RSA keys) and P-256
//! generation (`ring`), the self-signed certificate published as `x5c`, the parsed `ring` signer
//! of the active key, and the published public keys that verify tokens.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gatehouse_domain::random::Random;
use gatehouse_domain::tenant::TokenAlgorithm;
use gatehouse_domain::{Error, Result};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair,
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
    UnparsedPublicKey,
};
use serde_json::{Value, json};
use sha1::{Digest as _, Sha1};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

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
pub(super) async fn generate(
    algorithm: TokenAlgorithm,
    random: &dyn Random,
    now: OffsetDateTime,
) -> Result<KeyMaterial> {
    let mut seed = Zeroizing::new([0u8; 32]);
    random.fill(seed.as_mut());
    tokio::task::spawn_blocking(move || generate_blocking(algorithm, &seed, now))
        .await
        .map_err(|e| Error::internal(format!("signing key generation failed: {e}")))?
}

fn failed(e: &dyn fmt::Display) -> Error {
    Error::internal(format!("signing key generation failed: {e}"))
}

/// A new private key in PKCS#8. RSA keys come from `seed` alone; P-256 keys from the system's
/// randomness, the only source `ring` accepts.
fn private_key(algorithm: TokenAlgorithm, rng: &mut ChaCha20Rng) -> Result<Zeroizing<Vec<u8>>> {
    match algorithm {
        TokenAlgorithm::Rs256 => {
            use rsa::pkcs8::EncodePrivateKey as _;
            let key = rsa::RsaPrivateKey::new(rng, RSA_BITS).map_err(|e| failed(&e))?;
            Ok(Zeroizing::new(
                key.to_pkcs8_der()
                    .map_err(|e| failed(&e))?
                    .as_bytes()
                    .to_vec(),
            ))
        }
        TokenAlgorithm::Es256 => {
            let doc = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|e| failed(&e))?;
            Ok(Zeroizing::new(doc.as_ref().to_vec()))
        }
    }
}

pub(crate) fn generate_blocking(
    algorithm: TokenAlgorithm,
    seed: &[u8; 32],
    now: OffsetDateTime,
) -> Result<KeyMaterial> {
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let pkcs8 = private_key(algorithm, &mut rng)?;
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
/// `gatehouse-bench`). Slow for RSA (key generation): call it once.
pub fn unstored_key_pair(
    algorithm: TokenAlgorithm,
    seed: &[u8; 32],
    now: OffsetDateTime,
) -> Result<(Signer, PublicKey)> {
    let material = generate_blocking(algorithm, seed, now)?;
    Ok((
        Signer::from_pkcs8(algorithm, &material.kid, &material.pkcs8)?,
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
    key_pair: PrivateKey,
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

enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Signer {
    /// A signer for the PKCS#8 key of `algorithm` with this kid (which is also its `x5t`).
    pub(crate) fn from_pkcs8(algorithm: TokenAlgorithm, kid: &str, pkcs8: &[u8]) -> Result<Self> {
        let invalid = |e: &dyn fmt::Display| {
            Error::internal(format!("stored signing key {kid} is invalid: {e}"))
        };
        let rng = SystemRandom::new();
        let key_pair = match algorithm {
            TokenAlgorithm::Rs256 => {
                PrivateKey::Rsa(RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| invalid(&e))?)
            }
            TokenAlgorithm::Es256 => PrivateKey::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
                    .map_err(|e| invalid(&e))?,
            ),
        };
        let header = json!({ "typ": "JWT", "alg": algorithm.as_str(), "kid": kid, "x5t": kid });
        let mut header_prefix = URL_SAFE_NO_PAD.encode(header.to_string());
        header_prefix.push('.');
        Ok(Self {
            kid: kid.to_owned(),
            x5t: kid.to_owned(),
            key_pair,
            header_prefix,
            rng,
        })
    }

    /// The algorithm this signer writes in the header.
    pub fn algorithm(&self) -> TokenAlgorithm {
        match self.key_pair {
            PrivateKey::Rsa(_) => TokenAlgorithm::Rs256,
            PrivateKey::Ec(_) => TokenAlgorithm::Es256,
        }
    }

    /// A compact JWS: header `{"typ":"JWT","alg":..,"kid":..,"x5t":..}`, payload = claims.
    pub fn sign(&self, claims: &Value) -> String {
        let payload = serde_json::to_vec(claims).expect("a JSON value always serialises");
        let signature_len = match &self.key_pair {
            PrivateKey::Rsa(k) => k.public().modulus_len(),
            PrivateKey::Ec(_) => 64,
        };
        let mut token = String::with_capacity(
            self.header_prefix.len()
                + payload.len().div_ceil(3) * 4
                + 2
                + signature_len.div_ceil(3) * 4,
        );
        token.push_str(&self.header_prefix);
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        // Both fail only for a wrong buffer length or a broken system RNG.
        let signature = match &self.key_pair {
            PrivateKey::Rsa(k) => {
                let mut signature = vec![0u8; signature_len];
                k.sign(
                    &RSA_PKCS1_SHA256,
                    &self.rng,
                    token.as_bytes(),
                    &mut signature,
                )
                .expect("RSA signing cannot fail with a correctly sized buffer");
                signature
            }
            PrivateKey::Ec(k) => k
                .sign(&self.rng, token.as_bytes())
                .expect("ECDSA signing fails only without system randomness")
                .as_ref()
                .to_vec(),
        };
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        token
    }
}

/// A published key: what JWKS shows and what verifies tokens.
pub struct PublicKey {
    pub kid: String,
    pub x5t: String,
    key: Verifier,
    certificate: Vec<u8>,
}

enum Verifier {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// The uncompressed P-256 point: `04 || x || y`.
    Ec { point: Vec<u8> },
}

/// Length of an uncompressed P-256 point.
const P256_POINT_LEN: usize = 65;

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kid", &self.kid)
            .field("x5t", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// The public key of an RSA or P-256 certificate (DER).
    pub(crate) fn from_certificate(kid: &str, der: &[u8]) -> Result<Self> {
        use x509_parser::public_key::PublicKey as Spki;
        let invalid = || {
            Error::internal(format!(
                "stored certificate of signing key {kid} is invalid"
            ))
        };
        let (rest, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| invalid())?;
        if !rest.is_empty() {
            return Err(invalid());
        }
        let strip = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..].to_vec();
        let key = match cert.public_key().parsed() {
            Ok(Spki::RSA(rsa)) => Verifier::Rsa {
                n: strip(rsa.modulus),
                e: strip(rsa.exponent),
            },
            Ok(Spki::EC(point)) if point.data().len() == P256_POINT_LEN && point.data()[0] == 4 => {
                Verifier::Ec {
                    point: point.data().to_vec(),
                }
            }
            _ => return Err(invalid()),
        };
        Ok(Self {
            kid: kid.to_owned(),
            x5t: thumbprint(der),
            key,
            certificate: der.to_vec(),
        })
    }

    /// The algorithm of the tokens this key verifies.
    pub fn algorithm(&self) -> TokenAlgorithm {
        match self.key {
            Verifier::Rsa { .. } => TokenAlgorithm::Rs256,
            Verifier::Ec { .. } => TokenAlgorithm::Es256,
        }
    }

    /// The certificate (DER) published as `x5c`.
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The JWK as Entra publishes it.
    /// The JWK as Entra publishes it; P-256 keys (which Entra does not publish) as RFC 7518
    /// §6.2 describes them, with `alg` since only ES256 uses them.
    pub fn jwk(&self, issuer: &str) -> Value {
        let mut jwk = json!({
            "use": "sig",
            "kid": self.kid,
            "x5t": self.x5t,
            "x5c": [STANDARD.encode(&self.certificate)],
            "issuer": issuer,
        });
        match &self.key {
            Verifier::Rsa { n, e } => {
                jwk["kty"] = json!("RSA");
                jwk["n"] = json!(URL_SAFE_NO_PAD.encode(n));
                jwk["e"] = json!(URL_SAFE_NO_PAD.encode(e));
            }
            Verifier::Ec { point } => {
                jwk["kty"] = json!("EC");
                jwk["alg"] = json!(TokenAlgorithm::Es256.as_str());
                jwk["crv"] = json!("P-256");
                jwk["x"] = json!(URL_SAFE_NO_PAD.encode(&point[1..33]));
                jwk["y"] = json!(URL_SAFE_NO_PAD.encode(&point[33..]));
            }
        }
        jwk
    }

    /// Whether `signature` is this key's signature (RS256 or ES256, as the key is) of
    /// `signing_input`.
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            Verifier::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, signing_input, signature)
                .is_ok(),
            Verifier::Ec { point } => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(signing_input, signature)
                .is_ok(),
        }
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

    /// Test RSA key 0 or 1.
    pub(crate) fn key(i: usize) -> &'static TestKey {
        static KEYS: [OnceLock<TestKey>; 2] = [OnceLock::new(), OnceLock::new()];
        KEYS[i].get_or_init(|| test_key(TokenAlgorithm::Rs256, i))
    }

    /// Test P-256 key 0 or 1.
    pub(crate) fn ec_key(i: usize) -> &'static TestKey {
        static KEYS: [OnceLock<TestKey>; 2] = [OnceLock::new(), OnceLock::new()];
        KEYS[i].get_or_init(|| test_key(TokenAlgorithm::Es256, i))
    }

    fn test_key(algorithm: TokenAlgorithm, i: usize) -> TestKey {
        {
            let material = generate_blocking(algorithm, &[i as u8 + 1; 32], NOW).unwrap();
            TestKey {
                signer: Arc::new(
                    Signer::from_pkcs8(algorithm, &material.kid, &material.pkcs8).unwrap(),
                ),
                public: Arc::new(
                    PublicKey::from_certificate(&material.kid, &material.certificate).unwrap(),
                ),
                material,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{NOW, ec_key, key};
    use super::*;

    #[test]
    fn signed_tokens_verify_with_the_published_key_only() {
        let rsa = [key(0), key(1)];
        let ec = [ec_key(0), ec_key(1)];
        for ([k0, k1], other, alg, sig_len) in [(rsa, ec, "RS256", 256), (ec, rsa, "ES256", 64)] {
            assert_eq!(k0.signer.algorithm().as_str(), alg);
            assert_eq!(k0.public.algorithm().as_str(), alg);
            let token = k0.signer.sign(&json!({ "sub": "x" }));
            let (input, sig) = token.rsplit_once('.').unwrap();
            let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
            assert_eq!(
                sig.len(),
                sig_len,
                "{alg}: ES256 is r || s, as JWS requires"
            );
            assert!(k0.public.verify(input.as_bytes(), &sig));
            assert!(!k1.public.verify(input.as_bytes(), &sig));
            assert!(!k0.public.verify(b"other input", &sig));
            assert!(!other[0].public.verify(input.as_bytes(), &sig), "{alg}");
            let header: Value = serde_json::from_slice(
                &URL_SAFE_NO_PAD
                    .decode(input.split('.').next().unwrap())
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(
                header,
                json!({ "typ": "JWT", "alg": alg, "kid": k0.signer.kid, "x5t": k0.signer.kid })
            );
        }
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
        let (signer, public) = unstored_key_pair(TokenAlgorithm::Rs256, &[1; 32], NOW).unwrap();
        assert_eq!(signer.kid, key(0).material.kid, "same seed, same key");
        let token = signer.sign(&json!({ "sub": "x" }));
        let jwt = crate::identity::jwt::parse(&token).unwrap();
        jwt.verify_signature(&public).unwrap();
        assert!(jwt.verify_signature(&key(1).public).is_err());
    }

    #[test]
    fn generation_is_reproducible_from_the_seed() {
        let again = generate_blocking(TokenAlgorithm::Rs256, &[1; 32], NOW).unwrap();
        assert_eq!(again.kid, key(0).material.kid);
        assert_ne!(key(0).material.kid, key(1).material.kid);
    }

    #[test]
    fn p256_keys_publish_an_ec_jwk() {
        let k0 = ec_key(0);
        assert_ne!(k0.signer.kid, ec_key(1).signer.kid);
        let token = k0.signer.sign(&json!({ "sub": "x" }));
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let jwk = k0.public.jwk("i");
        assert_eq!(
            (&jwk["kty"], &jwk["crv"], &jwk["alg"], &jwk["use"]),
            (
                &json!("EC"),
                &json!("P-256"),
                &json!("ES256"),
                &json!("sig")
            )
        );
        assert_eq!(jwk["kid"], k0.signer.kid.as_str());
        // x and y alone verify the signer's tokens.
        let mut point = vec![4u8];
        for c in ["x", "y"] {
            let part = URL_SAFE_NO_PAD.decode(jwk[c].as_str().unwrap()).unwrap();
            assert_eq!(part.len(), 32, "{c}");
            point.extend(part);
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(input.as_bytes(), &sig)
            .unwrap();
        // The certificate holds the same key, and its thumbprint is the kid.
        let der = STANDARD.decode(jwk["x5c"][0].as_str().unwrap()).unwrap();
        assert_eq!(thumbprint(&der), k0.signer.kid);
        let again = PublicKey::from_certificate("k", &der).unwrap();
        assert!(again.verify(input.as_bytes(), &sig));
    }
}
