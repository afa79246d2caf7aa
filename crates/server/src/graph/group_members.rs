//! A group's relationships: `members`, `transitiveMembers`, `owners` (list, with OData casts such
//! as `/members/microsoft.graph.user`), adding and removing members and owners through `$ref`, and
//! the groups a group belongs to (`memberOf`, `transitiveMemberOf`). Hidden membership is listed
//! only to owners, members and holders of `groups/hiddenMembers/read`.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use gatehouse_domain::audit::{OperationType, TargetResource};
use gatehouse_domain::authz::{self, GroupTarget, Ownership, Principal};
use gatehouse_domain::group::{DirectoryRef, Group, ObjectKind};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Value, json};

use super::applications::{body_object, change, context_url};
use super::auth::Caller;
use super::group_json::{self as wire, default_domain};
use super::groups::{
    REMOVE_MEMBER, REMOVE_OWNER, add_reference, audit, resource_type, target, who,
};
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

/// The kind an OData cast segment (`microsoft.graph.user`, ...) selects.
pub(crate) fn cast_kind(segment: &str) -> Result<ObjectKind> {
    let name = segment.strip_prefix("microsoft.graph.").unwrap_or_default();
    [
        ObjectKind::User,
        ObjectKind::Group,
        ObjectKind::ServicePrincipal,
        ObjectKind::Application,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
    .ok_or_else(|| Error::not_found(segment.to_owned()))
}

/// A collection of directory objects as `caller` may see them, with `@odata.context`
/// (`directoryObjects`, or the cast's entity set).
pub(crate) async fn objects<M>(
    tx: &mut TenantTx<M>,
    state: &AppState,
    uri: &axum::http::Uri,
    caller: &Principal,
    refs: &[DirectoryRef],
    cast: Option<ObjectKind>,
) -> Result<Value> {
    let domain = default_domain(tx).await?;
    let mut value = Vec::new();
    for r in refs.iter().filter(|r| cast.is_none_or(|k| r.kind == k)) {
        value.push(wire::directory_object(tx, caller, *r, &domain).await?);
    }
    let set = cast.map_or("directoryObjects".to_owned(), |k| {
        format!("{}s", k.as_str())
    });
    Ok(json!({
        "@odata.context": context_url(state, uri, &set),
        "value": value,
    }))
}

/// Groups as directory objects (for `memberOf` and `transitiveMemberOf`).
pub(crate) fn group_refs(groups: &[Group]) -> Vec<DirectoryRef> {
    groups
        .iter()
        .map(|g| DirectoryRef {
            id: g.id,
            kind: ObjectKind::Group,
        })
        .collect()
}

/// Which relationship a listing reads.
#[derive(Clone, Copy)]
enum Relation {
    Members,
    TransitiveMembers,
    Owners,
    MemberOf,
    TransitiveMemberOf,
}

async fn list(
    state: AppState,
    uri: axum::http::Uri,
    caller: Caller,
    id: String,
    relation: Relation,
    cast: Option<String>,
) -> Result<Json<Value>, GraphError> {
    let cast = cast.as_deref().map(cast_kind).transpose()?;
    let mut tx = state.store.read(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    let p = who(&mut tx, &caller).await?;
    let action = match relation {
        Relation::Members | Relation::TransitiveMembers => authz::GROUPS_MEMBERS_READ,
        Relation::Owners => authz::GROUPS_OWNERS_READ,
        Relation::MemberOf | Relation::TransitiveMemberOf => authz::GROUPS_MEMBER_OF_READ,
    };
    authz::decide_group(&p, action, t)?;
    let refs = match relation {
        Relation::Members | Relation::TransitiveMembers => {
            if group.hides_membership() && !authz::may_see_hidden_members(&p, t) {
                return Err(Error::Forbidden.into());
            }
            if matches!(relation, Relation::Members) {
                tx.group_members(group.id).await?
            } else {
                tx.transitive_group_members(group.id).await?
            }
        }
        Relation::Owners => tx.group_owners(group.id).await?,
        Relation::MemberOf => group_refs(&tx.member_of(group.id).await?),
        Relation::TransitiveMemberOf => group_refs(&tx.transitive_member_of(group.id).await?),
    };
    Ok(Json(objects(&mut tx, &state, &uri, &p, &refs, cast).await?))
}

macro_rules! listing {
    ($(#[$doc:meta])* $name:ident, $cast_name:ident, $relation:expr) => {
        $(#[$doc])*
        pub async fn $name(
            State(state): State<AppState>,
            OriginalUri(uri): OriginalUri,
            Extension(caller): Extension<Caller>,
            Path(id): Path<String>,
        ) -> Result<Json<Value>, GraphError> {
            list(state, uri, caller, id, $relation, None).await
        }

        $(#[$doc])*
        /// With an OData cast segment selecting one kind of object.
        pub async fn $cast_name(
            State(state): State<AppState>,
            OriginalUri(uri): OriginalUri,
            Extension(caller): Extension<Caller>,
            Path((id, cast)): Path<(String, String)>,
        ) -> Result<Json<Value>, GraphError> {
            list(state, uri, caller, id, $relation, Some(cast)).await
        }
    };
}

listing!(
    /// `GET /groups/{id}/members`.
    members, members_cast, Relation::Members
);
listing!(
    /// `GET /groups/{id}/transitiveMembers`: members of nested groups too, each once.
    transitive_members, transitive_members_cast, Relation::TransitiveMembers
);
listing!(
    /// `GET /groups/{id}/owners`.
    owners, owners_cast, Relation::Owners
);
listing!(
    /// `GET /groups/{id}/memberOf`.
    member_of, member_of_cast, Relation::MemberOf
);
listing!(
    /// `GET /groups/{id}/transitiveMemberOf`.
    transitive_member_of, transitive_member_of_cast, Relation::TransitiveMemberOf
);

async fn add(
    state: AppState,
    caller: Caller,
    id: String,
    body: Value,
    owner: bool,
) -> Result<StatusCode, GraphError> {
    let object = wire::ref_body(&body_object(body)?)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    let action = if owner {
        authz::GROUPS_OWNERS_UPDATE
    } else {
        authz::GROUPS_MEMBERS_UPDATE
    };
    let proof = authz::decide_group(&who(&mut tx, &caller).await?, action, t)?;
    add_reference(&mut tx, &state, &caller, &proof, &group, object, owner).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /groups/{id}/members/$ref`.
pub async fn add_member(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    add(state, caller, id, body, false).await
}

/// `POST /groups/{id}/owners/$ref`.
pub async fn add_owner(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    add(state, caller, id, body, true).await
}

async fn remove(
    state: AppState,
    caller: Caller,
    id: String,
    object: String,
    owner: bool,
) -> Result<StatusCode, GraphError> {
    let object: ObjectId = object.parse()?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    let p = who(&mut tx, &caller).await?;
    let activity = if owner {
        let proof = authz::decide_group(&p, authz::GROUPS_OWNERS_UPDATE, t)?;
        let owners = tx.group_owners(group.id).await?;
        let as_admin = authz::decide_group(
            &p,
            authz::GROUPS_OWNERS_UPDATE,
            GroupTarget {
                ownership: Ownership::NotOwner,
                ..t
            },
        )
        .is_ok();
        if group.is_unified() && !as_admin && owners.len() == 1 && owners[0].id == object {
            return Err(Error::invalid("The group must have at least one owner.").into());
        }
        tx.remove_group_owner(&proof, group.id, object).await?;
        REMOVE_OWNER
    } else {
        let proof = authz::decide_group(&p, authz::GROUPS_MEMBERS_UPDATE, t)?;
        if group.is_dynamic() {
            return Err(Error::invalid(
                "Members cannot be added to or removed from a group with dynamic membership.",
            )
            .into());
        }
        tx.remove_group_member(&proof, group.id, object).await?;
        REMOVE_MEMBER
    };
    let kind = tx.object_kind(object).await?.unwrap_or(ObjectKind::User);
    let removed = TargetResource {
        id: object.to_string(),
        display_name: None,
        resource_type: resource_type(kind).into(),
        user_principal_name: None,
        modified_properties: vec![
            change("Group.ObjectID", &json!(group.id.to_string())),
            change("Group.DisplayName", &json!(group.display_name)),
        ],
    };
    tx.audit(&audit(
        &state,
        &caller,
        &group,
        activity,
        OperationType::Unassign,
        Vec::new(),
        vec![removed],
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /groups/{id}/members/{member_id}/$ref`.
pub async fn remove_member(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    remove(state, caller, id, member, false).await
}

/// `DELETE /groups/{id}/owners/{owner_id}/$ref`.
pub async fn remove_owner(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, owner)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    remove(state, caller, id, owner, true).await
}
