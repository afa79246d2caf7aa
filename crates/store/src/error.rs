//! Database errors normalised into domain errors by kind.

use gatehouse_domain::Error;
use sqlx::error::ErrorKind;

/// Maps a database error: uniqueness becomes Conflict, a missing reference Invalid, an unreachable
/// or overloaded database Unavailable; everything else is Internal (logged, never shown).
pub(crate) fn db(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(d) => match d.kind() {
            ErrorKind::UniqueViolation => Error::conflict(
                "Another object with the same value for a unique property already exists.",
            ),
            ErrorKind::ForeignKeyViolation => Error::invalid("A referenced object does not exist."),
            _ if is_unavailable_code(d.code().as_deref()) => {
                Error::unavailable(d.message().to_owned())
            }
            _ => Error::internal(format!("database: {e}")),
        },
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => Error::unavailable(e.to_string()),
        sqlx::Error::RowNotFound => Error::not_found(""),
        _ => Error::internal(format!("database: {e}")),
    }
}

/// PostgreSQL "connection exception", "insufficient resources", "operator intervention" and
/// "cannot connect now" classes; SQLite BUSY/LOCKED.
fn is_unavailable_code(code: Option<&str>) -> bool {
    match code {
        Some(c) => {
            c.starts_with("08")
                || c.starts_with("53")
                || c.starts_with("57")
                || c == "5"
                || c == "6"
        }
        None => false,
    }
}
