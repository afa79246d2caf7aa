//! The HTTP application, built by one function so tests drive it in-process.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use crate::http::context;
use crate::http::graph_error::GraphError;
use crate::state::AppState;
use crate::{graph, health, identity, operator};

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .nest("/_gatehouse", operator::routes(state.clone()))
        .merge(graph::routes(state.clone()))
        .merge(identity::routes())
        .fallback(|| async { GraphError::not_found_route() })
        .layer(from_fn_with_state(state.clone(), health::require_prepared));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(api)
        .layer(CatchPanicLayer::custom(|_| {
            GraphError::from(gatehouse_domain::Error::internal(
                "a request handler panicked",
            ))
            .into_response()
        }))
        .layer(from_fn_with_state(state.clone(), context::middleware))
        .with_state(state)
}
