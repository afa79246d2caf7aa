//! `POST /$batch`: JSON batching as Graph does it. Up to 20 requests, each with an `id`, a
//! `method`, a `url` relative to the version (`/users/{id}`, `users?$top=5`) or absolute
//! (`https://graph.microsoft.com/v1.0/me`), optional `headers`, `body` and `dependsOn`. Each runs
//! through the same Graph routes with the batch's own credentials, in order; a request whose
//! dependency failed answers 424 without running. The answer lists every response by `id`.

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Extension, OriginalUri};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use gatehouse_domain::Error;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;

/// Graph's limit of requests in one batch.
const MAX_REQUESTS: usize = 20;
/// The largest inner response body kept (the same limit a single Graph response has in practice).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The Graph routes inner requests run through (without `/$batch` itself: batches do not nest).
#[derive(Clone, Debug)]
pub struct Target(pub Router);

#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    requests: Vec<Item>,
}

/// One request of a batch. Unknown members are ignored, as Graph does; `depends_on` is what
/// Microsoft's Python SDK (msgraph-core) sends for `dependsOn`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default, alias = "depends_on")]
    depends_on: Vec<String>,
}

fn bad_request(message: impl Into<String>) -> GraphError {
    GraphError::from(Error::invalid(message))
}

/// `POST /v1.0/$batch` (and `/beta/$batch`).
pub async fn batch(
    Extension(Target(target)): Extension<Target>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GraphJson(batch): GraphJson<BatchRequest>,
) -> Result<Json<Value>, GraphError> {
    if batch.requests.is_empty() {
        return Err(bad_request(
            "The batch request must contain at least one request.",
        ));
    }
    if batch.requests.len() > MAX_REQUESTS {
        return Err(bad_request(format!(
            "The number of requests in the batch ({}) exceeds the limit of {MAX_REQUESTS}.",
            batch.requests.len()
        )));
    }
    let mut ids = std::collections::HashSet::new();
    for item in &batch.requests {
        if !ids.insert(item.id.as_str()) {
            return Err(bad_request(format!(
                "The batch request contains more than one request with the id '{}'.",
                item.id
            )));
        }
    }
    for item in &batch.requests {
        if let Some(unknown) = item.depends_on.iter().find(|d| !ids.contains(d.as_str())) {
            return Err(bad_request(format!(
                "Request '{}' depends on '{unknown}', which is not in the batch.",
                item.id
            )));
        }
    }
    let version = super::version(&uri);
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::with_capacity(batch.requests.len());
    for item in batch.requests {
        let failed_dependency = item
            .depends_on
            .iter()
            .any(|d| statuses.get(d).is_none_or(|s| !s.is_success()));
        let (status, response) = if failed_dependency {
            let status = StatusCode::FAILED_DEPENDENCY;
            let error = GraphError::new(status, "Request_FailedDependency", "Failed dependency.");
            (
                status,
                json!({"id": item.id, "status": 424, "body": error.body(&RequestContext::current())}),
            )
        } else {
            run(&target, version, &headers, &item).await
        };
        statuses.insert(item.id.clone(), status);
        responses.push(response);
    }
    Ok(Json(json!({ "responses": responses })))
}

/// The inner request's path under the batch's version: relative URLs as they are, absolute URLs
/// (Graph's host or this server's) without scheme, host and version.
fn inner_path(version: &str, url: &str) -> Result<String, String> {
    let rest = match url.split_once("://") {
        Some((_, after_scheme)) => {
            let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
            path.strip_prefix("/v1.0")
                .or_else(|| path.strip_prefix("/beta"))
                .ok_or_else(|| format!("The URL '{url}' does not address a Graph version."))?
                .to_owned()
        }
        None => url.to_owned(),
    };
    let rest = rest.trim_start_matches('/');
    if rest.starts_with("$batch") {
        return Err("Batch requests cannot be nested.".to_owned());
    }
    Ok(format!("/{version}/{rest}"))
}

async fn run(
    target: &Router,
    version: &str,
    outer: &HeaderMap,
    item: &Item,
) -> (StatusCode, Value) {
    let answer = |status: StatusCode, headers: Map<String, Value>, body: Option<Value>| {
        let mut r = Map::new();
        r.insert("id".into(), json!(item.id));
        r.insert("status".into(), json!(status.as_u16()));
        if !headers.is_empty() {
            r.insert("headers".into(), Value::Object(headers));
        }
        if let Some(b) = body {
            r.insert("body".into(), b);
        }
        (status, Value::Object(r))
    };
    let refuse = |message: String| {
        let status = StatusCode::BAD_REQUEST;
        let body = GraphError::new(status, "BadRequest", message).body(&RequestContext::current());
        answer(status, Map::new(), Some(body))
    };
    let Ok(method) = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes()) else {
        return refuse(format!("Invalid method '{}'.", item.method));
    };
    let path = match inner_path(version, &item.url) {
        Ok(p) => p,
        Err(message) => return refuse(message),
    };
    let mut request = Request::builder().method(method).uri(&path);
    // The batch's credentials and correlation headers, then the item's own headers.
    for name in [
        header::AUTHORIZATION,
        HeaderName::from_static("consistencylevel"),
    ] {
        if let Some(v) = outer.get(&name) {
            request = request.header(&name, v);
        }
    }
    for (name, value) in &item.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            return refuse(format!("Invalid header '{name}'."));
        };
        request = request.header(name, value);
    }
    let body = match &item.body {
        Some(b) => {
            if !item
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
            {
                request = request.header(header::CONTENT_TYPE, "application/json");
            }
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let Ok(request) = request.body(body) else {
        return refuse(format!("Invalid URL '{}'.", item.url));
    };
    let Ok(response) = target.clone().oneshot(request).await;
    let status = response.status();
    let mut headers = Map::new();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    for name in [
        header::CONTENT_TYPE,
        header::LOCATION,
        header::WWW_AUTHENTICATE,
    ] {
        if let Some(v) = response.headers().get(&name).and_then(|v| v.to_str().ok()) {
            headers.insert(canonical(&name), json!(v));
        }
    }
    let bytes = to_bytes(response.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        None
    } else if content_type.starts_with("application/json") {
        serde_json::from_slice(&bytes).ok()
    } else {
        Some(json!(String::from_utf8_lossy(&bytes)))
    };
    answer(status, headers, body)
}

/// `Content-Type`, as Graph spells header names in batch responses.
fn canonical(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_paths_accept_relative_and_absolute_urls() {
        for (url, path) in [
            ("/users/1", "/v1.0/users/1"),
            ("users?$top=2", "/v1.0/users?$top=2"),
            ("https://graph.microsoft.com/v1.0/me", "/v1.0/me"),
            ("https://localhost:8443/beta/groups", "/v1.0/groups"),
        ] {
            assert_eq!(inner_path("v1.0", url).unwrap(), path, "{url}");
        }
        assert!(inner_path("v1.0", "/$batch").is_err());
        assert!(inner_path("v1.0", "https://example.com/users").is_err());
    }
}
