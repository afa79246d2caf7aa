//! `/users`: create, list, read (by id or user principal name), update, delete (to the recycle bin),
//! `revokeSignInSessions`, and the manager / direct reports relationships. Every operation asks
//! `authz::decide` for its directory action; writes carry the proof and are audited in their
//! transaction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership, Proof};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::odata::collections::USERS;
use gatehouse_domain::password::check_complexity;
use gatehouse_domain::user::{User, UserPrincipalName};
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::applications::{body_changes, body_object, change, context_url, initiator, principal};
use super::auth::Caller;
use super::query;
use super::user_json::{self, Changes};
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

/// The properties `POST /users` requires.
const REQUIRED_ON_CREATE: &[&str] = &[
    "accountEnabled",
    "displayName",
    "mailNickname",
    "passwordProfile",
    "userPrincipalName",
];

/// An audit record of the user-management `activity` on `user`.
pub(crate) fn audit(
    state: &AppState,
    caller: &Caller,
    user: &User,
    activity: &str,
    operation: OperationType,
    changes: Vec<ModifiedProperty>,
) -> AuditRecord {
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::UserManagement,
        activity,
        operation,
        initiator(caller),
        vec![TargetResource {
            id: user.id.to_string(),
            display_name: Some(user.display_name.clone()),
            resource_type: "User".into(),
            user_principal_name: Some(user.user_principal_name.to_string()),
            modified_properties: changes,
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

/// Resolves `{id}` (an object id or a user principal name) to an active user.
pub(crate) async fn find<M>(tx: &mut TenantTx<M>, id: &str) -> Result<User> {
    match id.parse::<ObjectId>() {
        Ok(oid) => tx.user(oid).await,
        Err(_) => tx
            .user_by_upn(id)
            .await?
            .ok_or_else(|| Error::not_found(id)),
    }
}

/// The user `{id}` addresses, once the decision allows the caller to read it.
pub(crate) async fn readable<M>(tx: &mut TenantTx<M>, caller: &Caller, id: &str) -> Result<User> {
    let user = find(tx, id).await?;
    authz::decide(
        &principal(tx, caller).await?,
        authz::USERS_READ,
        ownership(caller, &user),
    )?;
    Ok(user)
}

/// The caller's relation to a user: a user "owns" their own object (which is how guests may read
/// themselves); everyone else addresses it as a non-owner.
pub(crate) fn ownership(caller: &Caller, user: &User) -> Ownership {
    if caller.object_id() == user.id {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    }
}

/// Reads `$select` into the list of properties to render; unknown properties are Graph's 400.
pub(crate) fn selection(query: &HashMap<String, String>) -> Result<Option<Vec<String>>> {
    let Some(select) = query.get("$select") else {
        return Ok(None);
    };
    let mut names = Vec::new();
    for name in select.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let known = user_json::PROPERTIES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.user'."
                ))
            })?;
        names.push(known.clone());
    }
    Ok(Some(names))
}

/// `user` as Graph renders it with `select` (or the default properties); `id` is always present.
pub(crate) fn render(user: &User, select: Option<&[String]>) -> Map<String, Value> {
    let mut full = user_json::full(user);
    let mut out = Map::new();
    match select {
        Some(names) => {
            for name in names {
                if let Some(v) = full.remove(name) {
                    out.insert(name.clone(), v);
                }
            }
            out.entry("id").or_insert(json!(user.id.to_string()));
        }
        None => {
            for name in user_json::DEFAULT_SELECT {
                if let Some(v) = full.remove(*name) {
                    out.insert((*name).into(), v);
                }
            }
        }
    }
    out
}

/// Adds `signInActivity` to rendered users when `$select` names it: the caller needs
/// `AuditLog.Read.All` and, signed in, a role that reads sign-in reports (as Graph requires).
pub(crate) async fn add_sign_in_activity<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    select: Option<&[String]>,
    rendered: &mut [(ObjectId, Map<String, Value>)],
) -> Result<()> {
    if !select.is_some_and(|s| s.iter().any(|p| p == "signInActivity")) {
        return Ok(());
    }
    authz::decide(
        &principal(tx, caller).await?,
        authz::SIGN_IN_REPORTS_READ,
        Ownership::NoTarget,
    )?;
    for (id, map) in rendered.iter_mut() {
        let activity = tx.sign_in_activity(*id).await?;
        let pair = |p: &Option<(time::OffsetDateTime, String)>| {
            p.as_ref()
                .map(|(t, r)| (json!(super::application_json::datetime(*t)), json!(r)))
        };
        let mut m = Map::new();
        for (name, value) in [
            ("lastSignIn", pair(&activity.last_sign_in)),
            (
                "lastNonInteractiveSignIn",
                pair(&activity.last_non_interactive_sign_in),
            ),
            (
                "lastSuccessfulSignIn",
                pair(&activity.last_successful_sign_in),
            ),
        ] {
            let (at, request) = value.unwrap_or((Value::Null, Value::Null));
            m.insert(format!("{name}DateTime"), at);
            m.insert(format!("{name}RequestId"), request);
        }
        map.insert("signInActivity".into(), Value::Object(m));
    }
    Ok(())
}

/// `@odata.context` of a user entity or collection, with the `$select` list as Graph writes it.
pub(crate) fn context(
    state: &AppState,
    uri: &axum::http::Uri,
    path: &str,
    select: Option<&[String]>,
    entity: bool,
) -> String {
    let select = select
        .map(|s| format!("({})", s.join(",")))
        .unwrap_or_default();
    let suffix = if entity { "/$entity" } else { "" };
    context_url(state, uri, &format!("{path}{select}{suffix}"))
}

fn entity(
    state: &AppState,
    uri: &axum::http::Uri,
    user: &User,
    select: Option<&[String]>,
) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(state, uri, "users", select, true)),
    );
    body.extend(render(user, select));
    Value::Object(body)
}

/// Checks that the sign-in name's domain is a verified domain of the tenant.
async fn check_upn_domain<M>(tx: &mut TenantTx<M>, upn: &UserPrincipalName) -> Result<()> {
    let verified = tx
        .domains()
        .await?
        .into_iter()
        .any(|d| d.is_verified && d.name == *upn.domain());
    if verified {
        Ok(())
    } else {
        Err(Error::invalid_property(
            "userPrincipalName",
            "The domain portion of the userPrincipalName property is invalid. You must use one of \
             the verified domain names in your organization.",
        ))
    }
}

/// Refuses proxy addresses another object already holds (spec 02 §2.3).
async fn check_proxy_addresses<M>(tx: &mut TenantTx<M>, user: &User) -> Result<()> {
    for address in user.profile.collection("proxyAddresses") {
        if tx.value_taken("proxyAddresses", address, user.id).await? {
            return Err(Error::invalid_property(
                "proxyAddresses",
                "Proxy address is already being used.",
            ));
        }
    }
    Ok(())
}

/// Allows every action a body needs, returning the proof of the first.
fn decide_all(
    principal: &authz::Principal,
    actions: &[&'static str],
    ownership: Ownership,
) -> Result<Proof> {
    let mut proof = None;
    for action in actions {
        let p = authz::decide(principal, action, ownership)?;
        proof.get_or_insert(p);
    }
    proof.ok_or_else(|| Error::invalid("The request body names no property to change."))
}

/// `POST /users`.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    if let Some(missing) = REQUIRED_ON_CREATE.iter().find(|k| !body.contains_key(**k)) {
        return Err(user_json::invalid(missing).into());
    }
    let now = state.clock.now();
    let mut user = user_json::blank(ObjectId::generate(state.random.as_ref()), now);
    let Changes { password, .. } = user_json::apply(&mut user, &body)?;
    let password = password.ok_or_else(|| user_json::invalid("passwordProfile"))?;
    check_complexity(&password)?;
    if body
        .get("passwordProfile")
        .and_then(|p| p.get("forceChangePasswordNextSignIn"))
        .is_none()
    {
        user.profile.force_change_password = true;
    }
    // Hashing is slow: done before the write transaction opens.
    user.password = Some(state.passwords.hash(password, state.random.clone()).await?);
    user.last_password_change = Some(now);
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_CREATE,
        Ownership::NoTarget,
    )?;
    check_upn_domain(&mut tx, &user.user_principal_name).await?;
    check_proxy_addresses(&mut tx, &user).await?;
    tx.create_user(&proof, &user).await?;
    let mut changes = body_changes(&body);
    changes.retain(|c| c.display_name != "passwordProfile");
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Add user",
        OperationType::Add,
        changes,
    ))
    .await?;
    tx.commit().await?;
    // Graph answers a create with the default properties.
    Ok((StatusCode::CREATED, Json(entity(&state, &uri, &user, None))))
}

/// `GET /users`: the OData query options of `graph/query.rs` (`$filter`, `$select`, `$orderby`,
/// `$top` with keyset `$skiptoken` paging, `$count`, `$search`) over the active users.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let options = query::query_options(&USERS, &uri, &headers)?;
    let select: Option<Vec<String>> = (!options.select.is_empty())
        .then(|| options.select.iter().map(|s| (*s).to_owned()).collect());
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_READ,
        Ownership::NoTarget,
    )?;
    let page = tx.users_list(&options).await?;
    let mut rendered: Vec<_> = page
        .items
        .iter()
        .map(|u| (u.id, render(u, select.as_deref())))
        .collect();
    add_sign_in_activity(&mut tx, &caller, select.as_deref(), &mut rendered).await?;
    let page = gatehouse_store::Page {
        items: rendered
            .into_iter()
            .map(|(_, m)| Value::Object(m))
            .collect(),
        next: page.next,
        count: page.count,
    };
    Ok(Json(query::list_body(&state, &uri, &USERS, &options, page)))
}

/// `GET /users/$count` (with `ConsistencyLevel: eventual`).
pub async fn count(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Extension(caller): Extension<Caller>,
) -> Result<Response, GraphError> {
    let options = query::count_options(&USERS, &uri, &headers)?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_READ,
        Ownership::NoTarget,
    )?;
    Ok(query::count_response(tx.users_count(&options).await?))
}

/// `GET /users/{id}` (an object id or a user principal name).
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let select = selection(&query)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let user = readable(&mut tx, &caller, &id).await?;
    let mut rendered = [(user.id, render(&user, select.as_deref()))];
    add_sign_in_activity(&mut tx, &caller, select.as_deref(), &mut rendered).await?;
    let [(_, rendered)] = rendered;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(&state, &uri, "users", select.as_deref(), true)),
    );
    body.extend(rendered);
    Ok(Json(Value::Object(body)))
}

/// `PATCH /users/{id}`: the properties present change; 204.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let now = state.clock.now();
    // Validate and hash outside the transaction; the user is read again inside it.
    let mut probe = user_json::blank(ObjectId::from_uuid(uuid::Uuid::nil()), now);
    let Changes { password, .. } = user_json::apply(&mut probe, &body)?;
    let hash = match password {
        Some(p) => {
            check_complexity(&p)?;
            Some(state.passwords.hash(p, state.random.clone()).await?)
        }
        None => None,
    };
    let mut tx = state.store.write(caller.tenant).await?;
    let mut user = find(&mut tx, &id).await?;
    let was_enabled = user.account_enabled;
    let changes = user_json::apply(&mut user, &body)?;
    let principal = principal(&mut tx, &caller).await?;
    let proof = decide_all(&principal, &changes.actions, ownership(&caller, &user))?;
    if changes
        .actions
        .contains(&authz::USERS_USER_PRINCIPAL_NAME_UPDATE)
    {
        check_upn_domain(&mut tx, &user.user_principal_name).await?;
    }
    check_proxy_addresses(&mut tx, &user).await?;
    if was_enabled && !user.account_enabled {
        guard_last_global_administrator(&mut tx, &user).await?;
    }
    tx.update_user(&proof, &user).await?;
    if let Some(hash) = hash {
        tx.set_password(&proof, user.id, &hash, now).await?;
    }
    if was_enabled && !user.account_enabled {
        // Disabling ends the user's sessions at once (spec 02 §9).
        tx.set_sign_in_sessions_valid_from(user.id, now).await?;
    }
    let mut audit_changes = body_changes(&body);
    audit_changes.retain(|c| c.display_name != "passwordProfile");
    let activity = match (was_enabled, user.account_enabled) {
        (true, false) => "Disable account",
        (false, true) => "Enable account",
        _ => "Update user",
    };
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        activity,
        OperationType::Update,
        audit_changes,
    ))
    .await?;
    if changes.password.is_some() {
        tx.audit(&audit(
            &state,
            &caller,
            &user,
            "Reset password (by admin)",
            OperationType::Update,
            Vec::new(),
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The last active Global Administrator of a tenant cannot be disabled or deleted.
async fn guard_last_global_administrator<M>(tx: &mut TenantTx<M>, user: &User) -> Result<()> {
    let holds = tx
        .role_assignments_of(user.id)
        .await?
        .iter()
        .any(|a| a.role_definition_id == GLOBAL_ADMINISTRATOR);
    if holds && tx.count_active_role_holders(GLOBAL_ADMINISTRATOR).await? <= 1 {
        return Err(Error::invalid(
            "The last Global Administrator of the organization cannot be disabled or deleted.",
        ));
    }
    Ok(())
}

/// `DELETE /users/{id}`: to the recycle bin for 30 days; sign-in stops at once.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let user = find(&mut tx, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_DELETE,
        Ownership::NotOwner,
    )?;
    guard_last_global_administrator(&mut tx, &user).await?;
    tx.delete_user(&proof, user.id, state.clock.now()).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Delete user",
        OperationType::Delete,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /users/{id}/revokeSignInSessions`: refresh tokens and sessions issued before now stop
/// working; Graph answers `{"value": true}`.
pub async fn revoke_sign_in_sessions(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let user = find(&mut tx, &id).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_INVALIDATE_ALL_REFRESH_TOKENS,
        ownership(&caller, &user),
    )?;
    tx.set_sign_in_sessions_valid_from(user.id, state.clock.now())
        .await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Revoke sign-in sessions",
        OperationType::Update,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "Edm.Boolean"),
        "value": true,
    })))
}

/// `GET /users/{id}/manager`: the manager, 404 when none.
pub async fn manager(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let select = selection(&query)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let user = readable(&mut tx, &caller, &id).await?;
    let manager = tx
        .manager_of(user.id)
        .await?
        .ok_or_else(|| Error::not_found(format!("{id}/manager")))?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(&state, &uri, "directoryObjects/$entity")),
    );
    body.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    body.extend(render(&manager, select.as_deref()));
    Ok(Json(Value::Object(body)))
}

/// `GET /users/{id}/directReports`.
pub async fn direct_reports(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let select = selection(&query)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let user = readable(&mut tx, &caller, &id).await?;
    let reports = tx.direct_reports(user.id).await?;
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "directoryObjects"),
        "value": reports.iter().map(|r| {
            let mut m = Map::new();
            m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            m.extend(render(r, select.as_deref()));
            Value::Object(m)
        }).collect::<Vec<_>>(),
    })))
}

/// The object id an `@odata.id` reference names: its last path segment
/// (`https://graph.microsoft.com/v1.0/users/{id}`, `.../directoryObjects/{id}`, or this server's URL).
pub(crate) fn reference(body: &Map<String, Value>) -> Result<String> {
    let url = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid("The request body must carry an '@odata.id' reference."))?;
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid(format!("Invalid object reference '{url}'.")))
}

/// `PUT /users/{id}/manager/$ref` with `{"@odata.id": ".../users/{managerId}"}`.
pub async fn set_manager(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let manager_ref = reference(&body_object(body)?)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let user = find(&mut tx, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_MANAGER_UPDATE,
        Ownership::NotOwner,
    )?;
    let manager = find(&mut tx, &manager_ref).await?;
    // Walk up from the new manager: meeting the user means a circular reporting chain.
    let mut cursor = Some(manager.clone());
    while let Some(m) = cursor {
        if m.id == user.id {
            return Err(Error::invalid(
                "The manager assignment would create a circular reporting chain.",
            )
            .into());
        }
        cursor = tx.manager_of(m.id).await?;
    }
    tx.set_manager(&proof, user.id, Some(manager.id)).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Set user manager",
        OperationType::Assign,
        vec![change("Manager", &json!(manager.id.to_string()))],
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /users/{id}/manager/$ref`.
pub async fn remove_manager(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let user = find(&mut tx, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_MANAGER_UPDATE,
        Ownership::NotOwner,
    )?;
    if tx.manager_of(user.id).await?.is_none() {
        return Err(Error::not_found(format!("{id}/manager")).into());
    }
    tx.set_manager(&proof, user.id, None).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Remove user manager",
        OperationType::Unassign,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
