//! The OpenID Connect userinfo endpoint named in discovery (`{public-url}/oidc/userinfo`), answering
//! with a Graph access token that carries `openid`, as Entra's does.

use axum::Json;
use axum::extract::{Extension, State};
use serde_json::{Value, json};

use super::tokens::pairwise_sub;
use crate::graph::auth::Caller;
use crate::http::graph_error::GraphError;
use crate::state::AppState;

pub async fn userinfo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let u = caller.delegated_user()?;
    caller.require_any_scope(&["openid"])?;
    let client = caller
        .client_app_id
        .ok_or_else(|| GraphError::from(gatehouse_domain::Error::Forbidden))?;
    let mut body = json!({ "sub": pairwise_sub(&state, caller.tenant, u, client) });
    if caller.scopes.contains("profile") {
        body["name"] = json!(u.display_name);
        body["picture"] = json!(format!(
            "{}/v1.0/me/photo/$value",
            state.instance.public_url
        ));
    }
    Ok(Json(body))
}
