//! Client authentication at the token endpoint, for every grant.
//!
//! Public clients (the first-party public apps; registered apps when the flow is bound to one of
//! their `spa` or `publicClient` redirect URIs, or, where the grant allows it, when they are
//! `isFallbackPublicClient` or have only such URIs) present no credential, and one that does gets
//! AADSTS700025. Every other client is confidential and proves itself once per request with exactly
//! one of: a client secret in the body (`client_secret_post`) or by HTTP Basic
//! (`client_secret_basic`), compared as keyed hashes in constant time; or a client assertion
//! (`private_key_jwt`): a JWT signed RS256 or PS256 by one of the app's certificates, named by
//! `x5t`, `x5t#S256` or `kid`, with `iss` = `sub` = client id, `aud` the tenant's token endpoint,
//! `exp`/`nbf` within [`ASSERTION_SKEW`], and a `jti` used once.

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_domain::application::{Application, Platform, ServicePrincipal};
use gatehouse_domain::catalog::first_party::{FirstPartyKind, first_party_app};
use gatehouse_domain::ids::{AppId, TenantId};
use gatehouse_store::{TenantTx, Write};
use subtle::ConstantTimeEq as _;
use time::{Duration, OffsetDateTime};

use super::certificate;
use super::jwt::{self, JwtError};
use super::token::{Params, bad};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew allowed on a client assertion's `exp` and `nbf`.
pub const ASSERTION_SKEW: Duration = Duration::minutes(5);

/// What a token request carries besides its grant: the form, the headers (HTTP Basic), and the
/// `{tenant}` segment it was sent to (an assertion's `aud` may name it).
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub params: &'a Params,
    pub headers: &'a HeaderMap,
    pub segment: &'a str,
}

/// The grant the client authenticates for, which decides whether it may be public.
#[derive(Debug, Clone, Copy)]
pub enum Flow<'a> {
    /// `client_credentials`: confidential clients only.
    AppOnly,
    /// `authorization_code`, redeemed for the redirect URI the code was issued to.
    Code { redirect_uri: &'a str },
    /// `refresh_token`: public when the app is a fallback public client, or has SPA or public-client
    /// redirect URIs and no web ones.
    Refresh,
    /// `password`: public when the app is a fallback public client.
    Password,
    /// The device code flow: public when the app is a fallback public client, and then refusing
    /// credentials as a public client.
    Device,
}

/// An authenticated (or public) client.
#[derive(Debug, Clone)]
pub struct Client {
    pub app_id: AppId,
    pub service_principal: ServicePrincipal,
    /// Whether it proved itself with a credential.
    pub confidential: bool,
    /// Entra's `azpacr`: "0" public, "1" client secret, "2" certificate.
    pub azpacr: &'static str,
}

enum Credential {
    None,
    Secret(String),
    Assertion(String),
}

fn invalid_client(code: u32, description: impl Into<String>) -> OAuthError {
    OAuthError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        code,
        description,
    )
}

fn malformed(why: &str) -> OAuthError {
    bad(
        "invalid_request",
        9002313,
        format!("Invalid request. Request is malformed or invalid. {why}"),
    )
}

fn invalid_assertion(why: &str) -> OAuthError {
    invalid_client(
        50027,
        format!("JWT token is invalid or malformed. The client assertion {why}."),
    )
}

/// Decodes one `application/x-www-form-urlencoded` component of a Basic credential (RFC 6749 §2.3.1).
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `Authorization: Basic base64(urlencode(client_id):urlencode(secret))`, if present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad_header = || malformed("The Authorization header is not a valid Basic credential.");
    let value = value.to_str().map_err(|_| bad_header())?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(bad_header());
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_header)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad_header)?;
    Ok(Some((
        form_decode(id).ok_or_else(bad_header)?,
        form_decode(secret).ok_or_else(bad_header)?,
    )))
}

fn non_empty<'a>(p: &'a Params, name: &str) -> Option<&'a String> {
    p.get(name).filter(|v| !v.is_empty())
}

/// The client id and the credential presented, from at most one authentication method.
fn presented(req: &TokenRequest<'_>) -> Result<(String, Credential), OAuthError> {
    let p = req.params;
    let body_id = non_empty(p, "client_id");
    let secret = non_empty(p, "client_secret");
    let assertion = non_empty(p, "client_assertion");
    if let Some((id, basic_secret)) = basic_credentials(req.headers)? {
        if secret.is_some() || assertion.is_some() {
            return Err(malformed(
                "The client must use only one authentication method: the Authorization header or the request body.",
            ));
        }
        if body_id.is_some_and(|b| *b != id) {
            return Err(malformed(
                "The client_id in the request body does not match the Authorization header.",
            ));
        }
        let credential = if basic_secret.is_empty() {
            Credential::None
        } else {
            Credential::Secret(basic_secret)
        };
        return Ok((id, credential));
    }
    if secret.is_some() && assertion.is_some() {
        return Err(malformed(
            "The client must use only one authentication method: 'client_secret' or 'client_assertion'.",
        ));
    }
    let credential = match (secret, assertion) {
        (Some(s), _) => Credential::Secret(s.clone()),
        (None, Some(a)) => {
            if non_empty(p, "client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
                return Err(bad(
                    "invalid_request",
                    9002313,
                    format!(
                        "Invalid request. Request is malformed or invalid. The 'client_assertion_type' must be '{JWT_BEARER}'."
                    ),
                ));
            }
            Credential::Assertion(a.clone())
        }
        (None, None) => Credential::None,
    };
    // RFC 7521 §4.2: client_id may be left out when the assertion names the client.
    let id = match (body_id, &credential) {
        (Some(id), _) => id.clone(),
        (None, Credential::Assertion(a)) => jwt::parse_with(a, certificate::ALGORITHMS)
            .ok()
            .and_then(|j| j.claim_str("sub").map(str::to_owned))
            .ok_or_else(|| invalid_assertion("does not name its client in 'sub'"))?,
        (None, _) => {
            return Err(bad(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
            ));
        }
    };
    Ok((id, credential))
}

fn not_found(client_id: &str, tenant: TenantId) -> OAuthError {
    bad(
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

/// Whether the flow lets this client go without a credential.
fn may_be_public(first_party_public: bool, app: Option<&Application>, flow: Flow<'_>) -> bool {
    if first_party_public {
        return !matches!(flow, Flow::AppOnly);
    }
    let Some(app) = app else { return false };
    // Refresh tokens do not record the redirect URI they came from: an app with web redirect URIs
    // (a confidential client) always authenticates to redeem them.
    let public_only = app.web_redirect_uris.is_empty()
        && (!app.spa_redirect_uris.is_empty() || !app.public_client_redirect_uris.is_empty());
    match flow {
        Flow::AppOnly => false,
        Flow::Code { redirect_uri } => matches!(
            app.redirect_platform(redirect_uri),
            Some(Platform::Spa | Platform::PublicClient)
        ),
        Flow::Refresh => app.fallback_public() || public_only,
        Flow::Password | Flow::Device => app.fallback_public(),
    }
}

/// Authenticates the client of a token request in `tenant` for `flow`.
pub async fn authenticate(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    tenant: TenantId,
    req: &TokenRequest<'_>,
    flow: Flow<'_>,
) -> Result<Client, OAuthError> {
    let (client_id, credential) = presented(req)?;
    let app_id: AppId = client_id
        .parse()
        .map_err(|_| not_found(&client_id, tenant))?;
    let first_party = first_party_app(app_id.as_uuid());
    let app = tx.application_by_app_id(app_id).await?;
    if app.is_none() && first_party.is_none() {
        return Err(not_found(&client_id, tenant));
    }
    // Without its service principal the app is not present in the tenant: Entra names the cause
    // for client credentials, and answers user flows as for an unknown app.
    let sp = tx
        .service_principal_by_app_id(app_id)
        .await?
        .ok_or_else(|| match flow {
            Flow::AppOnly => bad(
                "unauthorized_client",
                7000229,
                format!(
                    "The client application {app_id} is missing service principal in the tenant {tenant}."
                ),
            ),
            _ => not_found(&client_id, tenant),
        })?;
    if !sp.account_enabled {
        return Err(bad(
            "unauthorized_client",
            7000112,
            format!("Application '{app_id}'({}) is disabled.", sp.display_name),
        ));
    }
    let first_party_public = first_party.is_some_and(|a| a.kind == FirstPartyKind::PublicClient);
    let bound_public = match flow {
        Flow::Code { .. } | Flow::Device => may_be_public(first_party_public, app.as_ref(), flow),
        _ => first_party_public,
    };
    let has_credential = !matches!(credential, Credential::None);
    if bound_public && has_credential {
        return Err(bad(
            "invalid_request",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    let client = |azpacr: &'static str| Client {
        app_id,
        service_principal: sp.clone(),
        confidential: azpacr != "0",
        azpacr,
    };
    let (assertion, app) = match (credential, app) {
        (Credential::None, app) => {
            if may_be_public(first_party_public, app.as_ref(), flow) {
                return Ok(client("0"));
            }
            return Err(invalid_client(
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        (Credential::Secret(_), None) | (Credential::Assertion(_), None) => {
            return Err(invalid_client(
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."
                ),
            ));
        }
        (Credential::Secret(secret), Some(app)) => {
            check_secret(state, tx, &app, &secret).await?;
            return Ok(client("1"));
        }
        (Credential::Assertion(assertion), Some(app)) => (assertion, app),
    };
    check_assertion(state, tx, tenant, req.segment, &app, &assertion).await?;
    Ok(client("2"))
}

/// The client of the device code flow (`/devicecode` and its grant), which sends no Authorization
/// header: a public client (first-party, or a fallback public client), or a confidential client with
/// its credential in the body.
pub async fn device_client(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    params: &Params,
    tenant: TenantId,
) -> Result<AppId, OAuthError> {
    let headers = HeaderMap::new();
    let req = TokenRequest {
        params,
        headers: &headers,
        segment: "",
    };
    Ok(authenticate(state, tx, tenant, &req, Flow::Device)
        .await?
        .app_id)
}

/// A client secret against the app's keyed hashes, in constant time over every stored secret.
async fn check_secret(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    app: &Application,
    secret: &str,
) -> Result<(), OAuthError> {
    let presented = state.secrets.keyed_hash(secret);
    let now = state.clock.now();
    let (mut valid, mut expired) = (false, false);
    for (credential, stored) in tx.password_credential_hashes(app.id).await? {
        let matches = bool::from(presented.as_bytes().ct_eq(stored.as_bytes()));
        valid |= matches && credential.start <= now && now < credential.end;
        expired |= matches && credential.end <= now;
    }
    if valid {
        return Ok(());
    }
    let app_id = app.app_id;
    Err(if expired {
        invalid_client(
            7000222,
            format!("The provided client secret keys for app '{app_id}' are expired."),
        )
    } else {
        invalid_client(
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."
            ),
        )
    })
}

/// The audiences Entra accepts on a client assertion: the tenant's token endpoints (v2 and v1)
/// and its issuer, addressed by tenant id or by the `{tenant}` segment of the request.
fn audiences(state: &AppState, tenant: TenantId, segment: &str) -> Vec<String> {
    let base = state.instance.public_url.trim_end_matches('/');
    let mut out = Vec::new();
    for t in [tenant.to_string(), segment.to_ascii_lowercase()] {
        for path in ["oauth2/v2.0/token", "oauth2/token", "v2.0"] {
            out.push(format!("{base}/{t}/{path}"));
            out.push(format!("{base}/{t}/{path}/"));
        }
    }
    out
}

async fn check_assertion(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    tenant: TenantId,
    segment: &str,
    app: &Application,
    assertion: &str,
) -> Result<(), OAuthError> {
    let app_id = app.app_id;
    let jwt = jwt::parse_with(assertion, certificate::ALGORITHMS).map_err(|e| match e {
        JwtError::UnsupportedAlgorithm(alg) => {
            invalid_assertion(&format!("uses the algorithm '{alg}'; use RS256 or PS256"))
        }
        _ => invalid_assertion("is not a well-formed signed JWT"),
    })?;
    let thumbprint = jwt
        .header
        .x5t
        .clone()
        .or_else(|| jwt.header.x5t_s256.clone())
        .or_else(|| jwt.header.kid.clone())
        .unwrap_or_default();
    let key_not_found = |reason: &str| {
        invalid_client(
            700027,
            format!(
                "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{app_id}'.]"
            ),
        )
    };
    let stored = tx.key_credentials(app.id).await?;
    let Some((cert, credential)) = certificate::named_by(&jwt.header, &stored) else {
        return Err(key_not_found("The key was not found."));
    };
    let (start, end) = (credential.start, credential.end);
    let (input, signature) = jwt.signed();
    if !cert.verify(&jwt.header.alg, input, signature) {
        return Err(invalid_client(
            700027,
            "Client assertion failed signature validation.",
        ));
    }
    let now = state.clock.now();
    if end <= now {
        return Err(invalid_client(
            7000222,
            format!("The provided client certificate keys for app '{app_id}' are expired."),
        ));
    }
    if now < start {
        return Err(key_not_found("The key is not yet valid."));
    }
    let client_id = app_id.to_string();
    if jwt.claim_str("iss") != Some(client_id.as_str())
        || jwt.claim_str("sub") != Some(client_id.as_str())
    {
        return Err(invalid_client(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
        ));
    }
    let accepted = audiences(state, tenant, segment);
    let accepted: Vec<&str> = accepted.iter().map(String::as_str).collect();
    if jwt.validate_audience(&accepted).is_err() {
        return Err(invalid_client(
            700023,
            "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
        ));
    }
    match jwt.validate_times(now, ASSERTION_SKEW.whole_seconds()) {
        Ok(()) => {}
        Err(JwtError::Expired | JwtError::NotYetValid) => {
            let show = |name| {
                jwt.claim_time(name)
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            };
            return Err(invalid_client(
                700024,
                format!(
                    "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
                    show("nbf"),
                    show("exp")
                ),
            ));
        }
        Err(_) => return Err(invalid_assertion("has no valid 'exp' claim")),
    }
    let jti = jwt
        .claim_str("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or_else(|| invalid_assertion("has no 'jti' claim"))?;
    let exp = jwt
        .claim_time("exp")
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .ok_or_else(|| invalid_assertion("has no valid 'exp' claim"))?;
    if !tx
        .record_client_assertion(app_id, jti, exp + ASSERTION_SKEW, now)
        .await?
    {
        return Err(invalid_assertion(&format!(
            "with jti '{jti}' was already used; sign a new assertion for every request"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("my%3Aclient:s%2Bc+r%25t~");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers).unwrap(),
            Some(("my:client".to_owned(), "s+c r%t~".to_owned()))
        );
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
    }
}
