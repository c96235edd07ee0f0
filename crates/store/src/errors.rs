//! The one place database errors become core error codes.

use lakecat_core::{Error, Reason};
use sea_orm::{DbErr, SqlErr};

/// Converts a database error: constraint violations become CONFLICT / NOT_FOUND, lost
/// connections UNAVAILABLE, everything else INTERNAL (logged by the API with a request id).
pub fn db_err(e: DbErr) -> Error {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            Error::conflict("a resource with these values already exists")
                .with_reason(Reason::AlreadyExists)
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => Error::conflict(
            "the change refers to a resource that does not exist or is still referenced",
        )
        .with_reason(Reason::ReferenceMissing),
        _ => match e {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => {
                Error::unavailable(format!("database unavailable: {e}"))
            }
            other => Error::internal(format!("database error: {other}")),
        },
    }
}

/// Like [`db_err`], with a clearer message and a specific reason for a unique violation.
pub fn db_err_unique(message: &str, reason: Reason) -> impl Fn(DbErr) -> Error + '_ {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::conflict(message).with_reason(reason),
        _ => db_err(e),
    }
}
