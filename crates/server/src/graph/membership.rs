//! Memberships of users and groups: `memberOf` and `transitiveMemberOf` of a user (`/users/{id}`,
//! `/me`), the membership functions `checkMemberGroups`, `checkMemberObjects`, `getMemberGroups`,
//! `getMemberObjects` (on users, `/me` and groups; transitive, as Graph), and
//! `POST /directoryObjects/getByIds`.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use gatehouse_domain::authz;
use gatehouse_domain::group::{DirectoryRef, ObjectKind};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::User;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::applications::{body_object, context_url};
use super::auth::Caller;
use super::group_json::{self as wire, default_domain};
use super::group_members::{cast_kind, group_refs, objects};
use super::groups::{target, who};
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

/// How many ids `checkMemberGroups` / `checkMemberObjects` take, and `getByIds`.
const MAX_CHECK_IDS: usize = 20;
const MAX_GET_BY_IDS: usize = 1000;

/// The user a `/users/{id-or-upn}` path addresses.
async fn user_by_key<M>(tx: &mut TenantTx<M>, key: &str) -> Result<User> {
    match key.parse::<ObjectId>() {
        Ok(id) => tx.user(id).await,
        Err(_) => tx
            .user_by_upn(key)
            .await?
            .ok_or_else(|| Error::not_found(key.to_owned())),
    }
}

/// Whose memberships a request reads: a user (by path, or the signed-in user) or a group.
enum Subject {
    User(Option<String>),
    Group(String),
}

/// Resolves the subject and decides the caller may read its memberships; returns its id.
async fn subject<M>(tx: &mut TenantTx<M>, caller: &Caller, subject: &Subject) -> Result<ObjectId> {
    let p = who(tx, caller).await?;
    match subject {
        Subject::User(key) => {
            let user = match key {
                Some(key) => user_by_key(tx, key).await?,
                None => caller
                    .delegated_user()
                    .map_err(|_| {
                        Error::invalid(
                            "/me request is only valid with delegated authentication flow.",
                        )
                    })?
                    .clone(),
            };
            let own = caller.object_id() == user.id;
            authz::decide_member_of(&p, own)?;
            Ok(user.id)
        }
        Subject::Group(id) => {
            let (group, t) = target(tx, caller, id).await?;
            authz::decide_group(&p, authz::GROUPS_MEMBER_OF_READ, t)?;
            Ok(group.id)
        }
    }
}

async fn memberships(
    state: AppState,
    uri: axum::http::Uri,
    caller: Caller,
    who_: Subject,
    transitive: bool,
    cast: Option<String>,
) -> Result<Json<Value>, GraphError> {
    let cast = cast.as_deref().map(cast_kind).transpose()?;
    let mut tx = state.store.read(caller.tenant).await?;
    let id = subject(&mut tx, &caller, &who_).await?;
    let groups = if transitive {
        tx.transitive_member_of(id).await?
    } else {
        tx.member_of(id).await?
    };
    let p = who(&mut tx, &caller).await?;
    Ok(Json(
        objects(&mut tx, &state, &uri, &p, &group_refs(&groups), cast).await?,
    ))
}

/// `GET /users/{id}/memberOf`.
pub async fn user_member_of(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    memberships(state, uri, caller, Subject::User(Some(id)), false, None).await
}

/// `GET /users/{id}/transitiveMemberOf`.
pub async fn user_transitive_member_of(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    memberships(state, uri, caller, Subject::User(Some(id)), true, None).await
}

/// `GET /users/{id}/memberOf/{cast}` and `/transitiveMemberOf/{cast}`.
pub async fn user_member_of_cast(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path((id, cast)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    let transitive = uri.path().contains("/transitiveMemberOf/");
    memberships(
        state,
        uri,
        caller,
        Subject::User(Some(id)),
        transitive,
        Some(cast),
    )
    .await
}

/// `GET /me/memberOf`.
pub async fn me_member_of(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    memberships(state, uri, caller, Subject::User(None), false, None).await
}

/// `GET /me/transitiveMemberOf`.
pub async fn me_transitive_member_of(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    memberships(state, uri, caller, Subject::User(None), true, None).await
}

/// The membership functions: which ids to check, or which groups to return.
enum Function {
    CheckGroups,
    CheckObjects,
    GetGroups,
    GetObjects,
}

fn ids(body: &Map<String, Value>, key: &str, max: usize) -> Result<Vec<ObjectId>> {
    let Some(Value::Array(items)) = body.get(key) else {
        return Err(Error::invalid_property(
            key,
            format!("The '{key}' parameter is required and must be an array of object ids."),
        ));
    };
    if items.len() > max {
        return Err(Error::invalid_property(
            key,
            format!("At most {max} ids can be passed in '{key}'."),
        ));
    }
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => s.parse(),
            _ => Err(Error::invalid_property(key, "Each id must be a string.")),
        })
        .collect()
}

async fn function(
    state: AppState,
    uri: axum::http::Uri,
    caller: Caller,
    who_: Subject,
    function: Function,
    body: Value,
) -> Result<Json<Value>, GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let id = subject(&mut tx, &caller, &who_).await?;
    let groups = tx.transitive_member_of(id).await?;
    let value: Vec<String> = match function {
        Function::CheckGroups | Function::CheckObjects => {
            let key = if matches!(function, Function::CheckGroups) {
                "groupIds"
            } else {
                "ids"
            };
            let asked: BTreeSet<ObjectId> = ids(&body, key, MAX_CHECK_IDS)?.into_iter().collect();
            groups
                .iter()
                .filter(|g| asked.contains(&g.id))
                .map(|g| g.id.to_string())
                .collect()
        }
        Function::GetGroups | Function::GetObjects => {
            let security_only = match body.get("securityEnabledOnly") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(Error::invalid_property(
                        "securityEnabledOnly",
                        "securityEnabledOnly must be true or false.",
                    )
                    .into());
                }
            };
            groups
                .iter()
                .filter(|g| !security_only || g.security_enabled)
                .map(|g| g.id.to_string())
                .collect()
        }
    };
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "Collection(Edm.String)"),
        "value": value,
    })))
}

macro_rules! functions {
    ($($(#[$doc:meta])* $name:ident => $f:expr, $subject:ident;)*) => {$(
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            OriginalUri(uri): OriginalUri,
            Extension(caller): Extension<Caller>,
            Path(id): Path<String>,
            GraphJson(body): GraphJson<Value>,
        ) -> Result<Json<Value>, GraphError> {
            function(state, uri, caller, functions!(@subject $subject id), $f, body).await
        }
    )*};
    (@subject user $id:ident) => { Subject::User(Some($id)) };
    (@subject group $id:ident) => { Subject::Group($id) };
}

functions! {
    /// `POST /users/{id}/checkMemberGroups`.
    user_check_member_groups => Function::CheckGroups, user;
    /// `POST /users/{id}/checkMemberObjects`.
    user_check_member_objects => Function::CheckObjects, user;
    /// `POST /users/{id}/getMemberGroups`.
    user_get_member_groups => Function::GetGroups, user;
    /// `POST /users/{id}/getMemberObjects`.
    user_get_member_objects => Function::GetObjects, user;
    /// `POST /groups/{id}/checkMemberGroups`.
    group_check_member_groups => Function::CheckGroups, group;
    /// `POST /groups/{id}/checkMemberObjects`.
    group_check_member_objects => Function::CheckObjects, group;
    /// `POST /groups/{id}/getMemberGroups`.
    group_get_member_groups => Function::GetGroups, group;
    /// `POST /groups/{id}/getMemberObjects`.
    group_get_member_objects => Function::GetObjects, group;
}

macro_rules! me_functions {
    ($($(#[$doc:meta])* $name:ident => $f:expr;)*) => {$(
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            OriginalUri(uri): OriginalUri,
            Extension(caller): Extension<Caller>,
            GraphJson(body): GraphJson<Value>,
        ) -> Result<Json<Value>, GraphError> {
            function(state, uri, caller, Subject::User(None), $f, body).await
        }
    )*};
}

me_functions! {
    /// `POST /me/checkMemberGroups`.
    me_check_member_groups => Function::CheckGroups;
    /// `POST /me/checkMemberObjects`.
    me_check_member_objects => Function::CheckObjects;
    /// `POST /me/getMemberGroups`.
    me_get_member_groups => Function::GetGroups;
    /// `POST /me/getMemberObjects`.
    me_get_member_objects => Function::GetObjects;
}

/// `POST /directoryObjects/getByIds`: the objects among `ids` of the requested `types` (`user`,
/// `group`, `servicePrincipal`, `application`; all when omitted), in the order asked; unknown ids
/// are left out. Kinds the token may not read come back with their `id` and type only.
pub async fn get_by_ids(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<Json<Value>, GraphError> {
    let body = body_object(body)?;
    let asked = ids(&body, "ids", MAX_GET_BY_IDS)?;
    let types: Option<Vec<ObjectKind>> = match body.get("types") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| {
                    let name = v.as_str().unwrap_or_default();
                    let name = name.strip_prefix("microsoft.graph.").unwrap_or(name);
                    [
                        ObjectKind::User,
                        ObjectKind::Group,
                        ObjectKind::ServicePrincipal,
                        ObjectKind::Application,
                    ]
                    .into_iter()
                    .find(|k| k.as_str().eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        Error::invalid_property("types", format!("Unsupported type '{name}'."))
                    })
                })
                .collect::<Result<_>>()?,
        ),
        Some(_) => {
            return Err(
                Error::invalid_property("types", "types must be an array of type names.").into(),
            );
        }
    };
    let mut tx = state.store.read(caller.tenant).await?;
    let p = who(&mut tx, &caller).await?;
    // Reading objects by id: members and guests may read a specific object (spec 05 §2), so the
    // token decides: it must let the caller read at least one kind of object.
    let readable = [
        ObjectKind::User,
        ObjectKind::Group,
        ObjectKind::ServicePrincipal,
        ObjectKind::Application,
    ]
    .iter()
    .any(|k| authz::may_read_object_kind(&p, *k));
    if !readable {
        return Err(Error::Forbidden.into());
    }
    let domain = default_domain(&mut tx).await?;
    let mut value = Vec::new();
    let mut seen = BTreeSet::new();
    for id in asked {
        if !seen.insert(id) {
            continue;
        }
        let Some(kind) = tx.object_kind(id).await? else {
            continue;
        };
        if types.as_ref().is_some_and(|t| !t.contains(&kind)) {
            continue;
        }
        value.push(wire::directory_object(&mut tx, &p, DirectoryRef { id, kind }, &domain).await?);
    }
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "directoryObjects"),
        "value": value,
    })))
}
