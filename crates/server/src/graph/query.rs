//! OData query options at the Graph edge, shared by every list endpoint: reads the query string and
//! `ConsistencyLevel` into the domain's checked [`QueryOptions`], and shapes the response: `$select`
//! projection (Graph always includes `id`), `@odata.context` with the projected properties,
//! `@odata.count`, `@odata.nextLink` (the same URL with its `$skiptoken` replaced), and the
//! `/$count` plain-text answer.

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::Error;
use gatehouse_domain::odata::{Collection, QueryOptions};
use gatehouse_store::Page;
use serde_json::{Map, Value, json};

use super::applications::context_url;
use crate::http::graph_error::GraphError;
use crate::state::AppState;

/// Graph's 400 `Request_UnsupportedQuery`, for lists not yet on [`QueryOptions`] (`paging.rs`).
pub fn unsupported(message: impl Into<String>) -> GraphError {
    Error::unsupported_query(message).into()
}

/// The `eq` clauses joined by `and` of `$filter` on `collection` (entity type `entity`), for lists
/// not yet on [`QueryOptions`] (groups): each property one of `properties` (case-insensitive,
/// returned in its Graph spelling), its value a string, boolean or GUID literal. Parsed by the
/// domain's `$filter` parser; any other option or clause is Graph's 400.
pub fn eq_filters(
    query: &std::collections::HashMap<String, String>,
    collection: &str,
    entity: &str,
    properties: &[&'static str],
) -> Result<Vec<(&'static str, String)>, GraphError> {
    use gatehouse_domain::odata::{CompareOp, Filter, Literal, parse_filter};
    if let Some(other) = query
        .keys()
        .find(|k| k.starts_with('$') && k.as_str() != "$filter")
    {
        return Err(unsupported(format!(
            "The query option '{other}' is not supported on {collection}."
        )));
    }
    let Some(text) = query.get("$filter") else {
        return Ok(Vec::new());
    };
    let invalid = || {
        unsupported(format!(
            "Unsupported or invalid query filter clause specified for resource '{entity}'."
        ))
    };
    let clauses = match parse_filter(text)? {
        Filter::And(clauses) => clauses,
        single => vec![single],
    };
    clauses
        .into_iter()
        .map(|clause| {
            let Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } = clause
            else {
                return Err(invalid());
            };
            let [name] = path.0.as_slice() else {
                return Err(invalid());
            };
            let property = properties
                .iter()
                .find(|p| p.eq_ignore_ascii_case(name))
                .ok_or_else(invalid)?;
            let value = match value {
                Literal::String(s) => s,
                Literal::Bool(b) => b.to_string(),
                Literal::Guid(g) => g.to_string(),
                _ => return Err(invalid()),
            };
            Ok((*property, value))
        })
        .collect()
}

/// The request's query pairs, percent-decoded.
pub fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, GraphError> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .map_err(|_| Error::invalid_query("The query string is not valid.").into())
}

/// Whether the request asks for eventual consistency (`ConsistencyLevel: eventual` as a header or
/// a query parameter), which enables Graph's advanced queries.
pub fn eventual(pairs: &[(String, String)], headers: &HeaderMap) -> bool {
    let is_eventual = |v: &str| v.trim().eq_ignore_ascii_case("eventual");
    headers
        .get_all("consistencylevel")
        .iter()
        .any(|v| v.to_str().is_ok_and(is_eventual))
        || pairs
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("ConsistencyLevel") && is_eventual(v))
}

/// The checked query options of a list request on `collection`.
pub fn query_options(
    collection: &Collection,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<QueryOptions, GraphError> {
    let pairs = query_pairs(uri)?;
    Ok(QueryOptions::parse(
        collection,
        &pairs,
        eventual(&pairs, headers),
    )?)
}

/// The options of a `/{collection}/$count` request: counting directory objects needs
/// `ConsistencyLevel: eventual` (Graph answers 400 "$count is not currently supported." without).
pub fn count_options(
    collection: &Collection,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<QueryOptions, GraphError> {
    let pairs = query_pairs(uri)?;
    let eventual = eventual(&pairs, headers);
    if collection.directory && !eventual {
        return Err(Error::invalid("$count is not currently supported.").into());
    }
    Ok(QueryOptions::parse(collection, &pairs, eventual)?)
}

/// The `/$count` answer: the number as plain text.
pub fn count_response(count: u64) -> Response {
    let mut response = count.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `entity` reduced to the `projection` (plus `id`, and annotations); a declared property
/// without a value is `null`, as in Graph.
pub fn project(entity: Value, projection: &[&str]) -> Value {
    let Value::Object(mut map) = entity else {
        return entity;
    };
    let mut out = Map::new();
    for (key, value) in std::mem::take(&mut map) {
        if key.starts_with('@') || key == "id" || projection.contains(&key.as_str()) {
            out.insert(key, value);
        }
    }
    for name in projection {
        if !out.contains_key(*name) {
            out.insert((*name).to_owned(), Value::Null);
        }
    }
    Value::Object(out)
}

/// The `@odata.context` of a list: `...$metadata#users` or, with `$select`,
/// `...$metadata#users(displayName,id)`.
pub fn list_context(
    state: &AppState,
    uri: &Uri,
    collection: &Collection,
    options: &QueryOptions,
) -> String {
    if options.select.is_empty() {
        context_url(state, uri, collection.name)
    } else {
        context_url(
            state,
            uri,
            &format!("{}({})", collection.name, options.select.join(",")),
        )
    }
}

/// The same request with `$skiptoken` set to `token`: the `@odata.nextLink`.
pub fn next_link(state: &AppState, uri: &Uri, token: &str) -> String {
    let mut parts: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default().replace("%24", "$");
            !p.is_empty() && !key.eq_ignore_ascii_case("$skiptoken")
        })
        .collect();
    let skip = format!("$skiptoken={token}");
    parts.push(&skip);
    format!(
        "{}{}?{}",
        state.instance.public_url,
        uri.path(),
        parts.join("&")
    )
}

/// A list response: context, count, next link and the page's entities projected by `$select`.
pub fn list_body(
    state: &AppState,
    uri: &Uri,
    collection: &Collection,
    options: &QueryOptions,
    page: Page<Value>,
) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(list_context(state, uri, collection, options)),
    );
    if let Some(count) = page.count {
        body.insert("@odata.count".into(), json!(count));
    }
    if let Some(token) = &page.next {
        body.insert(
            "@odata.nextLink".into(),
            json!(next_link(state, uri, token)),
        );
    }
    let value: Vec<Value> = if options.select.is_empty() {
        page.items
    } else {
        page.items
            .into_iter()
            .map(|e| project(e, &options.select))
            .collect()
    };
    body.insert("value".into(), Value::Array(value));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_id_and_annotations_and_nulls_missing_properties() {
        let entity = json!({"@odata.type": "#microsoft.graph.user", "id": "1", "displayName": "A", "mail": "a@b"});
        assert_eq!(
            project(entity, &["displayName", "jobTitle"]),
            json!({"@odata.type": "#microsoft.graph.user", "id": "1", "displayName": "A", "jobTitle": null})
        );
    }

    #[test]
    fn eventual_consistency_comes_from_the_header_or_the_query() {
        let mut headers = HeaderMap::new();
        assert!(!eventual(&[], &headers));
        let pairs = vec![("consistencyLevel".to_owned(), "Eventual".to_owned())];
        assert!(eventual(&pairs, &headers));
        headers.insert("ConsistencyLevel", HeaderValue::from_static("eventual"));
        assert!(eventual(&[], &headers));
    }
}
