//! `/groups`: security and Microsoft 365 groups. Create (with `members@odata.bind` /
//! `owners@odata.bind`; a member who creates a group becomes its owner), list (`$top`, opaque
//! `$skiptoken` keyset paging by id, `$filter` eq on displayName, mailNickname, securityEnabled,
//! mailEnabled), read, update, delete (Microsoft 365 groups to the recycle bin, security groups at
//! once). Each operation asks `authz` before touching data, hands the proof to storage and audits
//! in the same transaction (category `GroupManagement`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, GroupTarget, Ownership, Principal, Proof};
use gatehouse_domain::group::{DirectoryRef, Group, ObjectKind};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use gatehouse_store::{GroupQuery, SqlFilter, SqlParam, TenantTx, Write, group_filter_column};
use serde_json::{Map, Value, json};

use super::applications::{body_changes, body_object, change, context_url, initiator, principal};
use super::auth::Caller;
use super::group_json::{self as wire, default_domain};
use super::query::{eq_filters, unsupported};
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

const ADD: &str = "Add group";
const UPDATE: &str = "Update group";
const DELETE: &str = "Delete group";
pub(crate) const ADD_MEMBER: &str = "Add member to group";
pub(crate) const REMOVE_MEMBER: &str = "Remove member from group";
pub(crate) const ADD_OWNER: &str = "Add owner to group";
pub(crate) const REMOVE_OWNER: &str = "Remove owner from group";
/// Graph's default page size for directory collections, and the largest `$top`.
const PAGE: u32 = 100;
const MAX_TOP: u32 = 999;

/// Loads the addressed (not deleted) group and the caller's relation to it.
pub(crate) async fn target<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    id: &str,
) -> Result<(Group, GroupTarget)> {
    let id: ObjectId = id
        .parse()
        .map_err(|_| Error::invalid(format!("Invalid object identifier '{id}'.")))?;
    let group = tx.group(id).await?;
    let me = caller.object_id();
    let ownership = if tx.is_group_owner(id, me).await? {
        Ownership::Owner
    } else {
        Ownership::NotOwner
    };
    let joined = tx.is_group_member(id, me).await?;
    Ok((
        group.clone(),
        GroupTarget {
            ownership,
            unified: group.is_unified(),
            role_assignable: group.is_assignable_to_role,
            joined,
        },
    ))
}

/// An audit record of a group activity; `targets` come after the group itself.
pub(crate) fn audit(
    state: &AppState,
    caller: &Caller,
    group: &Group,
    activity: &str,
    operation: OperationType,
    changes: Vec<ModifiedProperty>,
    others: Vec<TargetResource>,
) -> AuditRecord {
    let mut targets = vec![TargetResource {
        id: group.id.to_string(),
        display_name: Some(group.display_name.clone()),
        resource_type: "Group".into(),
        user_principal_name: None,
        modified_properties: changes,
    }];
    targets.extend(others);
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::GroupManagement,
        activity,
        operation,
        initiator(caller),
        targets,
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

pub(crate) fn resource_type(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::User => "User",
        ObjectKind::Group => "Group",
        ObjectKind::ServicePrincipal => "ServicePrincipal",
        ObjectKind::Application => "Application",
    }
}

/// Adds a member (`owner` false) or owner, checking the kind rules, and audits it as Entra does:
/// the member with the group's id and name as modified properties.
pub(crate) async fn add_reference(
    tx: &mut TenantTx<Write>,
    state: &AppState,
    caller: &Caller,
    proof: &Proof,
    group: &Group,
    id: ObjectId,
    owner: bool,
) -> Result<()> {
    let kind = tx
        .object_kind(id)
        .await?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
    let object = DirectoryRef { id, kind };
    let activity = if owner {
        group.check_owner(kind)?;
        tx.add_group_owner(proof, group.id, object).await?;
        ADD_OWNER
    } else {
        group.check_member(kind)?;
        tx.add_group_member(proof, group.id, object).await?;
        ADD_MEMBER
    };
    let member = TargetResource {
        id: id.to_string(),
        display_name: None,
        resource_type: resource_type(kind).into(),
        user_principal_name: None,
        modified_properties: vec![
            change("Group.ObjectID", &json!(group.id.to_string())),
            change("Group.DisplayName", &json!(group.display_name)),
        ],
    };
    let record = audit(
        state,
        caller,
        group,
        activity,
        OperationType::Assign,
        Vec::new(),
        vec![member],
    );
    tx.audit(&record).await
}

fn entity(state: &AppState, uri: &axum::http::Uri, g: &Group, domain: &str) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(state, uri, "groups/$entity")),
    );
    if let Value::Object(m) = wire::group(g, domain) {
        body.extend(m);
    }
    Value::Object(body)
}

/// `POST /groups`.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    wire::require_create_properties(&body)?;
    let mut group = Group {
        id: ObjectId::generate(state.random.as_ref()),
        display_name: String::new(),
        description: None,
        mail_nickname: String::new(),
        mail_enabled: false,
        security_enabled: false,
        group_types: Vec::new(),
        visibility: None,
        is_assignable_to_role: false,
        classification: None,
        membership_rule: None,
        membership_rule_processing_state: None,
        created: state.clock.now(),
        deleted: None,
    };
    wire::apply(&mut group, &body, true)?;
    group.validate()?;
    let (members, owners) = wire::binds(&body)?;
    if group.is_dynamic() && !members.is_empty() {
        return Err(Error::invalid(
            "Members cannot be added to or removed from a group with dynamic membership.",
        )
        .into());
    }
    let mut tx = state.store.write(caller.tenant).await?;
    let who = principal(&mut tx, &caller).await?;
    let (proof, becomes_owner) =
        authz::decide_group_create(&who, group.is_unified(), group.is_assignable_to_role)?;
    tx.insert_group(&proof, &group).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &group,
        ADD,
        OperationType::Add,
        body_changes(&body)
            .into_iter()
            .filter(|c| !c.display_name.ends_with("@odata.bind"))
            .collect(),
        Vec::new(),
    ))
    .await?;
    let me = caller.object_id();
    let mut owners = owners;
    if becomes_owner && !owners.contains(&me) {
        owners.insert(0, me);
    }
    for id in owners {
        add_reference(&mut tx, &state, &caller, &proof, &group, id, true).await?;
    }
    for id in members {
        add_reference(&mut tx, &state, &caller, &proof, &group, id, false).await?;
    }
    let domain = default_domain(&mut tx).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, &uri, &group, &domain)),
    ))
}

/// The `$skiptoken` of the page after `last`: opaque to clients.
fn skiptoken(last: ObjectId) -> String {
    URL_SAFE_NO_PAD.encode(format!("groups:{last}"))
}

fn parse_skiptoken(token: &str) -> Result<ObjectId, GraphError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("groups:").and_then(|id| id.parse().ok()))
        .ok_or_else(|| unsupported("The $skiptoken is not valid."))
}

fn list_filter(query: &HashMap<String, String>) -> Result<SqlFilter, GraphError> {
    let mut rest = query.clone();
    rest.remove("$top");
    rest.remove("$skiptoken");
    let clauses = eq_filters(
        &rest,
        "groups",
        "Group",
        &[
            "displayName",
            "mailNickname",
            "securityEnabled",
            "mailEnabled",
        ],
    )?;
    let mut filter = SqlFilter::default();
    for (property, value) in clauses {
        let (column, boolean) = group_filter_column(property)
            .ok_or_else(|| Error::internal(format!("no column for {property}")))?;
        let param = if boolean {
            match value.to_ascii_lowercase().as_str() {
                "true" => SqlParam::Bool(true),
                "false" => SqlParam::Bool(false),
                _ => {
                    return Err(unsupported(format!(
                        "Unsupported or invalid query filter clause specified for property '{property}' of resource 'Group'."
                    )));
                }
            }
        } else {
            SqlParam::Text(value.to_lowercase())
        };
        filter = filter.and(SqlFilter::eq(column, param));
    }
    Ok(filter)
}

/// `GET /groups`: unquoted booleans are written `securityEnabled eq 'true'` or bare `true`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let mut normalized = query.clone();
    if let Some(f) = normalized.get_mut("$filter") {
        // `eq_filters` takes quoted values; Graph writes booleans bare.
        for b in ["true", "false"] {
            *f = f.replace(&format!(" eq {b}"), &format!(" eq '{b}'"));
        }
    }
    let filter = list_filter(&normalized)?;
    let top = match query.get("$top") {
        None => PAGE,
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_TOP).contains(n))
            .ok_or_else(|| {
                unsupported(format!(
                    "Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."
                ))
            })?,
    };
    let after = query
        .get("$skiptoken")
        .map(|t| parse_skiptoken(t))
        .transpose()?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide_group(
        &principal(&mut tx, &caller).await?,
        authz::GROUPS_READ,
        GroupTarget::collection(),
    )?;
    let mut groups = tx
        .groups_page(&GroupQuery {
            filter,
            after,
            limit: top + 1,
        })
        .await?;
    let more = groups.len() > top as usize;
    groups.truncate(top as usize);
    let domain = default_domain(&mut tx).await?;
    let mut body = json!({
        "@odata.context": context_url(&state, &uri, "groups"),
        "value": groups.iter().map(|g| wire::group(g, &domain)).collect::<Vec<_>>(),
    });
    if let (true, Some(last)) = (more, groups.last()) {
        let mut next = format!(
            "{}/{}/groups?$top={top}",
            state.instance.public_url,
            super::version(&uri)
        );
        if let Some(f) = query.get("$filter") {
            next.push_str(&format!("&$filter={}", encode(f)));
        }
        next.push_str(&format!("&$skiptoken={}", skiptoken(last.id)));
        body["@odata.nextLink"] = json!(next);
    }
    Ok(Json(body))
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /groups/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    authz::decide_group(&principal(&mut tx, &caller).await?, authz::GROUPS_READ, t)?;
    let domain = default_domain(&mut tx).await?;
    Ok(Json(entity(&state, &uri, &group, &domain)))
}

/// `PATCH /groups/{id}`: every changed property's action must be allowed.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let (members, owners) = wire::binds(&body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    let who = principal(&mut tx, &caller).await?;
    let mut changed = group.clone();
    let mut actions = wire::apply(&mut changed, &body, false)?;
    changed.validate()?;
    if actions.is_empty() {
        actions.push(authz::GROUPS_BASIC_UPDATE);
    }
    let proofs: Vec<(&str, Proof)> = actions
        .iter()
        .map(|a| authz::decide_group(&who, a, t).map(|p| (*a, p)))
        .collect::<Result<_>>()?;
    let proof_for = |action: &str| {
        proofs
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, p)| p)
            .ok_or_else(|| Error::internal(format!("{action} changed without its decision")))
    };
    let changes: Vec<ModifiedProperty> = body_changes(&body)
        .into_iter()
        .filter(|c| !c.display_name.ends_with("@odata.bind"))
        .collect();
    if !changes.is_empty() {
        tx.update_group(&proofs[0].1, &changed).await?;
        tx.audit(&audit(
            &state,
            &caller,
            &changed,
            UPDATE,
            OperationType::Update,
            changes,
            Vec::new(),
        ))
        .await?;
    }
    if !owners.is_empty() {
        let proof = proof_for(authz::GROUPS_OWNERS_UPDATE)?;
        for id in owners {
            add_reference(&mut tx, &state, &caller, proof, &changed, id, true).await?;
        }
    }
    if !members.is_empty() {
        let proof = proof_for(authz::GROUPS_MEMBERS_UPDATE)?;
        for id in members {
            add_reference(&mut tx, &state, &caller, proof, &changed, id, false).await?;
        }
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /groups/{id}`: a Microsoft 365 group goes to the recycle bin (restorable for 30 days
/// with its members and owners); a security group is deleted at once.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let mut tx = state.store.write(caller.tenant).await?;
    let (group, t) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide_group(&principal(&mut tx, &caller).await?, authz::GROUPS_DELETE, t)?;
    if group.is_soft_deleted_on_delete() {
        tx.soft_delete_group(&proof, group.id, state.clock.now())
            .await?;
    } else {
        tx.delete_group(&proof, group.id).await?;
    }
    tx.audit(&audit(
        &state,
        &caller,
        &group,
        DELETE,
        OperationType::Delete,
        Vec::new(),
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Permanently deletes the Microsoft 365 groups whose 30-day restore window has passed, in every
/// tenant, each with a "Hard delete group" audit record; returns how many. Run by the periodic job.
pub async fn purge_expired(state: &AppState) -> Result<usize> {
    let cutoff = state.clock.now() - gatehouse_domain::group::RESTORE_WINDOW;
    let tenants = {
        let mut tx = state.store.instance_read().await?;
        tx.tenants_with_groups_deleted_before(cutoff).await?
    };
    let mut purged = 0;
    for tenant in tenants {
        let mut tx = state.store.write(tenant).await?;
        for group in tx.purge_expired_groups(cutoff).await? {
            let record = AuditRecord::success(
                ObjectId::generate(state.random.as_ref()),
                state.clock.now(),
                AuditCategory::GroupManagement,
                "Hard delete group",
                OperationType::Delete,
                gatehouse_domain::audit::Initiator::instance("Gatehouse recycle bin"),
                vec![TargetResource {
                    id: group.id.to_string(),
                    display_name: Some(group.display_name.clone()),
                    resource_type: "Group".into(),
                    user_principal_name: None,
                    modified_properties: Vec::new(),
                }],
            );
            tx.audit(&record).await?;
            purged += 1;
        }
        tx.commit().await?;
    }
    Ok(purged)
}

/// The principal of `caller` (re-exported for the relationship handlers).
pub(crate) async fn who<M>(tx: &mut TenantTx<M>, caller: &Caller) -> Result<Principal> {
    principal(tx, caller).await
}
