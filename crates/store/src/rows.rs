//! Portable column encodings shared by both engines.

use gatehouse_domain::{Error, Result};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// Instants are stored as microseconds since the Unix epoch, UTC.
pub(crate) fn ts(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

pub(crate) fn from_ts(micros: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|e| Error::internal(format!("stored instant out of range: {e}")))
}

pub(crate) fn get_ts(row: &AnyRow, col: &str) -> Result<OffsetDateTime> {
    from_ts(get::<i64>(row, col)?)
}

pub(crate) fn get_opt_ts(row: &AnyRow, col: &str) -> Result<Option<OffsetDateTime>> {
    get::<Option<i64>>(row, col)?.map(from_ts).transpose()
}

/// Booleans are BOOLEAN on PostgreSQL and INTEGER 0/1 on SQLite.
pub(crate) fn get_flag(row: &AnyRow, col: &str) -> Result<bool> {
    match row.try_get::<bool, _>(col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(get::<i64>(row, col)? != 0),
    }
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(col)
        .map_err(|e| Error::internal(format!("column {col}: {e}")))
}

/// Parses a stored value with the domain's own parser; a failure means corrupt data.
pub(crate) fn parse<T>(row: &AnyRow, col: &str, f: impl FnOnce(&str) -> Result<T>) -> Result<T> {
    let s: String = get(row, col)?;
    f(&s).map_err(|e| Error::internal(format!("stored {col} is invalid: {e}")))
}
