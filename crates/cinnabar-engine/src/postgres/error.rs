//! Mapping `postgres` errors to Cinnabar's: the kind from the SQLSTATE, the constraint or
//! column the server named, whether the connection is now unusable, and a message that
//! leaves out DETAIL where it would echo row data.

use std::fmt::Write as _;

use cinnabar_core::{Error, ErrorKind};

use super::bind::BindError;

/// The message of a postgres error, with DETAIL/HINT where they carry no row data.
pub(super) fn describe(e: &postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            let text = inner.to_string();
            if !s.contains(&text) {
                let _ = write!(s, ": {text}");
            }
            src = inner.source();
        }
        return s;
    };
    let code = db.code().code();
    let mut s = db.message().to_owned();
    let mut place = Vec::new();
    if let Some(t) = db.table() {
        place.push(match db.schema() {
            Some(sc) => format!("table {sc}.{t}"),
            None => format!("table {t}"),
        });
    }
    if let Some(c) = db.column() {
        place.push(format!("column {c}"));
    }
    if !place.is_empty() {
        let _ = write!(s, " ({})", place.join(", "));
    }
    // Data exceptions and integrity violations echo row values in DETAIL: leave it out.
    if !code.starts_with("22") && !code.starts_with("23") {
        if let Some(d) = db.detail() {
            let _ = write!(s, "; detail: {d}");
        }
    }
    if let Some(h) = db.hint() {
        let _ = write!(s, "; hint: {h}");
    }
    if code == "42P18" {
        s.push_str("; add an explicit cast to the parameter, e.g. $1::bigint or $1::text");
    }
    // A named statement missing, or another client's, on this server session: what a
    // transaction-pooling proxy does to the statement cache.
    if code == "26000" || code == "42P05" {
        s.push_str(
            "; if this connection goes through PgBouncer (or another proxy) in transaction \
             pooling mode, add pgbouncer=transaction to the database URL",
        );
    }
    s
}

/// Maps a postgres error; the second value says whether the connection is now unusable.
pub(super) fn map_error(e: postgres::Error, sql: Option<&str>) -> (Error, bool) {
    if let Some(bind) = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<BindError>()) {
        let err = Error::conversion(bind.0.clone());
        return (with_sql(err, sql), false);
    }
    let Some(db) = e.as_db_error() else {
        let err = Error::new(
            ErrorKind::Connection,
            format!("PostgreSQL connection failed: {}", describe(&e)),
        )
        .with_source(e);
        return (with_sql(err, sql), true);
    };
    let code = db.code().code().to_owned();
    let (kind, broken) = match code.as_str() {
        "23505" | "23P01" => (ErrorKind::UniqueViolation, false),
        "23503" | "23001" => (ErrorKind::ForeignKeyViolation, false),
        "23502" => (ErrorKind::NotNullViolation, false),
        "23514" => (ErrorKind::CheckViolation, false),
        "40P01" => (ErrorKind::Deadlock, false),
        "40001" => (ErrorKind::SerializationFailure, false),
        "55P03" => (ErrorKind::Busy, false),
        // insufficient_privilege: "permission denied for table t", "must be owner of table t".
        "42501" => (ErrorKind::PermissionDenied, false),
        // query_canceled: the statement_timeout the driver sets for a statement timeout.
        "57014" => (ErrorKind::Timeout, false),
        "57P01" | "57P02" | "57P03" => (ErrorKind::Connection, true),
        c if c.starts_with("08") => (ErrorKind::Connection, true),
        _ => (ErrorKind::Database, false),
    };
    let constraint = match (db.constraint(), kind) {
        (Some(c), _) => Some(c.to_owned()),
        (None, ErrorKind::NotNullViolation) => match (db.table(), db.column()) {
            (Some(t), Some(c)) => Some(format!("{t}.{c}")),
            (None, Some(c)) => Some(c.to_owned()),
            _ => None,
        },
        _ => None,
    };
    let mut err = Error::new(kind, describe(&e)).with_code(code);
    if let Some(c) = constraint {
        err = err.with_constraint(c);
    }
    let fatal = broken || matches!(db.severity(), "FATAL" | "PANIC");
    (with_sql(err.with_source(e), sql), fatal)
}

pub(super) fn with_sql(err: Error, sql: Option<&str>) -> Error {
    match sql {
        Some(s) => err.with_sql(s),
        None => err,
    }
}
