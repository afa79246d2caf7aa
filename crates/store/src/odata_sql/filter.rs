//! The SQL text of a checked `$filter`, a `$search` and a keyset condition, with bound parameters.

use gatehouse_domain::odata::{CompareOp, Filter, Literal, Search};
use gatehouse_domain::{Error, Result};
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use super::{Column, ColumnKind, Schema, SortKey, Statement, Storage};
use crate::rows::ts;

/// A bound parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SqlValue {
    Text(String),
    Int(i64),
    Bool(bool),
}

impl SqlValue {
    pub(crate) fn bind<'q>(
        &'q self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            SqlValue::Text(s) => query.bind(s.as_str()),
            SqlValue::Int(i) => query.bind(*i),
            SqlValue::Bool(b) => query.bind(*b),
        }
    }
}

/// Characters after which a word starts, for `$search`'s tokenised prefix match.
const WORD_SEPARATORS: &[&str] = &[" ", "-", ".", "@", "\\_"];

/// A statement under construction: `$1` is the tenant, then the scope's parameters, then ours.
pub(super) struct Sql<'s> {
    schema: &'s Schema,
    text: String,
    params: Vec<SqlValue>,
    lambdas: usize,
}

/// What the element of a lambda is: its `directory_values` alias.
#[derive(Clone, Copy)]
struct Element<'a> {
    alias: &'a str,
}

impl<'s> Sql<'s> {
    pub(super) fn new(schema: &'s Schema, scope_params: Vec<SqlValue>) -> Self {
        Self {
            schema,
            text: String::new(),
            params: scope_params,
            lambdas: 0,
        }
    }

    /// A property the collection declares but this table cannot filter on (yet).
    fn unsupported(&self, property: &str) -> Error {
        Error::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{property}' of resource '{}'.",
            self.schema.entity
        ))
    }

    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    pub(super) fn finish(self) -> Statement {
        Statement {
            sql: self.text,
            params: self.params,
        }
    }

    /// Binds `value` and returns its placeholder.
    fn param(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        format!("${}", self.params.len() + 1)
    }

    pub(super) fn filter(&mut self, filter: &Filter) -> Result<()> {
        self.node(filter, None)
    }

    fn node(&mut self, filter: &Filter, element: Option<Element>) -> Result<()> {
        match filter {
            Filter::And(operands) | Filter::Or(operands) => {
                let joiner = if matches!(filter, Filter::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, f) in operands.iter().enumerate() {
                    if i > 0 {
                        self.push(joiner);
                    }
                    self.node(f, element)?;
                }
                self.push(")");
            }
            Filter::Not(inner) => {
                self.push("NOT (");
                self.node(inner, element)?;
                self.push(")");
            }
            Filter::Compare { path, op, value } => {
                let target = self.target(&path.0, element)?;
                self.compare(&target, *op, value)?;
            }
            Filter::In { path, values } => {
                let target = self.target(&path.0, element)?;
                let placeholders: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let v = target.value(v)?;
                        Ok(self.param(v))
                    })
                    .collect::<Result<_>>()?;
                self.guarded(
                    &target,
                    &format!("{} IN ({})", target.expr, placeholders.join(", ")),
                );
            }
            Filter::StartsWith { path, prefix } => {
                let target = self.target(&path.0, element)?;
                let p = self.param(SqlValue::Text(format!(
                    "{}%",
                    like_escape(&prefix.to_lowercase())
                )));
                self.guarded(&target, &format!("{} LIKE {p} ESCAPE '\\'", target.expr));
            }
            Filter::EndsWith { path, suffix } => {
                let target = self.target(&path.0, element)?;
                let p = self.param(SqlValue::Text(format!(
                    "%{}",
                    like_escape(&suffix.to_lowercase())
                )));
                self.guarded(&target, &format!("{} LIKE {p} ESCAPE '\\'", target.expr));
            }
            Filter::Any {
                path, predicate, ..
            } => self.lambda(&path.0[0], predicate.as_deref(), false)?,
            Filter::All {
                path, predicate, ..
            } => self.lambda(&path.0[0], Some(predicate), true)?,
        }
        Ok(())
    }

    /// `EXISTS` over the collection's values (`NOT EXISTS ... NOT` for `all`).
    fn lambda(&mut self, collection: &str, predicate: Option<&Filter>, all: bool) -> Result<()> {
        // A complex collection is stored per filterable sub-property: the predicate names one.
        let mut referenced = Vec::new();
        if let Some(p) = predicate {
            element_paths(p, &mut referenced);
        }
        let key = match referenced.as_slice() {
            [] | [None] => self
                .schema
                .columns
                .iter()
                .find(|c| {
                    c.property == collection
                        || c.property
                            .strip_prefix(collection)
                            .is_some_and(|r| r.starts_with('/'))
                })
                .map(|c| c.property),
            [Some(sub)] => self
                .schema
                .column(&format!("{collection}/{sub}"))
                .map(|c| c.property),
            _ => None,
        };
        let Some(Column {
            storage: Storage::Values { property },
            ..
        }) = key.and_then(|k| self.schema.column(k))
        else {
            return Err(self.unsupported(collection));
        };
        let alias = format!("dv{}", self.lambdas);
        self.lambdas += 1;
        let table = self.schema.table;
        let id = self.schema.id;
        self.push(&format!(
            "{}EXISTS (SELECT 1 FROM directory_values {alias} WHERE {alias}.tenant_id = {table}.tenant_id \
             AND {alias}.object_id = {table}.{id} AND {alias}.property = '{property}'",
            if all { "NOT " } else { "" }
        ));
        if let Some(p) = predicate {
            self.push(if all { " AND NOT (" } else { " AND (" });
            self.node(p, Some(Element { alias: &alias }))?;
            self.push(")");
        }
        self.push(")");
        Ok(())
    }

    /// The SQL a property path compares through.
    fn target(&self, path: &[String], element: Option<Element>) -> Result<Target> {
        if let Some(e) = element {
            return Ok(Target {
                expr: format!("{}.value_key", e.alias),
                kind: ColumnKind::Text,
                nullable: false,
                column: format!("{}.value_key", e.alias),
            });
        }
        let name = path.join("/");
        match self.schema.column(&name).map(|c| c.storage) {
            Some(Storage::Column {
                sql,
                kind,
                nullable,
                key,
            }) => {
                let table = self.schema.table;
                let expr = match (kind, key) {
                    (ColumnKind::Text, Some(key)) => format!("{table}.{key}"),
                    (ColumnKind::Text, None) => format!("lower({table}.{sql})"),
                    _ => format!("{table}.{sql}"),
                };
                Ok(Target {
                    expr,
                    kind,
                    nullable,
                    column: format!("{table}.{sql}"),
                })
            }
            _ => Err(self.unsupported(&name)),
        }
    }

    fn compare(&mut self, target: &Target, op: CompareOp, value: &Literal) -> Result<()> {
        if *value == Literal::Null {
            let column = target.null_check_column();
            self.push(&format!(
                "{column} IS {}NULL",
                if op == CompareOp::Eq { "" } else { "NOT " }
            ));
            return Ok(());
        }
        let v = target.value(value)?;
        let p = self.param(v);
        let (negate, sql_op) = match op {
            CompareOp::Eq => (false, "="),
            // `ne` is the negation of `eq`: it includes objects without a value.
            CompareOp::Ne => (true, "="),
            CompareOp::Gt => (false, ">"),
            CompareOp::Ge => (false, ">="),
            CompareOp::Lt => (false, "<"),
            CompareOp::Le => (false, "<="),
        };
        if negate {
            self.push("NOT ");
        }
        self.guarded(target, &format!("{} {sql_op} {p}", target.expr));
        Ok(())
    }

    /// `condition`, false (never unknown) when a nullable column is NULL, so `not` is two-valued.
    fn guarded(&mut self, target: &Target, condition: &str) {
        if target.nullable {
            self.push(&format!(
                "({} IS NOT NULL AND {condition})",
                target.null_check_column()
            ));
        } else {
            self.push(&format!("({condition})"));
        }
    }

    pub(super) fn search(&mut self, search: &Search) -> Result<()> {
        match search {
            Search::And(parts) | Search::Or(parts) => {
                let joiner = if matches!(search, Search::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, s) in parts.iter().enumerate() {
                    if i > 0 {
                        self.push(joiner);
                    }
                    self.search(s)?;
                }
                self.push(")");
            }
            Search::Term { property, words } => {
                let target = self.target(&[(*property).to_owned()], None)?;
                if target.kind != ColumnKind::Text {
                    return Err(self.unsupported(property));
                }
                self.push("(");
                for (i, word) in words.iter().enumerate() {
                    if i > 0 {
                        self.push(" AND ");
                    }
                    // A word of the value starts with the term: at the start, or after a separator.
                    let p = self.param(SqlValue::Text(like_escape(word)));
                    let mut alternatives =
                        vec![format!("{} LIKE {p} || '%' ESCAPE '\\'", target.expr)];
                    for sep in WORD_SEPARATORS {
                        alternatives.push(format!(
                            "{} LIKE '%{sep}' || {p} || '%' ESCAPE '\\'",
                            target.expr
                        ));
                    }
                    self.guarded(&target, &alternatives.join(" OR "));
                }
                self.push(")");
            }
        }
        Ok(())
    }

    /// The rows after the skiptoken's position in the order of `keys`.
    pub(super) fn keyset(&mut self, keys: &[SortKey], values: Vec<SqlValue>) {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.param(v)).collect();
        let same_direction = keys.iter().all(|k| k.descending == keys[0].descending);
        if same_direction {
            // A row value comparison, which both engines can answer from an index.
            let exprs: Vec<&str> = keys.iter().map(|k| k.expr.as_str()).collect();
            self.push(&format!(
                "({}) {} ({})",
                exprs.join(", "),
                if keys[0].descending { "<" } else { ">" },
                placeholders.join(", ")
            ));
            return;
        }
        let mut alternatives = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let mut terms: Vec<String> = keys[..i]
                .iter()
                .zip(&placeholders)
                .map(|(k, p)| format!("{} = {p}", k.expr))
                .collect();
            terms.push(format!(
                "{} {} {}",
                key.expr,
                if key.descending { "<" } else { ">" },
                placeholders[i]
            ));
            alternatives.push(format!("({})", terms.join(" AND ")));
        }
        self.push(&format!("({})", alternatives.join(" OR ")));
    }
}

/// A compared expression: `expr` is what values compare with (lower-cased for text), `column` the
/// stored column (for NULL checks).
struct Target {
    expr: String,
    kind: ColumnKind,
    nullable: bool,
    column: String,
}

impl Target {
    fn null_check_column(&self) -> &str {
        &self.column
    }

    /// A literal as this target's parameter (strings lower-cased, instants as microseconds).
    fn value(&self, literal: &Literal) -> Result<SqlValue> {
        Ok(match (self.kind, literal) {
            (ColumnKind::Text, Literal::String(s)) => SqlValue::Text(s.to_lowercase()),
            (ColumnKind::ExactText, Literal::String(s)) => SqlValue::Text(s.clone()),
            (ColumnKind::Text | ColumnKind::Guid | ColumnKind::ExactText, Literal::Guid(g)) => {
                SqlValue::Text(g.hyphenated().to_string())
            }
            (ColumnKind::Bool, Literal::Bool(b)) => SqlValue::Bool(*b),
            (ColumnKind::Int, Literal::Int(i)) => SqlValue::Int(*i),
            (ColumnKind::Instant, Literal::DateTime(t)) => SqlValue::Int(ts(*t)),
            (kind, literal) => {
                return Err(Error::internal(format!(
                    "a checked filter compares a {kind:?} column with {literal:?}"
                )));
            }
        })
    }
}

/// The element paths a lambda predicate uses: `None` for the element, `Some(sub)` for a property.
fn element_paths(filter: &Filter, out: &mut Vec<Option<String>>) {
    let mut note = |path: &[String]| {
        let p = path.first().cloned();
        if !out.contains(&p) {
            out.push(p);
        }
    };
    match filter {
        Filter::And(fs) | Filter::Or(fs) => fs.iter().for_each(|f| element_paths(f, out)),
        Filter::Not(f) => element_paths(f, out),
        Filter::Compare { path, .. }
        | Filter::In { path, .. }
        | Filter::StartsWith { path, .. }
        | Filter::EndsWith { path, .. } => note(&path.0),
        Filter::Any { .. } | Filter::All { .. } => {}
    }
}

/// Escapes `%`, `_` and `\` for `LIKE ... ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
