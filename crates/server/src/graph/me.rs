//! `GET /me`: the signed-in user, with Graph's default properties.

use axum::Json;
use axum::extract::{Extension, OriginalUri, State};
use serde_json::{Value, json};

use super::auth::Caller;
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
) -> Result<Json<Value>, GraphError> {
    let u = caller.delegated_user()?;
    caller.require_any_scope(READ_ME)?;
    Ok(Json(json!({
        "@odata.context": format!("{}/{}/$metadata#users/$entity", state.instance.public_url, super::version(&uri)),
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": null,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": null,
        "userPrincipalName": u.user_principal_name.to_string(),
        "id": u.id.to_string(),
    })))
}
