//! What a sign-in may be granted, shared by every grant that signs a user in (password, refresh,
//! authorization code): the scopes resolved against consent, the user's directory roles, and the
//! security-defaults MFA rule.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use gatehouse_domain::application::ConsentType;
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::roles;
use gatehouse_domain::ids::AppId;
use gatehouse_domain::role::TENANT_SCOPE;
use gatehouse_domain::scope::{OIDC_SCOPES, ScopeError, ScopeRequest};
use gatehouse_domain::user::User;
use gatehouse_store::{TenantTx, Write};

use super::tokens::Grant;
use crate::http::oauth_error::OAuthError;

fn bad(error: &'static str, code: u32, description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, error, code, description)
}

/// Parses a `scope` parameter; AADSTS70011 when it is not valid.
pub(crate) fn parse_scope(raw: &str) -> Result<ScopeRequest, OAuthError> {
    ScopeRequest::parse(raw).map_err(|e| {
        let which = match e {
            ScopeError::Mixed(s) | ScopeError::Malformed(s) => s,
        };
        bad("invalid_scope", 70011, format!("The provided value for the input parameter 'scope' is not valid. The scope '{which}' is not valid."))
    })
}

/// Resolves `scope` against the delegated consent the client holds for this user on Graph.
pub(crate) async fn resolve_grant(
    tx: &mut TenantTx<Write>,
    raw: &str,
    client: AppId,
    user: &User,
) -> Result<Grant, OAuthError> {
    let request = parse_scope(raw)?;
    if !request.is_graph() {
        let resource = request.resource.clone().unwrap_or_default();
        return Err(bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {}.",
                tx.tenant_id()
            ),
        ));
    }
    let consented = consented_graph_scopes(tx, client, user).await?;
    let mut permissions = request.delegated(&consented).map_err(|missing| {
        bad(
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{client}' for the permission(s) {}. Send an interactive authorization request for this user and resource.",
                missing.join(", ")
            ),
        )
    })?;
    // The OIDC scopes are Graph permissions too; the token lists them once, as requested.
    permissions.retain(|p| !OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(p)));
    Ok(Grant {
        permissions,
        openid: request.wants("openid"),
        profile: request.wants("profile"),
        email: request.wants("email"),
        offline_access: request.wants("offline_access"),
        nonce: None,
    })
}

/// The Graph permissions `client` may use for `user`: tenant-wide consent plus the user's own.
async fn consented_graph_scopes(
    tx: &mut TenantTx<Write>,
    client: AppId,
    user: &User,
) -> Result<BTreeSet<String>, OAuthError> {
    let (Some(client_sp), Some(graph)) = (
        tx.service_principal_by_app_id(client).await?,
        tx.service_principal_by_app_id(AppId::from_uuid(MICROSOFT_GRAPH))
            .await?,
    ) else {
        return Ok(BTreeSet::new());
    };
    let grants = tx.grants_of_client(client_sp.id).await?;
    Ok(grants
        .iter()
        .filter(|g| g.resource_id == graph.id)
        .filter(|g| match g.consent_type {
            ConsentType::AllPrincipals => true,
            ConsentType::Principal(p) => p == user.id,
        })
        .flat_map(|g| g.scope.split_whitespace().map(str::to_owned))
        .collect())
}

/// Template ids of the user's tenant-wide roles.
pub(crate) async fn tenant_roles(
    tx: &mut TenantTx<Write>,
    user: &User,
) -> Result<Vec<uuid::Uuid>, OAuthError> {
    let mut ids: Vec<uuid::Uuid> = tx
        .role_assignments_of(user.id)
        .await?
        .into_iter()
        .filter(|a| a.directory_scope_id == TENANT_SCOPE)
        .map(|a| a.role_definition_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// AADSTS50076 when security defaults require MFA of one of `roles` (administrators).
pub(crate) async fn require_mfa_if_needed(
    tx: &mut TenantTx<Write>,
    roles: &[uuid::Uuid],
) -> Result<(), OAuthError> {
    let security_defaults = tx.tenant().await?.security_defaults_enabled;
    if security_defaults
        && roles
            .iter()
            .any(roles::requires_mfa_under_security_defaults)
    {
        return Err(bad(
            "invalid_grant",
            50076,
            format!(
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{MICROSOFT_GRAPH}'."
            ),
        ));
    }
    Ok(())
}
