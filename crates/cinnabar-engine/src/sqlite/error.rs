//! Mapping rusqlite errors to Cinnabar's: the kind from SQLite's extended result code, the
//! constraint its message names.

use cinnabar_core::{Error, ErrorKind};

pub(super) fn constraint_of(msg: &str) -> Option<String> {
    // "UNIQUE constraint failed: students.email" / "NOT NULL constraint failed: t.c"
    msg.split_once("constraint failed: ")
        .map(|(_, rest)| rest.trim().to_owned())
        .filter(|s| !s.is_empty())
}

pub(super) fn map_error(e: rusqlite::Error, sql: Option<&str>) -> Error {
    let err = match &e {
        rusqlite::Error::SqliteFailure(code, msg) => {
            let mut text = msg.clone().unwrap_or_else(|| code.to_string());
            if code.code == rusqlite::ErrorCode::NotADatabase {
                // Past the check at connect, this is a file whose key another connection
                // changed (rekey) or that was replaced underneath.
                text.push_str(
                    " (the file's key was changed by another connection, or the file was \
                     replaced: this connection is discarded; a new one needs the current key)",
                );
            }
            let kind = match code.extended_code {
                2067 | 1555 => ErrorKind::UniqueViolation,
                787 => ErrorKind::ForeignKeyViolation,
                1299 => ErrorKind::NotNullViolation,
                275 => ErrorKind::CheckViolation,
                _ => match code.code {
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                        ErrorKind::Busy
                    }
                    // Only the driver's statement timeout interrupts a connection.
                    rusqlite::ErrorCode::OperationInterrupted => ErrorKind::Timeout,
                    rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::NotADatabase => {
                        ErrorKind::Connection
                    }
                    // A write to a file opened read-only (`?mode=ro`, or not writable by
                    // this process), or a statement an authorizer refused.
                    rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::AuthorizationForStatementDenied => {
                        ErrorKind::PermissionDenied
                    }
                    _ => ErrorKind::Database,
                },
            };
            let mut err = Error::new(kind, text.clone()).with_code(code.extended_code.to_string());
            if let Some(c) = constraint_of(&text) {
                err = err.with_constraint(c);
            }
            err
        }
        rusqlite::Error::Utf8Error(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::ToSqlConversionFailure(..) => Error::conversion(e.to_string()),
        rusqlite::Error::NulError(_) => {
            Error::misuse(format!("SQL text contains a NUL character: {e}"))
        }
        _ => Error::new(ErrorKind::Database, e.to_string()),
    };
    let err = err.with_source(e);
    match sql {
        Some(s) => err.with_sql(s),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_are_extracted() {
        assert_eq!(
            constraint_of("UNIQUE constraint failed: students.email").as_deref(),
            Some("students.email")
        );
        assert_eq!(constraint_of("FOREIGN KEY constraint failed"), None);
    }
}
