//! `/policies/tokenLifetimePolicies` (create, list, get, update, delete) and their assignment to
//! applications (`/applications/{id}/tokenLifetimePolicies`, `.../$ref`, `.../{policyId}/$ref`).
//! Each operation names Entra's directory action (`microsoft.directory/policies/...`,
//! `microsoft.directory/applications/policies/update`) and asks `authz::decide`; writes are
//! audited in the same transaction.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::token_lifetime::{Lifetimes, TokenLifetimePolicy, lifetimes_of};
use gatehouse_domain::{Error, Result};
use gatehouse_store::{TenantTx, Write};
use serde_json::{Map, Value, json};

use super::applications::{
    body_changes, body_object, change, context_url, initiator, principal, target,
};
use super::auth::Caller;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

fn wire(p: &TokenLifetimePolicy) -> Value {
    json!({
        "id": p.id.to_string(),
        "deletedDateTime": null,
        "definition": p.definition,
        "description": null,
        "displayName": p.display_name,
        "isOrganizationDefault": p.is_organization_default,
    })
}

fn entity(state: &AppState, uri: &axum::http::Uri, p: &TokenLifetimePolicy) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(
            state,
            uri,
            "policies/tokenLifetimePolicies/$entity"
        )),
    );
    if let Value::Object(m) = wire(p) {
        body.extend(m);
    }
    Value::Object(body)
}

fn collection(state: &AppState, uri: &axum::http::Uri, policies: &[TokenLifetimePolicy]) -> Value {
    json!({
        "@odata.context": context_url(state, uri, "policies/tokenLifetimePolicies"),
        "value": policies.iter().map(wire).collect::<Vec<_>>(),
    })
}

/// Reads `definition`: exactly one JSON string holding `{"TokenLifetimePolicy": {...}}`.
fn definition(v: &Value) -> Result<(Vec<String>, Lifetimes)> {
    let bad = |m: &str| Error::invalid_property("definition", m.to_owned());
    let [Value::String(text)] = v.as_array().map(Vec::as_slice).unwrap_or_default() else {
        return Err(bad(
            "definition must be an array with one JSON string: {\"TokenLifetimePolicy\":{\"Version\":1,...}}.",
        ));
    };
    let doc: Value =
        serde_json::from_str(text).map_err(|_| bad("definition is not valid JSON."))?;
    let policy = match doc
        .as_object()
        .map(|o| (o.len(), o.get("TokenLifetimePolicy")))
    {
        Some((1, Some(Value::Object(p)))) => p,
        _ => return Err(bad("definition must hold one TokenLifetimePolicy object.")),
    };
    let mut version = None;
    let mut entries = Vec::new();
    for (name, value) in policy {
        match (name.as_str(), value) {
            ("Version", Value::Number(n)) => version = n.as_i64(),
            ("Version", _) => return Err(bad("Version must be the number 1.")),
            (_, Value::String(s)) => entries.push((name.clone(), s.clone())),
            (_, _) => entries.push((name.clone(), value.to_string())),
        }
    }
    Ok((vec![text.clone()], lifetimes_of(version, &entries)?))
}

/// Applies a create or update body; returns the actions the change needs.
fn apply(p: &mut TokenLifetimePolicy, body: &Map<String, Value>) -> Result<Vec<&'static str>> {
    let mut actions = Vec::new();
    for (key, value) in body {
        match key.as_str() {
            "displayName" => {
                let name = value.as_str().map(str::trim).unwrap_or_default();
                if name.is_empty() || name.chars().count() > 256 {
                    return Err(Error::invalid_property(
                        "displayName",
                        "The displayName property is required and must be at most 256 characters.",
                    ));
                }
                p.display_name = name.to_owned();
                actions.push(authz::POLICIES_UPDATE);
            }
            "definition" => {
                (p.definition, p.lifetimes) = definition(value)?;
                actions.push(authz::POLICIES_UPDATE);
            }
            "isOrganizationDefault" => {
                p.is_organization_default = match value {
                    Value::Bool(b) => *b,
                    Value::Null => false,
                    _ => {
                        return Err(Error::invalid_property(
                            "isOrganizationDefault",
                            "isOrganizationDefault must be a boolean.",
                        ));
                    }
                };
                actions.push(authz::POLICIES_TENANT_DEFAULT_UPDATE);
            }
            "description" if value.is_null() => {}
            k if k.starts_with("@odata.") => {}
            "id" | "deletedDateTime" => {
                return Err(Error::invalid_property(
                    key,
                    format!("Property '{key}' is read-only and cannot be set."),
                ));
            }
            _ => {
                return Err(Error::invalid_property(
                    key,
                    format!(
                        "Property '{key}' is not supported on microsoft.graph.tokenLifetimePolicy by Gatehouse."
                    ),
                ));
            }
        }
    }
    Ok(actions)
}

fn audit(
    state: &AppState,
    caller: &Caller,
    activity: &str,
    operation: OperationType,
    target: (&str, &str, &str),
    changes: Vec<ModifiedProperty>,
) -> AuditRecord {
    let (id, name, kind) = target;
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::Policy,
        activity,
        operation,
        initiator(caller),
        vec![TargetResource {
            id: id.to_owned(),
            display_name: Some(name.to_owned()),
            resource_type: kind.into(),
            user_principal_name: None,
            modified_properties: changes,
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

async fn decide<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    action: &'static str,
    ownership: Ownership,
) -> Result<authz::Proof> {
    authz::decide(&principal(tx, caller).await?, action, ownership)
}

/// `POST /policies/tokenLifetimePolicies`.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = decide(
        &mut tx,
        &caller,
        authz::POLICIES_CREATE,
        Ownership::NoTarget,
    )
    .await?;
    let mut policy = TokenLifetimePolicy {
        id: ObjectId::generate(state.random.as_ref()),
        display_name: String::new(),
        definition: Vec::new(),
        is_organization_default: false,
        lifetimes: Lifetimes::default(),
        created: state.clock.now(),
    };
    apply(&mut policy, &body)?;
    for required in ["displayName", "definition"] {
        if !body.contains_key(required) {
            return Err(Error::invalid_property(
                required,
                format!("The {required} property is required."),
            )
            .into());
        }
    }
    if policy.is_organization_default {
        decide(
            &mut tx,
            &caller,
            authz::POLICIES_TENANT_DEFAULT_UPDATE,
            Ownership::NoTarget,
        )
        .await?;
    }
    tx.insert_token_lifetime_policy(&proof, &policy).await?;
    let changes = body_changes(&body);
    let id = policy.id.to_string();
    let target = (id.as_str(), policy.display_name.as_str(), "Policy");
    tx.audit(&audit(
        &state,
        &caller,
        "Add policy",
        OperationType::Add,
        target,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(entity(&state, &uri, &policy))))
}

/// `GET /policies/tokenLifetimePolicies`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    decide(&mut tx, &caller, authz::POLICIES_READ, Ownership::NoTarget).await?;
    let policies = tx.token_lifetime_policies().await?;
    Ok(Json(collection(&state, &uri, &policies)))
}

/// `GET /policies/tokenLifetimePolicies/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    decide(&mut tx, &caller, authz::POLICIES_READ, Ownership::NotOwner).await?;
    let policy = tx.token_lifetime_policy(id.parse()?).await?;
    Ok(Json(entity(&state, &uri, &policy)))
}

/// `PATCH /policies/tokenLifetimePolicies/{id}`: every changed property's action must be allowed.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let mut policy = tx.token_lifetime_policy(id.parse()?).await?;
    let mut actions = apply(&mut policy, &body)?;
    if actions.is_empty() {
        actions.push(authz::POLICIES_UPDATE);
    }
    let mut proofs = Vec::new();
    for action in actions {
        proofs.push(decide(&mut tx, &caller, action, Ownership::NotOwner).await?);
    }
    tx.update_token_lifetime_policy(&proofs[0], &policy).await?;
    let changes = body_changes(&body);
    let target = (id.as_str(), policy.display_name.as_str(), "Policy");
    tx.audit(&audit(
        &state,
        &caller,
        "Update policy",
        OperationType::Update,
        target,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /policies/tokenLifetimePolicies/{id}` (its assignments go with it).
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let policy = tx.token_lifetime_policy(id.parse()?).await?;
    let proof = decide(
        &mut tx,
        &caller,
        authz::POLICIES_DELETE,
        Ownership::NotOwner,
    )
    .await?;
    tx.delete_token_lifetime_policy(&proof, policy.id).await?;
    let target = (id.as_str(), policy.display_name.as_str(), "Policy");
    tx.audit(&audit(
        &state,
        &caller,
        "Delete policy",
        OperationType::Delete,
        target,
        vec![],
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /applications/{id}/tokenLifetimePolicies`.
pub async fn list_assigned(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    decide(&mut tx, &caller, authz::APPLICATIONS_READ, ownership).await?;
    let policies = tx.application_token_lifetime_policies(app.id).await?;
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "tokenLifetimePolicies"),
        "value": policies.iter().map(wire).collect::<Vec<_>>(),
    })))
}

/// Writes an assignment change and its audit record.
async fn assignment(
    state: &AppState,
    caller: &Caller,
    (id, policy_id): (&str, ObjectId),
    assign: bool,
) -> Result<(), GraphError> {
    let mut tx: TenantTx<Write> = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, caller, id).await?;
    let proof = decide(
        &mut tx,
        caller,
        authz::APPLICATIONS_POLICIES_UPDATE,
        ownership,
    )
    .await?;
    let policy = tx.token_lifetime_policy(policy_id).await?;
    let (activity, operation) = if assign {
        let assigned = tx.application_token_lifetime_policies(app.id).await?;
        if !assigned.is_empty() {
            return Err(Error::conflict(
                "The application already has a token lifetime policy; remove it first.",
            )
            .into());
        }
        tx.assign_token_lifetime_policy(&proof, app.id, policy.id)
            .await?;
        ("Add policy to application", OperationType::Assign)
    } else {
        tx.unassign_token_lifetime_policy(&proof, app.id, policy.id)
            .await?;
        ("Remove policy from application", OperationType::Unassign)
    };
    let changes = vec![change("TokenLifetimePolicy", &json!(policy.id.to_string()))];
    let app_id = app.id.to_string();
    let target = (app_id.as_str(), app.display_name.as_str(), "Application");
    tx.audit(&audit(state, caller, activity, operation, target, changes))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /applications/{id}/tokenLifetimePolicies/$ref` with `{"@odata.id": ".../{policyId}"}`.
pub async fn assign(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .and_then(|r| r.trim_end_matches('/').rsplit('/').next())
        .and_then(|last| last.parse::<ObjectId>().ok())
        .ok_or_else(|| {
            Error::invalid_property(
                "@odata.id",
                "The request body must name the policy as {\"@odata.id\": \"https://graph.microsoft.com/v1.0/policies/tokenLifetimePolicies/{id}\"}.",
            )
        })?;
    assignment(&state, &caller, (&id, reference), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /applications/{id}/tokenLifetimePolicies/{policyId}/$ref`.
pub async fn unassign(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    assignment(&state, &caller, (&id, policy_id.parse()?), false).await?;
    Ok(StatusCode::NO_CONTENT)
}
