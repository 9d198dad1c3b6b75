//! [`Connection`]: one pooled connection. Executes statements (compiled by the engine's
//! dialect) and raw SQL; transactions and savepoints are in `transaction.rs`. Returned to the pool on drop,
//! where the driver resets it (open transaction rolled back, session settings restored).
//! Statements are logged as the engine's options say (`observe.rs`).

use cinnabar_core::dialect::{compile, compile_into, Compiled, Dialect};
use cinnabar_core::sql::Statement;
use cinnabar_core::types::FromSql;
use cinnabar_core::{Error, Result, Value, ValueRef};
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
    pub(crate) depth: usize,
    /// Statements run through `run` / `run_many` (queries and DML; not transaction control
    /// or scripts), for [`Connection::statement_count`].
    statements: u64,
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
            statements: 0,
        }
    }

    pub(crate) fn raw(&mut self) -> Result<&mut dyn DriverConnection> {
        match self.checkout.as_mut() {
            Some(c) => Ok(&mut *c.conn),
            None => Err(Error::misuse(
                "the connection was already returned to the pool",
            )),
        }
    }

    /// How many statements this connection has run through [`Connection::run`] and
    /// [`Connection::run_many`] (an executemany counts once): every query and DML statement,
    /// whether built or raw `text()`. Transaction control (BEGIN, COMMIT, ROLLBACK,
    /// SAVEPOINT) and [`Connection::execute_script`] are not counted. What a
    /// `Session::statement_count` adds up, for "this page ran N queries".
    pub fn statement_count(&self) -> u64 {
        self.statements
    }

    /// The engine this connection belongs to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dialect rendering SQL for this connection.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.engine.dialect()
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
        self.statements += 1;
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

    /// As [`Connection::run`] for a query whose SQL returns at most `max_rows` rows (a
    /// LIMIT), of which `sink` receives at most `max_rows`: the driver may read them at once
    /// and stops after them (one wait for the server on PostgreSQL instead of one per row
    /// and one for the end; no further step on SQLite). What `first()` and `one_or_none()`
    /// run. Counted and observed as [`Connection::run`].
    ///
    /// # Errors
    /// As [`Connection::run`].
    pub fn run_limited(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        max_rows: usize,
        sink: RowSink<'_>,
    ) -> Result<u64> {
        self.statements += 1;
        let settings = self.engine.inner.observe;
        if observe::wanted(&settings) {
            let mut seen = 0usize;
            return self.run_observed(
                settings,
                sql,
                params,
                Some(&mut |row: &dyn Row| {
                    if seen < max_rows {
                        seen += 1;
                        sink(row)?;
                    }
                    Ok(())
                }),
            );
        }
        let raw = self.raw()?;
        let result = raw.run_limited(sql, params, max_rows, sink);
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
        self.statements += 1;
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
    /// Database errors; [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) if it has unfilled parameter slots.
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
    /// [`ErrorKind::NoRow`](cinnabar_core::ErrorKind::NoRow) when there is no row; conversion errors.
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

    /// Bounds how long each later statement on this connection may run (`None`: no bound),
    /// until the connection goes back to the pool (whose reset takes the bound away): a
    /// statement still running at `timeout` is stopped by the database and fails with
    /// [`ErrorKind::Timeout`](cinnabar_core::ErrorKind::Timeout), its work undone. SQLite
    /// interrupts it (its progress handler checks the deadline), PostgreSQL cancels it
    /// (`SET statement_timeout`), MariaDB kills it (`SET SESSION max_statement_time`).
    /// A timeout inside a transaction leaves it failed on PostgreSQL: roll it back.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) for a driver
    /// without statement timeouts; database errors (MySQL 8, which lacks
    /// `max_statement_time`, answers one).
    pub fn set_statement_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.raw()?.set_statement_timeout(timeout)
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
