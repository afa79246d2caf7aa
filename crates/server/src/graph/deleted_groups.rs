//! The group branch of `/directory/deletedItems`: deleted Microsoft 365 groups listed
//! (`microsoft.graph.group` / `graph.group`), read, restored with their members and owners, or
//! permanently deleted. Owners may restore and purge the groups they owned (spec 03 §11).

use axum::http::StatusCode;
use gatehouse_domain::Result;
use gatehouse_domain::audit::OperationType;
use gatehouse_domain::authz::{self, GroupTarget, Ownership};
use gatehouse_domain::group::{Group, ObjectKind};
use gatehouse_domain::ids::ObjectId;
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::applications::context_url;
use super::auth::Caller;
use super::group_json::{self as wire, default_domain, typed};
use super::groups::{audit, who};
use crate::state::AppState;

/// A deleted group and the caller's relation to it (its owners stay with it in the bin).
async fn target<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    id: ObjectId,
) -> Result<(Group, GroupTarget)> {
    let group = tx.deleted_group(id).await?;
    let ownership = if tx.is_group_owner(id, caller.object_id()).await? {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    };
    let t = GroupTarget {
        ownership,
        unified: group.is_unified(),
        role_assignable: group.is_assignable_to_role,
        joined: false,
    };
    Ok((group, t))
}

fn entity(
    state: &AppState,
    uri: &axum::http::Uri,
    fragment: &str,
    g: &Group,
    domain: &str,
) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        json!(context_url(state, uri, fragment)),
    );
    if let Value::Object(v) = typed(ObjectKind::Group, wire::group(g, domain)) {
        m.extend(v);
    }
    Value::Object(m)
}

/// `GET /directory/deletedItems/microsoft.graph.group`.
pub async fn list<M>(
    tx: &mut TenantTx<M>,
    state: &AppState,
    uri: &axum::http::Uri,
    caller: &Caller,
) -> Result<Value> {
    authz::decide_group(
        &who(tx, caller).await?,
        authz::GROUPS_READ,
        GroupTarget::collection(),
    )?;
    let domain = default_domain(tx).await?;
    let groups = tx.deleted_groups().await?;
    Ok(json!({
        "@odata.context": context_url(state, uri, "directory/deletedItems/microsoft.graph.group"),
        "value": groups.iter().map(|g| typed(ObjectKind::Group, wire::group(g, &domain))).collect::<Vec<_>>(),
    }))
}

/// `GET /directory/deletedItems/{id}` of a deleted group.
pub async fn read<M>(
    tx: &mut TenantTx<M>,
    state: &AppState,
    uri: &axum::http::Uri,
    caller: &Caller,
    id: ObjectId,
) -> Result<Value> {
    let (group, t) = target(tx, caller, id).await?;
    authz::decide_group(&who(tx, caller).await?, authz::GROUPS_READ, t)?;
    let domain = default_domain(tx).await?;
    Ok(entity(
        state,
        uri,
        "directory/deletedItems/$entity",
        &group,
        &domain,
    ))
}

/// `POST /directory/deletedItems/{id}/restore` of a deleted group: back with its id,
/// properties, members and owners; audited "Restore group".
pub async fn restore(
    state: &AppState,
    uri: &axum::http::Uri,
    caller: &Caller,
    id: ObjectId,
) -> Result<Value> {
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, caller, id).await?;
    let proof = authz::decide_group(&who(&mut tx, caller).await?, authz::GROUPS_RESTORE, t)?;
    let restored = tx.restore_group(&proof, id).await?;
    tx.audit(&audit(
        state,
        caller,
        &group,
        "Restore group",
        OperationType::Restore,
        Vec::new(),
        Vec::new(),
    ))
    .await?;
    let domain = default_domain(&mut tx).await?;
    tx.commit().await?;
    Ok(entity(
        state,
        uri,
        "directoryObjects/$entity",
        &restored,
        &domain,
    ))
}

/// `DELETE /directory/deletedItems/{id}` of a deleted group: gone for good; audited
/// "Hard delete group".
pub async fn purge(state: &AppState, caller: &Caller, id: ObjectId) -> Result<StatusCode> {
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, caller, id).await?;
    let proof = authz::decide_group(&who(&mut tx, caller).await?, authz::GROUPS_DELETE, t)?;
    tx.purge_group(&proof, id).await?;
    tx.audit(&audit(
        state,
        caller,
        &group,
        "Hard delete group",
        OperationType::Delete,
        Vec::new(),
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
