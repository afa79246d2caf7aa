//! The request context: Graph's `request-id` and `client-request-id`, a tracing span per request,
//! one log line per request, and the baseline security headers on every response.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use time::OffsetDateTime;
use tracing::Instrument as _;

use crate::state::AppState;

/// Identifiers of the request being served, available to error bodies anywhere below the middleware.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub client_request_id: String,
    pub received: OffsetDateTime,
    /// The instance's public URL (error links point at it).
    pub public_url: String,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// The context of the request being served (a fresh one outside any request, e.g. in tests).
    pub fn current() -> Self {
        CURRENT.try_with(Clone::clone).unwrap_or_else(|_| {
            let id = uuid::Uuid::new_v4().to_string();
            Self {
                request_id: id.clone(),
                client_request_id: id,
                received: OffsetDateTime::now_utc(),
                public_url: String::new(),
            }
        })
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// A client-supplied id is echoed when it is a sane token; otherwise the request id stands in.
fn client_request_id(req: &Request) -> Option<String> {
    let v = req.headers().get(&CLIENT_REQUEST_ID)?.to_str().ok()?;
    (!v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| v.to_owned())
}

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = state.random.uuid().to_string();
    let context = RequestContext {
        client_request_id: client_request_id(&req).unwrap_or_else(|| request_id.clone()),
        request_id,
        received: state.clock.now(),
        public_url: state.instance.public_url.clone(),
    };
    let span = tracing::info_span!(
        "request",
        request_id = %context.request_id,
        client_request_id = %context.client_request_id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    let ids = (
        context.request_id.clone(),
        context.client_request_id.clone(),
    );
    let mut response = CURRENT
        .scope(context, next.run(req))
        .instrument(span.clone())
        .await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1e3,
            "request served"
        );
    });
    let headers = response.headers_mut();
    for (name, value) in [(REQUEST_ID, ids.0), (CLIENT_REQUEST_ID, ids.1)] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    response
}
