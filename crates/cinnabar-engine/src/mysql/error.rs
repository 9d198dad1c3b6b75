//! Mapping `mysql` errors to Cinnabar's: the kind from the server's error number, the
//! constraint or column its message names, and whether the connection is now unusable.

use ::mysql::MySqlError;
use cinnabar_core::{Error, ErrorKind};

/// The text between the first `open` and the next `close` after it.
pub(super) fn between<'m>(msg: &'m str, open: &str, close: char) -> Option<&'m str> {
    let start = msg.find(open)? + open.len();
    let len = msg[start..].find(close)?;
    Some(&msg[start..start + len]).filter(|s| !s.is_empty())
}

/// The constraint (or column) a MySQL error message names, by error code.
pub(super) fn constraint_of(code: u16, msg: &str) -> Option<String> {
    let name = match code {
        // "Duplicate entry 'x' for key 'name'" (MySQL 8: 'table.name'); the value may
        // contain anything, so read from the end.
        1062 | 1586 => msg
            .rsplit_once(" for key '")
            .map(|(_, k)| k.strip_suffix('\'').unwrap_or(k))
            .filter(|s| !s.is_empty()),
        // "... a foreign key constraint fails (`db`.`t`, CONSTRAINT `fk` FOREIGN KEY ...)"
        1451 | 1452 | 1216 | 1217 => between(msg, "CONSTRAINT `", '`'),
        // "Column 'c' cannot be null", "Field 'c' doesn't have a default value",
        // "... NULL supplied to NOT NULL column 'c' at row 1", "Check constraint 'k' is
        // violated."
        1048 | 1364 | 1263 | 3819 => between(msg, "'", '\''),
        // MariaDB: "CONSTRAINT `k` failed for `db`.`t`"
        4025 => between(msg, "CONSTRAINT `", '`'),
        _ => None,
    }?;
    Some(name.to_owned())
}

pub(super) fn kind_of_code(code: u16) -> ErrorKind {
    match code {
        1062 | 1586 | 1169 | 1022 => ErrorKind::UniqueViolation,
        1451 | 1452 | 1216 | 1217 => ErrorKind::ForeignKeyViolation,
        1048 | 1364 | 1263 => ErrorKind::NotNullViolation,
        3819 | 4025 => ErrorKind::CheckViolation,
        1213 => ErrorKind::Deadlock,
        // MariaDB's max_statement_time (the driver's statement timeout), MySQL's
        // max_execution_time.
        1969 | 3024 => ErrorKind::Timeout,
        // Lock wait timeout; NOWAIT / SKIP LOCKED could not lock.
        1205 | 3572 => ErrorKind::Busy,
        // "<COMMAND> command denied to user .. for table `db`.`t`" (table, column), "Access
        // denied for user .. to database 'db'", "Access denied; you need (at least one of)
        // the SUPER privilege(s)", "<COMMAND> command denied .. for routine", and a server
        // running with --read-only.
        1142 | 1143 | 1044 | 1227 | 1370 | 1290 => ErrorKind::PermissionDenied,
        // Server gone away, lost connection, shutdown in progress, connection killed,
        // disconnected for inactivity.
        2006 | 2013 | 1053 | 1927 | 4031 => ErrorKind::Connection,
        _ => ErrorKind::Database,
    }
}

/// The kind of a server error: [`kind_of_code`], except that a Galera node that is not
/// ready answers 1047 (SQLSTATE 08S01) with a `WSREP` message — "WSREP has not yet prepared
/// node for application use": it left the primary component, is still joining, or an
/// operator set `wsrep_reject_queries` — and that is the database being unavailable for a
/// while ([`ErrorKind::Connection`], like PostgreSQL's 57P03 "the database system is
/// starting up"), not a fault of the statement. On a lone MySQL, 1047 is "Unknown command"
/// and stays [`ErrorKind::Database`].
pub(super) fn kind_of(code: u16, msg: &str) -> ErrorKind {
    if code == 1047 && msg.contains("WSREP") {
        return ErrorKind::Connection;
    }
    kind_of_code(code)
}

pub(super) fn server_error(m: &MySqlError) -> Error {
    let mut err =
        Error::new(kind_of(m.code, &m.message), m.message.clone()).with_code(m.code.to_string());
    if let Some(c) = constraint_of(m.code, &m.message) {
        err = err.with_constraint(c);
    }
    err
}

/// Maps an error; the flag says whether the connection can no longer be trusted.
pub(super) fn map_error(e: ::mysql::Error, sql: Option<&str>) -> (Error, bool) {
    use ::mysql::{DriverError, Error as E};
    let (err, broken) = match &e {
        E::MySqlError(m) => {
            let err = server_error(m);
            let broken = err.kind() == ErrorKind::Connection;
            (err, broken)
        }
        E::DriverError(DriverError::MismatchedStmtParams(..) | DriverError::MixedParams)
        | E::DriverError(DriverError::Params(_)) => (Error::misuse(e.to_string()), false),
        E::IoError(_) | E::CodecError(_) | E::DriverError(_) => (
            Error::new(
                ErrorKind::Connection,
                format!("the MySQL connection failed: {e}"),
            ),
            true,
        ),
        E::UrlError(_) => (Error::new(ErrorKind::Url, e.to_string()), false),
        E::FromValueError(_) | E::FromRowError(_) => (Error::conversion(e.to_string()), false),
        #[allow(unreachable_patterns)]
        _ => (
            Error::new(
                ErrorKind::Connection,
                format!("the MySQL connection failed: {e}"),
            ),
            true,
        ),
    };
    let err = err.with_source(e);
    (
        match sql {
            Some(s) => err.with_sql(s),
            None => err,
        },
        broken,
    )
}

/// Whether the server refused to prepare this statement (it must go through the text
/// protocol).
pub(super) fn unpreparable(e: &::mysql::Error) -> bool {
    matches!(e, ::mysql::Error::MySqlError(m) if m.code == 1295)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_come_from_messages() {
        let c = |code, msg| constraint_of(code, msg);
        assert_eq!(
            c(1062, "Duplicate entry 'a' for key 'email'").as_deref(),
            Some("email")
        );
        assert_eq!(
            c(
                1062,
                "Duplicate entry 'x for key 'y' z' for key 'users.email'"
            )
            .as_deref(),
            Some("users.email")
        );
        assert_eq!(
            c(
                1452,
                "Cannot add or update a child row: a foreign key constraint fails (`db`.`kid`, \
                 CONSTRAINT `kid_ibfk_1` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`))"
            )
            .as_deref(),
            Some("kid_ibfk_1")
        );
        assert_eq!(
            c(1048, "Column 'name' cannot be null").as_deref(),
            Some("name")
        );
        assert_eq!(
            c(1364, "Field 'name' doesn't have a default value").as_deref(),
            Some("name")
        );
        assert_eq!(
            c(3819, "Check constraint 'age_ok' is violated.").as_deref(),
            Some("age_ok")
        );
        assert_eq!(
            c(4025, "CONSTRAINT `age_ok` failed for `db`.`t`").as_deref(),
            Some("age_ok")
        );
        assert_eq!(c(1146, "Table 'db.t' doesn't exist"), None);
    }

    #[test]
    fn codes_map_to_kinds() {
        let e = server_error(&MySqlError {
            state: "23000".into(),
            message: "Duplicate entry '1' for key 'PRIMARY'".into(),
            code: 1062,
        });
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
        assert_eq!(e.constraint(), Some("PRIMARY"));
        assert_eq!(e.code(), Some("1062"));
        assert_eq!(kind_of_code(1213), ErrorKind::Deadlock);
        // Galera's certification failure at COMMIT (and a brute-force abort by a replicated
        // write) is 1213 too: a retryable deadlock.
        let cert = server_error(&MySqlError {
            state: "40001".into(),
            message: "WSREP detected deadlock/conflict and aborted the transaction. Try \
                      restarting the transaction"
                .into(),
            code: 1213,
        });
        assert_eq!(cert.kind(), ErrorKind::Deadlock);
        assert!(cert.is_retryable());
        assert_eq!(cert.code(), Some("1213"));
        assert_eq!(kind_of_code(1205), ErrorKind::Busy);
        // A Galera node outside the primary component: unavailable (503 on the web), its
        // code kept for the Galera dialect's retry; a lone server's "Unknown command" is not.
        let not_ready = server_error(&MySqlError {
            state: "08S01".into(),
            message: "WSREP has not yet prepared node for application use".into(),
            code: 1047,
        });
        assert_eq!(not_ready.kind(), ErrorKind::Connection);
        assert_eq!(not_ready.code(), Some("1047"));
        let unknown = server_error(&MySqlError {
            state: "08S01".into(),
            message: "Unknown command".into(),
            code: 1047,
        });
        assert_eq!(unknown.kind(), ErrorKind::Database);
        assert_eq!(kind_of_code(2013), ErrorKind::Connection);
        assert_eq!(kind_of_code(1064), ErrorKind::Database);
        for denied in [1142, 1143, 1044, 1227, 1370, 1290] {
            assert_eq!(
                kind_of_code(denied),
                ErrorKind::PermissionDenied,
                "{denied}"
            );
        }
    }
}
