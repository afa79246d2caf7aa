//! `/directory/deletedItems`: the recycle bin. Deleted users (and Microsoft 365 groups, in
//! `deleted_groups.rs`) stay 30 days with their id, properties and relationships; they can be
//! listed (`/directory/deletedItems/microsoft.graph.user`, also spelled `graph.user`;
//! `microsoft.graph.group`), read, restored, or permanently deleted. A background job purges what is
//! older than 30 days.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use gatehouse_domain::audit::OperationType;
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::User;
use gatehouse_domain::{Error, Result};
use gatehouse_store::Bin;
use serde_json::{Map, Value, json};
use time::Duration;

use super::applications::{context_url, principal};
use super::auth::Caller;
use super::deleted_groups;
use super::users::{audit, render, selection};
use crate::http::graph_error::GraphError;
use crate::state::AppState;

/// How long deleted objects stay restorable.
pub const RETENTION: Duration = Duration::days(30);

/// The object types the recycle bin holds, by their cast segment.
fn cast(segment: &str) -> Option<&'static str> {
    match segment {
        "microsoft.graph.user" | "graph.user" => Some("user"),
        "microsoft.graph.group" | "graph.group" => Some("group"),
        _ => None,
    }
}

fn deleted_user(user: &User, select: Option<&[String]>) -> Value {
    let mut m = Map::new();
    m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    m.extend(render(user, select));
    m.insert(
        "deletedDateTime".into(),
        json!(user.deleted.map(super::application_json::datetime)),
    );
    Value::Object(m)
}

/// `GET /directory/deletedItems/{cast}` lists a type; `GET /directory/deletedItems/{id}` reads one.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(segment): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let select = selection(&query)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let principal = principal(&mut tx, &caller).await?;
    if let Some(kind) = cast(&segment) {
        if kind == "group" {
            return Ok(Json(
                deleted_groups::list(&mut tx, &state, &uri, &caller).await?,
            ));
        }
        authz::decide(&principal, authz::USERS_READ, Ownership::NoTarget)?;
        debug_assert_eq!(kind, "user");
        let users = tx.users_page(Bin::Deleted, None, i64::MAX).await?;
        return Ok(Json(json!({
            "@odata.context": context_url(&state, &uri, "directory/deletedItems/microsoft.graph.user"),
            "value": users.iter().map(|u| deleted_user(u, select.as_deref())).collect::<Vec<_>>(),
        })));
    }
    let id = object_id(&segment)?;
    let user = match tx.user_in(Bin::Deleted, id).await {
        Err(Error::NotFound { .. }) => {
            return Ok(Json(
                deleted_groups::read(&mut tx, &state, &uri, &caller, id).await?,
            ));
        }
        other => other?,
    };
    authz::decide(&principal, authz::USERS_READ, Ownership::NotOwner)?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(&state, &uri, "directory/deletedItems/$entity")),
    );
    if let Value::Object(m) = deleted_user(&user, select.as_deref()) {
        body.extend(m);
    }
    Ok(Json(Value::Object(body)))
}

fn object_id(segment: &str) -> Result<ObjectId> {
    segment.parse().map_err(|_| Error::not_found(segment))
}

/// `POST /directory/deletedItems/{id}/restore`: the object comes back with its id, properties
/// and relationships.
pub async fn restore(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(segment): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let id = object_id(&segment)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let user = match tx.user_in(Bin::Deleted, id).await {
        Err(Error::NotFound { .. }) => {
            drop(tx);
            return Ok(Json(
                deleted_groups::restore(&state, &uri, &caller, id).await?,
            ));
        }
        other => other?,
    };
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_RESTORE,
        Ownership::NotOwner,
    )?;
    tx.restore_user(&proof, id).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Restore user",
        OperationType::Restore,
        Vec::new(),
    ))
    .await?;
    let restored = tx.user(id).await?;
    tx.commit().await?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context_url(&state, &uri, "directoryObjects/$entity")),
    );
    body.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    body.extend(render(&restored, None));
    Ok(Json(Value::Object(body)))
}

/// `DELETE /directory/deletedItems/{id}`: permanently deletes an object in the recycle bin.
pub async fn purge(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(segment): Path<String>,
) -> Result<StatusCode, GraphError> {
    let id = object_id(&segment)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let user = match tx.user_in(Bin::Deleted, id).await {
        Err(Error::NotFound { .. }) => {
            drop(tx);
            return Ok(deleted_groups::purge(&state, &caller, id).await?);
        }
        other => other?,
    };
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::USERS_DELETE,
        Ownership::NotOwner,
    )?;
    tx.purge_user(&proof, id).await?;
    tx.audit(&audit(
        &state,
        &caller,
        &user,
        "Hard delete user",
        OperationType::Delete,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The background purge: permanently deletes, in every tenant, the users deleted more than
/// [`RETENTION`] ago. Returns how many went.
pub async fn purge_expired(state: &AppState) -> Result<usize> {
    let before = state.clock.now() - RETENTION;
    let tenants = crate::services::tenants::list(state).await?;
    let mut purged = 0;
    for tenant in tenants {
        let mut tx = state.store.write(tenant.tenant.id).await?;
        purged += tx.purge_users_deleted_before(before).await?.len();
        tx.commit().await?;
    }
    Ok(purged)
}
