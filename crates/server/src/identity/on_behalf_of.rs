//! The on-behalf-of flow (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with
//! `requested_token_use=on_behalf_of`): an API that received a user's access token (the
//! `assertion`, whose audience is that API) authenticates as a confidential client and exchanges
//! it for a token to a downstream resource for the same user, within the consent the API holds.

use axum::http::StatusCode;
use gatehouse_domain::ids::TenantId;

use super::authority::Authority;
use super::client_auth::{self, Flow, TokenRequest};
use super::grants;
use super::jwt;
use super::token::{bad, disabled, required};
use super::tokens::{self, SignIn};
use crate::graph::auth::{Rejection, Subject, validate};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn invalid_assertion(why: &str) -> OAuthError {
    bad(
        "invalid_grant",
        50013,
        format!("Assertion failed signature validation. {why}"),
    )
}

pub async fn grant(
    state: &AppState,
    authority: Authority,
    req: &TokenRequest<'_>,
) -> Result<serde_json::Value, OAuthError> {
    let p = req.params;
    if required(p, "requested_token_use")? != "on_behalf_of" {
        return Err(bad(
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid. 'requested_token_use' must be 'on_behalf_of'.",
        ));
    }
    let assertion = required(p, "assertion")?;
    let scope = required(p, "scope")?;
    // The assertion names its tenant; a named authority must be the same one.
    let tenant: TenantId = jwt::parse(assertion)
        .ok()
        .and_then(|j| j.claim_str("tid").and_then(|t| t.parse().ok()))
        .ok_or_else(|| invalid_assertion("The assertion is not a token of this service."))?;
    if matches!(authority, Authority::Tenant(id) if id != tenant) {
        return Err(invalid_assertion(
            "The assertion was issued for another tenant.",
        ));
    }
    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let client = client_auth::authenticate(state, &mut tx, tenant, req, Flow::AppOnly).await?;
    let audiences: Vec<String> = match tx.application_by_app_id(client.app_id).await? {
        Some(app) => app.identifier_uris,
        None => Vec::new(),
    };
    let own = client.app_id.to_string();
    let audience_ok = |aud: &str| {
        aud == own
            || audiences
                .iter()
                .any(|u| u.trim_end_matches('/') == aud.trim_end_matches('/'))
    };
    let caller = match validate(state, assertion, audience_ok).await {
        Ok(c) => c,
        Err(Rejection::Token(why)) => return Err(invalid_assertion(why)),
        Err(Rejection::Service(_)) => {
            return Err(OAuthError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            ));
        }
    };
    let Subject::User(user) = caller.subject else {
        return Err(invalid_assertion(
            "The assertion is an application token; the on-behalf-of flow needs a user's token.",
        ));
    };
    if !user.account_enabled {
        return Err(disabled());
    }
    // The assertion was verified above; read what the sign-in it carries recorded.
    let claims = jwt::parse(assertion)
        .map(|j| j.claims.clone())
        .unwrap_or_default();
    let amr: Vec<String> = claims
        .get("amr")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let auth_time = claims
        .get("auth_time")
        .and_then(serde_json::Value::as_i64)
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .unwrap_or_else(|| state.clock.now());
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    let grant = grants::resolve_grant(&mut tx, scope, client.app_id, &user).await?;
    let sign_in = SignIn {
        tenant,
        user: *user,
        client_app_id: client.app_id,
        amr,
        auth_time,
        role_template_ids: roles,
        family_id: None,
        interactive: false,
    };
    let issued = tokens::issue(state, &mut tx, &signer, &sign_in, &grant).await?;
    tx.commit().await?;
    Ok(issued.to_json(false))
}
