//! `GET /me`: the signed-in user, with Graph's default properties or `$select`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, OriginalUri, Query, State};
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::users::{context, render, selection};
use crate::http::graph_error::GraphError;
use crate::state::AppState;

/// Delegated permissions that allow reading the signed-in user's profile.
const READ_ME: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

pub async fn me(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let signed_in = caller.delegated_user()?;
    caller.require_any_scope(READ_ME)?;
    let select = selection(&query)?;
    // The caller's own row, fresh (the token's copy may predate a profile change).
    let user = state
        .store
        .read(caller.tenant)
        .await?
        .user(signed_in.id)
        .await?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(context(&state, &uri, "users", select.as_deref(), true)),
    );
    body.extend(render(&user, select.as_deref()));
    Ok(Json(Value::Object(body)))
}
