//! `/devices`: registered device objects (create, list, read, update, delete), their
//! `registeredOwners` and `registeredUsers`, and a user's `ownedDevices` / `registeredDevices`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::device::{
    AlternativeSecurityId, COLLECTION_PROPERTIES, Device, TEXT_PROPERTIES, invalid,
};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use gatehouse_store::{DeviceRelation, TenantTx};
use serde_json::{Map, Value, json};

use super::application_json::{datetime, opt_bool, parse_datetime, string, strings};
use super::applications::{body_changes, body_object, context_url, initiator, principal};
use super::auth::Caller;
use super::paging::Page;
use super::users::{find, readable, reference, render as render_user};
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

/// The properties `POST /devices` requires (as Graph documents it).
const REQUIRED_ON_CREATE: &[&str] = &[
    "accountEnabled",
    "alternativeSecurityIds",
    "deviceId",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
];

/// Graph's `device` JSON.
pub fn render(device: &Device) -> Value {
    let opt_time = |t: Option<time::OffsetDateTime>| t.map(datetime);
    let mut m = Map::new();
    m.insert("id".into(), json!(device.id.to_string()));
    m.insert("deletedDateTime".into(), Value::Null);
    m.insert("accountEnabled".into(), json!(device.account_enabled));
    m.insert(
        "alternativeSecurityIds".into(),
        json!(device
            .alternative_security_ids
            .iter()
            .map(|a| json!({"type": a.kind, "identityProvider": a.identity_provider, "key": a.key}))
            .collect::<Vec<_>>()),
    );
    m.insert(
        "approximateLastSignInDateTime".into(),
        json!(opt_time(device.approximate_last_sign_in)),
    );
    m.insert(
        "complianceExpirationDateTime".into(),
        json!(opt_time(device.compliance_expiration)),
    );
    m.insert("deviceMetadata".into(), Value::Null);
    m.insert("deviceVersion".into(), Value::Null);
    m.insert("displayName".into(), json!(device.display_name));
    m.insert("isCompliant".into(), json!(device.is_compliant));
    m.insert("isManaged".into(), json!(device.is_managed));
    m.insert("onPremisesLastSyncDateTime".into(), Value::Null);
    m.insert("onPremisesSyncEnabled".into(), Value::Null);
    m.insert(
        "registrationDateTime".into(),
        json!(datetime(device.registration)),
    );
    for name in COLLECTION_PROPERTIES {
        m.insert((*name).into(), json!(device.collection(name)));
    }
    let mut extension = Map::new();
    for name in TEXT_PROPERTIES {
        match name.split_once('/') {
            Some((_, child)) => {
                extension.insert(child.into(), json!(device.get(name)));
            }
            None => {
                m.insert((*name).into(), json!(device.get(name)));
            }
        }
    }
    m.insert("extensionAttributes".into(), Value::Object(extension));
    Value::Object(m)
}

/// Applies a create or update body; returns the actions it needs.
fn apply(device: &mut Device, body: &Map<String, Value>) -> Result<Vec<&'static str>> {
    let mut actions = Vec::new();
    for (key, value) in body {
        if key.starts_with("@odata.") {
            continue;
        }
        let action = match key.as_str() {
            "displayName" => {
                let name = string(key, value).map_err(|_| invalid(key))?;
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 256 {
                    return Err(invalid(key));
                }
                device.display_name = name.to_owned();
                authz::DEVICES_BASIC_UPDATE
            }
            "accountEnabled" => {
                device.account_enabled = opt_bool(key, value)?.ok_or_else(|| invalid(key))?;
                if device.account_enabled {
                    authz::DEVICES_ENABLE
                } else {
                    authz::DEVICES_DISABLE
                }
            }
            "alternativeSecurityIds" => {
                device.alternative_security_ids = security_ids(value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "isCompliant" => {
                device.is_compliant = opt_bool(key, value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "isManaged" => {
                device.is_managed = opt_bool(key, value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "approximateLastSignInDateTime" => {
                device.approximate_last_sign_in = parse_datetime(key, value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "complianceExpirationDateTime" => {
                device.compliance_expiration = parse_datetime(key, value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "extensionAttributes" => {
                let object = value.as_object().ok_or_else(|| invalid(key))?;
                for (child, v) in object {
                    set_text(device, &format!("extensionAttributes/{child}"), v)?;
                }
                authz::DEVICES_BASIC_UPDATE
            }
            k if COLLECTION_PROPERTIES.contains(&k) => {
                device.set_collection(k, strings(k, value)?)?;
                authz::DEVICES_BASIC_UPDATE
            }
            k if TEXT_PROPERTIES.contains(&k) => {
                set_text(device, k, value)?;
                authz::DEVICES_BASIC_UPDATE
            }
            "id" | "registrationDateTime" | "deletedDateTime" => {
                return Err(Error::invalid_property(
                    key,
                    format!("Property '{key}' is read-only and cannot be set."),
                ));
            }
            k => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' does not exist on type 'microsoft.graph.device'."),
                ));
            }
        };
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    Ok(actions)
}

fn set_text(device: &mut Device, name: &str, value: &Value) -> Result<()> {
    match value {
        Value::Null => device.set_text(name, None),
        Value::String(s) => device.set_text(name, Some(s)),
        _ => Err(invalid(name)),
    }
}

fn security_ids(value: &Value) -> Result<Vec<AlternativeSecurityId>> {
    let items = value
        .as_array()
        .ok_or_else(|| invalid("alternativeSecurityIds"))?;
    items
        .iter()
        .map(|item| {
            let kind = item
                .get("type")
                .and_then(Value::as_i64)
                .and_then(|k| i32::try_from(k).ok())
                .ok_or_else(|| invalid("alternativeSecurityIds"))?;
            let key = item
                .get("key")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty() && k.len() <= 4096)
                .ok_or_else(|| invalid("alternativeSecurityIds"))?;
            Ok(AlternativeSecurityId {
                kind,
                identity_provider: item
                    .get("identityProvider")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                key: key.to_owned(),
            })
        })
        .collect()
}

fn audit(
    state: &AppState,
    caller: &Caller,
    device: &Device,
    activity: &str,
    operation: OperationType,
    changes: Vec<ModifiedProperty>,
) -> AuditRecord {
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::Device,
        activity,
        operation,
        initiator(caller),
        vec![TargetResource {
            id: device.id.to_string(),
            display_name: Some(device.display_name.clone()),
            resource_type: "Device".into(),
            user_principal_name: None,
            modified_properties: changes,
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

/// The addressed device and whether the caller is one of its registered owners.
async fn target<M>(tx: &mut TenantTx<M>, caller: &Caller, id: &str) -> Result<(Device, Ownership)> {
    let id: ObjectId = id.parse().map_err(|_| Error::not_found(id))?;
    let device = tx.device(id).await?;
    let ownership = if tx.is_device_owner(id, caller.object_id()).await? {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    };
    Ok((device, ownership))
}

fn entity(state: &AppState, uri: &axum::http::Uri, device: &Device) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(state, uri, "devices/$entity")),
    );
    if let Value::Object(m) = render(device) {
        body.extend(m);
    }
    Value::Object(body)
}

/// `POST /devices`.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    if let Some(missing) = REQUIRED_ON_CREATE.iter().find(|k| !body.contains_key(**k)) {
        return Err(invalid(missing).into());
    }
    let mut device = Device::new(
        ObjectId::generate(state.random.as_ref()),
        String::new(),
        state.clock.now(),
    );
    apply(&mut device, &body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DEVICES_CREATE,
        Ownership::NoTarget,
    )?;
    tx.insert_device(&proof, &device).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &device,
        "Add device",
        OperationType::Add,
        body_changes(&body),
    ))
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(entity(&state, &uri, &device))))
}

/// `GET /devices`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let page = Page::read(&query, "devices", &[])?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DEVICES_READ,
        Ownership::NoTarget,
    )?;
    let devices = tx.devices_page(page.after, page.top + 1).await?;
    let items = devices.iter().map(|d| (d.id, render(d))).collect();
    let context = context_url(&state, &uri, "devices");
    Ok(Json(page.body(&state, &uri, &query, context, items)))
}

/// `GET /devices/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let (device, ownership) = target(&mut tx, &caller, &id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DEVICES_READ,
        ownership,
    )?;
    Ok(Json(entity(&state, &uri, &device)))
}

/// `PATCH /devices/{id}`: 204.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (mut device, ownership) = target(&mut tx, &caller, &id).await?;
    let actions = apply(&mut device, &body)?;
    let principal = principal(&mut tx, &caller).await?;
    let mut proof = None;
    for action in actions {
        let p = authz::decide(&principal, action, ownership)?;
        proof.get_or_insert(p);
    }
    let proof =
        proof.ok_or_else(|| Error::invalid("The request body names no property to change."))?;
    tx.update_device(&proof, &device).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &device,
        "Update device",
        OperationType::Update,
        body_changes(&body),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /devices/{id}`: devices are deleted at once.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let (device, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DEVICES_DELETE,
        ownership,
    )?;
    tx.delete_device(&proof, device.id).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &device,
        "Delete device",
        OperationType::Delete,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The relation a path segment names.
fn relation(segment: &str) -> Result<DeviceRelation> {
    match segment {
        "registeredOwners" => Ok(DeviceRelation::Owner),
        "registeredUsers" => Ok(DeviceRelation::User),
        other => Err(Error::not_found(other)),
    }
}

fn relation_action(relation: DeviceRelation) -> &'static str {
    match relation {
        DeviceRelation::Owner => authz::DEVICES_REGISTERED_OWNERS_UPDATE,
        DeviceRelation::User => authz::DEVICES_REGISTERED_USERS_UPDATE,
    }
}

fn users_collection(
    state: &AppState,
    uri: &axum::http::Uri,
    users: &[gatehouse_domain::user::User],
) -> Value {
    json!({
        "@odata.context": context_url(state, uri, "directoryObjects"),
        "value": users.iter().map(|u| {
            let mut m = Map::new();
            m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            m.extend(render_user(u, None));
            Value::Object(m)
        }).collect::<Vec<_>>(),
    })
}

/// `GET /devices/{id}/registeredOwners` and `/registeredUsers`.
pub async fn list_users(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path((id, segment)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    let relation = relation(&segment)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let (device, ownership) = target(&mut tx, &caller, &id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DEVICES_READ,
        ownership,
    )?;
    let users = tx.device_users(device.id, relation).await?;
    Ok(Json(users_collection(&state, &uri, &users)))
}

/// `POST /devices/{id}/registeredOwners/$ref` (and `registeredUsers`) with an `@odata.id` naming a user.
pub async fn add_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, segment)): Path<(String, String)>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let relation = relation(&segment)?;
    let user_ref = reference(&body_object(body)?)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (device, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        relation_action(relation),
        ownership,
    )?;
    let user = find(&mut tx, &user_ref).await?;
    tx.add_device_user(&proof, device.id, user.id, relation)
        .await?;
    let activity = match relation {
        DeviceRelation::Owner => "Add registered owner to device",
        DeviceRelation::User => "Add registered users to device",
    };
    tx.audit(&audit(
        &state,
        &caller,
        &device,
        activity,
        OperationType::Assign,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /devices/{id}/registeredOwners/{userId}/$ref` (and `registeredUsers`).
pub async fn remove_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, segment, user_id)): Path<(String, String, String)>,
) -> Result<StatusCode, GraphError> {
    let relation = relation(&segment)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (device, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        relation_action(relation),
        ownership,
    )?;
    let user: ObjectId = user_id.parse().map_err(|_| Error::not_found(&user_id))?;
    tx.remove_device_user(&proof, device.id, user, relation)
        .await?;
    let activity = match relation {
        DeviceRelation::Owner => "Remove registered owner from device",
        DeviceRelation::User => "Remove registered users from device",
    };
    tx.audit(&audit(
        &state,
        &caller,
        &device,
        activity,
        OperationType::Unassign,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/{id}/ownedDevices`.
pub async fn owned_by(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    of_user(&state, &uri, &caller, Some(&id), DeviceRelation::Owner).await
}

/// `GET /users/{id}/registeredDevices`.
pub async fn registered_by(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    of_user(&state, &uri, &caller, Some(&id), DeviceRelation::User).await
}

/// `GET /me/ownedDevices`.
pub async fn owned_by_me(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    of_user(&state, &uri, &caller, None, DeviceRelation::Owner).await
}

/// `GET /me/registeredDevices`.
pub async fn registered_by_me(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    of_user(&state, &uri, &caller, None, DeviceRelation::User).await
}

/// The devices the addressed user (`None`: the signed-in user) owns or is registered to.
async fn of_user(
    state: &AppState,
    uri: &axum::http::Uri,
    caller: &Caller,
    id: Option<&str>,
    relation: DeviceRelation,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let id = match id {
        Some(id) => id.to_owned(),
        None => caller.delegated_user()?.id.to_string(),
    };
    let user = readable(&mut tx, caller, &id).await?;
    let devices = tx.devices_of_user(user.id, relation).await?;
    Ok(Json(json!({
        "@odata.context": context_url(state, uri, "directoryObjects"),
        "value": devices.iter().map(|d| {
            let mut m = Map::new();
            m.insert("@odata.type".into(), json!("#microsoft.graph.device"));
            if let Value::Object(o) = render(d) {
                m.extend(o);
            }
            Value::Object(m)
        }).collect::<Vec<_>>(),
    })))
}
