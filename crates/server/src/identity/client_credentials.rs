//! `grant_type=client_credentials` at the token endpoint: a confidential client authenticates
//! (`client_auth.rs`: secret or certificate) and receives an app-only token for its service
//! principal, for Microsoft Graph or an API registered in the tenant (`{identifierUri}/.default`),
//! with the application permissions assigned to it on that resource as `roles`.

use super::authority::Authority;
use super::client_auth::{self, Flow, TokenRequest};
use super::grants::unknown_resource;
use super::token::{Params, bad};
use super::tokens;
use crate::http::oauth_error::OAuthError;
use crate::permissions::{assigned_app_roles, resource_named};
use crate::state::AppState;

/// The resource of the one `{resource}/.default` scope a client credentials request must carry.
fn default_scope_resource(p: &Params) -> Result<&str, OAuthError> {
    let raw = p.get("scope").map(String::as_str).unwrap_or_default();
    let invalid = |x: &str| {
        bad(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {x} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )
    };
    let mut words = raw.split_whitespace();
    let (Some(scope), None) = (words.next(), words.next()) else {
        return Err(invalid(raw.trim()));
    };
    scope
        .strip_suffix("/.default")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| invalid(scope))
}

pub async fn grant(
    state: &AppState,
    authority: Authority,
    req: &TokenRequest<'_>,
) -> Result<serde_json::Value, OAuthError> {
    let tenant = match authority {
        Authority::Tenant(id) => id,
        Authority::Common | Authority::Organizations => {
            let name = if matches!(authority, Authority::Common) {
                "common"
            } else {
                "organizations"
            };
            return Err(bad(
                "invalid_request",
                900023,
                format!(
                    "Specified tenant identifier '{name}' is not valid for the client credentials flow. Use a tenant id or a verified domain name in the authority."
                ),
            ));
        }
    };
    let resource_name = default_scope_resource(req.params)?;
    // The signer first: creating a tenant's first key takes a write transaction of its own.
    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let client = client_auth::authenticate(state, &mut tx, tenant, req, Flow::AppOnly).await?;
    let sp = client.service_principal;
    let resource = resource_named(&mut tx, resource_name)
        .await?
        .ok_or_else(|| unknown_resource(resource_name, tenant))?;
    let roles = assigned_app_roles(&mut tx, sp.id, &resource).await?;
    let lifetimes = tx.token_lifetimes_for(client.app_id).await?;
    // Commits the client assertion's jti, if one was used.
    tx.commit().await?;
    let app = tokens::AppSubject {
        tenant,
        client: client.app_id,
        service_principal: sp.id,
        azpacr: client.azpacr,
    };
    Ok(
        tokens::issue_app_token(state, &signer, &app, resource.app_id, &roles, &lifetimes)
            .to_json(),
    )
}
