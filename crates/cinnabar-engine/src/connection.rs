//! [`Connection`]: one pooled connection. Executes statements (compiled by the engine's
//! dialect), raw SQL, and manages transactions and savepoints. Returned to the pool on drop,
//! where the driver resets it (open transaction rolled back, session settings restored).
//! Statements are logged as the engine's options say (`observe.rs`).

use cinnabar_core::dialect::{compile, compile_into, BeginMode, Compiled, Dialect};
use cinnabar_core::sql::Statement;
use cinnabar_core::types::FromSql;
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};
use std::sync::Arc;

use crate::driver::{DriverConnection, RowSink};
use crate::engine::Engine;
use crate::observe::{self, Observed, Params, Settings};
use crate::pool::Checkout;
use crate::row::{FromRow, OwnedRow, Row, Rows};

/// A pooled connection. Dropping it returns it to the pool.
pub struct Connection {
    engine: Engine,
    checkout: Option<Checkout>,
    depth: usize,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("engine", &self.engine)
            .field("transaction_depth", &self.depth)
            .finish()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(c) = self.checkout.take() {
            self.engine.inner.pool.checkin(c);
        }
    }
}

impl Connection {
    pub(crate) fn new(engine: Engine, checkout: Checkout) -> Self {
        Connection {
            engine,
            checkout: Some(checkout),
            depth: 0,
        }
    }

    fn raw(&mut self) -> Result<&mut dyn DriverConnection> {
        match self.checkout.as_mut() {
            Some(c) => Ok(&mut *c.conn),
            None => Err(Error::misuse(
                "the connection was already returned to the pool",
            )),
        }
    }

    /// The engine this connection belongs to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dialect rendering SQL for this connection.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.engine.inner.dialect
    }

    /// Compiles a statement for this connection's dialect.
    ///
    /// # Errors
    /// As [`cinnabar_core::dialect::compile`].
    pub fn compile(&self, statement: &Statement) -> Result<Compiled> {
        compile(self.dialect(), statement)
    }

    /// Runs SQL text with positional parameters, sending result rows to `sink`. The fast
    /// path under everything else; the SQL must come from a dialect or the developer,
    /// values only through `params`. Observed as the engine's options say (see
    /// [`EngineOptions`](crate::EngineOptions)).
    ///
    /// # Errors
    /// Database errors mapped to Cinnabar's kinds.
    pub fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        let settings = self.engine.inner.observe;
        if observe::wanted(&settings) {
            return self.run_observed(settings, sql, params, sink);
        }
        let raw = self.raw()?;
        let result = raw.run(sql, params, sink);
        if result.is_err() && raw.is_broken() {
            tracing::warn!(target: "cinnabar::engine", "connection broke; it will be discarded");
        }
        result
    }

    /// [`Connection::run`] with the echo line, the statement's span (counting the rows the
    /// sink receives) and the slow-statement check.
    #[cold]
    fn run_observed(
        &mut self,
        settings: Settings,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        let system = self.dialect().name();
        let observed = Observed::start(settings, system, sql, Params::One(params));
        let mut returned = 0u64;
        let result = {
            let _in = observed.span().enter();
            let raw = self.raw()?;
            let result = match sink {
                Some(sink) => raw.run(
                    sql,
                    params,
                    Some(&mut |row: &dyn Row| {
                        returned += 1;
                        sink(row)
                    }),
                ),
                None => raw.run(sql, params, None),
            };
            if result.is_err() && raw.is_broken() {
                tracing::warn!(target: "cinnabar::engine", "connection broke; it will be discarded");
            }
            result
        };
        observed.finish(result.as_ref().ok().map(|&n| n.max(returned)));
        result
    }

    /// Runs SQL text once per row of `params` (`width` values each), collecting each
    /// execution's changed-row count: the executemany path the ORM's flush uses. Observed
    /// as one statement (one span, `rows` the sum of the counts).
    ///
    /// # Errors
    /// The first failing execution's error.
    pub fn run_many(
        &mut self,
        sql: &str,
        width: usize,
        params: &[ValueRef<'_>],
        counts: &mut Vec<u64>,
    ) -> Result<()> {
        let settings = self.engine.inner.observe;
        if !observe::wanted(&settings) {
            return self.raw()?.run_many(sql, width, params, counts);
        }
        let system = self.dialect().name();
        let observed = Observed::start(settings, system, sql, Params::Many { width, all: params });
        let before = counts.len();
        let result = {
            let _in = observed.span().enter();
            self.raw()?.run_many(sql, width, params, counts)
        };
        observed.finish(result.as_ref().ok().map(|()| counts[before..].iter().sum()));
        result
    }

    /// Executes a statement: a query's rows come back in [`Rows`]; DML reports
    /// [`Rows::rows_affected`]; DDL ([`Statement::Ddl`], or a `CreateTable`, `AlterTable`,
    /// ... directly) runs as [`Connection::execute_ddl`] does and returns no rows.
    ///
    /// # Errors
    /// Compilation errors (unbound parameters, invalid values, a DDL form the database
    /// lacks: `Unsupported`), database errors.
    pub fn execute(&mut self, statement: impl Into<Statement>) -> Result<Rows> {
        let statement = statement.into();
        if let Statement::Ddl(ddl) = &statement {
            self.execute_ddl(ddl)?;
            return Ok(Rows::new(Arc::from(Vec::new()), Vec::new(), 0));
        }
        let mut sql = String::new();
        let mut params = Vec::new();
        let slots = compile_into(self.dialect(), &statement, &mut sql, &mut params)?;
        check_slots(slots)?;
        self.collect_rows(&sql, &params)
    }

    /// Executes an already compiled statement.
    ///
    /// # Errors
    /// Database errors; [`ErrorKind::Misuse`] if it has unfilled parameter slots.
    pub fn execute_compiled(&mut self, compiled: &Compiled) -> Result<Rows> {
        check_slots(compiled.slots)?;
        let params: Vec<ValueRef<'_>> = compiled.params.iter().map(Value::as_ref).collect();
        self.collect_rows(&compiled.sql, &params)
    }

    /// Runs `sql` and copies its rows into [`Rows`].
    fn collect_rows(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<Rows> {
        let mut columns: Option<Arc<[String]>> = None;
        let mut rows = Vec::new();
        let affected = self.run(
            sql,
            params,
            Some(&mut |row: &dyn Row| {
                let cols = columns.get_or_insert_with(|| {
                    (0..row.len())
                        .map(|i| row.column_name(i).to_owned())
                        .collect()
                });
                let values = (0..row.len())
                    .map(|i| row.value(i).map(ValueRef::to_owned_value))
                    .collect::<Result<Vec<_>>>()?;
                rows.push(OwnedRow::new(cols.clone(), values));
                Ok(())
            }),
        )?;
        Ok(Rows::new(
            columns.unwrap_or_else(|| Arc::from(Vec::new())),
            rows,
            affected,
        ))
    }

    /// Executes a query and maps each row into `T` by column name.
    ///
    /// # Errors
    /// As [`Connection::execute`], plus mapping errors naming the column.
    pub fn query_as<T: FromRow>(&mut self, statement: impl Into<Statement>) -> Result<Vec<T>> {
        let statement = statement.into();
        let mut sql = String::new();
        let mut params = Vec::new();
        let slots = compile_into(self.dialect(), &statement, &mut sql, &mut params)?;
        check_slots(slots)?;
        let mut out = Vec::new();
        self.run(
            &sql,
            &params,
            Some(&mut |row: &dyn Row| {
                out.push(T::from_row(row)?);
                Ok(())
            }),
        )?;
        Ok(out)
    }

    /// Executes a query and returns the first column of its first row.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] when there is no row; conversion errors.
    pub fn scalar<T: FromSql>(&mut self, statement: impl Into<Statement>) -> Result<T> {
        self.execute(statement)?.scalar()
    }

    /// Runs developer-written SQL without parameters, possibly several statements (DDL,
    /// migrations). Never pass user input here: values belong in `text(..).bind(..)`.
    ///
    /// # Errors
    /// Database errors.
    pub fn execute_script(&mut self, sql: &str) -> Result<()> {
        let settings = self.engine.inner.observe;
        if !observe::wanted(&settings) {
            return self.raw()?.batch(sql);
        }
        let system = self.dialect().name();
        let observed = Observed::start(settings, system, sql, Params::None);
        let result = {
            let _in = observed.span().enter();
            self.raw()?.batch(sql)
        };
        observed.finish(result.as_ref().ok().map(|()| 0));
        result
    }

    /// The key generated by this connection's last INSERT.
    pub fn last_insert_id(&mut self) -> Option<i64> {
        self.raw().ok().and_then(|r| r.last_insert_id())
    }

    /// The step between the keys of one multi-row INSERT's rows, or `None` when the server
    /// does not promise consecutive keys (see
    /// [`DriverConnection::multi_row_key_step`](crate::driver::DriverConnection::multi_row_key_step)).
    ///
    /// # Errors
    /// Database errors.
    pub fn multi_row_key_step(&mut self) -> Result<Option<i64>> {
        self.raw()?.multi_row_key_step()
    }

    /// Transaction nesting depth: 0 outside a transaction, 1 inside, more inside savepoints.
    pub fn transaction_depth(&self) -> usize {
        self.depth
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.depth > 0
    }

    /// Begins a transaction or, inside one, a savepoint. The guard rolls back when dropped
    /// unless committed.
    ///
    /// On SQLite the transaction is `BEGIN IMMEDIATE`, so concurrent writers wait for each
    /// other (up to the busy timeout) instead of failing with "database is locked".
    ///
    /// # Errors
    /// Database errors, [`ErrorKind::Busy`] when the write lock stays taken.
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        self.begin_level(self.engine.inner.write_begin)?;
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }

    /// Runs `f` in a transaction (or a savepoint when one is open): commit on `Ok`,
    /// rollback on `Err`.
    ///
    /// # Errors
    /// `f`'s error or a database error from BEGIN/COMMIT.
    pub fn transaction<T, E, F>(&mut self, f: F) -> std::result::Result<T, E>
    where
        F: FnOnce(&mut Connection) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        let mut tx = self.begin()?;
        match f(&mut tx) {
            Ok(v) => {
                tx.commit()?;
                Ok(v)
            }
            Err(e) => {
                // The caller's error matters more than a failed rollback, which also
                // marks the connection for discard.
                let _ = tx.rollback();
                Err(e)
            }
        }
    }

    /// Opens a transaction (depth 0) or a savepoint and returns the new depth. Pair with
    /// [`Connection::commit_level`] / [`Connection::rollback_level`]; the guard API
    /// ([`Connection::begin`]) is usually simpler.
    ///
    /// # Errors
    /// Database errors.
    pub fn begin_level(&mut self, mode: BeginMode) -> Result<usize> {
        if self.depth == 0 {
            let sql = self.dialect().begin_sql(mode);
            self.execute_script(sql)?;
        } else {
            let sql = format!("SAVEPOINT cinnabar_sp_{}", self.depth);
            self.execute_script(&sql)?;
        }
        self.depth += 1;
        Ok(self.depth)
    }

    /// Opens a write transaction (or a savepoint) the way [`Connection::begin`] does
    /// (`BEGIN IMMEDIATE` on SQLite) and returns the new depth.
    ///
    /// # Errors
    /// Database errors.
    pub fn begin_write_level(&mut self) -> Result<usize> {
        self.begin_level(self.engine.inner.write_begin)
    }

    /// Commits the innermost level (COMMIT, or RELEASE SAVEPOINT).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] outside a transaction; database errors. When COMMIT fails the
    /// transaction is rolled back. A connection lost during COMMIT is reported as
    /// [`ErrorKind::CommitOutcomeUnknown`] and never replayed.
    pub fn commit_level(&mut self) -> Result<()> {
        match self.depth {
            0 => Err(Error::misuse("commit outside a transaction")),
            1 => {
                let r = self.execute_script("COMMIT");
                self.depth = 0;
                if let Err(e) = r {
                    let lost = e.kind() == ErrorKind::Connection
                        || self.raw().map(|c| c.is_broken()).unwrap_or(true);
                    if lost {
                        return Err(Error::new(
                            ErrorKind::CommitOutcomeUnknown,
                            format!("the connection failed during COMMIT; the transaction may or may not have been committed: {}", e.message()),
                        ));
                    }
                    if self.raw().map(|c| c.in_transaction()).unwrap_or(false) {
                        let _ = self.execute_script("ROLLBACK");
                    }
                    return Err(e);
                }
                Ok(())
            }
            n => {
                self.execute_script(&format!("RELEASE SAVEPOINT cinnabar_sp_{}", n - 1))?;
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// Rolls back the innermost level (ROLLBACK, or ROLLBACK TO and RELEASE SAVEPOINT).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] outside a transaction; database errors.
    pub fn rollback_level(&mut self) -> Result<()> {
        match self.depth {
            0 => Err(Error::misuse("rollback outside a transaction")),
            1 => {
                self.depth = 0;
                let still_open = self.raw().map(|c| c.in_transaction()).unwrap_or(false);
                if still_open {
                    self.execute_script("ROLLBACK")?;
                }
                Ok(())
            }
            n => {
                let sp = n - 1;
                self.depth -= 1;
                self.execute_script(&format!(
                    "ROLLBACK TO SAVEPOINT cinnabar_sp_{sp}; RELEASE SAVEPOINT cinnabar_sp_{sp}"
                ))
            }
        }
    }
}

/// A transaction or savepoint guard from [`Connection::begin`]. Derefs to the connection;
/// rolls back when dropped without [`Transaction::commit`].
pub struct Transaction<'c> {
    conn: &'c mut Connection,
    done: bool,
}

impl Transaction<'_> {
    /// Commits (or releases the savepoint).
    ///
    /// # Errors
    /// As [`Connection::commit_level`].
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.commit_level()
    }

    /// Rolls back (or rolls back to the savepoint).
    ///
    /// # Errors
    /// As [`Connection::rollback_level`].
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.rollback_level()
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl std::ops::DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            if let Err(e) = self.conn.rollback_level() {
                tracing::warn!(target: "cinnabar::engine", error = %e, "rollback of an abandoned transaction failed");
            }
        }
    }
}

/// Statements with parameter slots (`Expr::Param`) are run with [`Connection::run`], which
/// takes their values; `execute` has none to give.
fn check_slots(slots: usize) -> Result<()> {
    if slots > 0 {
        return Err(Error::misuse(format!(
            "statement has {slots} parameter slots to fill; use Connection::run"
        )));
    }
    Ok(())
}
