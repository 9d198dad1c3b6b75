//! A MySQL/MariaDB connection: running statements as server-side prepared statements (text
//! protocol where the server cannot prepare), multi-statement batches, the last insert id,
//! transaction tracking, and reset on return to the pool.

use std::sync::Arc;

use ::mysql::prelude::{Protocol, Queryable};
use ::mysql::{Conn, Params, QueryResult};
use cinnabar_core::dialect::{Dialect, MySqlDialect};
use cinnabar_core::sql::split_statements;
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use super::bind::to_mysql;
use super::error::{map_error, unpreparable};
use super::row::{metadata, Cells, MySqlRow};
use super::rules;
use super::tx_state::{is_compound, is_insert, starts_with_keyword, tx_effect, TxEffect};
use crate::driver::{DriverConnection, RowSink};

pub(super) struct MySqlConnection {
    pub(super) conn: Conn,
    /// The server is a Galera node (`wsrep_on = ON` at connect).
    pub(super) galera: bool,
    pub(super) broken: bool,
    pub(super) in_tx: bool,
    pub(super) last_id: Option<i64>,
    /// `multi_row_key_step`, read from the server at first use.
    pub(super) key_step: Option<Option<i64>>,
    /// Run by [`DriverConnection::reset`]: ROLLBACK, then autocommit and the driver's
    /// settings back.
    pub(super) reset_sql: Arc<str>,
    /// Whether `set_statement_timeout` set `max_statement_time`, which the reset then puts
    /// back (only then: MySQL 8 has no such variable).
    pub(super) timeout_set: bool,
}

pub(super) struct Outcome {
    pub(super) affected: u64,
    pub(super) insert_id: Option<u64>,
}

pub(super) enum Failure {
    Db(::mysql::Error),
    Sink(Error),
}

/// Reads a statement's response: its OK packet, or its rows (each result set's, for a
/// procedure call) into `sink`.
pub(super) fn consume<P: Protocol>(
    mut result: QueryResult<'_, '_, '_, P>,
    mut sink: Option<RowSink<'_>>,
) -> std::result::Result<Outcome, Failure> {
    let affected = result.affected_rows();
    let insert_id = result.last_insert_id().filter(|&id| id != 0);
    while let Some(mut set) = result.iter() {
        let cols = metadata(set.columns().as_ref());
        for row in set.by_ref() {
            let row = row.map_err(Failure::Db)?;
            if let Some(sink) = sink.as_mut() {
                let view = MySqlRow {
                    row: &row,
                    cells: Cells::new(&cols),
                };
                sink(&view).map_err(Failure::Sink)?;
            }
        }
    }
    Ok(Outcome {
        affected,
        insert_id,
    })
}

/// Runs multi-statement text; returns how many statements succeeded, the last insert id
/// seen, and the first error.
pub(super) fn run_batch(
    conn: &mut Conn,
    sql: &str,
) -> (usize, Option<u64>, Option<::mysql::Error>) {
    let mut result = match conn.query_iter(sql) {
        Ok(r) => r,
        Err(e) => return (0, None, Some(e)),
    };
    let mut done = 0;
    let mut last_id = None;
    while let Some(mut set) = result.iter() {
        if let Some(id) = set.last_insert_id().filter(|&id| id != 0) {
            last_id = Some(id);
        }
        for row in set.by_ref() {
            if let Err(e) = row {
                return (done, last_id, Some(e));
            }
        }
        done += 1;
    }
    (done, last_id, None)
}

impl MySqlConnection {
    /// A `SET` of a session variable may change `auto_increment_increment`: read the
    /// multi-row key step again at its next use.
    fn forget_key_step_on_set(&mut self, sql: &str) {
        if self.key_step.is_some() && starts_with_keyword(sql, &["SET"]) {
            self.key_step = None;
        }
    }

    fn fail(&mut self, e: ::mysql::Error, sql: &str) -> Error {
        let (err, broken) = map_error(e, Some(sql));
        if broken {
            self.broken = true;
        }
        err
    }

    fn apply(&mut self, effect: TxEffect) {
        match effect {
            TxEffect::Begin => self.in_tx = true,
            TxEffect::End => self.in_tx = false,
            TxEffect::None => {}
        }
    }
}

impl DriverConnection for MySqlConnection {
    fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        self.forget_key_step_on_set(sql);
        let values = params
            .iter()
            .map(|p| to_mysql(*p))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| e.with_sql(sql))?;
        let outcome = match self.conn.prep(sql) {
            Ok(stmt) => {
                let expected = usize::from(stmt.num_params());
                if expected != params.len() {
                    return Err(Error::misuse(format!(
                        "statement expects {expected} parameters, {} were given",
                        params.len()
                    ))
                    .with_sql(sql));
                }
                let params = if values.is_empty() {
                    Params::Empty
                } else {
                    Params::Positional(values)
                };
                match self.conn.exec_iter(&stmt, params) {
                    Ok(result) => consume(result, sink),
                    Err(e) => Err(Failure::Db(e)),
                }
            }
            Err(e) if params.is_empty() && unpreparable(&e) => match self.conn.query_iter(sql) {
                Ok(result) => consume(result, sink),
                Err(e) => Err(Failure::Db(e)),
            },
            Err(e) => Err(Failure::Db(e)),
        };
        match outcome {
            Ok(o) => {
                match o.insert_id {
                    Some(id) => self.last_id = i64::try_from(id).ok(),
                    None if is_insert(sql) => self.last_id = None,
                    None => {}
                }
                self.apply(tx_effect(sql));
                Ok(o.affected)
            }
            Err(Failure::Sink(e)) => Err(e),
            Err(Failure::Db(e)) => Err(self.fail(e, sql)),
        }
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.forget_key_step_on_set(sql);
        let pieces: Vec<&str> = split_statements(sql, rules()).collect();
        if pieces.is_empty() {
            return Ok(());
        }
        let (done, last_id, error) = run_batch(&mut self.conn, sql);
        if let Some(id) = last_id {
            self.last_id = i64::try_from(id).ok();
        }
        if pieces.iter().any(|p| is_compound(p)) {
            // Pieces no longer match the server's statements: only ever assume a
            // transaction began (a needless ROLLBACK is harmless; a missed one is not).
            if done > 0 && pieces.iter().any(|p| tx_effect(p) == TxEffect::Begin) {
                self.in_tx = true;
            }
        } else {
            for p in pieces.iter().take(done) {
                self.apply(tx_effect(p));
            }
        }
        match error {
            None => Ok(()),
            Some(e) => Err(self.fail(e, sql)),
        }
    }

    fn last_insert_id(&self) -> Option<i64> {
        self.last_id
    }

    fn multi_row_key_step(&mut self) -> Result<Option<i64>> {
        if let Some(step) = self.key_step {
            return Ok(step);
        }
        // Lock modes 0 and 1 give one multi-row INSERT consecutive values (spaced by
        // auto_increment_increment); mode 2 may interleave them with other sessions' rows.
        let sql = "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment";
        let row: Option<(i64, i64)> = self.conn.query_first(sql).map_err(|e| self.fail(e, sql))?;
        let step = match row {
            Some((mode, increment)) if mode != 2 && increment >= 1 => Some(increment),
            _ => None,
        };
        self.key_step = Some(step);
        Ok(step)
    }

    fn server_dialect(&self) -> Option<&'static dyn Dialect> {
        if self.galera {
            Some(&super::GALERA)
        } else {
            None
        }
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn set_statement_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<()> {
        if let Some(sql) = MySqlDialect.statement_timeout_sql(timeout) {
            self.batch(&sql)?;
        }
        self.timeout_set = timeout.is_some();
        Ok(())
    }

    fn reset(&mut self) -> Result<()> {
        // The crate keeps the server's status flags (SERVER_STATUS_IN_TRANS, AUTOCOMMIT)
        // private, so nothing tells us cheaply what the last user left: one unconditional
        // round trip ends any transaction and puts autocommit and this driver's settings
        // back. Not COM_RESET_CONNECTION: it also drops every prepared statement, so each
        // checkout would prepare its statements again (measured: ~4x the cost of a
        // checkout, query and checkin, against ~3x for this).
        let sql = Arc::clone(&self.reset_sql);
        let (_, _, error) = run_batch(&mut self.conn, &sql);
        if let Some(e) = error {
            return Err(self.fail(e, &sql));
        }
        self.in_tx = false;
        self.last_id = None;
        // The last user may have changed auto_increment_increment.
        self.key_step = None;
        if self.timeout_set {
            if let Some(sql) = MySqlDialect.statement_timeout_sql(None) {
                let (_, _, error) = run_batch(&mut self.conn, &sql);
                if let Some(e) = error {
                    return Err(self.fail(e, &sql));
                }
            }
            self.timeout_set = false;
        }
        Ok(())
    }

    fn ping(&mut self) -> Result<()> {
        self.conn.ping().map_err(|e| {
            self.broken = true;
            Error::new(ErrorKind::Connection, format!("MySQL ping failed: {e}")).with_source(e)
        })
    }

    fn is_broken(&self) -> bool {
        self.broken
    }
}
