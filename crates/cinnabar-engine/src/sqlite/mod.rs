//! The SQLite driver, on rusqlite with the bundled SQLite.
//!
//! Every connection gets the settings users need and rarely know: `foreign_keys=ON`, WAL
//! journaling and `synchronous=NORMAL` for files, a busy timeout, and a large prepared
//! statement cache. Values that SQLite has no type for (dates, UUIDs, decimals, JSON) are
//! bound as text in a fixed format, so they read back exactly; a decimal's `NUMERIC(p, s)`
//! column turns that text into an INTEGER or REAL, as SQLAlchemy stores it, and `Decimal`
//! reads those back (see docs/ARCHITECTURE.md, "SQLite defaults").

use std::time::Duration;

use cinnabar_core::dialect::{Dialect, SqliteDialect};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef as SqlRef};
use rusqlite::OpenFlags;

use crate::driver::{Driver, DriverConnection, RowSink};
use crate::row::Row;
use crate::url::Url;

static DIALECT: SqliteDialect = SqliteDialect;

/// SQLite connection settings.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// How long a connection waits on a lock held by another (default 5 s).
    pub busy_timeout: Duration,
    /// Enforce foreign keys (default on).
    pub foreign_keys: bool,
    /// Use write-ahead logging for file databases (default on).
    pub wal: bool,
    /// Prepared statements kept per connection (default 256).
    pub statement_cache: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            foreign_keys: true,
            wal: true,
            statement_cache: 256,
        }
    }
}

/// Opens SQLite connections to one file (or one shared in-memory database).
#[derive(Debug)]
pub struct SqliteDriver {
    path: Option<String>,
    read_only: bool,
    options: SqliteOptions,
}

impl SqliteDriver {
    /// A driver for a `sqlite://` URL: its database path (none: in memory), `?mode=ro`
    /// (read only) and `?timeout=` (the busy timeout in seconds, overriding
    /// `options.busy_timeout`).
    ///
    /// # Errors
    /// [`ErrorKind::Url`] for a timeout that is not a number.
    pub fn from_url(url: &Url, mut options: SqliteOptions) -> Result<Self> {
        let read_only = url.query_param("mode") == Some("ro");
        if let Some(t) = url.query_param("timeout") {
            let secs: f64 = t.parse().map_err(|_| {
                Error::new(
                    ErrorKind::Url,
                    format!("invalid timeout {t:?} in database URL"),
                )
            })?;
            options.busy_timeout = Duration::from_secs_f64(secs.max(0.0));
        }
        Ok(SqliteDriver::new(
            url.database().map(str::to_owned),
            read_only,
            options,
        ))
    }

    /// A driver for `path` (`None`: in memory).
    pub fn new(path: Option<String>, read_only: bool, options: SqliteOptions) -> Self {
        SqliteDriver {
            path,
            read_only,
            options,
        }
    }
}

impl SqliteDriver {
    fn wal(&self) -> bool {
        self.path.is_some() && self.options.wal && !self.read_only
    }
}

/// The per-connection settings a reset puts back: set through the C API, so applying them
/// parses no SQL (a checkin costs nanoseconds when no transaction is open).
#[derive(Debug, Clone, Copy)]
struct Session {
    busy_timeout: Duration,
    foreign_keys: bool,
}

impl Session {
    fn apply(self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        conn.busy_timeout(self.busy_timeout)?;
        if conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY)? != self.foreign_keys {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, self.foreign_keys)?;
        }
        Ok(())
    }
}

/// Switches the database to WAL. Connections that open a new file at once (processes
/// starting together) all try to: SQLite answers BUSY at once, without the busy handler,
/// to those that would otherwise wait on each other, so the switch is retried until the busy
/// timeout. On a file already in WAL mode the pragma changes nothing and takes no lock.
fn wal_mode(conn: &rusqlite::Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + busy_timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if self.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let target = self.path.as_deref().unwrap_or(":memory:");
        let conn = match &self.path {
            Some(p) => rusqlite::Connection::open_with_flags(p, flags),
            None => rusqlite::Connection::open_in_memory_with_flags(flags),
        }
        .map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("cannot open SQLite database {target:?}: {e}"),
            )
        })?;
        let session = Session {
            busy_timeout: self.options.busy_timeout,
            foreign_keys: self.options.foreign_keys,
        };
        let setup = || -> rusqlite::Result<()> {
            session.apply(&conn)?;
            conn.set_prepared_statement_cache_capacity(self.options.statement_cache);
            if self.wal() {
                wal_mode(&conn, session.busy_timeout)?;
                conn.execute_batch("PRAGMA synchronous = NORMAL")?;
            }
            Ok(())
        };
        setup().map_err(|e| map_error(e, None))?;
        Ok(Box::new(SqliteConnection {
            conn,
            broken: false,
            session,
        }))
    }

    fn forced_pool_limits(&self) -> Option<(usize, usize)> {
        // Each in-memory connection would be its own empty database: share one.
        self.path.is_none().then_some((1, 0))
    }
}

struct SqliteConnection {
    conn: rusqlite::Connection,
    broken: bool,
    /// The driver's per-connection settings, applied again by [`DriverConnection::reset`].
    session: Session,
}

struct Bind<'a>(ValueRef<'a>);

fn text(s: String) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(SqlValue::Text(s))
}

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            ValueRef::Null => ToSqlOutput::Borrowed(SqlRef::Null),
            ValueRef::Bool(b) => ToSqlOutput::Borrowed(SqlRef::Integer(i64::from(b))),
            ValueRef::Int(i) => ToSqlOutput::Borrowed(SqlRef::Integer(i)),
            // SQLite would silently store NaN as NULL.
            ValueRef::Real(f) if f.is_nan() => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite cannot store NaN (it would become NULL)".into(),
                ))
            }
            ValueRef::Real(f) => ToSqlOutput::Borrowed(SqlRef::Real(f)),
            ValueRef::Text(s) => ToSqlOutput::Borrowed(SqlRef::Text(s.as_bytes())),
            ValueRef::Blob(b) => ToSqlOutput::Borrowed(SqlRef::Blob(b)),
            // Dates, times, UUIDs and JSON are stored as text; decimals are bound as their
            // exact text, which a NUMERIC column's affinity stores as INTEGER or REAL.
            other => match other.text_form() {
                Some(t) => text(t),
                None => {
                    return Err(rusqlite::Error::ToSqlConversionFailure(
                        format!("SQLite cannot store a {} value", other.type_name()).into(),
                    ))
                }
            },
        })
    }
}

struct SqliteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    count: usize,
}

impl Row for SqliteRow<'_, '_> {
    fn len(&self) -> usize {
        self.count
    }

    fn column_name(&self, idx: usize) -> &str {
        self.row.as_ref().column_name(idx).unwrap_or("")
    }

    #[inline]
    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self.row.get_ref(idx) {
            Ok(SqlRef::Null) => Ok(ValueRef::Null),
            Ok(SqlRef::Integer(i)) => Ok(ValueRef::Int(i)),
            Ok(SqlRef::Real(f)) => Ok(ValueRef::Real(f)),
            Ok(SqlRef::Text(t)) => std::str::from_utf8(t).map(ValueRef::Text).map_err(|_| {
                Error::conversion(format!(
                    "column {:?} holds text that is not valid UTF-8",
                    self.column_name(idx)
                ))
            }),
            Ok(SqlRef::Blob(b)) => Ok(ValueRef::Blob(b)),
            Err(e) => Err(map_error(e, None)),
        }
    }
}

fn constraint_of(msg: &str) -> Option<String> {
    // "UNIQUE constraint failed: students.email" / "NOT NULL constraint failed: t.c"
    msg.split_once("constraint failed: ")
        .map(|(_, rest)| rest.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn map_error(e: rusqlite::Error, sql: Option<&str>) -> Error {
    let err = match &e {
        rusqlite::Error::SqliteFailure(code, msg) => {
            let text = msg.clone().unwrap_or_else(|| code.to_string());
            let kind = match code.extended_code {
                2067 | 1555 => ErrorKind::UniqueViolation,
                787 => ErrorKind::ForeignKeyViolation,
                1299 => ErrorKind::NotNullViolation,
                275 => ErrorKind::CheckViolation,
                _ => match code.code {
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                        ErrorKind::Busy
                    }
                    rusqlite::ErrorCode::CannotOpen => ErrorKind::Connection,
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

impl SqliteConnection {
    fn run_inner(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| map_error(e, Some(sql)))?;
        let expected = stmt.parameter_count();
        if expected != params.len() {
            return Err(Error::misuse(format!(
                "statement expects {expected} parameters, {} were given",
                params.len()
            ))
            .with_sql(sql));
        }
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, Bind(*p))
                .map_err(|e| map_error(e, Some(sql)))?;
        }
        let count = stmt.column_count();
        if count == 0 {
            let n = stmt.raw_execute().map_err(|e| map_error(e, Some(sql)))?;
            return Ok(n as u64);
        }
        let readonly = stmt.readonly();
        let mut rows = stmt.raw_query();
        match sink {
            Some(sink) => {
                // The count is read again at the first row: a cached statement prepared
                // before a schema change (`SELECT *` before an ADD COLUMN) is prepared anew
                // by its first step, and only then reports the new columns.
                let mut fresh = None;
                while let Some(row) = rows.next().map_err(|e| map_error(e, Some(sql)))? {
                    let count = *fresh.get_or_insert_with(|| row.as_ref().column_count());
                    sink(&SqliteRow { row, count })?;
                }
            }
            None => while rows.next().map_err(|e| map_error(e, Some(sql)))?.is_some() {},
        }
        drop(rows);
        Ok(if readonly { 0 } else { self.conn.changes() })
    }
}

impl DriverConnection for SqliteConnection {
    fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        self.run_inner(sql, params, sink)
    }

    fn run_many(
        &mut self,
        sql: &str,
        width: usize,
        params: &[ValueRef<'_>],
        counts: &mut Vec<u64>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| map_error(e, Some(sql)))?;
        let expected = stmt.parameter_count();
        if width == 0 || expected != width || !params.len().is_multiple_of(width) {
            return Err(Error::misuse(format!(
                "statement expects {expected} parameters per row, rows of {width} were given"
            ))
            .with_sql(sql));
        }
        for row in params.chunks(width) {
            for (i, p) in row.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, Bind(*p))
                    .map_err(|e| map_error(e, Some(sql)))?;
            }
            let n = stmt.raw_execute().map_err(|e| map_error(e, Some(sql)))?;
            counts.push(n as u64);
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)))
    }

    fn last_insert_id(&self) -> Option<i64> {
        Some(self.conn.last_insert_rowid())
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    fn reset(&mut self) -> Result<()> {
        // The library knows exactly whether a transaction is open: no round trip, no SQL
        // parsing. Then the busy timeout and foreign-key enforcement go back to the driver's
        // (a user's `PRAGMA foreign_keys = OFF` must not outlive the checkout).
        if !self.conn.is_autocommit() {
            self.conn
                .execute_batch("ROLLBACK")
                .map_err(|e| map_error(e, Some("ROLLBACK")))?;
        }
        self.session
            .apply(&self.conn)
            .map_err(|e| map_error(e, None))
    }

    fn ping(&mut self) -> Result<()> {
        self.conn
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(|e| {
                self.broken = true;
                Error::new(ErrorKind::Connection, format!("SQLite ping failed: {e}"))
            })
    }

    fn is_broken(&self) -> bool {
        self.broken
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

    #[test]
    fn a_cached_select_star_sees_a_column_added_after_it_was_prepared() {
        let d = SqliteDriver::new(None, false, SqliteOptions::default());
        let mut c = d.connect().unwrap();
        c.batch("CREATE TABLE t (x INTEGER); INSERT INTO t (x) VALUES (1)")
            .unwrap();
        let mut widths = Vec::new();
        let mut select = |c: &mut Box<dyn DriverConnection>| {
            c.run(
                "SELECT * FROM t",
                &[],
                Some(&mut |row: &dyn Row| {
                    widths.push(row.len());
                    Ok(())
                }),
            )
            .unwrap();
        };
        select(&mut c);
        c.batch("ALTER TABLE t ADD COLUMN y TEXT").unwrap();
        select(&mut c);
        assert_eq!(widths, [1, 2]);
    }

    #[test]
    fn connections_opening_a_new_file_at_once_all_get_wal_mode() {
        // Several processes starting on a new database file all switch it to WAL at once;
        // SQLite answers some of them BUSY without calling the busy handler (each holds the
        // shared lock the other needs to give up: a deadlock it refuses to wait in).
        let dir = tempfile::tempdir().unwrap();
        for round in 0..20 {
            let path = dir
                .path()
                .join(format!("fresh{round}.db"))
                .display()
                .to_string();
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
            let threads: Vec<_> = (0..6)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        let d = SqliteDriver::new(Some(path), false, SqliteOptions::default());
                        barrier.wait();
                        d.connect().map(|_| ())
                    })
                })
                .collect();
            for t in threads {
                if let Err(e) = t.join().unwrap() {
                    panic!("round {round}: {e}");
                }
            }
        }
    }

    #[test]
    fn memory_driver_forces_one_connection() {
        let d = SqliteDriver::new(None, false, SqliteOptions::default());
        assert_eq!(d.forced_pool_limits(), Some((1, 0)));
        let mut c = d.connect().unwrap();
        c.batch("CREATE TABLE t (x INTEGER)").unwrap();
        let n = c
            .run(
                "INSERT INTO t (x) VALUES (?), (?)",
                &[ValueRef::Int(1), ValueRef::Int(2)],
                None,
            )
            .unwrap();
        assert_eq!(n, 2);
        let mut seen = Vec::new();
        c.run(
            "SELECT x FROM t ORDER BY x",
            &[],
            Some(&mut |r: &dyn Row| {
                seen.push(r.value(0)?.to_owned_value());
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(seen.len(), 2);
        let e = c.run("SELECT ?", &[], None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse);
    }
}
