//! `/applications`: app registrations with their client secrets. Every operation names its directory
//! action and asks `authz::decide` before touching data; writes hand the decision's proof to storage
//! and write their audit record in the same transaction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use gatehouse_domain::application::{
    Application, KeyCredential, PasswordCredential, SignInAudience, generate_client_secret,
    validate_display_name,
};
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, Initiator, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership, Principal, Proof, UserKind};
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::role::TENANT_SCOPE;
use gatehouse_domain::user::UserType;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::application_json::{self as wire, parse_datetime};
use super::auth::{Caller, Subject};
use super::key_credentials;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

const ADD: &str = "Add application";
const UPDATE: &str = "Update application";
const DELETE: &str = "Delete application";
pub(crate) const SECRETS: &str = "Update application – Certificates and secrets management";

/// The caller as the decision sees it: tenant-scope roles, member or guest, the token's scopes; or
/// an application with its token's application permissions.
pub async fn principal<M>(tx: &mut TenantTx<M>, caller: &Caller) -> Result<Principal> {
    let user = match &caller.subject {
        Subject::User(u) => u,
        Subject::App { .. } => {
            return Ok(Principal::application(
                caller.roles.iter().cloned().collect(),
            ));
        }
    };
    let roles = tx
        .role_assignments_of(user.id)
        .await?
        .into_iter()
        .filter(|a| a.directory_scope_id == TENANT_SCOPE)
        .map(|a| a.role_definition_id)
        .collect();
    let kind = match user.user_type {
        UserType::Member => UserKind::Member,
        UserType::Guest => UserKind::Guest,
    };
    let policy = tx.authorization_policy().await?;
    Ok(Principal {
        allowed_to_create_apps: policy.allowed_to_create_apps,
        allowed_to_create_security_groups: policy.allowed_to_create_security_groups,
        ..Principal::new(roles, kind, caller.scopes.iter().cloned().collect())
    })
}

/// The audit record's initiator for `caller`.
pub fn initiator(caller: &Caller) -> Initiator {
    match &caller.subject {
        Subject::User(u) => Initiator::User {
            id: u.id,
            user_principal_name: u.user_principal_name.to_string(),
            ip_address: None,
        },
        Subject::App {
            service_principal_id,
            app_id,
            display_name,
        } => Initiator::App {
            app_id: Some(*app_id),
            service_principal_id: Some(*service_principal_id),
            display_name: display_name.clone(),
        },
    }
}

pub(crate) fn context_url(state: &AppState, uri: &axum::http::Uri, fragment: &str) -> String {
    format!(
        "{}/{}/$metadata#{fragment}",
        state.instance.public_url,
        super::version(uri)
    )
}

fn entity(
    state: &AppState,
    uri: &axum::http::Uri,
    app: &Application,
    creds: &[PasswordCredential],
    keys: &[KeyCredential],
) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(state, uri, "applications/$entity")),
    );
    let creds: Vec<&PasswordCredential> = creds.iter().collect();
    let keys: Vec<&KeyCredential> = keys.iter().collect();
    if let Value::Object(m) = wire::application(app, &creds, &keys) {
        body.extend(m);
    }
    Value::Object(body)
}

pub(crate) fn audit(
    state: &AppState,
    caller: &Caller,
    app: &Application,
    activity: &str,
    operation: OperationType,
    changes: Vec<ModifiedProperty>,
) -> AuditRecord {
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::ApplicationManagement,
        activity,
        operation,
        initiator(caller),
        vec![TargetResource {
            id: app.id.to_string(),
            display_name: Some(app.display_name.clone()),
            resource_type: "Application".into(),
            user_principal_name: None,
            modified_properties: changes,
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

pub(crate) fn change(name: &str, new_value: &Value) -> ModifiedProperty {
    ModifiedProperty {
        display_name: name.to_owned(),
        old_value: None,
        new_value: Some(json!([new_value]).to_string()),
    }
}

/// The audit changes of a request body: each property but OData annotations.
pub(crate) fn body_changes(body: &Map<String, Value>) -> Vec<ModifiedProperty> {
    body.iter()
        .filter(|(k, _)| !k.starts_with("@odata."))
        .map(|(k, v)| change(k, v))
        .collect()
}

pub(crate) fn body_object(body: Value) -> Result<Map<String, Value>> {
    match body {
        Value::Object(m) => Ok(m),
        _ => Err(Error::invalid("The request body must be a JSON object.")),
    }
}

/// Loads the addressed application and the caller's relation to it.
pub(crate) async fn target<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    id: &str,
) -> Result<(Application, Ownership)> {
    let id: ObjectId = id.parse()?;
    let app = tx.application(id).await?;
    let ownership = if tx.is_application_owner(id, caller.object_id()).await? {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    };
    Ok((app, ownership))
}

/// `POST /applications`.
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
        authz::APPLICATIONS_CREATE_AS_OWNER,
        Ownership::NoTarget,
    )?;
    let display_name = match body.get("displayName") {
        Some(Value::String(s)) => validate_display_name(s)?,
        _ => {
            return Err(Error::invalid_property(
                "displayName",
                "The displayName property is required and must be at most 256 characters.",
            )
            .into());
        }
    };
    let mut app = Application::new(
        ObjectId::generate(state.random.as_ref()),
        AppId::generate(state.random.as_ref()),
        display_name,
        SignInAudience::AzureAdMyOrg,
        state.clock.now(),
    );
    wire::apply(&mut app, &body)?;
    tx.insert_application(&proof, &app, caller.object_id())
        .await?;
    let (mut keys, mut key_changes) = (Vec::new(), Vec::new());
    if let Some(value) = body.get("keyCredentials") {
        let proof = authz::decide(
            &principal(&mut tx, &caller).await?,
            authz::APPLICATIONS_CREDENTIALS_UPDATE,
            Ownership::Owner,
        )?;
        let now = state.clock.now();
        key_changes =
            key_credentials::replace(&mut tx, &proof, &app, value, state.random.as_ref(), now)
                .await?;
        keys = tx.key_credentials(app.id).await?;
    }
    let mut changes = vec![
        change("AppId", &json!(app.app_id.to_string())),
        change("DisplayName", &json!(app.display_name)),
        change("SignInAudience", &json!(app.sign_in_audience.as_str())),
    ];
    changes.extend(key_changes);
    tx.audit(&audit(
        &state,
        &caller,
        &app,
        ADD,
        OperationType::Add,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, &uri, &app, &[], &keys)),
    ))
}

/// `GET /applications`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_READ,
        Ownership::NoTarget,
    )?;
    let apps = tx.applications().await?;
    let mut credentials: HashMap<ObjectId, Vec<PasswordCredential>> = HashMap::new();
    for (app, c) in tx.all_password_credentials().await? {
        credentials.entry(app).or_default().push(c);
    }
    let mut certificates: HashMap<ObjectId, Vec<KeyCredential>> = HashMap::new();
    for (app, c) in tx.all_key_credentials().await? {
        certificates.entry(app).or_default().push(c);
    }
    let value: Vec<Value> = apps
        .iter()
        .map(|a| {
            let creds: Vec<&PasswordCredential> = credentials
                .get(&a.id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let keys: Vec<&KeyCredential> = certificates
                .get(&a.id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            wire::application(a, &creds, &keys)
        })
        .collect();
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "applications"),
        "value": value,
    })))
}

/// `GET /applications/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_READ,
        ownership,
    )?;
    let creds = tx.password_credentials(app.id).await?;
    let keys = tx.key_credentials(app.id).await?;
    Ok(Json(entity(&state, &uri, &app, &creds, &keys)))
}

/// `PATCH /applications/{id}`: every changed property's action must be allowed.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (mut app, ownership) = target(&mut tx, &caller, &id).await?;
    let who = principal(&mut tx, &caller).await?;
    let mut changed = app.clone();
    let mut actions = wire::apply(&mut changed, &body)?;
    if actions.is_empty() {
        actions.push(authz::APPLICATIONS_BASIC_UPDATE);
    }
    let proofs: Vec<Proof> = actions
        .iter()
        .map(|a| authz::decide(&who, a, ownership))
        .collect::<Result<_>>()?;
    tx.update_application(&proofs[0], &changed).await?;
    let mut changes: Vec<ModifiedProperty> = body
        .iter()
        .filter(|(k, _)| !k.starts_with("@odata.") && *k != "keyCredentials")
        .map(|(k, v)| change(k, v))
        .collect();
    if let Some(value) = body.get("keyCredentials") {
        let proof = proofs
            .iter()
            .find(|p| p.action() == authz::APPLICATIONS_CREDENTIALS_UPDATE)
            .ok_or_else(|| Error::internal("keyCredentials changed without its decision"))?;
        let now = state.clock.now();
        changes.extend(
            key_credentials::replace(&mut tx, proof, &changed, value, state.random.as_ref(), now)
                .await?,
        );
    }
    app = changed;
    tx.audit(&audit(
        &state,
        &caller,
        &app,
        UPDATE,
        OperationType::Update,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /applications/{id}` (a hard delete until deleted items arrive).
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_DELETE,
        ownership,
    )?;
    tx.delete_application(&proof, app.id).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &app,
        DELETE,
        OperationType::Delete,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn key_description(c: &PasswordCredential) -> Value {
    json!(format!(
        "[KeyIdentifier={}, KeyType=Password, KeyUsage=Verify, DisplayName={}]",
        c.key_id,
        c.display_name.as_deref().unwrap_or_default()
    ))
}

/// `POST /applications/{id}/addPassword`: the secret is in this response only.
pub async fn add_password(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<Json<Value>, GraphError> {
    let body = body_object(body)?;
    let requested = match body.get("passwordCredential") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(Error::invalid_property(
                "passwordCredential",
                "Invalid value for property 'passwordCredential': expected an object.",
            )
            .into());
        }
    };
    let field = |k: &str| requested.get(k).unwrap_or(&Value::Null);
    let display_name = match field("displayName") {
        Value::Null => None,
        v => Some(wire::string("displayName", v)?),
    };
    let start = parse_datetime("startDateTime", field("startDateTime"))?;
    let end = parse_datetime("endDateTime", field("endDateTime"))?;

    let mut tx = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_CREDENTIALS_UPDATE,
        ownership,
    )?;
    let secret = generate_client_secret(state.random.as_ref());
    let credential = PasswordCredential::new(
        state.random.uuid(),
        display_name,
        &secret,
        state.clock.now(),
        start,
        end,
    )?;
    tx.insert_password_credential(
        &proof,
        app.id,
        &credential,
        &state.secrets.keyed_hash(&secret),
    )
    .await?;
    let changes = vec![change("KeyDescription", &key_description(&credential))];
    tx.audit(&audit(
        &state,
        &caller,
        &app,
        SECRETS,
        OperationType::Update,
        changes,
    ))
    .await?;
    tx.commit().await?;
    let mut response = Map::new();
    response.insert(
        "@odata.context".into(),
        json!(context_url(
            &state,
            &uri,
            "microsoft.graph.passwordCredential"
        )),
    );
    if let Value::Object(m) = wire::password_credential(&credential, Some(&secret)) {
        response.extend(m);
    }
    Ok(Json(Value::Object(response)))
}

/// `POST /applications/{id}/removePassword`.
pub async fn remove_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let key_id = wire::guid("keyId", body.get("keyId").unwrap_or(&Value::Null))?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_CREDENTIALS_UPDATE,
        ownership,
    )?;
    let existing = tx
        .password_credentials(app.id)
        .await?
        .into_iter()
        .find(|c| c.key_id == key_id);
    let Some(credential) = existing else {
        return Err(Error::invalid_property(
            "keyId",
            format!("No password credential with keyId '{key_id}' exists on the application."),
        )
        .into());
    };
    tx.delete_password_credential(&proof, app.id, key_id)
        .await?;
    let changes = vec![ModifiedProperty {
        display_name: "KeyDescription".into(),
        old_value: Some(json!([key_description(&credential)]).to_string()),
        new_value: None,
    }];
    tx.audit(&audit(
        &state,
        &caller,
        &app,
        SECRETS,
        OperationType::Update,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
