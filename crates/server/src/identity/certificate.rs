//! X.509 certificates that applications register to authenticate (`keyCredentials`): parsing, the
//! thumbprints clients name them by, and verification of the JWS signatures of client assertions
//! and `addKey` proofs with their RSA public keys (`ring`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::application::KeyCredential;
use ring::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256, RsaPublicKeyComponents,
};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::jwt::Header;

/// The JWS algorithms a certificate's key may sign with.
pub const ALGORITHMS: &[&str] = &["RS256", "PS256"];

/// A parsed certificate with an RSA public key.
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    /// SHA-1 of the DER (the thumbprint: `x5t`, Graph's `customKeyIdentifier`).
    pub sha1: Vec<u8>,
    /// SHA-256 of the DER (`x5t#S256`).
    pub sha256: Vec<u8>,
    /// The subject as Entra shows it, e.g. `CN=daemon`.
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// Why a certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the value is not a DER X.509 certificate")]
    Malformed,
    #[error("the certificate's key is not an RSA key of 2048 bits or more")]
    UnsupportedKey,
}

/// Parses one DER certificate; nothing may follow it.
pub fn parse(der: &[u8]) -> Result<ClientCertificate, CertificateError> {
    use x509_parser::public_key::PublicKey as Spki;
    let (rest, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| CertificateError::Malformed)?;
    if !rest.is_empty() {
        return Err(CertificateError::Malformed);
    }
    let Ok(Spki::RSA(rsa)) = cert.public_key().parsed() else {
        return Err(CertificateError::UnsupportedKey);
    };
    let strip = |b: &[u8]| b[b.iter().position(|&x| x != 0).unwrap_or(b.len())..].to_vec();
    let n = strip(rsa.modulus);
    if n.len() < 256 {
        return Err(CertificateError::UnsupportedKey);
    }
    let validity = cert.validity();
    Ok(ClientCertificate {
        sha1: Sha1::digest(der).to_vec(),
        sha256: Sha256::digest(der).to_vec(),
        subject: cert.subject().to_string(),
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        n,
        e: strip(rsa.exponent),
    })
}

impl ClientCertificate {
    /// `x5t`: base64url(SHA-1).
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.sha1)
    }

    /// `x5t#S256`: base64url(SHA-256).
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.sha256)
    }

    /// Whether `kid` names this certificate: its thumbprint as base64url or hex (either case).
    pub fn named_by_kid(&self, kid: &str) -> bool {
        let hex: String = self.sha1.iter().map(|b| format!("{b:02x}")).collect();
        canonical(kid) == self.x5t() || kid.eq_ignore_ascii_case(&hex)
    }

    /// Verifies an RS256 or PS256 signature of `message` with the certificate's key.
    pub fn verify(&self, algorithm: &str, message: &[u8], signature: &[u8]) -> bool {
        let params = match algorithm {
            "RS256" => &RSA_PKCS1_2048_8192_SHA256,
            "PS256" => &RSA_PSS_2048_8192_SHA256,
            _ => return false,
        };
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(params, message, signature)
        .is_ok()
    }
}

/// A thumbprint as unpadded base64url: MSAL for Python sends `x5t` padded (`...=`), and Entra
/// accepts it, as it accepts the standard alphabet.
fn canonical(thumbprint: &str) -> String {
    thumbprint
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// The stored certificate a JWS header names by `x5t`, `x5t#S256` or `kid` (a thumbprint or the
/// credential's keyId), parsed.
pub fn named_by<'c>(
    header: &Header,
    stored: &'c [KeyCredential],
) -> Option<(ClientCertificate, &'c KeyCredential)> {
    stored.iter().find_map(|k| {
        let cert = parse(&k.certificate).ok()?;
        let named = header.x5t.as_deref().map(canonical) == Some(cert.x5t())
            || header.x5t_s256.as_deref().map(canonical) == Some(cert.x5t_s256())
            || header.kid.as_deref().is_some_and(|kid| {
                cert.named_by_kid(kid) || kid.eq_ignore_ascii_case(&k.key_id.to_string())
            });
        named.then_some((cert, k))
    })
}

#[cfg(test)]
pub(crate) mod testing {
    //! Certificates with their private keys, for tests of client assertions.

    use super::*;
    use crate::identity::keys::material::generate_blocking;

    /// A self-signed RSA-2048 certificate (DER) valid from `not_before` for `days`, with its
    /// PKCS#8 key.
    pub fn certificate(seed: u8, now: OffsetDateTime) -> (Vec<u8>, Vec<u8>) {
        let m = generate_blocking(
            gatehouse_domain::tenant::TokenAlgorithm::Rs256,
            &[seed; 32],
            now,
        )
        .unwrap();
        (m.certificate, m.pkcs8.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn parses_thumbprints_subject_validity_and_verifies_both_algorithms() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let (der, pkcs8) = testing::certificate(3, now);
        let c = parse(&der).unwrap();
        assert_eq!(c.sha1.len(), 20);
        assert_eq!(c.x5t(), crate::identity::keys::thumbprint(&der));
        assert_eq!(c.subject, "CN=Gatehouse token signing");
        assert!(c.not_before < now && now < c.not_after);
        assert!(c.named_by_kid(&c.x5t()));
        let hex: String = c.sha1.iter().map(|b| format!("{b:02X}")).collect();
        assert!(c.named_by_kid(&hex));
        assert!(!c.named_by_kid("nope"));

        let key = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
        for (alg, padding) in [
            ("RS256", &RSA_PKCS1_SHA256 as _),
            ("PS256", &RSA_PSS_SHA256 as _),
        ] {
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(padding, &SystemRandom::new(), b"message", &mut sig)
                .unwrap();
            assert!(c.verify(alg, b"message", &sig), "{alg}");
            assert!(!c.verify(alg, b"messagf", &sig), "{alg}");
        }
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), b"m", &mut sig)
            .unwrap();
        assert!(!c.verify("PS256", b"m", &sig));
        assert!(!c.verify("none", b"m", &sig));
    }

    #[test]
    fn refuses_what_is_not_one_certificate() {
        let (der, _) = testing::certificate(4, datetime!(2026-11-23 12:00 UTC));
        assert_eq!(
            parse(b"not a certificate").unwrap_err(),
            CertificateError::Malformed
        );
        assert_eq!(
            parse(&der[..der.len() - 1]).unwrap_err(),
            CertificateError::Malformed
        );
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(parse(&trailing).unwrap_err(), CertificateError::Malformed);
    }
}
