//! `GET /{tenant}/oauth2/v2.0/authorize` and the interactive sign-in it leads to
//! (`POST /{tenant}/login`, `POST /{tenant}/kmsi`): the authorization code flow for the tenant's
//! first-party public clients and its registered applications (redirect URIs matched exactly per
//! platform; PKCE S256 required except for `web` redirect URIs, whose clients are confidential).
//!
//! State between the pages is carried by the browser, protected by keyed hashes: the validated
//! authorization request travels in a hidden `request` field (`payload.mac`, valid one hour); the
//! password-checked sign-in waiting for the "Stay signed in?" answer travels in `pending`, whose MAC
//! also covers the CSRF cookie. CSRF: a random `__Host-` cookie; forms carry its keyed hash, checked
//! in constant time. The SSO session cookie is an opaque random value naming its tenant; the store
//! keeps only its keyed hash.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::application::{Application, Platform};
use gatehouse_domain::catalog::first_party::{FirstPartyKind, first_party_app};
use gatehouse_domain::ids::{AppId, ObjectId, TenantId};
use gatehouse_domain::user::User;
use gatehouse_store::{StoredAuthorizationCode, StoredSignInSession};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::authority::{self, Authority};
use super::response_type::{self, ResponseType};
use super::{grants, pages, tokens};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

type Params = HashMap<String, String>;

mod consent;
pub use consent::submit as consent;

pub const SESSION_COOKIE: &str = "__Host-gatehouse-sso";
pub const CSRF_COOKIE: &str = "__Host-gatehouse-csrf";
const CODE_LIFETIME: Duration = Duration::minutes(10);
const REQUEST_LIFETIME: Duration = Duration::hours(1);
const PENDING_LIFETIME: Duration = Duration::minutes(10);
/// "Stay signed in?" yes: the session and its cookie last 90 days.
const PERSISTENT_SESSION: Duration = Duration::days(90);
/// No: a browser-session cookie; the server forgets the session after a day at most.
const BROWSER_SESSION: Duration = Duration::days(1);
const NATIVE_CLIENT: &str = "https://login.microsoftonline.com/common/oauth2/nativeclient";

/// A validated authorization request, as the sign-in pages carry it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AuthRequest {
    authority: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    /// Requests sealed before response types existed asked for a code.
    #[serde(default = "code_only")]
    response_type: ResponseType,
    /// Empty when no code is requested.
    code_challenge: String,
    response_mode: ResponseMode,
    login_hint: String,
    /// `prompt` as asked (`login`, `none`, `consent`, `select_account`).
    #[serde(default)]
    prompt: Option<String>,
    /// Unix seconds.
    issued: i64,
    /// Not an authorization request but a sign-in for another page (the device login): after
    /// "Stay signed in?" the browser goes to this path on this server instead of getting a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resume: Option<String>,
}

fn code_only() -> ResponseType {
    ResponseType::CODE
}

impl AuthRequest {
    /// The client's app id (validated before the request was sealed).
    fn app(&self) -> Result<AppId, OAuthError> {
        self.client_id
            .parse()
            .map_err(|_| unknown_client(&self.client_id, &self.authority))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// Whether `uri` is a loopback redirect: `http://localhost[:port][/path]` or
/// `http://127.0.0.1[:port][/path]`, any port.
fn is_loopback(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    if rest
        .chars()
        .any(|c| matches!(c, '?' | '#' | '@' | '\\' | '%') || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let (authority, _path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65535)
    });
    matches!(host, "localhost" | "127.0.0.1") && port_ok
}

/// The platform of `uri` among `client`'s redirect URIs, or `None` when it may not receive a
/// redirect there. Microsoft's CLIs take loopback and the native-client URI (public clients),
/// Gatehouse's portals exactly their page; registered apps their `web`, `spa` and `publicClient`
/// URIs.
fn redirect_platform(
    state: &AppState,
    client: AppId,
    app: Option<&Application>,
    uri: &str,
) -> Option<Platform> {
    if let Some(app) = app {
        return app.redirect_platform(uri);
    }
    let app = first_party_app(client.as_uuid())?;
    let allowed = match app.redirect_path {
        Some(path) => uri == format!("{}{path}", state.instance.public_url),
        None => uri == NATIVE_CLIENT || is_loopback(uri),
    };
    allowed.then_some(Platform::PublicClient)
}

/// Whether `client` may receive a redirect at `uri` (for a registered application, one of its
/// redirect URIs in `tenant`).
pub(super) async fn redirect_allowed(
    state: &AppState,
    tenant: Option<TenantId>,
    client: AppId,
    uri: &str,
) -> Result<bool, OAuthError> {
    let app = match (first_party_app(client.as_uuid()), tenant) {
        (Some(_), _) => None,
        (None, Some(tenant)) => {
            let app = state
                .store
                .read(tenant)
                .await?
                .application_by_app_id(client)
                .await?;
            let Some(app) = app else { return Ok(false) };
            Some(app)
        }
        (None, None) => return Ok(false),
    };
    Ok(redirect_platform(state, client, app.as_ref(), uri).is_some())
}

fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `uri` with `fields` added to its query.
pub(super) fn with_query(uri: &str, fields: &[(&str, &str)]) -> String {
    if fields.is_empty() {
        return uri.to_owned();
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", form_encode(fields))
}

/// A `302 Found` to `location`, never cached.
pub(super) fn redirect_to(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Sends `fields` (plus `state`) back to the client as its `response_mode` asks.
fn respond_to_client(req: &AuthRequest, fields: &[(&str, &str)]) -> Response {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    if let Some(s) = &req.state {
        all.push(("state", s));
    }
    match req.response_mode {
        ResponseMode::FormPost => pages::form_post(&req.redirect_uri, &all),
        ResponseMode::Query => redirect_to(&with_query(&req.redirect_uri, &all)),
        ResponseMode::Fragment => {
            redirect_to(&format!("{}#{}", req.redirect_uri, form_encode(&all)))
        }
    }
}

/// An OAuth error sent back to the (validated) redirect URI.
fn error_to_client(req: &AuthRequest, e: &OAuthError) -> Response {
    let context = crate::http::context::RequestContext::current();
    let body = e.body(&context);
    let description = body["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    respond_to_client(
        req,
        &[("error", e.error), ("error_description", &description)],
    )
}

pub(crate) fn error_page(e: &OAuthError) -> Response {
    pages::error(StatusCode::BAD_REQUEST, e.aadsts, &e.description)
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

pub(crate) fn set_cookie(response: &mut Response, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub(crate) fn random_token(state: &AppState) -> String {
    let mut raw = [0u8; 32];
    state.random.fill(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// A value and its keyed hash under `purpose`, as `payload.mac`.
pub(crate) fn seal(state: &AppState, purpose: &str, payload: &str) -> String {
    format!(
        "{payload}.{}",
        state.secrets.keyed_hash(&format!("{purpose}/{payload}"))
    )
}

pub(crate) fn unseal<'a>(state: &AppState, purpose: &str, sealed: &'a str) -> Option<&'a str> {
    let (payload, mac) = sealed.rsplit_once('.')?;
    state
        .secrets
        .verify_keyed_hash(&format!("{purpose}/{payload}"), mac)
        .then_some(payload)
}

fn seal_request(state: &AppState, req: &AuthRequest) -> String {
    let json = serde_json::to_vec(req).unwrap_or_default();
    seal(state, "authorize-request", &URL_SAFE_NO_PAD.encode(json))
}

fn unseal_request(state: &AppState, sealed: &str) -> Option<AuthRequest> {
    let payload = unseal(state, "authorize-request", sealed)?;
    let req: AuthRequest = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let issued = OffsetDateTime::from_unix_timestamp(req.issued).ok()?;
    (issued + REQUEST_LIFETIME > state.clock.now()).then_some(req)
}

pub(crate) fn csrf_field(state: &AppState, cookie: &str) -> String {
    state.secrets.keyed_hash(&format!("csrf/{cookie}"))
}

/// The CSRF cookie of the request, checked against the form's field in constant time.
pub(crate) fn check_csrf(state: &AppState, headers: &HeaderMap, form: &Params) -> Option<String> {
    let cookie = cookie(headers, CSRF_COOKIE)?;
    let field = form.get("csrf")?;
    state
        .secrets
        .verify_keyed_hash(&format!("csrf/{cookie}"), field)
        .then_some(cookie)
}

pub(crate) fn malformed() -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        9002313,
        "Invalid request. Request is malformed or invalid.",
    )
}

fn param<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn missing(name: &str) -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn invalid(code: u32, description: impl Into<String>) -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        code,
        description,
    )
}

pub(crate) fn unknown_client(client_id: &str, tenant: &str) -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

/// The client: a first-party public client (enabled in the tenant, when known), or an application
/// registered in the tenant with an enabled service principal (registered apps need a tenant in the
/// authority).
async fn client(
    state: &AppState,
    tenant: Option<TenantId>,
    client_id: &str,
    tenant_label: &str,
) -> Result<(AppId, Option<Application>), OAuthError> {
    let app_id: AppId = client_id
        .parse()
        .map_err(|_| unknown_client(client_id, tenant_label))?;
    let public =
        first_party_app(app_id.as_uuid()).is_some_and(|a| a.kind == FirstPartyKind::PublicClient);
    let Some(tenant) = tenant else {
        return if public {
            Ok((app_id, None))
        } else {
            Err(unknown_client(client_id, tenant_label))
        };
    };
    let mut tx = state.store.read(tenant).await?;
    let enabled = tx
        .service_principal_by_app_id(app_id)
        .await?
        .is_some_and(|sp| sp.account_enabled);
    let registered = if public {
        None
    } else {
        Some(
            tx.application_by_app_id(app_id)
                .await?
                .ok_or_else(|| unknown_client(client_id, tenant_label))?,
        )
    };
    if !enabled {
        return Err(unknown_client(client_id, tenant_label));
    }
    Ok((app_id, registered))
}

fn tenant_of(authority: Authority) -> Option<TenantId> {
    match authority {
        Authority::Tenant(id) => Some(id),
        Authority::Common | Authority::Organizations => None,
    }
}

/// The browser's live SSO session usable for `authority`: not revoked or expired, its user enabled
/// and not signed out everywhere (password change, session revocation) since.
pub(crate) async fn live_session(
    state: &AppState,
    headers: &HeaderMap,
    authority: Authority,
) -> Result<Option<(TenantId, StoredSignInSession, User)>, OAuthError> {
    let Some(value) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(tenant) = tokens::refresh_token_tenant(&value) else {
        return Ok(None);
    };
    if tenant_of(authority).is_some_and(|t| t != tenant) {
        return Ok(None);
    }
    let now = state.clock.now();
    let mut tx = state.store.read(tenant).await?;
    let Some(session) = tx
        .sign_in_session(&state.secrets.keyed_hash(&value))
        .await?
        .filter(|s| s.revoked_at.is_none() && s.expires_at > now)
    else {
        return Ok(None);
    };
    let user = match tx.user(session.user_id).await {
        Ok(u) => u,
        Err(gatehouse_domain::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !user.account_enabled
        || user
            .tokens_valid_from()
            .is_some_and(|v| v > session.auth_time)
    {
        return Ok(None);
    }
    Ok(Some((tenant, session, user)))
}

/// Answers a request signed in by `session`: asks for consent first when the client lacks it,
/// issues what `response_type` asks for, records the application in the session (for
/// front-channel logout) and sends the answer to the client.
async fn issue_code(
    state: &AppState,
    headers: &HeaderMap,
    req: &AuthRequest,
    tenant: TenantId,
    user: &User,
    session: &StoredSignInSession,
) -> Response {
    match consent::page_if_needed(state, headers, req, tenant, user).await {
        Ok(Some(page)) => return page,
        Ok(None) => {}
        Err(e) => return error_to_client(req, &e),
    }
    match try_issue(state, req, tenant, user, session).await {
        Ok(fields) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            respond_to_client(req, &fields)
        }
        Err(e) => error_to_client(req, &e),
    }
}

async fn try_issue(
    state: &AppState,
    req: &AuthRequest,
    tenant: TenantId,
    user: &User,
    session: &StoredSignInSession,
) -> Result<Vec<(&'static str, String)>, OAuthError> {
    let (auth_time, amr) = (session.auth_time, session.amr.as_str());
    let app = req.app()?;
    let rt = req.response_type;
    // The signer first: creating a tenant's first key needs a write transaction of its own.
    let signer = match rt.implicit() {
        true => Some(tokens::signer(state, tenant).await?),
        false => None,
    };
    let mut tx = state.store.write(tenant).await?;
    let enabled = tx
        .service_principal_by_app_id(app)
        .await?
        .is_some_and(|sp| sp.account_enabled);
    if !enabled {
        return Err(unknown_client(&req.client_id, &tenant.to_string()));
    }
    rt.check(response_type::implicit_settings(&mut tx, app).await?)?;
    // Refuse now what the token endpoint would refuse (bad scope, missing consent).
    let mut grant = grants::resolve_grant(&mut tx, &req.scope, app, user).await?;
    let mut fields = Vec::new();
    if rt.code {
        let code = insert_code(state, &mut tx, req, app, tenant, user, auth_time, amr).await?;
        fields.push(("code", code));
    }
    if let Some(signer) = signer {
        let sign_in = tokens::SignIn {
            tenant,
            user: user.clone(),
            client_app_id: app,
            amr: amr.split_whitespace().map(str::to_owned).collect(),
            auth_time,
            role_template_ids: grants::tenant_roles(&mut tx, user).await?,
            family_id: None,
            interactive: true,
        };
        let lifetimes = tx.token_lifetimes_for(app).await?;
        let mut hashes = Vec::new();
        if let Some((_, code)) = fields.first() {
            hashes.push(("c_hash", response_type::half_hash(code)));
        }
        if rt.token {
            let (access_token, expires_in, scope) =
                tokens::access_token(state, &signer, &sign_in, &grant, &lifetimes);
            hashes.push(("at_hash", response_type::half_hash(&access_token)));
            fields.push(("access_token", access_token));
            fields.push(("token_type", "Bearer".to_owned()));
            fields.push(("expires_in", expires_in.to_string()));
            fields.push(("scope", scope));
        }
        if rt.id_token {
            grant.nonce = req.nonce.clone();
            fields.push((
                "id_token",
                tokens::id_token(state, &signer, (&sign_in, &grant), &lifetimes, &hashes),
            ));
        }
    }
    tx.record_sign_in_session_app(&session.session_hash, app)
        .await?;
    tx.commit().await?;
    Ok(fields)
}

/// Stores a new authorization code (the caller commits) and returns it.
#[allow(clippy::too_many_arguments)]
async fn insert_code(
    state: &AppState,
    tx: &mut gatehouse_store::TenantTx<gatehouse_store::Write>,
    req: &AuthRequest,
    app: AppId,
    tenant: TenantId,
    user: &User,
    auth_time: OffsetDateTime,
    amr: &str,
) -> Result<String, OAuthError> {
    let code = tokens::new_refresh_token(state, tenant);
    tx.insert_authorization_code(&StoredAuthorizationCode {
        code_hash: state.secrets.keyed_hash(&code),
        client_app_id: app,
        redirect_uri: req.redirect_uri.clone(),
        user_id: user.id,
        scope: req.scope.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        auth_time,
        amr: amr.to_owned(),
        expires_at: state.clock.now() + CODE_LIFETIME,
        redeemed_at: None,
    })
    .await?;
    Ok(code)
}

/// The sign-in page, setting a CSRF cookie when the browser has none.
fn sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    req: &AuthRequest,
    login: &str,
    error: Option<&str>,
) -> Response {
    with_csrf(state, headers, |field, _| {
        pages::sign_in(
            &format!("/{}/login", req.authority),
            &seal_request(state, req),
            field,
            login,
            error,
        )
    })
}

/// A page built by `page` with the form field of the browser's CSRF cookie, setting the cookie
/// when the browser has none yet. `page` gets the field and the cookie value.
fn with_csrf(
    state: &AppState,
    headers: &HeaderMap,
    page: impl FnOnce(&str, &str) -> Response,
) -> Response {
    let existing = cookie(headers, CSRF_COOKIE);
    let csrf = existing.clone().unwrap_or_else(|| random_token(state));
    let mut response = page(&csrf_field(state, &csrf), &csrf);
    if existing.is_none() {
        set_cookie(
            &mut response,
            format!("{CSRF_COOKIE}={csrf}; Path=/; Secure; HttpOnly; SameSite=Strict"),
        );
    }
    response
}

/// A posted sign-in step: its form, the browser's CSRF cookie (checked against the form's field)
/// and the sealed authorization request it continues; `None` for anything else.
fn posted_step(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Option<(Params, String, AuthRequest)> {
    let Form(form) = form.ok()?;
    let csrf = check_csrf(state, headers, &form)?;
    let req = form.get("request").and_then(|r| unseal_request(state, r))?;
    Some((form, csrf, req))
}

/// The PKCE challenge of a code request (S256, 43 base64url characters): required of public and SPA
/// clients, optional for `web` redirect URIs, whose clients are confidential (empty when absent).
fn pkce_challenge(p: &Params, platform: Platform) -> Result<&str, OAuthError> {
    let Some(challenge) = param(p, "code_challenge") else {
        if platform == Platform::Web {
            return Ok("");
        }
        return Err(invalid(
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        ));
    };
    if param(p, "code_challenge_method") != Some("S256")
        || challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            501491,
            "Invalid size of Code_Challenge parameter, or code_challenge_method is not S256.",
        ));
    }
    Ok(challenge)
}

/// The sign-in page for a flow that is not an authorization request (the device login): after the
/// password and "Stay signed in?", the browser has its SSO session and is sent to `resume`, a path
/// on this server, instead of receiving a code.
pub(crate) fn sign_in_then(
    state: &AppState,
    headers: &HeaderMap,
    authority: &str,
    resume: String,
) -> Response {
    let req = AuthRequest {
        authority: authority.to_owned(),
        client_id: String::new(),
        redirect_uri: String::new(),
        scope: String::new(),
        state: None,
        nonce: None,
        response_type: code_only(),
        code_challenge: String::new(),
        response_mode: ResponseMode::Query,
        login_hint: String::new(),
        prompt: None,
        issued: state.clock.now().unix_timestamp(),
        resume: Some(resume),
    };
    sign_in_page(state, headers, &req, "", None)
}

pub async fn authorize(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    query: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = query else {
        return malformed();
    };
    let authority = match authority::resolve(&state, &tenant).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    // Until the client and its redirect URI are known good, errors never leave this server.
    let Some(client_id) = param(&p, "client_id") else {
        return error_page(&missing("client_id"));
    };
    let (client, registered) = match client(&state, tenant_of(authority), client_id, &tenant).await
    {
        Ok(c) => c,
        Err(e) => return error_page(&e),
    };
    let Some(redirect_uri) = param(&p, "redirect_uri") else {
        return error_page(&missing("redirect_uri"));
    };
    let Some(platform) = redirect_platform(&state, client, registered.as_ref(), redirect_uri)
    else {
        return error_page(&invalid(
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
            ),
        ));
    };
    let response_type = param(&p, "response_type").and_then(ResponseType::parse);
    // Tokens never travel in the query: the implicit and hybrid flows default to the fragment.
    let default_mode = match response_type.is_some_and(|rt| rt.implicit()) {
        true => ResponseMode::Fragment,
        false => ResponseMode::Query,
    };
    let response_mode = match param(&p, "response_mode") {
        Some("query") if default_mode == ResponseMode::Query => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        _ => default_mode,
    };
    let mut req = AuthRequest {
        authority: authority.segment(),
        client_id: client.to_string(),
        redirect_uri: redirect_uri.to_owned(),
        scope: param(&p, "scope").unwrap_or("openid").to_owned(),
        state: p.get("state").cloned(),
        nonce: param(&p, "nonce").map(str::to_owned),
        response_type: response_type.unwrap_or(ResponseType::CODE),
        code_challenge: String::new(),
        response_mode,
        login_hint: param(&p, "login_hint").unwrap_or_default().to_owned(),
        prompt: param(&p, "prompt").map(str::to_owned),
        issued: state.clock.now().unix_timestamp(),
        resume: None,
    };
    if let Some(mode) =
        param(&p, "response_mode").filter(|m| !matches!(*m, "query" | "fragment" | "form_post"))
    {
        return error_to_client(
            &req,
            &invalid(
                900144,
                format!(
                    "The provided value for the input parameter 'response_mode' is not valid. '{mode}' is not supported."
                ),
            ),
        );
    }
    let rt = match (param(&p, "response_type"), response_type) {
        (None, _) => return error_to_client(&req, &missing("response_type")),
        (Some(_), Some(rt)) => rt,
        (Some(other), None) => {
            return error_to_client(
                &req,
                &OAuthError::new(
                    StatusCode::BAD_REQUEST,
                    "unsupported_response_type",
                    700054,
                    format!("response_type '{other}' is not enabled for the application."),
                ),
            );
        }
    };
    if rt.implicit() && param(&p, "response_mode") == Some("query") {
        return error_to_client(
            &req,
            &invalid(
                70007,
                "The application returned an unsupported value of 'response_mode' when requesting a token: 'query' is not allowed when tokens are returned from the authorization endpoint.",
            ),
        );
    }
    if rt.id_token && req.nonce.is_none() {
        return error_to_client(&req, &missing("nonce"));
    }
    if let Some(tenant) = tenant_of(authority) {
        let settings = async {
            let mut tx = state.store.read(tenant).await?;
            response_type::implicit_settings(&mut tx, client).await
        };
        if let Err(e) = settings
            .await
            .map_err(OAuthError::from)
            .and_then(|s| rt.check(s))
        {
            return error_to_client(&req, &e);
        }
    }
    if rt.code {
        match pkce_challenge(&p, platform) {
            Ok(challenge) => req.code_challenge = challenge.to_owned(),
            Err(e) => return error_to_client(&req, &e),
        }
    }
    let prompt = param(&p, "prompt");
    if prompt.is_some_and(|v| !matches!(v, "login" | "none" | "consent" | "select_account")) {
        return error_to_client(&req, &invalid(90023, "Invalid prompt parameter value."));
    }
    let max_age = match param(&p, "max_age").map(str::parse::<i64>) {
        None => None,
        Some(Ok(v)) if v >= 0 => Some(v),
        Some(_) => {
            return error_to_client(&req, &invalid(50133, "The max_age parameter is invalid."));
        }
    };

    // An existing SSO session skips the credentials unless the client insists on a fresh sign-in.
    let forced = matches!(prompt, Some("login" | "select_account"));
    if !forced {
        let session = match live_session(&state, &headers, authority).await {
            Ok(s) => s,
            Err(e) => return error_to_client(&req, &e),
        };
        let now = state.clock.now();
        if let Some((tenant, session, user)) = session
            .filter(|(_, s, _)| max_age.is_none_or(|m| s.auth_time + Duration::seconds(m) >= now))
        {
            return issue_code(&state, &headers, &req, tenant, &user, &session).await;
        }
    }
    if prompt == Some("none") {
        return error_to_client(
            &req,
            &OAuthError::new(
                StatusCode::BAD_REQUEST,
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            ),
        );
    }
    let login = req.login_hint.clone();
    sign_in_page(&state, &headers, &req, &login, None)
}

/// `POST /{tenant}/login`: the credentials from the sign-in page.
pub async fn login(
    State(state): State<AppState>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some((form, csrf, req)) = posted_step(&state, &headers, form) else {
        return malformed();
    };
    let username = form.get("login").map(|s| s.trim()).unwrap_or_default();
    let password = form.get("passwd").cloned().unwrap_or_default();
    let retry = || {
        sign_in_page(
            &state,
            &headers,
            &req,
            username,
            Some(pages::WRONG_CREDENTIALS),
        )
    };
    let authority = match authority::resolve(&state, &req.authority).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let tenant = match tenant_of(authority) {
        Some(t) => Some(t),
        None => match authority::tenant_of_user(&state, username).await {
            Ok(t) => t,
            Err(e) => return error_page(&e.into()),
        },
    };
    let Some(tenant) = tenant else {
        return retry();
    };
    let user = match state.store.read(tenant).await {
        Ok(mut tx) => match tx.user_by_upn(username).await {
            Ok(u) => u,
            Err(e) => return error_page(&e.into()),
        },
        Err(e) => return error_page(&e.into()),
    };
    let Some((user, hash)) = user.and_then(|u| u.password.clone().map(|h| (u, h))) else {
        return retry();
    };
    let ok = match super::lockout::check_password(&state, tenant, &user, hash, password).await {
        Ok(ok) => ok,
        Err(e) if e.aadsts == 50053 => {
            return sign_in_page(&state, &headers, &req, username, Some(&e.description));
        }
        Err(e) => return error_page(&e),
    };
    if !ok {
        return retry();
    }
    if !user.account_enabled {
        return pages::error(
            StatusCode::BAD_REQUEST,
            50057,
            "The user account is disabled.",
        );
    }
    let mfa = async {
        let mut tx = state.store.write(tenant).await?;
        let roles = grants::tenant_roles(&mut tx, &user).await?;
        grants::require_mfa_if_needed(&mut tx, &roles).await
    };
    if let Err(e) = mfa.await {
        if e.aadsts == 50076 {
            return pages::error(
                StatusCode::BAD_REQUEST,
                50076,
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource. Multi-factor authentication is required and is not yet available on this server.",
            );
        }
        return error_page(&e);
    }
    let now = state.clock.now();
    let payload = format!(
        "{tenant}|{}|{}|{}",
        user.id,
        now.unix_timestamp_nanos() / 1000,
        now.unix_timestamp()
    );
    let pending = seal(&state, &format!("pending/{csrf}"), &payload);
    pages::stay_signed_in(
        &format!("/{}/kmsi", req.authority),
        form.get("request").map(String::as_str).unwrap_or_default(),
        &csrf_field(&state, &csrf),
        &pending,
        &user.user_principal_name.to_string(),
    )
}

/// `POST /{tenant}/kmsi`: "Stay signed in?" answered; starts the SSO session and issues the code.
pub async fn stay_signed_in(
    State(state): State<AppState>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some((form, csrf, req)) = posted_step(&state, &headers, form) else {
        return malformed();
    };
    let pending = form
        .get("pending")
        .and_then(|p| unseal(&state, &format!("pending/{csrf}"), p));
    let Some((tenant, user_id, auth_micros, signed_at)) = pending.and_then(|p| {
        let mut parts = p.split('|');
        Some((
            parts.next()?.parse::<TenantId>().ok()?,
            parts.next()?.parse::<ObjectId>().ok()?,
            parts.next()?.parse::<i128>().ok()?,
            parts.next()?.parse::<i64>().ok()?,
        ))
    }) else {
        return malformed();
    };
    let now = state.clock.now();
    let Ok(auth_time) = OffsetDateTime::from_unix_timestamp_nanos(auth_micros * 1000) else {
        return malformed();
    };
    if signed_at + PENDING_LIFETIME.whole_seconds() < now.unix_timestamp() {
        return malformed();
    }
    let persistent = form.get("kmsi").is_some_and(|v| v == "yes");
    let value = tokens::new_refresh_token(&state, tenant);
    let lifetime = if persistent {
        PERSISTENT_SESSION
    } else {
        BROWSER_SESSION
    };
    let session = StoredSignInSession {
        session_hash: state.secrets.keyed_hash(&value),
        user_id,
        auth_time,
        amr: "pwd".to_owned(),
        persistent,
        expires_at: now + lifetime,
        revoked_at: None,
    };
    let user = async {
        let mut tx = state.store.write(tenant).await?;
        let user = tx.user(user_id).await?;
        tx.insert_sign_in_session(&session).await?;
        tx.commit().await?;
        Ok::<_, gatehouse_domain::Error>(user)
    };
    let user = match user.await {
        Ok(u) => u,
        Err(e) => return error_page(&e.into()),
    };
    let mut response = match &req.resume {
        Some(path) => axum::response::Redirect::to(path).into_response(),
        None => issue_code(&state, &headers, &req, tenant, &user, &session).await,
    };
    let max_age = if persistent {
        format!("; Max-Age={}", PERSISTENT_SESSION.whole_seconds())
    } else {
        String::new()
    };
    set_cookie(
        &mut response,
        format!("{SESSION_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Lax{max_age}"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_are_recognised() {
        for ok in [
            "http://localhost",
            "http://localhost/",
            "http://localhost:8400",
            "http://localhost:8400/",
            "http://127.0.0.1:53100/callback",
        ] {
            assert!(is_loopback(ok), "{ok}");
        }
        for bad in [
            "https://localhost/",
            "http://localhost.evil.example/",
            "http://evil.example/",
            "http://localhost@evil.example/",
            "http://localhost:80@evil.example",
            "http://localhost:99999/",
            "http://localhost:/",
            "http://127.0.0.1.evil.example/",
            "http://localhost/#x",
            "http://localhost\\@evil.example",
            "HTTP://evil.example",
        ] {
            assert!(!is_loopback(bad), "{bad}");
        }
    }
}
