//! A PostgreSQL connection: running statements (with one retry of a plan a schema change
//! invalidated), streaming rows to the sink, keeping the transaction state, and reset on
//! return to the pool.

use std::cell::OnceCell;
use std::sync::Arc;

use cinnabar_core::dialect::{Dialect, PostgresDialect};
use cinnabar_core::sql::{first_keyword, split_statements};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use postgres::fallible_iterator::FallibleIterator;
use postgres::Statement;
use rustc_hash::FxHashMap;

use super::bind::Bind;
use super::error::{describe, map_error};
use super::one_wait::FEW_ROWS;
use super::row::{decode_needs_storage, Decode, PgRow};
use super::tx_state::{tx_effect, TxEffect, TxState};
use super::{rules, PING_TIMEOUT};
use crate::driver::{DriverConnection, RowSink};

/// A statement prepared on one connection, with how to decode each result column.
#[derive(Clone)]
pub(super) struct Prepared {
    pub(super) stmt: Stmt,
    pub(super) decode: Arc<[Decode]>,
    /// Whether some column may need per-row storage (converted text, parsed JSON).
    pub(super) needs_storage: bool,
    /// Whether the statement only reads ([`is_query`]; decided once, at prepare).
    pub(super) query: bool,
}

/// How a cached statement is executed.
#[derive(Clone)]
pub(super) enum Stmt {
    /// A named statement prepared on this connection's server session (a direct connection).
    Named(Statement),
    /// Behind a transaction-pooling proxy: only what the server's description said, sent as
    /// the unnamed statement with each execution (parse, bind and execute in one round trip).
    Unnamed(Arc<Unnamed>),
}

/// What a transaction-pooled connection keeps of a statement: no server-side state.
pub(super) struct Unnamed {
    /// The parameter types the server inferred (or was told), declared with each execution
    /// so that parameters are encoded exactly as for a named statement.
    pub(super) params: Vec<postgres::types::Type>,
    /// The result columns' type OIDs when described (a changed column is noticed per run).
    pub(super) columns: Vec<u32>,
    /// Some result column has a type that is not built in (enum, domain, citext): reading
    /// its rows makes the client library look the type up with named statements of its own,
    /// so such a statement runs inside a transaction that deallocates them before it ends
    /// (`pooled.rs`).
    pub(super) custom_columns: bool,
}

pub(super) struct PostgresConnection {
    pub(super) client: super::client::PgClient,
    /// Keyed by the SQL, or for statements with declared parameter types by
    /// [`typed_key`](super::prepare::typed_key).
    /// FxHash: looked up on every execution, with the SQL text as key.
    pub(super) cache: FxHashMap<String, Prepared>,
    /// For SQL whose parameters the server could not type: their 0-based positions.
    pub(super) untyped: FxHashMap<String, Vec<usize>>,
    pub(super) tx: TxState,
    /// Whether the last failure was reported by the server.
    pub(super) server_error: bool,
    pub(super) broken: bool,
    /// Run by [`DriverConnection::reset`]: `ROLLBACK; RESET ALL` and the driver's own SETs
    /// (behind a transaction pooler: `ROLLBACK` only).
    pub(super) reset_sql: String,
    /// Behind a transaction-pooling proxy (`?pgbouncer=transaction`): see `pooled.rs`.
    pub(super) pooled: Option<super::pooled::Pooled>,
}

/// Whether a statement only reads (its row count is not "rows changed").
pub(super) fn is_query(sql: &str) -> bool {
    first_keyword(sql, rules()).is_some_and(|w| {
        ["SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "FETCH"]
            .iter()
            .any(|q| w.eq_ignore_ascii_case(q))
    })
}

impl PostgresConnection {
    /// Updates the transaction state after statements with `effects` ran, and reports a
    /// COMMIT that PostgreSQL silently turned into a ROLLBACK.
    pub(super) fn settle<T>(
        &mut self,
        effects: &[TxEffect],
        sql: &str,
        result: Result<T>,
    ) -> Result<T> {
        let before = self.tx;
        let outcome = match &result {
            Ok(_) => Ok(()),
            Err(_) => Err(self.server_error),
        };
        self.tx = before.after(effects, outcome);
        if result.is_ok() && before.open && before.failed && effects == [TxEffect::Commit] {
            return Err(Error::new(
                ErrorKind::Database,
                "the transaction was rolled back, not committed: a statement in it failed earlier \
                 (PostgreSQL answers COMMIT of a failed transaction with ROLLBACK)",
            )
            .with_code("25P02")
            .with_sql(sql));
        }
        result
    }

    pub(super) fn fail(&mut self, e: postgres::Error, sql: &str) -> Error {
        if e.as_db_error().is_some() {
            self.server_error = true;
        }
        let (err, broken) = map_error(e, Some(sql));
        if broken || self.client.is_closed() {
            self.broken = true;
        }
        err
    }

    fn execute(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: &mut Option<RowSink<'_>>,
        max_rows: usize,
    ) -> std::result::Result<u64, Attempt> {
        let prepared = self.prepare(sql, params).map_err(Attempt::Failed)?;
        let expected = match &prepared.stmt {
            Stmt::Named(stmt) => stmt.params().len(),
            Stmt::Unnamed(u) => u.params.len(),
        };
        if expected != params.len() {
            return Err(Attempt::Failed(
                Error::misuse(format!(
                    "statement expects {expected} parameters, {} were given",
                    params.len()
                ))
                .with_sql(sql),
            ));
        }
        if let Stmt::Named(stmt) = &prepared.stmt {
            // One wait for the server where the rows allow it (`one_wait.rs`).
            match sink.as_mut() {
                None => return self.execute_unread(stmt, &prepared, params),
                Some(sink) if prepared.query && max_rows <= FEW_ROWS => {
                    return self.execute_few(stmt, &prepared, params, max_rows, &mut **sink);
                }
                Some(_) => {}
            }
        }
        let binds = params.iter().enumerate().map(|(i, &value)| Bind {
            value,
            position: i + 1,
        });
        if let Stmt::Unnamed(u) = &prepared.stmt {
            if u.custom_columns {
                // Reading the rows looks their types up (see `pooled.rs`).
                self.note_type_lookups();
            }
        }
        let mut rows = match match &prepared.stmt {
            Stmt::Named(stmt) => self.client.query_raw(stmt, binds),
            Stmt::Unnamed(u) => self
                .client
                .query_typed_raw(sql, binds.zip(u.params.iter().cloned())),
        } {
            Ok(rows) => rows,
            Err(e) => return Err(Attempt::Start(e)),
        };
        // Behind a transaction pooler, the columns' types when they differ from the described.
        let mut fresh: Option<(Arc<[Decode]>, bool)> = None;
        let mut first = true;
        // Reading the rows looked types up (a column changed to an enum since described).
        let mut looked_up = false;
        // Rows handed to the sink; a query stops after `max_rows` (the iterator left
        // unfinished, which the client library reads to the end itself).
        let mut taken = 0usize;
        while taken < max_rows || !prepared.query {
            let row = match rows.next() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => {
                    drop(rows);
                    return Err(Attempt::Failed(self.fail(e, sql)));
                }
            };
            if first {
                first = false;
                if let Stmt::Unnamed(u) = &prepared.stmt {
                    // Described earlier, maybe before a schema change: decode what came.
                    looked_up = row
                        .columns()
                        .iter()
                        .any(|c| postgres::types::Type::from_oid(c.type_().oid()).is_none());
                    fresh = super::pooled::changed_columns(u, &row).map(|d| {
                        let storage = d.iter().any(|&d| decode_needs_storage(d));
                        (d, storage)
                    });
                }
            }
            if let Some(sink) = sink.as_mut().filter(|_| taken < max_rows) {
                taken += 1;
                let (decode, needs_storage) = match &fresh {
                    Some((d, storage)) => (&**d, *storage),
                    None => (&*prepared.decode, prepared.needs_storage),
                };
                let storage = if needs_storage {
                    (0..decode.len()).map(|_| OnceCell::new()).collect()
                } else {
                    Vec::new()
                };
                let pg_row = PgRow {
                    row: &row,
                    decode,
                    storage,
                };
                sink(&pg_row).map_err(Attempt::Failed)?;
            }
        }
        let affected = rows.rows_affected().unwrap_or(0);
        drop(rows);
        if looked_up {
            self.note_type_lookups();
        }
        Ok(if prepared.query { 0 } else { affected })
    }

    pub(super) fn run_inner(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        self.run_inner_limited(sql, params, sink, usize::MAX)
    }

    /// [`Self::run_inner`] handing `sink` at most `max_rows` rows (see
    /// [`DriverConnection::run_limited`]).
    fn run_inner_limited(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        mut sink: Option<RowSink<'_>>,
        max_rows: usize,
    ) -> Result<u64> {
        let mut retried = false;
        loop {
            match self.execute(sql, params, &mut sink, max_rows) {
                Ok(n) => return Ok(n),
                Err(Attempt::Failed(e)) => return Err(e),
                Err(Attempt::Start(e)) => {
                    // A schema change can invalidate a cached plan ("cached plan must not
                    // change result type"): drop it, and outside a transaction (which the
                    // error would have aborted) prepare again once.
                    let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
                    let stale = code == "0A000" || code.starts_with("42");
                    if stale {
                        // The statement under its SQL and under any declared types.
                        self.cache.retain(|k, _| {
                            k.strip_prefix(sql)
                                .is_none_or(|rest| !rest.is_empty() && !rest.starts_with('\0'))
                        });
                    }
                    if code == "0A000" && !retried && !self.tx.open && self.pooled.is_none() {
                        retried = true;
                        tracing::debug!(target: "cinnabar::engine", "a schema change invalidated a prepared statement; preparing it again");
                        continue;
                    }
                    return Err(self.fail(e, sql));
                }
            }
        }
    }
}

impl PostgresConnection {
    /// Runs a script, keeping the transaction state; errors show `shown` as their SQL.
    pub(super) fn batch_tracked(&mut self, sql: &str, shown: &str) -> Result<()> {
        let effects: Vec<TxEffect> = split_statements(sql, rules()).map(tx_effect).collect();
        self.server_error = false;
        let result = self
            .client
            .batch_execute(sql)
            .map_err(|e| self.fail(e, shown));
        self.settle(&effects, shown, result)
    }
}

/// How one attempt at a statement failed.
pub(super) enum Attempt {
    /// Before any row was produced, with the raw error (may be retried).
    Start(postgres::Error),
    /// Anything else, already mapped.
    Failed(Error),
}

impl DriverConnection for PostgresConnection {
    fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        // One statement only (the extended protocol allows no more).
        let effects = [tx_effect(sql)];
        self.server_error = false;
        if self.pooled.is_some() {
            let result = self.run_pooled(sql, params, sink, effects[0]);
            let result = self.settle(&effects, sql, result);
            self.replace_stale_client();
            return result;
        }
        let result = self.run_inner(sql, params, sink);
        self.settle(&effects, sql, result)
    }

    fn run_limited(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        max_rows: usize,
        sink: RowSink<'_>,
    ) -> Result<u64> {
        if self.pooled.is_some() {
            // Behind a transaction pooler: as `run` (`pooled.rs`), the first rows handed on.
            let mut seen = 0usize;
            return self.run(
                sql,
                params,
                Some(&mut |row: &dyn crate::row::Row| {
                    if seen < max_rows {
                        seen += 1;
                        sink(row)?;
                    }
                    Ok(())
                }),
            );
        }
        let effects = [tx_effect(sql)];
        self.server_error = false;
        let result = self.run_inner_limited(sql, params, Some(sink), max_rows);
        self.settle(&effects, sql, result)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        if self.pooled.is_some() {
            let result = self.batch_pooled(sql);
            self.replace_stale_client();
            return result;
        }
        self.batch_tracked(sql, sql)
    }

    fn last_insert_id(&self) -> Option<i64> {
        None
    }

    fn in_transaction(&self) -> bool {
        self.tx.open && !self.is_broken()
    }

    /// A session setting, taken away by the reset's `RESET ALL`; behind a transaction pooler
    /// a `SET LOCAL` in every transaction (`pooled.rs`).
    fn set_statement_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<()> {
        if self.pooled.is_some() {
            return self.set_timeout_pooled(timeout);
        }
        match PostgresDialect.statement_timeout_sql(timeout) {
            Some(sql) => self.batch(&sql),
            None => Ok(()),
        }
    }

    fn reset(&mut self) -> Result<()> {
        // The client library does not expose the server's transaction status, so this is
        // one unconditional round trip (ROLLBACK outside a transaction is only a notice).
        // Prepared statements survive it (RESET ALL, not DISCARD ALL).
        self.server_error = false;
        if self.pooled.is_some() {
            self.reset_pooled();
        }
        match self.client.batch_execute(&self.reset_sql) {
            Ok(()) => {
                self.tx = TxState::default();
                self.replace_stale_client();
                Ok(())
            }
            Err(e) => {
                let sql = std::mem::take(&mut self.reset_sql);
                let err = self.fail(e, &sql);
                self.reset_sql = sql;
                Err(err)
            }
        }
    }

    fn ping(&mut self) -> Result<()> {
        self.client.is_valid(PING_TIMEOUT).map_err(|e| {
            self.broken = true;
            Error::new(
                ErrorKind::Connection,
                format!("PostgreSQL ping failed: {}", describe(&e)),
            )
            .with_source(e)
        })
    }

    fn is_broken(&self) -> bool {
        self.broken || self.client.is_closed()
    }
}
