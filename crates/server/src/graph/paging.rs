//! Keyset paging of directory collections: `$top` (default 100, at most 999) and an opaque
//! `$skiptoken` naming the last object of the previous page, continued by `@odata.nextLink`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use serde_json::{Map, Value, json};

use crate::http::graph_error::GraphError;
use crate::state::AppState;

/// Graph's default page size, and the largest `$top`.
const DEFAULT_PAGE: i64 = 100;
const MAX_TOP: i64 = 999;

/// The page a list request asks for.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Objects per page.
    pub top: i64,
    /// The last object of the previous page.
    pub after: Option<ObjectId>,
}

impl Page {
    /// Reads `$top` and `$skiptoken`; any other `$` option but `also` is Graph's 400
    /// `Request_UnsupportedQuery` on `collection`.
    pub fn read(
        query: &HashMap<String, String>,
        collection: &str,
        also: &[&str],
    ) -> Result<Self, GraphError> {
        if let Some(other) = query.keys().find(|k| {
            k.starts_with('$')
                && !["$top", "$skiptoken"].contains(&k.as_str())
                && !also.contains(&k.as_str())
        }) {
            return Err(super::query::unsupported(format!(
                "The query option '{other}' is not supported on {collection}."
            )));
        }
        let top = match query.get("$top") {
            None => DEFAULT_PAGE,
            Some(t) => t
                .parse::<i64>()
                .ok()
                .filter(|t| (1..=MAX_TOP).contains(t))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive."
                    ))
                })?,
        };
        let after = query.get("$skiptoken").map(|t| decode(t)).transpose()?;
        Ok(Self { top, after })
    }

    /// The collection body: `@odata.context`, `@odata.nextLink` when `items` (fetched with a limit
    /// of `top + 1`) hold more than a page, and the page's values.
    pub fn body(
        &self,
        state: &AppState,
        uri: &axum::http::Uri,
        query: &HashMap<String, String>,
        context: String,
        mut items: Vec<(ObjectId, Value)>,
    ) -> Value {
        let more = items.len() as i64 > self.top;
        items.truncate(self.top as usize);
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(context));
        if more && let Some((last, _)) = items.last() {
            body.insert(
                "@odata.nextLink".into(),
                json!(next_link(state, uri, query, *last)),
            );
        }
        body.insert(
            "value".into(),
            Value::Array(items.into_iter().map(|(_, v)| v).collect()),
        );
        Value::Object(body)
    }
}

fn decode(token: &str) -> Result<ObjectId> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::invalid("The specified page token value has expired or is invalid."))
}

fn next_link(
    state: &AppState,
    uri: &axum::http::Uri,
    query: &HashMap<String, String>,
    last: ObjectId,
) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| k.as_str() != "$skiptoken")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.sort();
    pairs.push((
        "$skiptoken".into(),
        URL_SAFE_NO_PAD.encode(last.to_string()),
    ));
    let query = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{}{}?{query}", state.instance.public_url, uri.path())
}
