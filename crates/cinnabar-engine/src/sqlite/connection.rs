//! A SQLite connection: running statements from the prepared-statement cache, the
//! executemany path of flushes, and reset on return to the pool.

use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use super::bind::Bind;
use super::error::map_error;
use super::row::SqliteRow;
use super::session::Session;
use super::timeout::StatementTimeout;
use crate::driver::{DriverConnection, RowSink};

/// SQLITE_NOTADB's code as the error carries it.
const NOT_A_DATABASE: &str = "26";

pub(super) struct SqliteConnection {
    pub(super) conn: rusqlite::Connection,
    pub(super) broken: bool,
    /// The driver's per-connection settings, applied again by [`DriverConnection::reset`].
    pub(super) session: Session,
    /// The statement timeout, when one is set (`set_statement_timeout`).
    pub(super) timeout: Option<StatementTimeout>,
}

impl SqliteConnection {
    /// Marks the connection broken when `result` says the file no longer decrypts (its key
    /// was changed by another connection): the pool then discards it instead of reusing it.
    fn check<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if e.code() == Some(NOT_A_DATABASE) {
                self.broken = true;
            }
        }
        result
    }

    fn run_many_inner(
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

    /// Runs `sql`; `sink` gets the first `max_rows` rows, and a read-only statement is not
    /// stepped again after them.
    fn run_inner(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
        max_rows: usize,
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
                let mut taken = 0usize;
                while taken < max_rows || !readonly {
                    let Some(row) = rows.next().map_err(|e| map_error(e, Some(sql)))? else {
                        break;
                    };
                    if taken < max_rows {
                        taken += 1;
                        let count = *fresh.get_or_insert_with(|| row.as_ref().column_count());
                        sink(&SqliteRow { row, count })?;
                    }
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
        if let Some(t) = &self.timeout {
            t.arm();
        }
        let result = self.run_inner(sql, params, sink, usize::MAX);
        let result = match &self.timeout {
            Some(t) => t.disarm(result),
            None => result,
        };
        self.check(result)
    }

    fn run_limited(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        max_rows: usize,
        sink: RowSink<'_>,
    ) -> Result<u64> {
        if let Some(t) = &self.timeout {
            t.arm();
        }
        let result = self.run_inner(sql, params, Some(sink), max_rows);
        let result = match &self.timeout {
            Some(t) => t.disarm(result),
            None => result,
        };
        self.check(result)
    }

    fn run_many(
        &mut self,
        sql: &str,
        width: usize,
        params: &[ValueRef<'_>],
        counts: &mut Vec<u64>,
    ) -> Result<()> {
        if let Some(t) = &self.timeout {
            t.arm();
        }
        let result = self.run_many_inner(sql, width, params, counts);
        let result = match &self.timeout {
            Some(t) => t.disarm(result),
            None => result,
        };
        self.check(result)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        if let Some(t) = &self.timeout {
            t.arm();
        }
        let result = self
            .conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)));
        let result = match &self.timeout {
            Some(t) => t.disarm(result),
            None => result,
        };
        self.check(result)
    }

    fn set_statement_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.timeout = None;
        StatementTimeout::uninstall(&mut self.conn)?;
        if let Some(limit) = timeout {
            self.timeout = Some(StatementTimeout::install(&mut self.conn, limit)?);
        }
        Ok(())
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
        if self.timeout.take().is_some() {
            StatementTimeout::uninstall(&mut self.conn)?;
        }
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
