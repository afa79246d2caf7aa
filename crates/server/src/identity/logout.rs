//! `GET`/`POST /{tenant}/oauth2/v2.0/logout` (discovery's `end_session_endpoint`): ends the
//! browser's SSO session and clears its cookie, so the next `/authorize` asks for credentials again.
//!
//! The browser is sent to `post_logout_redirect_uri` (with `state`) only when it is exactly one of
//! the redirect URIs registered for the application named by `client_id`, or else by the audience
//! of a valid `id_token_hint` (signed by the tenant; it may have expired); otherwise the signed-out
//! page is shown and nothing is redirected. Front-channel logout: the signed-out page loads the
//! `web.logoutUrl` of each registered application the session signed in to, in hidden iframes,
//! before continuing to the redirect URI. One browser holds one session, so `logout_hint` needs no
//! account picker: it is accepted and the session is ended whatever it names.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use gatehouse_domain::ids::{AppId, TenantId};

use super::authority::{self, Authority};
use super::authorize::{SESSION_COOKIE, cookie, redirect_allowed, redirect_to, with_query};
use super::discovery::{issuer, key_deps};
use super::{jwt, pages, tokens};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

type Params = HashMap<String, String>;

pub async fn logout_get(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    query: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let p = query.map(|Query(p)| p).unwrap_or_default();
    logout(&state, &tenant, &headers, &p).await
}

pub async fn logout_post(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let p = form.map(|Form(p)| p).unwrap_or_default();
    logout(&state, &tenant, &headers, &p).await
}

fn param<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

async fn logout(state: &AppState, tenant: &str, headers: &HeaderMap, p: &Params) -> Response {
    let authority = match authority::resolve(state, tenant).await {
        Ok(a) => a,
        Err(e) => return pages::error(StatusCode::BAD_REQUEST, e.aadsts, &e.description),
    };
    let ended = match end_session(state, headers).await {
        Ok(e) => e,
        Err(e) => return pages::error(e.status, e.aadsts, &e.description),
    };
    let hint = match param(p, "id_token_hint") {
        Some(h) => hint_audience(state, h).await,
        None => None,
    };
    let named_tenant = match authority {
        Authority::Tenant(id) => Some(id),
        Authority::Common | Authority::Organizations => None,
    };
    let client = param(p, "client_id")
        .and_then(|c| c.parse::<AppId>().ok())
        .map(|c| (named_tenant.or(ended.tenant), c))
        .or_else(|| hint.map(|(t, c)| (named_tenant.or(Some(t)), c)));
    let mut continue_to = None;
    if let (Some(uri), Some((tenant, client))) = (param(p, "post_logout_redirect_uri"), client)
        && redirect_allowed(state, tenant, client, uri)
            .await
            .unwrap_or(false)
    {
        continue_to = Some(uri);
    }
    let state_field: Vec<(&str, &str)> = param(p, "state")
        .map(|s| ("state", s))
        .into_iter()
        .collect();
    let target = continue_to.map(|u| with_query(u, &state_field));
    let mut response = match (target, ended.frames.is_empty()) {
        (Some(location), true) => redirect_to(&location),
        (target, _) => pages::signed_out(&ended.frames, &ended.origins, target.as_deref()),
    };
    let clear = format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// What ending the browser's session found.
#[derive(Default)]
struct Ended {
    tenant: Option<TenantId>,
    /// Front-channel logout URLs of the applications the session signed in to.
    frames: Vec<String>,
    /// Their origins, for the page's `frame-src`.
    origins: Vec<String>,
}

/// Revokes the browser's SSO session (if any) and collects the logout URLs of the applications it
/// signed in to, in one transaction.
async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<Ended, OAuthError> {
    let Some(value) = cookie(headers, SESSION_COOKIE) else {
        return Ok(Ended::default());
    };
    let Some(tenant) = tokens::refresh_token_tenant(&value) else {
        return Ok(Ended::default());
    };
    let hash = state.secrets.keyed_hash(&value);
    let mut tx = match state.store.write(tenant).await {
        Ok(tx) => tx,
        // A cookie naming a tenant that no longer exists ends nothing.
        Err(gatehouse_domain::Error::NotFound { .. }) => return Ok(Ended::default()),
        Err(e) => return Err(e.into()),
    };
    let mut ended = Ended {
        tenant: Some(tenant),
        ..Ended::default()
    };
    if tx.sign_in_session(&hash).await?.is_none() {
        return Ok(ended);
    }
    for app in tx.sign_in_session_apps(&hash).await? {
        let url = tx
            .application_by_app_id(app)
            .await?
            .and_then(|a| a.web_logout_url);
        if let Some((url, origin)) = url.and_then(|u| origin(&u).map(|o| (u, o))) {
            if !ended.origins.contains(&origin) {
                ended.origins.push(origin);
            }
            ended.frames.push(url);
        }
    }
    tx.revoke_sign_in_session(&hash, state.clock.now()).await?;
    tx.commit().await?;
    Ok(ended)
}

/// `scheme://host[:port]` of an https (or loopback http) URL, if it is plain enough to name in a
/// Content-Security-Policy.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "https" | "http") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| format!("{scheme}://{host}"))
}

/// The tenant and audience of an ID token this server signed (expired hints are fine, as in Entra).
async fn hint_audience(state: &AppState, token: &str) -> Option<(TenantId, AppId)> {
    let jwt = jwt::parse(token).ok()?;
    let tenant: TenantId = jwt.claim_str("tid")?.parse().ok()?;
    let kid = jwt.header.kid.as_deref()?;
    let key = state
        .keys
        .public_key(&key_deps(state), tenant, kid)
        .await
        .ok()??;
    jwt.verify_signature(&key).ok()?;
    jwt.validate_issuer(&issuer(state, &tenant.to_string()))
        .ok()?;
    let aud = jwt.claim_str("aud")?.parse().ok()?;
    Some((tenant, aud))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_are_plain_scheme_host_port() {
        for (url, expected) in [
            (
                "https://app.contoso.com/signout",
                Some("https://app.contoso.com"),
            ),
            (
                "https://app.contoso.com:8443?x=1",
                Some("https://app.contoso.com:8443"),
            ),
            ("http://localhost:5000/out", Some("http://localhost:5000")),
            ("https://evil.example; script-src *", None),
            ("javascript:alert(1)", None),
            ("https:///x", None),
        ] {
            assert_eq!(super::origin(url).as_deref(), expected, "{url}");
        }
    }
}
