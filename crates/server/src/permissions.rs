//! The permissions a resource exposes: Microsoft Graph's from the catalogue, an application of the
//! tenant's from its registration. Shared by the Graph API (grants, assignments) and the token
//! service (scopes, consent).

use gatehouse_domain::application::ServicePrincipal;
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::graph_permissions;
use gatehouse_domain::ids::AppId;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;

/// A delegated permission (Graph `permissionScope`) a resource exposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedScope {
    pub id: uuid::Uuid,
    pub value: String,
    pub admin_consent_required: bool,
    /// What the consent page shows a user (falls back to the admin text, then the value).
    pub user_consent_display_name: String,
    pub admin_consent_display_name: String,
}

/// Whether `sp` is Microsoft Graph's service principal.
pub fn is_graph(sp: &ServicePrincipal) -> bool {
    sp.app_id == AppId::from_uuid(MICROSOFT_GRAPH)
}

/// The resource a scope names (`{resource}/{permission}`): Microsoft Graph by URI or app id, or an
/// application of the tenant by one of its `identifierUris` or its app id, through its service
/// principal. `None` when the tenant has no such resource.
pub async fn resource_named<M>(
    tx: &mut TenantTx<M>,
    name: &str,
) -> Result<Option<ServicePrincipal>> {
    if gatehouse_domain::scope::is_graph_resource(name) {
        return tx
            .service_principal_by_app_id(AppId::from_uuid(MICROSOFT_GRAPH))
            .await;
    }
    let name = name.trim_end_matches('/');
    let app_id = match name.parse::<AppId>() {
        Ok(id) => Some(id),
        Err(_) => tx
            .applications()
            .await?
            .into_iter()
            .find(|a| {
                a.identifier_uris
                    .iter()
                    .any(|u| u.trim_end_matches('/').eq_ignore_ascii_case(name))
            })
            .map(|a| a.app_id),
    };
    match app_id {
        Some(id) => tx.service_principal_by_app_id(id).await,
        None => Ok(None),
    }
}

/// The values of the application permissions (app roles) assigned to the service principal
/// `client` on `resource`, sorted, without duplicates: a token's `roles`.
pub async fn assigned_app_roles<M>(
    tx: &mut TenantTx<M>,
    client: gatehouse_domain::ids::ObjectId,
    resource: &ServicePrincipal,
) -> Result<Vec<String>> {
    let exposed: Vec<(uuid::Uuid, String)> = if is_graph(resource) {
        graph_permissions::APPLICATION
            .iter()
            .map(|p| (p.id, p.value.to_owned()))
            .collect()
    } else {
        tx.application_by_app_id(resource.app_id)
            .await?
            .map(|a| a.app_roles)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.is_enabled)
            .filter_map(|r| Some((r.id, r.value?)))
            .collect()
    };
    let roles: std::collections::BTreeSet<String> = tx
        .app_role_assignments_of_principal(client)
        .await?
        .iter()
        .filter(|a| a.resource_id == resource.id)
        .filter_map(|a| exposed.iter().find(|(id, _)| *id == a.app_role_id))
        .map(|(_, v)| v.clone())
        .collect();
    Ok(roles.into_iter().collect())
}

/// The enabled delegated permissions `resource` exposes.
pub async fn delegated_scopes<M>(
    tx: &mut TenantTx<M>,
    resource: &ServicePrincipal,
) -> Result<Vec<ExposedScope>> {
    if is_graph(resource) {
        return Ok(graph_permissions::DELEGATED
            .iter()
            .map(|p| ExposedScope {
                id: p.id,
                value: p.value.to_owned(),
                admin_consent_required: p.admin_consent_required,
                user_consent_display_name: p.user_consent_display_name.to_owned(),
                admin_consent_display_name: p.admin_consent_display_name.to_owned(),
            })
            .collect());
    }
    let Some(app) = tx.application_by_app_id(resource.app_id).await? else {
        return Ok(Vec::new());
    };
    Ok(app
        .oauth2_permission_scopes
        .into_iter()
        .filter(|s| s.is_enabled)
        .filter_map(|s| {
            let value = s.value?;
            let admin = s
                .admin_consent_display_name
                .unwrap_or_else(|| value.clone());
            Some(ExposedScope {
                id: s.id,
                admin_consent_required: !s.kind.eq_ignore_ascii_case("User"),
                user_consent_display_name: s.user_consent_display_name.unwrap_or(admin.clone()),
                admin_consent_display_name: admin,
                value,
            })
        })
        .collect())
}

/// Normalises a space-separated scope list against what `exposed` offers: each value once, in
/// the resource's own spelling; an unknown value is `Invalid`.
pub fn normalise_scope(exposed: &[ExposedScope], raw: &str) -> Result<String> {
    let mut out: Vec<&str> = Vec::new();
    for word in raw.split_whitespace() {
        let known = exposed
            .iter()
            .find(|s| s.value.eq_ignore_ascii_case(word))
            .ok_or_else(|| {
                Error::invalid_property(
                    "scope",
                    format!("The scope '{word}' is not a delegated permission of the resource."),
                )
            })?;
        if !out.contains(&known.value.as_str()) {
            out.push(&known.value);
        }
    }
    Ok(out.join(" "))
}
