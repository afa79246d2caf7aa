//! `/servicePrincipals`: an application's presence in the tenant, which the client credentials grant
//! requires. Create (for an application registered in this tenant), list (with the OData query
//! options of `graph/query.rs`), `/$count` and read. Every operation asks `authz::decide`; the create hands the proof to storage and
//! audits in the same transaction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gatehouse_domain::Error;
use gatehouse_domain::application::{Application, ServicePrincipal};
use gatehouse_domain::audit::{AuditCategory, AuditRecord, OperationType, TargetResource};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::graph_permissions;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::odata::collections::SERVICE_PRINCIPALS;
use serde_json::{Map, Value, json};

use super::applications::{body_object, change, context_url, initiator, principal};
use super::auth::Caller;
use super::query;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

const ADD: &str = "Add service principal";

/// Graph's `servicePrincipal` for the properties Gatehouse keeps. `app` is the registration when it
/// lives in this tenant (it supplies `signInAudience` and `identifierUris`).
pub fn service_principal(sp: &ServicePrincipal, app: Option<&Application>) -> Value {
    let mut names = vec![sp.app_id.to_string()];
    if let Some(app) = app {
        names.extend(app.identifier_uris.iter().cloned());
    }
    json!({
        "id": sp.id.to_string(),
        "accountEnabled": sp.account_enabled,
        "appDisplayName": sp.display_name,
        "appId": sp.app_id.to_string(),
        "appOwnerOrganizationId": sp.app_owner_organization_id.map(|u| u.to_string()),
        "appRoles": app_roles(sp, app),
        "displayName": sp.display_name,
        "oauth2PermissionScopes": permission_scopes(sp, app),
        "servicePrincipalNames": names,
        "servicePrincipalType": "Application",
        "signInAudience": app.map_or("AzureADMultipleOrgs", |a| a.sign_in_audience.as_str()),
        "tags": [],
    })
}

/// The app roles a service principal exposes: Microsoft Graph's application permissions from the
/// catalogue, or the roles of its application when registered in this tenant.
fn app_roles(sp: &ServicePrincipal, app: Option<&Application>) -> Value {
    if sp.app_id == AppId::from_uuid(MICROSOFT_GRAPH) {
        return graph_permissions::APPLICATION
            .iter()
            .map(|p| {
                json!({
                    "allowedMemberTypes": ["Application"],
                    "description": p.description,
                    "displayName": p.display_name,
                    "id": p.id.to_string(),
                    "isEnabled": true,
                    "origin": "Application",
                    "value": p.value,
                })
            })
            .collect();
    }
    app.map(|a| {
        a.app_roles
            .iter()
            .map(|r| {
                json!({
                    "allowedMemberTypes": r.allowed_member_types,
                    "description": r.description,
                    "displayName": r.display_name,
                    "id": r.id.to_string(),
                    "isEnabled": r.is_enabled,
                    "origin": "Application",
                    "value": r.value,
                })
            })
            .collect()
    })
    .unwrap_or_else(|| json!([]))
}

/// The delegated permissions a service principal exposes: Microsoft Graph's from the catalogue, or
/// its application's `api.oauth2PermissionScopes` when registered in this tenant.
fn permission_scopes(sp: &ServicePrincipal, app: Option<&Application>) -> Value {
    if sp.app_id == AppId::from_uuid(MICROSOFT_GRAPH) {
        return graph_permissions::DELEGATED
            .iter()
            .map(|p| {
                json!({
                    "adminConsentDescription": p.admin_consent_description,
                    "adminConsentDisplayName": p.admin_consent_display_name,
                    "id": p.id.to_string(),
                    "isEnabled": true,
                    "type": if p.admin_consent_required { "Admin" } else { "User" },
                    "userConsentDescription": p.user_consent_description,
                    "userConsentDisplayName": p.user_consent_display_name,
                    "value": p.value,
                })
            })
            .collect();
    }
    app.map(|a| {
        a.oauth2_permission_scopes
            .iter()
            .map(|s| {
                json!({
                    "adminConsentDescription": s.admin_consent_description,
                    "adminConsentDisplayName": s.admin_consent_display_name,
                    "id": s.id.to_string(),
                    "isEnabled": s.is_enabled,
                    "type": s.kind,
                    "userConsentDescription": s.user_consent_description,
                    "userConsentDisplayName": s.user_consent_display_name,
                    "value": s.value,
                })
            })
            .collect()
    })
    .unwrap_or_else(|| json!([]))
}

pub(crate) fn with_context(
    state: &AppState,
    uri: &axum::http::Uri,
    fragment: &str,
    entity: Value,
) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(state, uri, fragment)),
    );
    if let Value::Object(m) = entity {
        body.extend(m);
    }
    Value::Object(body)
}

/// `GET /servicePrincipals`: `$filter`, `$select`, `$top`, `$skiptoken`, `$orderby`, `$count`
/// and `$search` as Graph supports them on service principals.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let options = query::query_options(&SERVICE_PRINCIPALS, &uri, &headers)?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::SERVICE_PRINCIPALS_READ,
        Ownership::NoTarget,
    )?;
    let apps: HashMap<AppId, Application> = tx
        .applications()
        .await?
        .into_iter()
        .map(|a| (a.app_id, a))
        .collect();
    let page = tx
        .service_principals_page(&options)
        .await?
        .try_map(|sp| Ok(service_principal(&sp, apps.get(&sp.app_id))))?;
    Ok(Json(query::list_body(
        &state,
        &uri,
        &SERVICE_PRINCIPALS,
        &options,
        page,
    )))
}

/// `GET /servicePrincipals/$count` (with `ConsistencyLevel: eventual`).
pub async fn count(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Extension(caller): Extension<Caller>,
) -> Result<Response, GraphError> {
    let options = query::count_options(&SERVICE_PRINCIPALS, &uri, &headers)?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::SERVICE_PRINCIPALS_READ,
        Ownership::NoTarget,
    )?;
    Ok(query::count_response(
        tx.service_principals_count(&options).await?,
    ))
}

/// `GET /servicePrincipals/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let id: ObjectId = id.parse()?;
    let mut tx = state.store.read(caller.tenant).await?;
    let sp = tx.service_principal(id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::SERVICE_PRINCIPALS_READ,
        Ownership::NotOwner,
    )?;
    let app = tx.application_by_app_id(sp.app_id).await?;
    Ok(Json(with_context(
        &state,
        &uri,
        "servicePrincipals/$entity",
        service_principal(&sp, app.as_ref()),
    )))
}

/// `POST /servicePrincipals {"appId": ...}`: the service principal of an application registered in
/// this tenant. Owners of the application may create it; otherwise a role must allow it.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    let raw = match body.get("appId") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(Error::invalid_property("appId", "The appId property is required.").into());
        }
    };
    let no_app = || {
        Error::invalid_property(
            "appId",
            format!(
                "The appId '{raw}' of the service principal does not reference a valid application object."
            ),
        )
    };
    let app_id: AppId = raw.parse().map_err(|_| no_app())?;
    let mut tx = state.store.write(caller.tenant).await?;
    let app = tx.application_by_app_id(app_id).await?.ok_or_else(no_app)?;
    let ownership = if tx.is_application_owner(app.id, caller.object_id()).await? {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    };
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::SERVICE_PRINCIPALS_CREATE_AS_OWNER,
        ownership,
    )?;
    let sp = ServicePrincipal {
        id: ObjectId::generate(state.random.as_ref()),
        app_id,
        display_name: app.display_name.clone(),
        app_owner_organization_id: Some(*caller.tenant.as_uuid()),
        account_enabled: true,
        created: state.clock.now(),
    };
    tx.create_service_principal(&proof, &sp).await?;
    let record = AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::ApplicationManagement,
        ADD,
        OperationType::Add,
        initiator(&caller),
        vec![TargetResource {
            id: sp.id.to_string(),
            display_name: Some(sp.display_name.clone()),
            resource_type: "ServicePrincipal".into(),
            user_principal_name: None,
            modified_properties: vec![
                change("AppId", &json!(sp.app_id.to_string())),
                change("DisplayName", &json!(sp.display_name)),
                change("AccountEnabled", &json!(true)),
            ],
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id));
    tx.audit(&record).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(with_context(
            &state,
            &uri,
            "servicePrincipals/$entity",
            service_principal(&sp, Some(&app)),
        )),
    ))
}
