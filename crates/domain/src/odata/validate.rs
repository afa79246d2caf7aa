//! Checks a parsed `$filter` against a [`Collection`]: properties exist, each operator is supported
//! on its property (by default or only in advanced queries), literals have the property's type.
//! The result is the same tree with Graph's spelling of every property, literals coerced to the
//! property's type (a quoted GUID becomes a GUID), and lambda predicates' paths made relative to
//! the element (`[]` is the element itself, `["skuId"]` one of its properties).

use super::collection::{Collection, Kind, Ops, Property, Support};
use super::filter::{CompareOp, Filter, Literal, Path, invalid};
use crate::{Error, Result};

/// Graph's limit on the operands of `or` (and values of `in`) in one expression.
pub const MAX_OR_CLAUSES: usize = 15;

/// A filter checked against its collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub filter: Filter,
    /// The first operator used that needs advanced query parameters, as Graph names it.
    pub advanced_operator: Option<&'static str>,
}

/// Checks `filter` against `collection`.
pub fn check_filter(collection: &Collection, filter: &Filter) -> Result<Checked> {
    let mut checker = Checker {
        collection,
        advanced_operator: None,
    };
    let filter = checker.check(filter, None, false)?;
    Ok(Checked {
        filter,
        advanced_operator: checker.advanced_operator,
    })
}

/// What a path inside a lambda refers to: the lambda's variable and its collection property.
#[derive(Clone, Copy)]
struct Scope<'a> {
    variable: &'a str,
    collection: &'static Property,
}

struct Checker<'c> {
    collection: &'c Collection,
    advanced_operator: Option<&'static str>,
}

impl Checker<'_> {
    fn check(&mut self, filter: &Filter, scope: Option<Scope>, negated: bool) -> Result<Filter> {
        Ok(match filter {
            Filter::And(operands) => Filter::And(
                operands
                    .iter()
                    .map(|f| self.check(f, scope, negated))
                    .collect::<Result<_>>()?,
            ),
            Filter::Or(operands) => {
                let clauses: usize = operands.iter().map(or_clauses).sum();
                if clauses > MAX_OR_CLAUSES {
                    return Err(too_many_clauses(clauses));
                }
                Filter::Or(
                    operands
                        .iter()
                        .map(|f| self.check(f, scope, negated))
                        .collect::<Result<_>>()?,
                )
            }
            Filter::Not(inner) => {
                self.need_advanced("not");
                Filter::Not(Box::new(self.check(inner, scope, true)?))
            }
            Filter::Compare { path, op, value } => {
                let (path, property, kind) = self.resolve(path, scope)?;
                let (ops, name) = match (op, value) {
                    (CompareOp::Eq, Literal::Null) => (Ops::NULL, "eq"),
                    (CompareOp::Ne, Literal::Null) => (Ops::NULL.with(Ops::NE), "ne"),
                    (CompareOp::Eq, _) => (Ops::EQ, "eq"),
                    (CompareOp::Ne, _) => (Ops::NE, "ne"),
                    (op, _) => (Ops::RANGE, op.as_str()),
                };
                self.allow(property, ops, name, negated)?;
                let value = match value {
                    Literal::Null if matches!(op, CompareOp::Eq | CompareOp::Ne) => Literal::Null,
                    other => coerce(kind, other).ok_or_else(|| incompatible(kind, other, *op))?,
                };
                Filter::Compare {
                    path,
                    op: *op,
                    value,
                }
            }
            Filter::In { path, values } => {
                if values.len() > MAX_OR_CLAUSES {
                    return Err(too_many_clauses(values.len()));
                }
                let (path, property, kind) = self.resolve(path, scope)?;
                self.allow(property, Ops::IN, "in", negated)?;
                let values = values
                    .iter()
                    .map(|v| coerce(kind, v).ok_or_else(|| incompatible(kind, v, CompareOp::Eq)))
                    .collect::<Result<_>>()?;
                Filter::In { path, values }
            }
            Filter::StartsWith { path, prefix } => {
                let (path, property, kind) = self.resolve(path, scope)?;
                self.allow(property, Ops::STARTS_WITH, "startsWith", negated)?;
                text_function(kind, "startswith")?;
                Filter::StartsWith {
                    path,
                    prefix: prefix.clone(),
                }
            }
            Filter::EndsWith { path, suffix } => {
                let (path, property, kind) = self.resolve(path, scope)?;
                self.allow(property, Ops::ENDS_WITH, "endsWith", negated)?;
                text_function(kind, "endswith")?;
                Filter::EndsWith {
                    path,
                    suffix: suffix.clone(),
                }
            }
            Filter::Any {
                path,
                variable,
                predicate,
            } => {
                let property = self.lambda_collection(path, scope, negated, "any")?;
                let inner = Scope {
                    variable,
                    collection: property,
                };
                Filter::Any {
                    path: Path(vec![property.name.to_owned()]),
                    variable: variable.clone(),
                    predicate: predicate
                        .as_ref()
                        .map(|p| self.check(p, Some(inner), negated).map(Box::new))
                        .transpose()?,
                }
            }
            Filter::All {
                path,
                variable,
                predicate,
            } => {
                let property = self.lambda_collection(path, scope, negated, "all")?;
                let inner = Scope {
                    variable,
                    collection: property,
                };
                Filter::All {
                    path: Path(vec![property.name.to_owned()]),
                    variable: variable.clone(),
                    predicate: Box::new(self.check(predicate, Some(inner), negated)?),
                }
            }
        })
    }

    /// The collection property a lambda ranges over; lambdas do not nest.
    fn lambda_collection(
        &mut self,
        path: &Path,
        scope: Option<Scope>,
        negated: bool,
        name: &'static str,
    ) -> Result<&'static Property> {
        let property = match path.0.as_slice() {
            [single] => self
                .collection
                .property(single)
                .ok_or_else(|| unknown_property(single))?,
            _ => return Err(unknown_property(&path.to_string())),
        };
        if scope.is_some()
            || !matches!(
                property.kind,
                Kind::StringCollection | Kind::ComplexCollection(_)
            )
        {
            return Err(self.unsupported(property));
        }
        self.allow(property, Ops::LAMBDA, name, negated)?;
        Ok(property)
    }

    /// Resolves a path to (Graph-spelled path, the property whose operators apply, value kind).
    fn resolve(
        &self,
        path: &Path,
        scope: Option<Scope>,
    ) -> Result<(Path, &'static Property, Kind)> {
        let segments = path.0.as_slice();
        if let Some(scope) = scope {
            return match (segments, scope.collection.kind) {
                ([v], Kind::StringCollection) if v == scope.variable => {
                    Ok((Path(Vec::new()), scope.collection, Kind::String))
                }
                ([v, sub], Kind::ComplexCollection(subs)) if v == scope.variable => {
                    let p = subs
                        .iter()
                        .find(|p| p.name.eq_ignore_ascii_case(sub))
                        .ok_or_else(|| unknown_property(sub))?;
                    Ok((Path(vec![p.name.to_owned()]), p, p.kind))
                }
                _ => Err(unknown_property(&path.to_string())),
            };
        }
        match segments {
            [name] => {
                let p = self
                    .collection
                    .property(name)
                    .ok_or_else(|| unknown_property(name))?;
                match p.kind {
                    Kind::StringCollection | Kind::ComplexCollection(_) | Kind::Complex(_) => {
                        Err(self.unsupported(p))
                    }
                    kind => Ok((Path(vec![p.name.to_owned()]), p, kind)),
                }
            }
            [name, sub] => {
                let p = self
                    .collection
                    .property(name)
                    .ok_or_else(|| unknown_property(name))?;
                let Kind::Complex(subs) = p.kind else {
                    return Err(self.unsupported(p));
                };
                let s = subs
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(sub))
                    .ok_or_else(|| unknown_property(sub))?;
                Ok((Path(vec![p.name.to_owned(), s.name.to_owned()]), s, s.kind))
            }
            _ => Err(unknown_property(&path.to_string())),
        }
    }

    /// Checks that `property` supports `ops` (and `not` when negated), noting advanced ones.
    fn allow(
        &mut self,
        property: &Property,
        ops: Ops,
        name: &'static str,
        negated: bool,
    ) -> Result<()> {
        let ops = if negated { ops.with(Ops::NOT) } else { ops };
        match property.supports(ops) {
            Support::Default => Ok(()),
            Support::Advanced if self.collection.directory => {
                self.need_advanced(name);
                Ok(())
            }
            _ => Err(self.unsupported(property)),
        }
    }

    fn need_advanced(&mut self, name: &'static str) {
        self.advanced_operator.get_or_insert(name);
    }

    fn unsupported(&self, property: &Property) -> Error {
        Error::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{}' of resource '{}'.",
            property.name, self.collection.entity
        ))
    }
}

/// How many `or` clauses an operand counts for (an `in` counts its values).
fn or_clauses(filter: &Filter) -> usize {
    match filter {
        Filter::Or(operands) => operands.iter().map(or_clauses).sum(),
        Filter::In { values, .. } => values.len(),
        _ => 1,
    }
}

fn too_many_clauses(n: usize) -> Error {
    Error::unsupported_query(format!(
        "Too many child clauses specified in search filter expression containing 'OR' operators: {n}. Max allowed: {MAX_OR_CLAUSES}."
    ))
}

pub(crate) fn unknown_property(name: &str) -> Error {
    Error::invalid(format!(
        "Property '{name}' does not exist as a declared property or extension property."
    ))
}

/// The literal as a value of `kind`, or `None` when the types are incompatible.
fn coerce(kind: Kind, literal: &Literal) -> Option<Literal> {
    match (kind, literal) {
        (Kind::String, Literal::String(_))
        | (Kind::Bool, Literal::Bool(_))
        | (Kind::Int, Literal::Int(_))
        | (Kind::DateTime, Literal::DateTime(_))
        | (Kind::Guid, Literal::Guid(_)) => Some(literal.clone()),
        (Kind::Guid, Literal::String(s)) => uuid::Uuid::try_parse(s).ok().map(Literal::Guid),
        _ => None,
    }
}

fn incompatible(kind: Kind, literal: &Literal, op: CompareOp) -> Error {
    invalid(format!(
        "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for operator kind '{}'.",
        kind.edm_type(),
        literal.edm_type(),
        op.kind_name()
    ))
}

fn text_function(kind: Kind, function: &str) -> Result<()> {
    if kind == Kind::String {
        Ok(())
    } else {
        Err(invalid(format!(
            "No function signature for the function with name '{function}' matches the specified arguments. \
             The function signatures considered are: {function}(Edm.String Nullable=true, Edm.String Nullable=true)."
        )))
    }
}
