//! Microsoft Graph's OData query options for collections, without any wire or storage format:
//! the `$filter` parser ([`filter`]), what each collection supports ([`collection`]), the checks
//! of a filter against a collection ([`validate`]), `$search` ([`search`]) and the options of one
//! request with Graph's advanced-query rules ([`options`]). The store turns a checked
//! [`QueryOptions`] into SQL; the server reads it from the request and shapes the response.

pub mod collection;
pub mod collections;
pub mod filter;
pub mod options;
pub mod search;
pub mod validate;

#[cfg(test)]
mod tests;

pub use collection::{Collection, Kind, MAX_EXPANDED, Navigation, Ops, Property, Support};
pub use filter::{CompareOp, Filter, Literal, Path, parse_filter};
pub use options::{Expand, OrderBy, QueryOptions};
pub use search::Search;
