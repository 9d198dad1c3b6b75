//! The one error type of Cinnabar, shared by every layer, and the kinds users match on.
//!
//! Every crate of the workspace returns [`Error`]; callers branch on [`Error::kind`]
//! (for example [`ErrorKind::UniqueViolation`]) rather than on message text.

use std::fmt;

use crate::validation::ValidationErrors;

/// `Result` with Cinnabar's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, coarsely enough to branch on.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A UNIQUE or PRIMARY KEY constraint rejected a row.
    UniqueViolation,
    /// A FOREIGN KEY constraint rejected a row.
    ForeignKeyViolation,
    /// A NOT NULL constraint rejected a row.
    NotNullViolation,
    /// A CHECK constraint rejected a row.
    CheckViolation,
    /// A query expected exactly one row and found none.
    NoRow,
    /// A query expected at most one row and found several.
    MultipleRows,
    /// A value could not be converted between SQL and Rust.
    Conversion,
    /// A database URL could not be parsed or names an unknown backend.
    Url,
    /// The database could not be reached, or the connection broke.
    Connection,
    /// The database stayed locked or busy past the configured timeout.
    Busy,
    /// The database chose this transaction as a deadlock victim.
    Deadlock,
    /// A serializable transaction could not be committed; retry it.
    SerializationFailure,
    /// An UPDATE or DELETE of an object with a version column matched no row: another
    /// transaction changed or deleted the row since this session loaded it (SQLAlchemy's
    /// `StaleDataError`). The message names the model and the key.
    StaleData,
    /// No pooled connection became free within the checkout timeout.
    PoolTimeout,
    /// The connection broke during COMMIT: the transaction may or may not have committed.
    CommitOutcomeUnknown,
    /// The API was used in a way it does not allow (a programming error, reported, not panicked).
    Misuse,
    /// The statement or schema cannot be expressed on this backend.
    Unsupported,
    /// A table, column, index, constraint or alias name is longer than the backend keeps
    /// intact (PostgreSQL 63 bytes, MySQL/MariaDB 64 characters); SQLAlchemy's
    /// `IdentifierError`. The message names the identifier, its length, the limit and the
    /// dialect.
    IdentifierTooLong,
    /// The database refused the statement because the connected role or user lacks the
    /// privilege (PostgreSQL SQLSTATE 42501; MySQL/MariaDB 1142, 1143, 1044, 1227, 1370;
    /// SQLite `SQLITE_READONLY` on a read-only file or `?mode=ro` URL, and `SQLITE_AUTH`).
    /// The message names the operation and the object where the database does, e.g.
    /// ``DROP command denied to user 'app'@'127.0.0.1' for table `shop`.`students` `` or
    /// `must be owner of table students`. Not retryable: grant the privilege or run the
    /// statement as the role that owns the schema (see docs/SECURITY.md).
    PermissionDenied,
    /// Any other error reported by the database (syntax errors, missing tables, ...).
    Database,
    /// A statement ran longer than the statement timeout set for it (an `AsyncEngine`'s
    /// `with_statement_timeout`, `SessionOptions::statement_timeout`) and the database
    /// stopped it: SQLite interrupted it, PostgreSQL cancelled it (SQLSTATE 57014, its
    /// `statement_timeout`), MariaDB killed it (error 1969, `max_statement_time`). The
    /// statement's work is undone; in a transaction, roll it back. Not retryable: the same
    /// work would take as long again.
    Timeout,
    /// Objects broke their model's validation rules; nothing was written.
    /// [`Error::validation_errors`] lists every invalid field of every object.
    Validation,
}

impl ErrorKind {
    /// Whether this kind is a constraint violation (SQLAlchemy's `IntegrityError`).
    pub fn is_integrity(self) -> bool {
        matches!(
            self,
            ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::NotNullViolation
                | ErrorKind::CheckViolation
        )
    }

    /// Whether running the whole unit of work again, from fresh reads, may succeed: a
    /// version conflict ([`ErrorKind::StaleData`]), a deadlock, a serialization failure,
    /// or a lock that stayed taken ([`ErrorKind::Busy`], also `NOWAIT`'s refusal). What
    /// `Session::transaction_with_retry` retries.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::StaleData
                | ErrorKind::Deadlock
                | ErrorKind::SerializationFailure
                | ErrorKind::Busy
        )
    }

    fn describe(self) -> &'static str {
        match self {
            ErrorKind::UniqueViolation => "unique constraint violated",
            ErrorKind::ForeignKeyViolation => "foreign key constraint violated",
            ErrorKind::NotNullViolation => "not-null constraint violated",
            ErrorKind::CheckViolation => "check constraint violated",
            ErrorKind::NoRow => "no row found",
            ErrorKind::MultipleRows => "more than one row found",
            ErrorKind::Conversion => "value conversion failed",
            ErrorKind::Url => "invalid database URL",
            ErrorKind::Connection => "connection error",
            ErrorKind::Busy => "database is busy",
            ErrorKind::Deadlock => "deadlock detected",
            ErrorKind::SerializationFailure => "serialization failure",
            ErrorKind::StaleData => "stale data",
            ErrorKind::PoolTimeout => "connection pool exhausted",
            ErrorKind::CommitOutcomeUnknown => "commit outcome unknown",
            ErrorKind::Misuse => "API misuse",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::IdentifierTooLong => "identifier too long",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Database => "database error",
            ErrorKind::Validation => "validation failed",
            ErrorKind::Timeout => "statement timeout",
        }
    }
}

/// Cinnabar's error: a [`kind`](Error::kind), a message naming what and where, and the
/// database's own code and constraint name when it reported them.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    code: Option<String>,
    constraint: Option<String>,
    sql: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    validation: Option<ValidationErrors>,
}

impl Error {
    /// A new error of `kind` with a message saying what went wrong and where.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                code: None,
                constraint: None,
                sql: None,
                source: None,
                validation: None,
            }),
        }
    }

    /// Shorthand for an [`ErrorKind::Misuse`] error.
    pub fn misuse(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Misuse, message)
    }

    /// Shorthand for an [`ErrorKind::Conversion`] error.
    pub fn conversion(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Conversion, message)
    }

    /// An [`ErrorKind::Validation`] error carrying `errors`; its message lists them all.
    pub fn validation(errors: ValidationErrors) -> Self {
        let mut e = Error::new(ErrorKind::Validation, errors.to_string());
        e.inner.validation = Some(errors);
        e
    }

    /// Every invalid field, for an [`ErrorKind::Validation`] error.
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        self.inner.validation.as_ref()
    }

    /// Shorthand for an [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    /// Attaches the database's own error code (SQLite extended code, SQLSTATE, MySQL number).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    /// Attaches the name of the violated constraint, or `table.column` where that is all the
    /// database reports.
    pub fn with_constraint(mut self, constraint: impl Into<String>) -> Self {
        self.inner.constraint = Some(constraint.into());
        self
    }

    /// Attaches the SQL text that failed (never its parameter values).
    pub fn with_sql(mut self, sql: impl Into<String>) -> Self {
        self.inner.sql = Some(sql.into());
        self
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Prefixes the message with context, e.g. the model and column being decoded.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without the kind prefix.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The database's own error code, if it gave one.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The violated constraint (or `table.column`), if known.
    pub fn constraint(&self) -> Option<&str> {
        self.inner.constraint.as_deref()
    }

    /// The SQL statement that failed, if any.
    pub fn sql(&self) -> Option<&str> {
        self.inner.sql.as_deref()
    }

    /// Whether this is a constraint violation (unique, foreign key, not null, check).
    pub fn is_integrity(&self) -> bool {
        self.inner.kind.is_integrity()
    }

    /// Whether the unit of work may succeed if run again ([`ErrorKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.inner.kind.is_retryable()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.kind.describe(), self.inner.message)?;
        if let Some(c) = &self.inner.constraint {
            if !self.inner.message.contains(c.as_str()) {
                write!(f, " (constraint {c})")?;
            }
        }
        if let Some(code) = &self.inner.code {
            write!(f, " [code {code}]")?;
        }
        if let Some(sql) = &self.inner.sql {
            write!(f, " in statement: {sql}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(c) = &self.inner.code {
            d.field("code", c);
        }
        if let Some(c) = &self.inner.constraint {
            d.field("constraint", c);
        }
        if let Some(s) = &self.inner.sql {
            d.field("sql", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_constraint_and_sql() {
        let e = Error::new(ErrorKind::UniqueViolation, "students.email")
            .with_constraint("students.email")
            .with_code("2067")
            .with_sql("INSERT INTO \"students\" ...");
        let s = e.to_string();
        assert!(
            s.starts_with("unique constraint violated: students.email"),
            "{s}"
        );
        assert!(s.contains("[code 2067]"), "{s}");
        assert!(
            s.ends_with(" [code 2067] in statement: INSERT INTO \"students\" ..."),
            "{s}"
        );
        // The constraint is not repeated when the message already names it...
        assert_eq!(
            s,
            "unique constraint violated: students.email [code 2067] in statement: \
             INSERT INTO \"students\" ..."
        );
        // ...and is appended when it does not.
        let other = Error::new(ErrorKind::UniqueViolation, "duplicate key")
            .with_constraint("students_email_key");
        assert_eq!(
            other.to_string(),
            "unique constraint violated: duplicate key (constraint students_email_key)"
        );
        assert!(e.is_integrity());
        assert_eq!(e.constraint(), Some("students.email"));
    }

    #[test]
    fn permission_denied_is_neither_integrity_nor_retryable() {
        let e = Error::new(
            ErrorKind::PermissionDenied,
            "must be owner of table students",
        )
        .with_code("42501");
        assert_eq!(
            e.to_string(),
            "permission denied: must be owner of table students [code 42501]"
        );
        assert!(!e.is_integrity());
        assert!(!e.is_retryable());
    }

    #[test]
    fn context_prefixes_message() {
        let e = Error::conversion("expected INTEGER, found TEXT").context("students.age");
        assert_eq!(e.message(), "students.age: expected INTEGER, found TEXT");
        assert!(!e.is_integrity());
    }
}
