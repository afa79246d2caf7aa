//! `/healthz` (the process is up) and `/readyz` (the database answers and is prepared).

use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_domain::Error;
use serde_json::json;

use crate::http::graph_error::GraphError;
use crate::state::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let engine = state.store.engine().name();
    let unavailable = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": engine, "reason": reason })),
        )
    };
    if !state.readiness.is_prepared() {
        let reason = state
            .readiness
            .last_error()
            .unwrap_or_else(|| "the database is being prepared".to_owned());
        return unavailable(reason);
    }
    match tokio::time::timeout(Duration::from_secs(3), state.store.check_ready()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": engine })),
        ),
        Ok(Err(Error::Unavailable { reason })) => unavailable(reason),
        Ok(Err(e)) => unavailable(e.to_string()),
        Err(_) => unavailable("the database did not answer within 3 seconds".to_owned()),
    }
}

/// Until the database is prepared, every API request gets a Graph 503 (health endpoints excepted).
pub async fn require_prepared(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.readiness.is_prepared() {
        next.run(req).await
    } else {
        GraphError::from(Error::unavailable("the database is not prepared yet")).into_response()
    }
}
