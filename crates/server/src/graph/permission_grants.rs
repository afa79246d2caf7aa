//! `/oauth2PermissionGrants`: delegated permission grants (consent) of a client service principal
//! on a resource service principal, for all users (`AllPrincipals`) or one (`Principal`). List
//! (`$filter` on clientId, consentType, principalId, resourceId with `eq`, joined by `and`), get,
//! create, update the scopes, delete; and `/servicePrincipals/{id}/oauth2PermissionGrants`. Every
//! operation asks `authz::decide`; writes are audited in their transaction.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use gatehouse_domain::Error;
use gatehouse_domain::application::{ConsentType, OAuth2PermissionGrant, ServicePrincipal};
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, Initiator, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::odata::collections::OAUTH2_PERMISSION_GRANTS;
use gatehouse_store::{TenantTx, Write};
use serde_json::{Map, Value, json};

use super::app_role_assignments::new_id;
use super::application_json as wire;
use super::applications::{body_object, change, initiator, principal};
use super::auth::Caller;
use super::query;
use super::service_principals::with_context;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::permissions::{delegated_scopes, normalise_scope};
use crate::state::AppState;

pub const ADD: &str = "Add delegated permission grant";
const UPDATE: &str = "Update delegated permission grant";
const REMOVE: &str = "Remove delegated permission grant";

/// Graph's `oAuth2PermissionGrant`.
pub fn grant_json(g: &OAuth2PermissionGrant) -> Value {
    let (consent_type, principal_id) = match g.consent_type {
        ConsentType::AllPrincipals => ("AllPrincipals", Value::Null),
        ConsentType::Principal(p) => ("Principal", json!(p.to_string())),
    };
    json!({
        "id": g.id,
        "clientId": g.client_id.to_string(),
        "consentType": consent_type,
        "principalId": principal_id,
        "resourceId": g.resource_id.to_string(),
        "scope": g.scope,
    })
}

/// The audit record of a grant change, on the client service principal.
pub fn audit_record(
    state: &AppState,
    initiated_by: Initiator,
    activity: &str,
    operation: OperationType,
    grant: &OAuth2PermissionGrant,
    client: &ServicePrincipal,
) -> AuditRecord {
    let consent_type = match grant.consent_type {
        ConsentType::AllPrincipals => "AllPrincipals".to_owned(),
        ConsentType::Principal(p) => format!("Principal {p}"),
    };
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::ApplicationManagement,
        activity,
        operation,
        initiated_by,
        vec![TargetResource {
            id: client.id.to_string(),
            display_name: Some(client.display_name.clone()),
            resource_type: "ServicePrincipal".into(),
            user_principal_name: None,
            modified_properties: vec![
                change("DelegatedPermissionGrant.Scope", &json!(grant.scope)),
                change("DelegatedPermissionGrant.ConsentType", &json!(consent_type)),
                change(
                    "DelegatedPermissionGrant.ResourceId",
                    &json!(grant.resource_id.to_string()),
                ),
            ],
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

/// Stores `wanted` (a new grant of `client`), or widens the existing grant for the same resource
/// and consenting principal by its scopes (consent adds to what was granted before). Returns the
/// grant as stored.
pub async fn grant_or_widen(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    proof: &authz::Proof,
    wanted: OAuth2PermissionGrant,
    client: &ServicePrincipal,
    initiated_by: Initiator,
) -> gatehouse_domain::Result<OAuth2PermissionGrant> {
    let existing = tx
        .grants_of_client(client.id)
        .await?
        .into_iter()
        .find(|g| g.resource_id == wanted.resource_id && g.consent_type == wanted.consent_type);
    let (grant, activity, operation) = match existing {
        Some(mut g) => {
            let mut words: Vec<String> = g.scope.split_whitespace().map(str::to_owned).collect();
            for w in wanted.scope.split_whitespace() {
                if !words.iter().any(|x| x.eq_ignore_ascii_case(w)) {
                    words.push(w.to_owned());
                }
            }
            g.scope = words.join(" ");
            tx.update_oauth2_permission_grant_scope(proof, &g.id, &g.scope)
                .await?;
            (g, UPDATE, OperationType::Update)
        }
        None => {
            tx.insert_oauth2_permission_grant(proof, &wanted).await?;
            (wanted, ADD, OperationType::Add)
        }
    };
    tx.audit(&audit_record(
        state,
        initiated_by,
        activity,
        operation,
        &grant,
        client,
    ))
    .await?;
    Ok(grant)
}

async fn list_where(
    state: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    caller: &Caller,
    client: Option<&str>,
) -> Result<Json<Value>, GraphError> {
    let options = query::query_options(&OAUTH2_PERMISSION_GRANTS, uri, headers)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let client = match client {
        Some(id) => Some(service_principal(&mut tx, id).await?.id),
        None => None,
    };
    authz::decide(
        &principal(&mut tx, caller).await?,
        authz::OAUTH2_PERMISSION_GRANTS_READ,
        Ownership::NoTarget,
    )?;
    let page = tx
        .oauth2_permission_grants_page(&options, client)
        .await?
        .try_map(|g| Ok(grant_json(&g)))?;
    Ok(Json(query::list_body(
        state,
        uri,
        &OAUTH2_PERMISSION_GRANTS,
        &options,
        page,
    )))
}

/// `GET /oauth2PermissionGrants`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    list_where(&state, &uri, &headers, &caller, None).await
}

/// `GET /servicePrincipals/{id}/oauth2PermissionGrants`: the grants the service principal holds.
pub async fn list_of_client(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    list_where(&state, &uri, &headers, &caller, Some(&id)).await
}

/// `GET /oauth2PermissionGrants/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let grant = tx.oauth2_permission_grant(&id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::OAUTH2_PERMISSION_GRANTS_READ,
        Ownership::NotOwner,
    )?;
    Ok(Json(with_context(
        &state,
        &uri,
        "oauth2PermissionGrants/$entity",
        grant_json(&grant),
    )))
}

async fn service_principal<M>(
    tx: &mut TenantTx<M>,
    raw: &str,
) -> Result<ServicePrincipal, GraphError> {
    let id: ObjectId = raw.parse().map_err(|_| Error::not_found(raw.to_owned()))?;
    Ok(tx.service_principal(id).await?)
}

/// A required service principal named by `property` in the body (400 when it is not one).
async fn body_service_principal<M>(
    tx: &mut TenantTx<M>,
    body: &Map<String, Value>,
    property: &str,
) -> Result<ServicePrincipal, GraphError> {
    let id = ObjectId::from_uuid(wire::guid(
        property,
        body.get(property).unwrap_or(&Value::Null),
    )?);
    match tx.service_principal(id).await {
        Err(Error::NotFound { .. }) => Err(Error::invalid_property(
            property,
            format!("The service principal '{id}' named by {property} does not exist."),
        )
        .into()),
        other => Ok(other?),
    }
}

/// `POST /oauth2PermissionGrants`.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::OAUTH2_PERMISSION_GRANTS_CREATE,
        Ownership::NoTarget,
    )?;
    let client = body_service_principal(&mut tx, &body, "clientId").await?;
    let resource = body_service_principal(&mut tx, &body, "resourceId").await?;
    let consent_type = match (
        body.get("consentType").and_then(Value::as_str),
        body.get("principalId").filter(|v| !v.is_null()),
    ) {
        (Some("AllPrincipals"), None) => ConsentType::AllPrincipals,
        (Some("AllPrincipals"), Some(_)) => {
            return Err(Error::invalid_property(
                "principalId",
                "principalId must be null when consentType is AllPrincipals.",
            )
            .into());
        }
        (Some("Principal"), Some(p)) => {
            let id = ObjectId::from_uuid(wire::guid("principalId", p)?);
            match tx.user(id).await {
                Err(Error::NotFound { .. }) => {
                    return Err(Error::invalid_property(
                        "principalId",
                        format!("The user '{id}' named by principalId does not exist."),
                    )
                    .into());
                }
                other => other?,
            };
            ConsentType::Principal(id)
        }
        (Some("Principal"), None) => {
            return Err(Error::invalid_property(
                "principalId",
                "principalId is required when consentType is Principal.",
            )
            .into());
        }
        _ => {
            return Err(Error::invalid_property(
                "consentType",
                "consentType must be 'AllPrincipals' or 'Principal'.",
            )
            .into());
        }
    };
    let scope = scope_of(&mut tx, &body, &resource).await?;
    let grant = OAuth2PermissionGrant {
        id: new_id(&state, client.id),
        client_id: client.id,
        consent_type,
        resource_id: resource.id,
        scope,
    };
    tx.insert_oauth2_permission_grant(&proof, &grant).await?;
    tx.audit(&audit_record(
        &state,
        initiator(&caller),
        ADD,
        OperationType::Add,
        &grant,
        &client,
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(with_context(
            &state,
            &uri,
            "oauth2PermissionGrants/$entity",
            grant_json(&grant),
        )),
    ))
}

/// The body's `scope`, normalised against what `resource` exposes (at most 3850 characters).
async fn scope_of<M>(
    tx: &mut TenantTx<M>,
    body: &Map<String, Value>,
    resource: &ServicePrincipal,
) -> Result<String, GraphError> {
    let raw = match body.get("scope") {
        None | Some(Value::Null) => String::new(),
        Some(v) => wire::string("scope", v)?,
    };
    if raw.len() > 3850 {
        return Err(
            Error::invalid_property("scope", "scope must not exceed 3850 characters.").into(),
        );
    }
    let exposed = delegated_scopes(tx, resource).await?;
    Ok(normalise_scope(&exposed, &raw)?)
}

/// `PATCH /oauth2PermissionGrants/{id}`: only `scope` may change.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    if let Some(other) = body.keys().find(|k| k.as_str() != "scope") {
        return Err(Error::invalid_property(
            other.clone(),
            format!("Property '{other}' is read-only and cannot be set."),
        )
        .into());
    }
    let mut tx = state.store.write(caller.tenant).await?;
    let mut grant = tx.oauth2_permission_grant(&id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::OAUTH2_PERMISSION_GRANTS_UPDATE,
        Ownership::NotOwner,
    )?;
    let resource = tx.service_principal(grant.resource_id).await?;
    let client = tx.service_principal(grant.client_id).await?;
    grant.scope = scope_of(&mut tx, &body, &resource).await?;
    tx.update_oauth2_permission_grant_scope(&proof, &id, &grant.scope)
        .await?;
    tx.audit(&audit_record(
        &state,
        initiator(&caller),
        UPDATE,
        OperationType::Update,
        &grant,
        &client,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /oauth2PermissionGrants/{id}`: new tokens stop carrying the scopes at once.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let grant = tx.oauth2_permission_grant(&id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::OAUTH2_PERMISSION_GRANTS_DELETE,
        Ownership::NotOwner,
    )?;
    let client = tx.service_principal(grant.client_id).await?;
    tx.delete_oauth2_permission_grant(&proof, &id).await?;
    tx.audit(&audit_record(
        &state,
        initiator(&caller),
        REMOVE,
        OperationType::Delete,
        &grant,
        &client,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
