//! `$search` on directory objects: `"property:term"` clauses joined by `AND` / `OR` (AND binds
//! tighter), e.g. `"displayName:room" OR "mail:room"`. A clause matches an object when every word
//! of the term starts a word of the property's value (tokenised prefix match, case-insensitive).

use super::collection::Collection;
use crate::{Error, Result};

/// The longest `$search` accepted, in bytes.
pub const MAX_SEARCH_LENGTH: usize = 1024;
/// The most clauses accepted in one `$search`.
pub const MAX_SEARCH_CLAUSES: usize = 15;

/// A parsed `$search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// `"property:term"`: `words` are the term's words, lower-cased.
    Term {
        property: &'static str,
        words: Vec<String>,
    },
    And(Vec<Search>),
    Or(Vec<Search>),
}

fn syntax(text: &str, at: usize) -> Error {
    Error::invalid_query(format!(
        "Syntax error: character '{}' is not valid at position {at} in '{text}'.",
        text.get(at..).and_then(|s| s.chars().next()).unwrap_or(' ')
    ))
}

/// Parses `$search` against the searchable properties of `collection`.
pub fn parse_search(collection: &Collection, text: &str) -> Result<Search> {
    if text.len() > MAX_SEARCH_LENGTH {
        return Err(Error::invalid_query(format!(
            "The $search value exceeds the maximum length of {MAX_SEARCH_LENGTH} characters."
        )));
    }
    let mut or_groups: Vec<Vec<Search>> = vec![Vec::new()];
    let mut clauses = 0;
    let mut rest = text.trim_start();
    loop {
        let at = text.len() - rest.len();
        let Some(body) = rest.strip_prefix('"') else {
            return Err(syntax(text, at));
        };
        let Some(end) = body.find('"') else {
            return Err(syntax(text, at));
        };
        let clause = &body[..end];
        let (name, term) = clause.split_once(':').ok_or_else(|| {
            Error::unsupported_query(format!(
                "Unsupported or invalid search clause '{clause}': use \"property:term\"."
            ))
        })?;
        let property = collection
            .property(name.trim())
            .filter(|p| p.search)
            .ok_or_else(|| {
                Error::unsupported_query(format!(
                    "Unsupported or invalid query search clause specified for property '{}' of resource '{}'.",
                    name.trim(),
                    collection.entity
                ))
            })?;
        let words: Vec<String> = term.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Err(syntax(text, at));
        }
        clauses += 1;
        if clauses > MAX_SEARCH_CLAUSES {
            return Err(Error::unsupported_query(format!(
                "Too many clauses in $search: at most {MAX_SEARCH_CLAUSES} are supported."
            )));
        }
        or_groups
            .last_mut()
            .expect("at least one group")
            .push(Search::Term {
                property: property.name,
                words,
            });
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            break;
        }
        let (word, after) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
        match word.to_ascii_uppercase().as_str() {
            "AND" => {}
            "OR" => or_groups.push(Vec::new()),
            _ => return Err(syntax(text, text.len() - rest.len())),
        }
        rest = after.trim_start();
    }
    let mut ors: Vec<Search> = or_groups
        .into_iter()
        .map(|mut group| {
            if group.len() == 1 {
                group.remove(0)
            } else {
                Search::And(group)
            }
        })
        .collect();
    Ok(if ors.len() == 1 {
        ors.remove(0)
    } else {
        Search::Or(ors)
    })
}
