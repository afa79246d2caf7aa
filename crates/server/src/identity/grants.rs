//! What a sign-in may be granted, shared by every grant that signs a user in (password, refresh,
//! authorization code): the scopes resolved against consent, the user's directory roles, and the
//! security-defaults MFA rule.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use gatehouse_domain::application::{ConsentType, ResourceAccessType, ServicePrincipal};
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::roles;
use gatehouse_domain::ids::AppId;
use gatehouse_domain::role::TENANT_SCOPE;
use gatehouse_domain::scope::{GRAPH_RESOURCE_URI, OIDC_SCOPES, ScopeError, ScopeRequest};
use gatehouse_domain::user::User;
use gatehouse_store::{TenantTx, Write};

use super::tokens::Grant;
use crate::http::oauth_error::OAuthError;
use crate::permissions::{ExposedScope, delegated_scopes, is_graph, resource_named};

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

/// AADSTS500011: the tenant has no resource by that name.
pub(crate) fn unknown_resource(name: &str, tenant: impl std::fmt::Display) -> OAuthError {
    bad(
        "invalid_resource",
        500011,
        format!("The resource principal named {name} was not found in the tenant named {tenant}."),
    )
}

/// The resource `request` addresses (Microsoft Graph when it names none); AADSTS500011 when the
/// tenant has no such resource.
pub(crate) async fn target_resource<M>(
    tx: &mut TenantTx<M>,
    request: &ScopeRequest,
) -> Result<ServicePrincipal, OAuthError> {
    let name = request.resource.as_deref().unwrap_or(GRAPH_RESOURCE_URI);
    resource_named(tx, name)
        .await?
        .filter(|sp| sp.account_enabled)
        .ok_or_else(|| unknown_resource(name, tx.tenant_id()))
}

/// Resolves `scope` against the delegated consent the client holds for this user on the
/// resource it addresses.
pub(crate) async fn resolve_grant(
    tx: &mut TenantTx<Write>,
    raw: &str,
    client: AppId,
    user: &User,
) -> Result<Grant, OAuthError> {
    let request = parse_scope(raw)?;
    let resource = target_resource(tx, &request).await?;
    if let Some(missing) = missing_consent(tx, &request, client, user).await? {
        return Err(consent_required(client, &missing.scopes));
    }
    let consented = consented_scopes(tx, client, &resource, user).await?;
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
        resource: resource.app_id,
        permissions,
        openid: request.wants("openid"),
        profile: request.wants("profile"),
        email: request.wants("email"),
        offline_access: request.wants("offline_access"),
        nonce: None,
    })
}

/// AADSTS65001: the client lacks consent for `missing`.
pub(crate) fn consent_required(client: AppId, missing: &[ExposedScope]) -> OAuthError {
    let names: Vec<&str> = missing.iter().map(|s| s.value.as_str()).collect();
    bad(
        "invalid_grant",
        65001,
        format!(
            "The user or administrator has not consented to use the application with ID '{client}'. Send an interactive authorization request for this user and resource. Missing permissions: {}.",
            names.join(", ")
        ),
    )
}

/// What a sign-in lacks consent for.
pub(crate) struct MissingConsent {
    pub client: ServicePrincipal,
    pub resource: ServicePrincipal,
    pub scopes: Vec<ExposedScope>,
}

/// The delegated permissions `request` asks for on its resource: the named ones, or for
/// `.default` those the application's `requiredResourceAccess` lists there; for Microsoft Graph
/// also the OIDC scopes (Graph permissions too). `None` when it asks for none. Unknown names are
/// AADSTS70011.
pub(crate) async fn requested_scopes<M>(
    tx: &mut TenantTx<M>,
    request: &ScopeRequest,
    client: AppId,
) -> Result<Option<MissingConsent>, OAuthError> {
    let Some(client_sp) = tx.service_principal_by_app_id(client).await? else {
        return Ok(None);
    };
    let resource = target_resource(tx, request).await?;
    let exposed = delegated_scopes(tx, &resource).await?;
    let mut wanted: Vec<ExposedScope> = Vec::new();
    let mut want = |scope: &ExposedScope| {
        if !wanted.contains(scope) {
            wanted.push(scope.clone());
        }
    };
    let oidc = is_graph(&resource)
        .then_some(&request.oidc)
        .into_iter()
        .flatten();
    for name in request.permissions.iter().chain(oidc) {
        let scope = exposed
            .iter()
            .find(|s| s.value.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                bad(
                    "invalid_scope",
                    70011,
                    format!("The provided value for the input parameter 'scope' is not valid. The scope '{name}' does not exist."),
                )
            })?;
        want(scope);
    }
    if request.default
        && let Some(app) = tx.application_by_app_id(client).await?
    {
        let ids: Vec<uuid::Uuid> = app
            .required_resource_access
            .iter()
            .filter(|r| r.resource_app_id == resource.app_id)
            .flat_map(|r| &r.resource_access)
            .filter(|a| a.kind == ResourceAccessType::Scope)
            .map(|a| a.id)
            .collect();
        exposed
            .iter()
            .filter(|s| ids.contains(&s.id))
            .for_each(&mut want);
    }
    Ok((!wanted.is_empty()).then_some(MissingConsent {
        client: client_sp,
        resource,
        scopes: wanted,
    }))
}

/// What of [`requested_scopes`] `client` does not hold for `user` (tenant-wide or the user's
/// own); `None` when everything is consented.
pub(crate) async fn missing_consent<M>(
    tx: &mut TenantTx<M>,
    request: &ScopeRequest,
    client: AppId,
    user: &User,
) -> Result<Option<MissingConsent>, OAuthError> {
    let Some(mut requested) = requested_scopes(tx, request, client).await? else {
        return Ok(None);
    };
    let consented = consented_scopes(tx, client, &requested.resource, user).await?;
    requested
        .scopes
        .retain(|s| !consented.iter().any(|c| c.eq_ignore_ascii_case(&s.value)));
    Ok((!requested.scopes.is_empty()).then_some(requested))
}

/// The permissions `client` may use for `user` on `resource`: tenant-wide consent plus the
/// user's own.
async fn consented_scopes<M>(
    tx: &mut TenantTx<M>,
    client: AppId,
    resource: &ServicePrincipal,
    user: &User,
) -> Result<BTreeSet<String>, OAuthError> {
    let Some(client_sp) = tx.service_principal_by_app_id(client).await? else {
        return Ok(BTreeSet::new());
    };
    let grants = tx.grants_of_client(client_sp.id).await?;
    Ok(grants
        .iter()
        .filter(|g| g.resource_id == resource.id)
        .filter(|g| match g.consent_type {
            ConsentType::AllPrincipals => true,
            ConsentType::Principal(p) => p == user.id,
        })
        .flat_map(|g| g.scope.split_whitespace().map(str::to_owned))
        .collect())
}
/// Template ids of the user's tenant-wide roles.
pub(crate) async fn tenant_roles<M>(
    tx: &mut TenantTx<M>,
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
