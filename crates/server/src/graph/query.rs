//! The query options the Graph API supports so far: `$filter` with `eq` clauses joined by `and` on
//! named properties; any other option is Graph's 400 `Request_UnsupportedQuery`.

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::http::graph_error::GraphError;

pub fn unsupported(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

/// The clauses of `$filter` on `collection` (whose entity type is `entity`): `{property} eq
/// '{value}'` joined by `and`, each property one of `properties` (matched case-insensitively,
/// returned in its Graph spelling).
pub fn eq_filters(
    query: &HashMap<String, String>,
    collection: &str,
    entity: &str,
    properties: &[&'static str],
) -> Result<Vec<(&'static str, String)>, GraphError> {
    if let Some(other) = query
        .keys()
        .find(|k| k.starts_with('$') && k.as_str() != "$filter")
    {
        return Err(unsupported(format!(
            "The query option '{other}' is not supported on {collection}."
        )));
    }
    let Some(filter) = query.get("$filter") else {
        return Ok(Vec::new());
    };
    let invalid = || {
        unsupported(format!(
            "Unsupported or invalid query filter clause specified for resource '{entity}'."
        ))
    };
    let mut clauses = Vec::new();
    for clause in filter.split(" and ") {
        let mut words = clause.split_whitespace();
        let (Some(property), Some(op), Some(value), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(invalid());
        };
        let property = properties
            .iter()
            .find(|p| p.eq_ignore_ascii_case(property))
            .ok_or_else(invalid)?;
        if !op.eq_ignore_ascii_case("eq") {
            return Err(invalid());
        }
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .ok_or_else(invalid)?;
        clauses.push((*property, value.to_owned()));
    }
    Ok(clauses)
}
