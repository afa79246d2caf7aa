//! `POST /{tenant}/oauth2/v2.0/token`: the resource owner password grant (MSAL's username/password
//! flow) and the refresh token grant; the authorization code grant (`code_grant.rs`) and the client
//! credentials grant (`client_credentials.rs`). Every grant authenticates its client through
//! `client_auth.rs`.

use std::collections::HashMap;

use super::authority::{self, Authority};
use super::client_auth::{self, Flow, TokenRequest};
use super::grants;
use super::tokens::{self, REFRESH_INACTIVITY_DAYS, SignIn};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(crate) type Params = HashMap<String, String>;

pub(crate) fn bad(error: &'static str, code: u32, description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, error, code, description)
}

pub(crate) fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    p.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            bad(
                "invalid_request",
                900144,
                format!("The request body must contain the following parameter: '{name}'."),
            )
        })
}

pub async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(params) = form.map_err(|_| {
        bad(
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    let authority = authority::resolve(&state, &tenant).await?;
    let req = TokenRequest {
        params: &params,
        headers: &headers,
        segment: &tenant,
    };
    let body = match required(&params, "grant_type")? {
        "password" => password(&state, authority, &req).await?,
        "refresh_token" => refresh(&state, authority, &req).await?,
        "authorization_code" => super::code_grant::redeem(&state, authority, &req).await?,
        "client_credentials" => super::client_credentials::grant(&state, authority, &req).await?,
        super::on_behalf_of::GRANT_TYPE => {
            super::on_behalf_of::grant(&state, authority, &req).await?
        }
        super::device_code::GRANT_TYPE => {
            super::device_code::grant(&state, authority, &params).await?
        }
        other => {
            return Err(bad(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            ));
        }
    };
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// The `scope` parameter, or what the grant falls back to, or `openid`.
fn requested_scope<'a>(p: &'a Params, fallback: Option<&'a str>) -> &'a str {
    p.get("scope")
        .map(String::as_str)
        .or(fallback)
        .unwrap_or("openid")
}

pub(crate) fn disabled() -> OAuthError {
    bad("invalid_grant", 50057, "The user account is disabled.")
}

/// The resource owner password credentials grant.
async fn password(
    state: &AppState,
    authority: Authority,
    req: &TokenRequest<'_>,
) -> Result<serde_json::Value, OAuthError> {
    let p = req.params;
    let username = required(p, "username")?;
    let password = required(p, "password")?.to_owned();
    let tenant = match authority {
        Authority::Tenant(id) => Some(id),
        Authority::Common | Authority::Organizations => {
            authority::tenant_of_user(state, username).await?
        }
    };
    let no_such_user = || {
        bad(
            "invalid_grant",
            50034,
            format!(
                "The user account {username} does not exist in the directory. To sign into this application, the account must be added to the directory."
            ),
        )
    };
    let tenant = tenant.ok_or_else(no_such_user)?;
    let user = state
        .store
        .read(tenant)
        .await?
        .user_by_upn(username)
        .await?
        .ok_or_else(no_such_user)?;
    let hash = user.password.clone().ok_or_else(|| {
        bad(
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        )
    })?;
    let ok = super::lockout::check_password(state, tenant, &user, hash, password).await?;
    if !ok {
        return Err(bad(
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        ));
    }
    if !user.account_enabled {
        return Err(disabled());
    }

    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let client = client_auth::authenticate(state, &mut tx, tenant, req, Flow::Password)
        .await?
        .app_id;
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    grants::require_mfa_if_needed(&mut tx, &roles).await?;
    let grant = grants::resolve_grant(&mut tx, requested_scope(p, None), client, &user).await?;
    let now = state.clock.now();
    let sign_in = SignIn {
        tenant,
        user,
        client_app_id: client,
        amr: vec!["pwd".to_owned()],
        auth_time: now,
        role_template_ids: roles,
        family_id: None,
        interactive: true,
    };
    let issued = tokens::issue(state, &mut tx, &signer, &sign_in, &grant).await?;
    tx.commit().await?;
    Ok(issued.to_json(p.get("client_info").is_some_and(|v| v == "1")))
}

pub(crate) fn expired_grant() -> OAuthError {
    bad(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    )
}

/// The refresh token grant: rotation, reuse detection, and revocation by password change or
/// session revocation.
async fn refresh(
    state: &AppState,
    authority: Authority,
    req: &TokenRequest<'_>,
) -> Result<serde_json::Value, OAuthError> {
    let p = req.params;
    let presented = required(p, "refresh_token")?;
    let malformed = || {
        bad(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    };
    let tenant = tokens::refresh_token_tenant(presented).ok_or_else(malformed)?;
    if matches!(authority, Authority::Tenant(id) if id != tenant) {
        return Err(expired_grant());
    }
    let now = state.clock.now();
    let hash = state.secrets.keyed_hash(presented);
    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let stored = tx.refresh_token(&hash).await?.ok_or_else(expired_grant)?;
    let client = client_auth::authenticate(state, &mut tx, tenant, req, Flow::Refresh)
        .await?
        .app_id;
    if stored.client_app_id != client {
        return Err(bad(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        ));
    }
    if stored.revoked_at.is_some() {
        return Err(expired_grant());
    }
    if !tx.consume_refresh_token(&hash, now).await? {
        // A consumed token came back: someone holds a copy. End the whole family.
        tx.revoke_refresh_family(&stored.family_id, now).await?;
        tx.commit().await?;
        tracing::warn!(tenant_id = %tenant, "refresh token reuse detected; token family revoked");
        return Err(expired_grant());
    }
    if stored.issued_at + time::Duration::days(REFRESH_INACTIVITY_DAYS) <= now {
        return Err(bad(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for {REFRESH_INACTIVITY_DAYS}.00:00:00.",
                stored.issued_at
            ),
        ));
    }
    let user = match tx.user(stored.user_id).await {
        Ok(u) => u,
        Err(gatehouse_domain::Error::NotFound { .. }) => return Err(expired_grant()),
        Err(e) => return Err(e.into()),
    };
    if !user.account_enabled {
        return Err(disabled());
    }
    if let Some(valid_from) = user.tokens_valid_from().filter(|v| *v > stored.auth_time) {
        return Err(bad(
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{valid_from}'.",
                stored.auth_time
            ),
        ));
    }
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    let mut grant = grants::resolve_grant(
        &mut tx,
        requested_scope(p, Some(&stored.scope)),
        client,
        &user,
    )
    .await?;
    grant.offline_access = true;
    let sign_in = SignIn {
        tenant,
        user,
        client_app_id: client,
        amr: stored.amr.split_whitespace().map(str::to_owned).collect(),
        auth_time: stored.auth_time,
        role_template_ids: roles,
        family_id: Some(stored.family_id),
        interactive: false,
    };
    let issued = tokens::issue(state, &mut tx, &signer, &sign_in, &grant).await?;
    tx.commit().await?;
    Ok(issued.to_json(p.get("client_info").is_some_and(|v| v == "1")))
}
