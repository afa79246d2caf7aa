//! The OData query options of a Graph list request, parsed from the raw query pairs and checked
//! against the collection, with Graph's rules for advanced queries: `ConsistencyLevel: eventual`
//! plus `$count=true` unlock the advanced `$filter` operators and `$filter` with `$orderby`;
//! `$search` needs the header; `?$count=true` without the header is silently ignored.

use super::collection::{Collection, MAX_EXPANDED, Navigation, Support};
use super::filter::{Filter, parse_filter};
use super::search::{Search, parse_search};
use super::validate::check_filter;
use crate::{Error, Result};

/// Graph's message when an operator needs the advanced query parameters.
fn advanced_required(operator: &str) -> Error {
    Error::unsupported_query(format!(
        "Operator '{operator}' is not supported because the required parameters might be missing. \
         Try adding $count=true query parameter and ConsistencyLevel:eventual header. \
         Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    ))
}

fn sorting_not_supported() -> Error {
    Error::unsupported_query("Sorting not supported for current query.")
}

/// One `$orderby` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy {
    /// Graph's spelling of the property.
    pub property: &'static str,
    pub descending: bool,
}

/// One `$expand` item: a navigation property, optionally with its own `$select`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub navigation: &'static Navigation,
    /// `$expand=members($select=id,displayName)`; empty for the default projection.
    pub select: Vec<String>,
    /// At most this many related objects are returned (Graph's limit).
    pub limit: usize,
}

/// The checked query options of one list request.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOptions {
    /// `$filter`, checked: Graph's spelling of properties, literals of the properties' types.
    pub filter: Option<Filter>,
    /// `$select` in Graph's spelling, in request order; empty means the default projection.
    pub select: Vec<&'static str>,
    pub expand: Vec<Expand>,
    pub order_by: Vec<OrderBy>,
    /// The page size: `$top`, or the collection's default.
    pub top: u32,
    /// `$skiptoken` as received; the store decodes (and rejects) it.
    pub skip_token: Option<String>,
    /// `@odata.count` is wanted (`$count=true` with `ConsistencyLevel: eventual`).
    pub count: bool,
    pub search: Option<Search>,
    /// The request carries `ConsistencyLevel: eventual`.
    pub eventual: bool,
}

impl QueryOptions {
    /// No options: the first page of the default projection.
    pub fn none(collection: &Collection) -> Self {
        Self {
            filter: None,
            select: Vec::new(),
            expand: Vec::new(),
            order_by: Vec::new(),
            top: collection.default_page_size,
            skip_token: None,
            count: false,
            search: None,
            eventual: false,
        }
    }

    /// Parses and checks the query `pairs` (percent-decoded) of a request on `collection`;
    /// `eventual` says whether it carries `ConsistencyLevel: eventual`. Pairs whose name does not
    /// start with `$` are ignored, as Graph does.
    pub fn parse(
        collection: &Collection,
        pairs: &[(String, String)],
        eventual: bool,
    ) -> Result<Self> {
        let mut raw: Vec<(&'static str, &str)> = Vec::new();
        for (name, value) in pairs {
            if !name.starts_with('$') {
                continue;
            }
            let option = match name.to_ascii_lowercase().as_str() {
                "$filter" => "$filter",
                "$select" => "$select",
                "$expand" => "$expand",
                "$orderby" => "$orderby",
                "$top" => "$top",
                "$skiptoken" => "$skiptoken",
                "$count" => "$count",
                "$search" => "$search",
                "$skip" => {
                    return Err(Error::invalid("'$skip' is not supported by the service."));
                }
                _ => {
                    return Err(Error::invalid_query(format!(
                        "The query parameter '{name}' is not supported."
                    )));
                }
            };
            if raw.iter().any(|(o, _)| *o == option) {
                return Err(Error::invalid_query(format!(
                    "Query option '{option}' was specified more than once, but it must be specified at most once."
                )));
            }
            raw.push((option, value));
        }
        let get = |option: &str| raw.iter().find(|(o, _)| *o == option).map(|(_, v)| *v);

        let count_requested = match get("$count").map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(Error::invalid_query(format!(
                    "'{}' is not a valid count option.",
                    get("$count").unwrap_or_default()
                )));
            }
        };
        let advanced = eventual && count_requested;
        let mut options = Self::none(collection);
        options.eventual = eventual;
        options.count = advanced;

        if let Some(text) = get("$filter") {
            let checked = check_filter(collection, &parse_filter(text)?)?;
            if let Some(operator) = checked.advanced_operator
                && !advanced
            {
                return Err(advanced_required(operator));
            }
            options.filter = Some(checked.filter);
        }
        if let Some(text) = get("$search") {
            if !eventual {
                return Err(Error::unsupported_query(
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                ));
            }
            options.search = Some(parse_search(collection, text)?);
        }
        if let Some(text) = get("$orderby") {
            options.order_by = order_by(collection, text, advanced)?;
            if options.filter.is_some() && collection.directory && !advanced {
                return Err(sorting_not_supported());
            }
        }
        if let Some(text) = get("$select") {
            options.select = select(collection, text)?;
        }
        if let Some(text) = get("$expand") {
            if advanced || options.search.is_some() {
                return Err(Error::unsupported_query(
                    "$expand is not currently supported with advanced queries.",
                ));
            }
            options.expand = expand(collection, text)?;
        }
        if let Some(text) = get("$top") {
            options.top = top(collection, text)?;
        }
        options.skip_token = get("$skiptoken").map(str::to_owned);
        Ok(options)
    }

    /// The properties to return: `$select`, or the collection's default projection.
    pub fn projection(&self, collection: &Collection) -> Vec<&'static str> {
        if self.select.is_empty() {
            collection.default_select().collect()
        } else {
            self.select.clone()
        }
    }
}

fn not_on_type(collection: &Collection, name: &str) -> Error {
    Error::invalid(format!(
        "Could not find a property named '{name}' on type '{}'.",
        collection.type_name
    ))
}

fn order_by(collection: &Collection, text: &str, advanced: bool) -> Result<Vec<OrderBy>> {
    let mut keys = Vec::new();
    for item in text.split(',') {
        let mut words = item.split_whitespace();
        let (Some(name), direction, None) = (words.next(), words.next(), words.next()) else {
            return Err(Error::invalid_query(format!(
                "Syntax error at position {} in '{text}'.",
                text.len()
            )));
        };
        let descending = match direction.map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(Error::invalid_query(format!(
                    "Syntax error at position {} in '{text}'.",
                    text.len()
                )));
            }
        };
        let property = collection
            .property(name)
            .ok_or_else(|| not_on_type(collection, name))?;
        match property.sort {
            Support::Default => {}
            Support::Advanced if advanced => {}
            _ => return Err(sorting_not_supported()),
        }
        if keys.iter().any(|k: &OrderBy| k.property == property.name) {
            return Err(Error::invalid_query(format!(
                "Duplicate property named '{}' is not supported in '$orderby'.",
                property.name
            )));
        }
        keys.push(OrderBy {
            property: property.name,
            descending,
        });
    }
    Ok(keys)
}

fn select(collection: &Collection, text: &str) -> Result<Vec<&'static str>> {
    let mut names = Vec::new();
    for name in text.split(',').map(str::trim) {
        let property = collection
            .property(name)
            .ok_or_else(|| not_on_type(collection, name))?;
        if !names.contains(&property.name) {
            names.push(property.name);
        }
    }
    Ok(names)
}

/// Splits `text` at commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn expand(collection: &Collection, text: &str) -> Result<Vec<Expand>> {
    let mut items = Vec::new();
    for item in split_top_level(text).into_iter().map(str::trim) {
        let (name, nested) = match item.split_once('(') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix(')').ok_or_else(|| {
                    Error::invalid_query(format!(
                        "Syntax error at position {} in '{text}'.",
                        text.len()
                    ))
                })?;
                (name.trim(), Some(inner))
            }
            None => (item, None),
        };
        let navigation = collection
            .navigation(name)
            .ok_or_else(|| not_on_type(collection, name))?;
        let mut select = Vec::new();
        if let Some(inner) = nested {
            for option in inner.split(';') {
                let (key, value) = option.split_once('=').unwrap_or((option, ""));
                if !key.trim().eq_ignore_ascii_case("$select") {
                    return Err(Error::unsupported_query(format!(
                        "The query option '{}' is not supported inside $expand.",
                        key.trim()
                    )));
                }
                select.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        if items
            .iter()
            .any(|e: &Expand| e.navigation.name == navigation.name)
        {
            return Err(Error::invalid_query(format!(
                "Duplicate navigation property '{}' in '$expand'.",
                navigation.name
            )));
        }
        items.push(Expand {
            navigation,
            select,
            limit: MAX_EXPANDED,
        });
    }
    Ok(items)
}

fn top(collection: &Collection, text: &str) -> Result<u32> {
    let n: i64 = text.trim().parse().map_err(|_| {
        Error::invalid_query(format!(
            "Invalid value '{text}' for $top query option found. The $top query option requires a non-negative integer value."
        ))
    })?;
    if n < 1 || n > i64::from(collection.max_top) {
        return Err(Error::unsupported_query(format!(
            "Invalid page size specified: '{n}'. Must be between 1 and {} inclusive.",
            collection.max_top
        )));
    }
    Ok(n as u32)
}
