//! Profile photos: `GET /users/{id}/photo` (metadata), `GET|PUT /users/{id}/photo/$value` (the
//! image), `DELETE /users/{id}/photo`, and the same under `/me`. JPEG or PNG up to 4 MB; a user
//! without a photo answers 404 `ImageNotFound` as Graph does.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::audit::OperationType;
use gatehouse_domain::authz;
use gatehouse_domain::photo::Photo;
use gatehouse_domain::user::User;
use gatehouse_store::{StoredPhoto, TenantTx};
use serde_json::{Value, json};

use super::applications::{context_url, principal};
use super::auth::Caller;
use super::users::{audit, find, ownership, readable};
use crate::http::graph_error::GraphError;
use crate::state::AppState;

fn not_found() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ImageNotFound",
        "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
    )
}

fn etag(stored: &StoredPhoto) -> String {
    format!("\"{}\"", stored.updated.unix_timestamp_nanos() / 1_000)
}

/// The addressed user (`{id}`, or the caller for `/me`) and the photo, after the read decision.
async fn read_photo(
    state: &AppState,
    caller: &Caller,
    id: Option<&str>,
) -> Result<StoredPhoto, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let id = match id {
        Some(id) => id.to_owned(),
        None => caller.delegated_user()?.id.to_string(),
    };
    let user = readable(&mut tx, caller, &id).await?;
    tx.user_photo(user.id).await?.ok_or_else(not_found)
}

async fn addressed<M>(
    tx: &mut TenantTx<M>,
    caller: &Caller,
    id: Option<&str>,
) -> Result<User, GraphError> {
    match id {
        Some(id) => Ok(find(tx, id).await?),
        None => Ok(tx.user(caller.delegated_user()?.id).await?),
    }
}

fn metadata(state: &AppState, uri: &axum::http::Uri, stored: &StoredPhoto) -> Json<Value> {
    Json(json!({
        "@odata.context": context_url(state, uri, "users('')/photo/$entity"),
        "@odata.mediaContentType": stored.photo.content_type,
        "@odata.mediaEtag": etag(stored),
        "id": format!("{}X{}", stored.photo.width, stored.photo.height),
        "height": stored.photo.height,
        "width": stored.photo.width,
    }))
}

fn image(stored: StoredPhoto) -> Response {
    (
        [
            (header::CONTENT_TYPE, stored.photo.content_type.to_owned()),
            (header::ETAG, etag(&stored)),
        ],
        stored.photo.bytes,
    )
        .into_response()
}

/// `GET /users/{id}/photo`.
pub async fn read_metadata(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let stored = read_photo(&state, &caller, Some(&id)).await?;
    Ok(metadata(&state, &uri, &stored))
}

/// `GET /me/photo`.
pub async fn read_my_metadata(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let stored = read_photo(&state, &caller, None).await?;
    Ok(metadata(&state, &uri, &stored))
}

/// `GET /users/{id}/photo/$value`.
pub async fn read_value(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, GraphError> {
    Ok(image(read_photo(&state, &caller, Some(&id)).await?))
}

/// `GET /me/photo/$value`.
pub async fn read_my_value(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, GraphError> {
    Ok(image(read_photo(&state, &caller, None).await?))
}

/// `PUT /users/{id}/photo/$value` with the image as the body.
pub async fn put_value(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    change(&state, &caller, Some(&id), Some(body)).await
}

/// `PUT /me/photo/$value`.
pub async fn put_my_value(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    change(&state, &caller, None, Some(body)).await
}

/// `DELETE /users/{id}/photo`.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    change(&state, &caller, Some(&id), None).await
}

/// `DELETE /me/photo`.
pub async fn remove_mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<StatusCode, GraphError> {
    change(&state, &caller, None, None).await
}

/// Sets (`Some` image) or removes the photo; audited as "Update user photo".
async fn change(
    state: &AppState,
    caller: &Caller,
    id: Option<&str>,
    image: Option<Bytes>,
) -> Result<StatusCode, GraphError> {
    let photo = image.map(|b| Photo::parse(b.to_vec())).transpose()?;
    let mut tx = state.store.write(caller.tenant).await?;
    let user = addressed(&mut tx, caller, id).await?;
    let proof = authz::decide(
        &principal(&mut tx, caller).await?,
        authz::USERS_PHOTO_UPDATE,
        ownership(caller, &user),
    )?;
    match &photo {
        Some(p) => {
            tx.set_user_photo(&proof, user.id, p, state.clock.now())
                .await?
        }
        None => {
            if !tx.delete_user_photo(&proof, user.id).await? {
                return Err(not_found());
            }
        }
    }
    tx.audit(&audit(
        state,
        caller,
        &user,
        "Update user photo",
        OperationType::Update,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(if photo.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    })
}
