//! Application permissions: `/servicePrincipals/{id}/appRoleAssignments` (the app roles assigned to
//! a client's service principal) and `/servicePrincipals/{id}/appRoleAssignedTo` (the assignments of
//! a resource's app roles). Create, list and delete; the grant asks
//! [`authz::decide_app_role_grant`] (only Global and Privileged Role Administrators grant Microsoft
//! Graph's application permissions), and every write is audited in its transaction.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::Error;
use gatehouse_domain::application::{AppRoleAssignment, ServicePrincipal};
use gatehouse_domain::audit::{AuditCategory, AuditRecord, OperationType, TargetResource};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::catalog::graph_permissions;
use gatehouse_domain::ids::ObjectId;
use gatehouse_store::{TenantTx, Write};
use serde_json::{Value, json};
use uuid::Uuid;

use super::application_json::{self as wire, datetime};
use super::applications::{body_object, change, context_url, initiator, principal};
use super::auth::Caller;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::permissions::is_graph;
use crate::state::AppState;

const ADD: &str = "Add app role assignment to service principal";
const REMOVE: &str = "Remove app role assignment from service principal";

/// Which side of the assignment the addressed service principal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `/appRoleAssignments`: the service principal the roles are assigned to.
    Principal,
    /// `/appRoleAssignedTo`: the resource whose roles are assigned.
    Resource,
}

impl Side {
    fn segment(self) -> &'static str {
        match self {
            Self::Principal => "appRoleAssignments",
            Self::Resource => "appRoleAssignedTo",
        }
    }
}

/// The value of the application permission (app role for applications) `role` that `resource`
/// exposes: Graph's from the catalogue, an application of this tenant's from its registration.
async fn exposed_role<M>(
    tx: &mut TenantTx<M>,
    resource: &ServicePrincipal,
    role: Uuid,
) -> Result<Option<String>, GraphError> {
    if is_graph(resource) {
        return Ok(graph_permissions::APPLICATION
            .iter()
            .find(|p| p.id == role)
            .map(|p| p.value.to_owned()));
    }
    Ok(tx
        .application_by_app_id(resource.app_id)
        .await?
        .and_then(|app| {
            app.app_roles.into_iter().find(|r| {
                r.id == role
                    && r.is_enabled
                    && r.allowed_member_types.iter().any(|t| t == "Application")
            })
        })
        .map(|r| r.value.unwrap_or_default()))
}

/// Graph's `appRoleAssignment`.
fn assignment_json(
    a: &AppRoleAssignment,
    principal: &ServicePrincipal,
    resource: &ServicePrincipal,
) -> Value {
    json!({
        "id": a.id,
        "deletedDateTime": null,
        "appRoleId": a.app_role_id.to_string(),
        "createdDateTime": datetime(a.created),
        "principalDisplayName": principal.display_name,
        "principalId": principal.id.to_string(),
        "principalType": "ServicePrincipal",
        "resourceDisplayName": resource.display_name,
        "resourceId": resource.id.to_string(),
    })
}

/// Graph's opaque assignment id: base64url of the principal's id followed by random bytes.
pub(crate) fn new_id(state: &AppState, principal: ObjectId) -> String {
    let mut raw = [0u8; 32];
    raw[..16].copy_from_slice(principal.as_uuid().as_bytes());
    state.random.fill(&mut raw[16..]);
    URL_SAFE_NO_PAD.encode(raw)
}

fn audit_record(
    state: &AppState,
    caller: &Caller,
    added: bool,
    a: &AppRoleAssignment,
    principal: &ServicePrincipal,
    resource: &ServicePrincipal,
    role_value: &str,
) -> AuditRecord {
    let (activity, operation) = if added {
        (ADD, OperationType::Assign)
    } else {
        (REMOVE, OperationType::Unassign)
    };
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::ApplicationManagement,
        activity,
        operation,
        initiator(caller),
        vec![
            TargetResource {
                id: principal.id.to_string(),
                display_name: Some(principal.display_name.clone()),
                resource_type: "ServicePrincipal".into(),
                user_principal_name: None,
                modified_properties: vec![
                    change("AppRole.Id", &json!(a.app_role_id.to_string())),
                    change("AppRole.Value", &json!(role_value)),
                    change("AppRoleAssignment.Id", &json!(a.id)),
                    change("ServicePrincipal.ObjectID", &json!(resource.id.to_string())),
                    change(
                        "ServicePrincipal.DisplayName",
                        &json!(resource.display_name),
                    ),
                ],
            },
            TargetResource {
                id: resource.id.to_string(),
                display_name: Some(resource.display_name.clone()),
                resource_type: "ServicePrincipal".into(),
                user_principal_name: None,
                modified_properties: Vec::new(),
            },
        ],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

/// The service principal `raw` (an object id) of the caller's tenant, or `NotFound`.
async fn service_principal<M>(
    tx: &mut TenantTx<M>,
    raw: &str,
) -> Result<ServicePrincipal, GraphError> {
    let id: ObjectId = raw.parse().map_err(|_| Error::not_found(raw.to_owned()))?;
    Ok(tx.service_principal(id).await?)
}

/// An id from the body, or the addressed service principal's when absent; a different one is refused.
fn side_id(
    body: &serde_json::Map<String, Value>,
    property: &str,
    addressed: Option<ObjectId>,
) -> Result<ObjectId, GraphError> {
    match (body.get(property), addressed) {
        (None | Some(Value::Null), Some(id)) => Ok(id),
        (None | Some(Value::Null), None) => Err(Error::invalid_property(
            property,
            format!("The {property} property is required."),
        )
        .into()),
        (Some(v), _) => {
            let id = ObjectId::from_uuid(wire::guid(property, v)?);
            match addressed {
                Some(a) if a != id => Err(Error::invalid_property(
                    property,
                    format!(
                        "The {property} in the request body does not match the service principal in the request URL."
                    ),
                )
                .into()),
                _ => Ok(id),
            }
        }
    }
}

async fn create(
    state: AppState,
    uri: axum::http::Uri,
    caller: Caller,
    id: String,
    body: Value,
    side: Side,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let addressed = service_principal(&mut tx, &id).await?;
    let principal_id = side_id(
        &body,
        "principalId",
        (side == Side::Principal).then_some(addressed.id),
    )?;
    let resource_id = side_id(
        &body,
        "resourceId",
        (side == Side::Resource).then_some(addressed.id),
    )?;
    let app_role_id = wire::guid("appRoleId", body.get("appRoleId").unwrap_or(&Value::Null))?;
    let client = tx.service_principal(principal_id).await?;
    let resource = tx.service_principal(resource_id).await?;
    let proof =
        authz::decide_app_role_grant(&principal(&mut tx, &caller).await?, is_graph(&resource))?;
    let Some(role_value) = exposed_role(&mut tx, &resource, app_role_id).await? else {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Permission being assigned was not found on application",
        ));
    };
    let assignment = AppRoleAssignment {
        id: new_id(&state, client.id),
        app_role_id,
        principal_id: client.id,
        resource_id: resource.id,
        created: state.clock.now(),
    };
    tx.insert_app_role_assignment(&proof, &assignment).await?;
    tx.audit(&audit_record(
        &state,
        &caller,
        true,
        &assignment,
        &client,
        &resource,
        &role_value,
    ))
    .await?;
    tx.commit().await?;
    let mut entity = json!({
        "@odata.context": context_url(
            &state,
            &uri,
            &format!("servicePrincipals('{}')/{}/$entity", addressed.id, side.segment()),
        ),
    });
    if let (Value::Object(m), Value::Object(a)) = (
        &mut entity,
        assignment_json(&assignment, &client, &resource),
    ) {
        m.extend(a);
    }
    Ok((StatusCode::CREATED, Json(entity)))
}

async fn list(
    state: AppState,
    uri: axum::http::Uri,
    caller: Caller,
    id: String,
    side: Side,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let addressed = service_principal(&mut tx, &id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::SERVICE_PRINCIPALS_READ,
        Ownership::NotOwner,
    )?;
    let assignments = match side {
        Side::Principal => tx.app_role_assignments_of_principal(addressed.id).await?,
        Side::Resource => tx.app_role_assignments_of_resource(addressed.id).await?,
    };
    let mut value = Vec::with_capacity(assignments.len());
    for a in &assignments {
        let (p, r) = match side {
            Side::Principal => (
                addressed.clone(),
                tx.service_principal(a.resource_id).await?,
            ),
            Side::Resource => (
                tx.service_principal(a.principal_id).await?,
                addressed.clone(),
            ),
        };
        value.push(assignment_json(a, &p, &r));
    }
    Ok(Json(json!({
        "@odata.context": context_url(
            &state,
            &uri,
            &format!("servicePrincipals('{}')/{}", addressed.id, side.segment()),
        ),
        "value": value,
    })))
}

async fn remove(
    state: AppState,
    caller: Caller,
    id: String,
    assignment_id: String,
    side: Side,
) -> Result<StatusCode, GraphError> {
    let mut tx: TenantTx<Write> = state.store.write(caller.tenant).await?;
    let addressed = service_principal(&mut tx, &id).await?;
    let assignment = tx.app_role_assignment(&assignment_id).await?;
    let belongs = match side {
        Side::Principal => assignment.principal_id == addressed.id,
        Side::Resource => assignment.resource_id == addressed.id,
    };
    if !belongs {
        return Err(Error::not_found(assignment_id).into());
    }
    let client = tx.service_principal(assignment.principal_id).await?;
    let resource = tx.service_principal(assignment.resource_id).await?;
    let proof =
        authz::decide_app_role_grant(&principal(&mut tx, &caller).await?, is_graph(&resource))?;
    let role_value = exposed_role(&mut tx, &resource, assignment.app_role_id)
        .await?
        .unwrap_or_default();
    tx.delete_app_role_assignment(&proof, &assignment.id)
        .await?;
    tx.audit(&audit_record(
        &state,
        &caller,
        false,
        &assignment,
        &client,
        &resource,
        &role_value,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /servicePrincipals/{id}/appRoleAssignments`: assign an app role to the service principal.
pub async fn create_assignment(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    create(state, uri, caller, id, body, Side::Principal).await
}

/// `POST /servicePrincipals/{id}/appRoleAssignedTo`: assign one of the resource's app roles.
pub async fn create_assigned_to(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    create(state, uri, caller, id, body, Side::Resource).await
}

/// `GET /servicePrincipals/{id}/appRoleAssignments`.
pub async fn list_assignments(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    list(state, uri, caller, id, Side::Principal).await
}

/// `GET /servicePrincipals/{id}/appRoleAssignedTo`.
pub async fn list_assigned_to(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    list(state, uri, caller, id, Side::Resource).await
}

/// `DELETE /servicePrincipals/{id}/appRoleAssignments/{assignmentId}`.
pub async fn remove_assignment(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, assignment_id)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    remove(state, caller, id, assignment_id, Side::Principal).await
}

/// `DELETE /servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}`.
pub async fn remove_assigned_to(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, assignment_id)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    remove(state, caller, id, assignment_id, Side::Resource).await
}
