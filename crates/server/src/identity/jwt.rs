//! Incoming compact JWTs (Graph bearer tokens, client assertions): strict parsing, then signature,
//! lifetime, issuer and audience checks. Only RS256 is accepted for tokens ([`parse`]), and ES256
//! too for Microsoft Graph tokens ([`GRAPH_ALGORITHMS`]); client assertions may also use PS256
//! ([`parse_with`]); `none` and every other algorithm are refused before any key is looked at. A
//! key verifies only tokens whose header names the key's own algorithm.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::keys::PublicKey;

/// The largest token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;
/// The only algorithm accepted by [`parse`].
pub const ALGORITHM: &str = "RS256";
/// The algorithms of Microsoft Graph access tokens (ES256 when the tenant says so).
pub const GRAPH_ALGORITHMS: &[&str] = &["RS256", "ES256"];

/// The JOSE header fields Gatehouse reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub x5t: Option<String>,
    /// `x5t#S256`: base64url(SHA-256(certificate DER)).
    pub x5t_s256: Option<String>,
}

/// A parsed token whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct UnverifiedJwt<'a> {
    pub header: Header,
    pub claims: Map<String, Value>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

/// Why a token was refused. The messages are for logs; clients get the protocol's own error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not a well-formed compact JWS")]
    Malformed,
    #[error("the token's algorithm '{0}' is not accepted")]
    UnsupportedAlgorithm(String),
    #[error("the token's signing key is unknown")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token has no '{0}' claim")]
    MissingClaim(&'static str),
    #[error("the token's issuer is not the expected one")]
    WrongIssuer,
    #[error("the token is not meant for this audience")]
    WrongAudience,
}

/// Parses a compact JWS strictly: three base64url parts without padding, a JSON object header
/// with `alg` RS256 and no `crit`, a JSON object payload, a non-empty signature, at most
/// [`MAX_TOKEN_LEN`] bytes.
pub fn parse(token: &str) -> Result<UnverifiedJwt<'_>, JwtError> {
    parse_with(token, &[ALGORITHM])
}

/// [`parse`], accepting any of `algorithms`.
pub fn parse_with<'t>(token: &'t str, algorithms: &[&str]) -> Result<UnverifiedJwt<'t>, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header_json = object(header)?;
    let header_fields = Header {
        alg: match header_json.get("alg") {
            Some(Value::String(alg)) => alg.clone(),
            _ => return Err(JwtError::Malformed),
        },
        kid: optional_str(&header_json, "kid")?,
        typ: optional_str(&header_json, "typ")?,
        x5t: optional_str(&header_json, "x5t")?,
        x5t_s256: optional_str(&header_json, "x5t#S256")?,
    };
    if !algorithms.contains(&header_fields.alg.as_str()) {
        return Err(JwtError::UnsupportedAlgorithm(header_fields.alg));
    }
    // RFC 7515 §4.1.11: extensions marked critical must be understood; Gatehouse knows none.
    if header_json.contains_key("crit") {
        return Err(JwtError::Malformed);
    }
    let claims = object(payload)?;
    let signature = decode(signature)?;
    if signature.is_empty() {
        return Err(JwtError::Malformed);
    }
    Ok(UnverifiedJwt {
        header: header_fields,
        claims,
        signing_input: &token[..header.len() + 1 + payload.len()],
        signature,
    })
}

fn decode(part: &str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)
}

fn object(part: &str) -> Result<Map<String, Value>, JwtError> {
    serde_json::from_slice(&decode(part)?).map_err(|_| JwtError::Malformed)
}

fn optional_str(map: &Map<String, Value>, name: &str) -> Result<Option<String>, JwtError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JwtError::Malformed),
    }
}

/// A NumericDate claim (RFC 7519 §2): seconds since the epoch, possibly fractional.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, JwtError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or(JwtError::Malformed),
        Some(_) => Err(JwtError::Malformed),
    }
}

impl UnverifiedJwt<'_> {
    /// Checks the signature with `key`, which must be a key of the algorithm the header names
    /// (an RS256 header never meets an EC key, nor an ES256 header an RSA key).
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), JwtError> {
        if self.header.alg != key.algorithm().as_str() {
            return Err(JwtError::UnsupportedAlgorithm(self.header.alg.clone()));
        }
        if key.verify(self.signing_input.as_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(JwtError::BadSignature)
        }
    }

    /// Checks `exp` (required) and `nbf` (when present) against `now`, allowing `leeway_s`
    /// seconds of clock skew either way.
    pub fn validate_times(&self, now: OffsetDateTime, leeway_s: i64) -> Result<(), JwtError> {
        let now = now.unix_timestamp();
        let exp = numeric_date(&self.claims, "exp")?.ok_or(JwtError::MissingClaim("exp"))?;
        if now >= exp.saturating_add(leeway_s) {
            return Err(JwtError::Expired);
        }
        let nbf = numeric_date(&self.claims, "nbf")?;
        if nbf.is_some_and(|nbf| now.saturating_add(leeway_s) < nbf) {
            return Err(JwtError::NotYetValid);
        }
        Ok(())
    }

    /// Checks that `iss` is exactly `expected`.
    pub fn validate_issuer(&self, expected: &str) -> Result<(), JwtError> {
        match self.claim_str("iss") {
            Some(iss) if iss == expected => Ok(()),
            Some(_) => Err(JwtError::WrongIssuer),
            None => Err(JwtError::MissingClaim("iss")),
        }
    }

    /// Checks that `aud` (a string, or an array of strings) names one of `accepted`.
    pub fn validate_audience(&self, accepted: &[&str]) -> Result<(), JwtError> {
        let ok = |a: &Value| a.as_str().is_some_and(|a| accepted.contains(&a));
        match self.claims.get("aud") {
            None => Err(JwtError::MissingClaim("aud")),
            Some(Value::Array(auds)) if auds.iter().any(ok) => Ok(()),
            Some(aud) if ok(aud) => Ok(()),
            Some(_) => Err(JwtError::WrongAudience),
        }
    }

    /// The signed part of the token (`header.payload`) and its signature, for keys held elsewhere.
    pub fn signed(&self) -> (&[u8], &[u8]) {
        (self.signing_input.as_bytes(), &self.signature)
    }

    /// A NumericDate claim, if present and well-formed.
    pub fn claim_time(&self, name: &str) -> Option<i64> {
        numeric_date(&self.claims, name).ok().flatten()
    }

    /// A string claim.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::Duration;

    use super::*;
    use crate::identity::keys::testing::{NOW, ec_key, key};

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(v.to_string())
    }

    fn claims() -> Value {
        let now = NOW.unix_timestamp();
        json!({ "iss": "https://issuer/v2.0", "aud": "api://x", "iat": now, "nbf": now, "exp": now + 3600, "tid": "t" })
    }

    /// A token with this header and the claims, signed by test key 0 over exactly what it says.
    fn forged(header: Value) -> String {
        let input = format!("{}.{}", b64(&header), b64(&claims()));
        let real = key(0).signer.sign(&claims());
        let sig = real.rsplit_once('.').unwrap().1;
        format!("{input}.{sig}")
    }

    #[test]
    fn a_signed_token_parses_and_verifies() {
        let k = key(0);
        let token = k.signer.sign(&claims());
        let jwt = parse(&token).unwrap();
        assert_eq!(
            jwt.header,
            Header {
                alg: "RS256".into(),
                kid: Some(k.signer.kid.clone()),
                typ: Some("JWT".into()),
                x5t: Some(k.signer.kid.clone()),
                x5t_s256: None,
            }
        );
        assert_eq!(Value::Object(jwt.claims.clone()), claims());
        assert_eq!(jwt.claim_str("tid"), Some("t"));
        assert_eq!(jwt.claim_str("exp"), None, "not a string");
        jwt.verify_signature(&k.public).unwrap();
        jwt.validate_times(NOW, 0).unwrap();
        jwt.validate_issuer("https://issuer/v2.0").unwrap();
        jwt.validate_audience(&["other", "api://x"]).unwrap();
    }

    #[test]
    fn a_tampered_token_or_another_key_is_refused() {
        let token = key(0).signer.sign(&claims());
        assert_eq!(
            parse(&token).unwrap().verify_signature(&key(1).public),
            Err(JwtError::BadSignature)
        );

        let parts: Vec<&str> = token.split('.').collect();
        let mut changed = claims();
        changed["tid"] = json!("another tenant");
        let tampered = format!("{}.{}.{}", parts[0], b64(&changed), parts[2]);
        let jwt = parse(&tampered).unwrap();
        assert_eq!(
            jwt.verify_signature(&key(0).public),
            Err(JwtError::BadSignature)
        );

        // Another valid token's signature does not carry over.
        let other = key(0).signer.sign(&changed);
        let spliced = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            other.rsplit_once('.').unwrap().1
        );
        assert_eq!(
            parse(&spliced).unwrap().verify_signature(&key(0).public),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn only_rs256_is_accepted() {
        let none = format!(
            "{}.{}.",
            b64(&json!({ "alg": "none", "typ": "JWT" })),
            b64(&claims())
        );
        assert_eq!(
            parse(&none).unwrap_err(),
            JwtError::UnsupportedAlgorithm("none".into())
        );
        for alg in ["HS256", "RS384", "PS256", "ES256", "rs256", "None", ""] {
            let token = forged(json!({ "alg": alg, "typ": "JWT" }));
            assert_eq!(
                parse(&token).unwrap_err(),
                JwtError::UnsupportedAlgorithm(alg.into()),
                "{alg}"
            );
        }
        assert_eq!(
            parse(&forged(json!({ "typ": "JWT" }))).unwrap_err(),
            JwtError::Malformed,
            "no alg"
        );
        assert_eq!(
            parse(&forged(json!({ "alg": 256 }))).unwrap_err(),
            JwtError::Malformed
        );
        assert_eq!(
            parse(&forged(json!({ "alg": "RS256", "kid": 1 }))).unwrap_err(),
            JwtError::Malformed
        );
        assert_eq!(
            parse(&forged(json!({ "alg": "RS256", "crit": ["exp"] }))).unwrap_err(),
            JwtError::Malformed,
            "unknown critical extension"
        );
        // The header the signer writes is accepted when re-encoded with fields in another order.
        parse(&forged(json!({ "kid": "k", "alg": "RS256" }))).unwrap();
    }

    #[test]
    fn lifetimes_are_checked_with_leeway() {
        let at = |exp: i64, nbf: Option<i64>| {
            let mut c = json!({ "exp": exp });
            if let Some(nbf) = nbf {
                c["nbf"] = json!(nbf);
            }
            key(0).signer.sign(&c)
        };
        let now = NOW.unix_timestamp();
        let check = |token: &str, leeway| parse(token).unwrap().validate_times(NOW, leeway);
        assert_eq!(
            check(&at(now, None), 0),
            Err(JwtError::Expired),
            "exp is exclusive"
        );
        assert_eq!(check(&at(now + 1, None), 0), Ok(()));
        assert_eq!(check(&at(now - 100, None), 300), Ok(()), "within leeway");
        assert_eq!(check(&at(now - 300, None), 300), Err(JwtError::Expired));
        assert_eq!(
            check(&at(now + 60, Some(now + 10)), 0),
            Err(JwtError::NotYetValid)
        );
        assert_eq!(check(&at(now + 60, Some(now + 10)), 10), Ok(()));
        assert_eq!(
            check(&at(now + 60, Some(now + 11)), 10),
            Err(JwtError::NotYetValid)
        );
        assert_eq!(
            check(&at(i64::MAX, Some(i64::MIN)), i64::MAX),
            Ok(()),
            "no overflow"
        );
        let no_exp = key(0).signer.sign(&json!({ "nbf": now }));
        assert_eq!(check(&no_exp, 0), Err(JwtError::MissingClaim("exp")));
        let text_exp = key(0).signer.sign(&json!({ "exp": "tomorrow" }));
        assert_eq!(check(&text_exp, 0), Err(JwtError::Malformed));
        let fractional = key(0).signer.sign(&json!({ "exp": (now as f64) + 1.5 }));
        assert_eq!(check(&fractional, 0), Ok(()), "fractional NumericDate");
        let later = at(now + 3600, None);
        let later = parse(&later).unwrap();
        assert_eq!(
            later.validate_times(NOW + Duration::hours(2), 0),
            Err(JwtError::Expired)
        );
    }

    #[test]
    fn issuer_and_audience_must_match() {
        let token = key(0)
            .signer
            .sign(&json!({ "iss": "a", "aud": ["x", "y"] }));
        let jwt = parse(&token).unwrap();
        assert_eq!(jwt.validate_issuer("b"), Err(JwtError::WrongIssuer));
        assert_eq!(jwt.validate_audience(&["y"]), Ok(()));
        assert_eq!(jwt.validate_audience(&["z"]), Err(JwtError::WrongAudience));
        let bare = key(0).signer.sign(&json!({}));
        let bare = parse(&bare).unwrap();
        assert_eq!(
            bare.validate_issuer("a"),
            Err(JwtError::MissingClaim("iss"))
        );
        assert_eq!(
            bare.validate_audience(&["x"]),
            Err(JwtError::MissingClaim("aud"))
        );
    }

    #[test]
    fn malformed_tokens_are_refused_without_panicking() {
        let good = key(0).signer.sign(&claims());
        let p: Vec<&str> = good.split('.').collect();
        let header = p[0];
        let cases = [
            String::new(),
            ".".into(),
            "..".into(),
            "...".into(),
            header.to_owned(),
            format!("{}.{}", p[0], p[1]),
            format!("{good}.{}", p[2]),
            format!("{good}."),
            format!("{}.{}.", p[0], p[1]),
            format!("{}=.{}.{}", p[0], p[1], p[2]),
            format!("{}.{}.{}+", p[0], p[1], p[2]),
            format!("{}.{}!.{}", p[0], p[1], p[2]),
            format!(" {good}"),
            format!("{}.{}.{}", p[0], URL_SAFE_NO_PAD.encode("not json"), p[2]),
            format!("{}.{}.{}", p[0], URL_SAFE_NO_PAD.encode("[1,2]"), p[2]),
            format!("{}.{}.{}", p[0], URL_SAFE_NO_PAD.encode("\"s\""), p[2]),
            format!("{}.{}.{}", URL_SAFE_NO_PAD.encode("{"), p[1], p[2]),
            format!("{}.{}.{}", URL_SAFE_NO_PAD.encode([0xff, 0xfe]), p[1], p[2]),
            format!(
                "{}.{}.{}",
                p[0],
                URL_SAFE_NO_PAD.encode(format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_TOKEN_LEN))),
                p[2]
            ),
            "é.é.é".into(),
        ];
        for case in &cases {
            assert_eq!(parse(case).unwrap_err(), JwtError::Malformed, "{case:.80}");
        }
        // Up to MAX_TOKEN_LEN bytes are accepted, one more base64 quantum is not.
        let token_of = |n: usize| key(0).signer.sign(&json!({ "x": "a".repeat(n) }));
        let mut n = (MAX_TOKEN_LEN - token_of(0).len()) * 3 / 4 + 3;
        while token_of(n).len() > MAX_TOKEN_LEN {
            n -= 1;
        }
        let fits = token_of(n);
        assert!(fits.len() > MAX_TOKEN_LEN - 4, "{}", fits.len());
        parse(&fits)
            .unwrap()
            .verify_signature(&key(0).public)
            .unwrap();
        assert_eq!(parse(&token_of(n + 3)).unwrap_err(), JwtError::Malformed);
    }

    /// A small deterministic fuzz: random byte edits of a valid token never panic and never
    /// produce a token that verifies with different content.
    #[test]
    fn mutated_tokens_never_verify() {
        use rand_chacha::ChaCha20Rng;
        use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};
        let good = key(0).signer.sign(&claims());
        let alphabet = b"ABCXYZabcxyz0189-_.=+/ {}\"";
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for _ in 0..3000 {
            let mut bytes = good.clone().into_bytes();
            for _ in 0..1 + rng.next_u32() % 3 {
                let i = rng.next_u32() as usize % bytes.len();
                match rng.next_u32() % 3 {
                    0 => bytes[i] = alphabet[rng.next_u32() as usize % alphabet.len()],
                    1 => {
                        bytes.remove(i);
                    }
                    _ => bytes.insert(i, alphabet[rng.next_u32() as usize % alphabet.len()]),
                }
            }
            let Ok(token) = String::from_utf8(bytes) else {
                continue;
            };
            if parse(&token).is_ok_and(|jwt| jwt.verify_signature(&key(0).public).is_ok()) {
                // Only a no-op edit may still verify.
                assert_eq!(token, good);
            }
        }
    }

    #[test]
    fn a_key_verifies_only_its_own_algorithm() {
        let (rsa, ec) = (key(0), ec_key(0));
        let es256 = ec.signer.sign(&claims());
        assert_eq!(
            parse(&es256).unwrap_err(),
            JwtError::UnsupportedAlgorithm("ES256".into())
        );
        let jwt = parse_with(&es256, GRAPH_ALGORITHMS).unwrap();
        assert_eq!(jwt.header.alg, "ES256");
        jwt.verify_signature(&ec.public).unwrap();
        assert_eq!(
            jwt.verify_signature(&ec_key(1).public),
            Err(JwtError::BadSignature)
        );
        assert_eq!(
            jwt.verify_signature(&rsa.public),
            Err(JwtError::UnsupportedAlgorithm("ES256".into())),
            "ES256 header, RSA key"
        );
        let rs256 = rsa.signer.sign(&claims());
        let jwt = parse_with(&rs256, GRAPH_ALGORITHMS).unwrap();
        jwt.verify_signature(&rsa.public).unwrap();
        assert_eq!(
            jwt.verify_signature(&ec.public),
            Err(JwtError::UnsupportedAlgorithm("RS256".into())),
            "RS256 header, EC key"
        );
        // An ES256 signature relabelled RS256 (or the reverse) verifies with neither key.
        let relabel = |token: &str, alg: &str, kid: &str| {
            let header = json!({ "typ": "JWT", "alg": alg, "kid": kid });
            let (_, rest) = token.split_once('.').unwrap();
            format!("{}.{rest}", b64(&header))
        };
        for (token, alg) in [
            (relabel(&es256, "RS256", &ec.signer.kid), "RS256"),
            (relabel(&rs256, "ES256", &rsa.signer.kid), "ES256"),
        ] {
            let jwt = parse_with(&token, GRAPH_ALGORITHMS).unwrap();
            assert_eq!(jwt.header.alg, alg);
            assert!(jwt.verify_signature(&ec.public).is_err());
            assert!(jwt.verify_signature(&rsa.public).is_err());
        }
    }
}
