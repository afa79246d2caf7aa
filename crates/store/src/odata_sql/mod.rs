//! OData list queries as SQL: a checked [`QueryOptions`] (filter, search, order, page size,
//! skiptoken) becomes one `SELECT` with bound parameters over a resource's table, with keyset
//! paging (never OFFSET), and `$count` becomes `SELECT COUNT(*)` with the same `WHERE`.
//!
//! A resource describes its table with a [`Schema`]: for each Graph property, the SQL column and
//! its type, or the `directory_values` side table for string collections. Strings compare
//! case-insensitively (a lower-cased key column or `lower()`); `startsWith`/`endsWith` are `LIKE`
//! with an escaped pattern; lambdas are `EXISTS` subqueries on `directory_values`. Values from the
//! request are always bound, never written into the SQL text.

mod filter;
#[cfg(all(test, feature = "testing"))]
mod tests;
mod token;

use gatehouse_domain::odata::QueryOptions;
use gatehouse_domain::{Error, Result};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

use crate::error::db;
use crate::rows::get_flag;
use crate::tx::TenantTx;

pub(crate) use filter::SqlValue;

/// How one Graph property is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A column (or SQL expression over the table's columns).
    Column {
        sql: &'static str,
        kind: ColumnKind,
        nullable: bool,
        /// A column holding the value lower-cased, compared and sorted instead of `lower(sql)`.
        key: Option<&'static str>,
    },
    /// One row per value in `directory_values` under this property name.
    Values { property: &'static str },
}

/// The SQL representation of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// TEXT compared case-insensitively.
    Text,
    /// A GUID as lower-case hyphenated TEXT.
    Guid,
    /// TEXT compared exactly (case-sensitive identifiers such as grant ids).
    ExactText,
    /// BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite.
    Bool,
    /// An integer.
    Int,
    /// An instant as BIGINT microseconds since the Unix epoch.
    Instant,
}

/// A Graph property path (`displayName`, `onPremisesExtensionAttributes/extensionAttribute1`,
/// `proxyAddresses`, `assignedLicenses/skuId`) and its storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub property: &'static str,
    pub storage: Storage,
}

impl Column {
    pub const fn text(property: &'static str, sql: &'static str, nullable: bool) -> Self {
        Self::typed(property, sql, ColumnKind::Text, nullable)
    }

    pub const fn typed(
        property: &'static str,
        sql: &'static str,
        kind: ColumnKind,
        nullable: bool,
    ) -> Self {
        Self {
            property,
            storage: Storage::Column {
                sql,
                kind,
                nullable,
                key: None,
            },
        }
    }

    /// A text column compared and sorted through its lower-cased `key` column.
    pub const fn keyed(property: &'static str, sql: &'static str, key: &'static str) -> Self {
        Self {
            property,
            storage: Storage::Column {
                sql,
                kind: ColumnKind::Text,
                nullable: false,
                key: Some(key),
            },
        }
    }

    /// Values of a collection in `directory_values` under `property`.
    pub const fn values(property: &'static str) -> Self {
        Self {
            property,
            storage: Storage::Values { property },
        }
    }
}

/// A resource table as the query layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The table, also used to qualify columns in subqueries.
    pub table: &'static str,
    /// The resource name Graph's query errors use (`User`).
    pub entity: &'static str,
    /// The object id column (TEXT, unique within the tenant); the last sort key.
    pub id: &'static str,
    pub columns: &'static [Column],
}

impl Schema {
    pub(crate) fn column(&self, property: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.property == property)
    }
}

/// A list query over `schema` for `options`, within the transaction's tenant (`$1`) and an
/// optional extra condition (`scope`) whose parameters are `$2`, `$3`, ...
#[derive(Debug)]
pub(crate) struct ListQuery<'a> {
    pub schema: &'a Schema,
    pub options: &'a QueryOptions,
    /// An extra SQL condition, e.g. `client_id = $2`, or empty.
    pub scope: &'a str,
    pub scope_params: Vec<SqlValue>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The `$skiptoken` of the next page, when there is one.
    pub next: Option<String>,
    /// `@odata.count` when requested.
    pub count: Option<u64>,
}

impl<T> Page<T> {
    /// Maps the items, keeping the paging information.
    pub fn try_map<U>(self, f: impl FnMut(T) -> Result<U>) -> Result<Page<U>> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_>>()?,
            next: self.next,
            count: self.count,
        })
    }
}

/// A statement and its parameters, `$1` being the tenant.
#[derive(Debug)]
struct Statement {
    sql: String,
    params: Vec<SqlValue>,
}

impl Statement {
    fn bind<'q>(&'q self, tenant: &'q str) -> Query<'q, Any, AnyArguments<'q>> {
        let mut query = sqlx::query(&self.sql).bind(tenant);
        for p in &self.params {
            query = p.bind(query);
        }
        query
    }
}

/// The `$orderby` keys with their SQL sort expressions, then the id.
struct SortKey {
    expr: String,
    kind: ColumnKind,
    descending: bool,
}

impl ListQuery<'_> {
    fn sort_keys(&self) -> Result<Vec<SortKey>> {
        let mut keys = Vec::new();
        for o in &self.options.order_by {
            let Some(Column {
                storage:
                    Storage::Column {
                        sql,
                        kind,
                        nullable,
                        key,
                    },
                ..
            }) = self.schema.column(o.property)
            else {
                return Err(Error::unsupported_query(
                    "Sorting not supported for current query.",
                ));
            };
            let table = self.schema.table;
            let (expr, kind) = match (kind, key) {
                (ColumnKind::Text, Some(key)) => (format!("{table}.{key}"), ColumnKind::Text),
                (ColumnKind::Text, None) => (format!("lower({table}.{sql})"), ColumnKind::Text),
                (ColumnKind::Guid | ColumnKind::ExactText, _) => {
                    (format!("{table}.{sql}"), ColumnKind::Text)
                }
                (ColumnKind::Int | ColumnKind::Instant, _) => (format!("{table}.{sql}"), *kind),
                (ColumnKind::Bool, _) => {
                    return Err(Error::unsupported_query(
                        "Sorting not supported for current query.",
                    ));
                }
            };
            let expr = match (nullable, kind) {
                (false, _) => expr,
                (true, ColumnKind::Text) => format!("COALESCE({expr}, '')"),
                // (i64::MIN itself would be a numeric literal on PostgreSQL.)
                (true, _) => format!("COALESCE({expr}, {})", i64::MIN + 1),
            };
            keys.push(SortKey {
                expr,
                kind,
                descending: o.descending,
            });
        }
        let descending = keys.first().is_some_and(|k| k.descending);
        keys.push(SortKey {
            expr: format!("{}.{}", self.schema.table, self.schema.id),
            kind: ColumnKind::Text,
            descending,
        });
        Ok(keys)
    }

    /// The WHERE clause shared by the page and the count (without the keyset condition).
    fn conditions(&self, sql: &mut filter::Sql) -> Result<()> {
        sql.push(&format!("{}.tenant_id = $1", self.schema.table));
        if !self.scope.is_empty() {
            sql.push(&format!(" AND ({})", self.scope));
        }
        if let Some(f) = &self.options.filter {
            sql.push(" AND (");
            sql.filter(f)?;
            sql.push(")");
        }
        if let Some(s) = &self.options.search {
            sql.push(" AND (");
            sql.search(s)?;
            sql.push(")");
        }
        Ok(())
    }

    fn count_statement(&self) -> Result<Statement> {
        let mut sql = filter::Sql::new(self.schema, self.scope_params.clone());
        sql.push(&format!(
            "SELECT COUNT(*) FROM {} WHERE ",
            self.schema.table
        ));
        self.conditions(&mut sql)?;
        Ok(sql.finish())
    }

    fn page_statement(&self, columns: &str, keys: &[SortKey]) -> Result<Statement> {
        let mut sql = filter::Sql::new(self.schema, self.scope_params.clone());
        let key_columns: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{} AS odata_k{i}", k.expr))
            .collect();
        sql.push(&format!(
            "SELECT {columns}, {} FROM {} WHERE ",
            key_columns.join(", "),
            self.schema.table
        ));
        self.conditions(&mut sql)?;
        if let Some(text) = &self.options.skip_token {
            let values = token::decode(text, &self.signature(), keys)?;
            sql.push(" AND ");
            sql.keyset(keys, values);
        }
        let order: Vec<String> = keys
            .iter()
            .map(|k| format!("{}{}", k.expr, if k.descending { " DESC" } else { "" }))
            .collect();
        sql.push(&format!(
            " ORDER BY {} LIMIT {}",
            order.join(", "),
            u64::from(self.options.top) + 1
        ));
        Ok(sql.finish())
    }

    /// What a skiptoken is bound to: the ordering it continues.
    fn signature(&self) -> String {
        let keys: Vec<String> = self
            .options
            .order_by
            .iter()
            .map(|o| format!("{}{}", o.property, if o.descending { "-" } else { "+" }))
            .collect();
        format!("{}:{}", self.schema.table, keys.join(","))
    }
}

impl<M> TenantTx<M> {
    /// One page of `query`, selecting `columns` (qualified with the table name when ambiguous),
    /// with the next page's skiptoken and, when requested, the count.
    pub(crate) async fn list_page(
        &mut self,
        query: &ListQuery<'_>,
        columns: &str,
    ) -> Result<Page<AnyRow>> {
        let keys = query.sort_keys()?;
        let statement = query.page_statement(columns, &keys)?;
        let mut rows = statement
            .bind(&self.tenant)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let top = query.options.top as usize;
        let next = if rows.len() > top {
            rows.truncate(top);
            let last = rows.last().expect("a full page");
            let values = keys
                .iter()
                .enumerate()
                .map(|(i, k)| key_value(last, i, k.kind))
                .collect::<Result<Vec<_>>>()?;
            Some(token::encode(&query.signature(), &values))
        } else {
            None
        };
        // Graph returns `@odata.count` on the first page only.
        let count = if query.options.count && query.options.skip_token.is_none() {
            Some(self.list_count(query).await?)
        } else {
            None
        };
        Ok(Page {
            items: rows,
            next,
            count,
        })
    }

    /// The number of objects `query` matches on all pages (`$count`, `/$count`).
    pub(crate) async fn list_count(&mut self, query: &ListQuery<'_>) -> Result<u64> {
        let statement = query.count_statement()?;
        let row = statement
            .bind(&self.tenant)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
        let n: i64 = row
            .try_get(0)
            .map_err(|e| Error::internal(format!("count: {e}")))?;
        Ok(n.max(0) as u64)
    }
}

/// The sort key `i` of a row, as the skiptoken carries it.
fn key_value(row: &AnyRow, i: usize, kind: ColumnKind) -> Result<SqlValue> {
    let name = format!("odata_k{i}");
    let read = |e: sqlx::Error| Error::internal(format!("sort key {name}: {e}"));
    Ok(match kind {
        ColumnKind::Text | ColumnKind::Guid | ColumnKind::ExactText => {
            SqlValue::Text(row.try_get(name.as_str()).map_err(read)?)
        }
        ColumnKind::Int | ColumnKind::Instant => {
            SqlValue::Int(row.try_get(name.as_str()).map_err(read)?)
        }
        ColumnKind::Bool => SqlValue::Bool(get_flag(row, &name)?),
    })
}
