//! A JSON body extractor whose rejections are Graph errors, not plain text.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::graph_error::GraphError;

/// Like `axum::Json`, but a missing content type, malformed JSON or a wrong field answers with a
/// Graph `Request_BadRequest` naming the problem.
#[derive(Debug)]
pub struct GraphJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for GraphJson<T> {
    type Rejection = GraphError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                rejection.body_text(),
            )),
        }
    }
}
