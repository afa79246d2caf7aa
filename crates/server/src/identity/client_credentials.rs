//! `grant_type=client_credentials` at the token endpoint: a confidential client authenticates
//! (`client_auth.rs`: secret or certificate) and receives an app-only Graph token for its service
//! principal.

use std::collections::BTreeSet;

use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::graph_permissions;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::scope::GRAPH_RESOURCE_URI;
use gatehouse_store::TenantTx;

use super::authority::Authority;
use super::client_auth::{self, Flow, TokenRequest};
use super::token::{Params, bad};
use super::tokens;
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// The one `{resource}/.default` scope of a client credentials request; Graph is the only resource.
fn check_scope(tenant: &str, p: &Params) -> Result<(), OAuthError> {
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
    let resource = scope
        .strip_suffix("/.default")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| invalid(scope))?;
    let resource = resource.trim_end_matches('/');
    let graph = resource.eq_ignore_ascii_case(GRAPH_RESOURCE_URI)
        || resource.eq_ignore_ascii_case(&MICROSOFT_GRAPH.to_string());
    if !graph {
        return Err(bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant}."
            ),
        ));
    }
    Ok(())
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
    check_scope(&tenant.to_string(), req.params)?;
    // The signer first: creating a tenant's first key takes a write transaction of its own.
    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let client = client_auth::authenticate(state, &mut tx, tenant, req, Flow::AppOnly).await?;
    let sp = client.service_principal;
    let roles = graph_roles(&mut tx, sp.id).await?;
    let lifetimes = tx.token_lifetimes_for(client.app_id).await?;
    // Commits the client assertion's jti, if one was used.
    tx.commit().await?;
    Ok(tokens::issue_app_token(
        state,
        &signer,
        (tenant, client.app_id),
        sp.id,
        &roles,
        client.azpacr,
        &lifetimes,
    )
    .to_json())
}

/// The values of Microsoft Graph's application permissions assigned to the service principal
/// `client` (the token's `roles`), sorted, without duplicates.
async fn graph_roles<M>(tx: &mut TenantTx<M>, client: ObjectId) -> Result<Vec<String>, OAuthError> {
    let Some(graph) = tx
        .service_principal_by_app_id(AppId::from_uuid(MICROSOFT_GRAPH))
        .await?
    else {
        return Ok(Vec::new());
    };
    let roles: BTreeSet<String> = tx
        .app_role_assignments_of_principal(client)
        .await?
        .iter()
        .filter(|a| a.resource_id == graph.id)
        .filter_map(|a| {
            graph_permissions::APPLICATION
                .iter()
                .find(|p| p.id == a.app_role_id)
        })
        .map(|p| p.value.to_owned())
        .collect();
    Ok(roles.into_iter().collect())
}
