//! Statements the blocking client finishes in one wait for the server. Its row iterator
//! (`query_raw`) waits once to start, once per row and once more for the end, each wait a
//! round of the client's runtime (about 1,000 instructions): a statement whose rows nobody
//! reads (an UPDATE or DELETE of the flush) or a query of a few rows (`first()`, via
//! [`run_limited`](crate::driver::DriverConnection::run_limited)) is sent with `execute` or
//! `query` instead, which wait once. Named statements only (a direct connection); behind a
//! transaction pooler (`pooled.rs`) nothing changes.

use std::cell::OnceCell;

use cinnabar_core::{Result, ValueRef};
use postgres::types::ToSql;
use postgres::Statement;

use super::bind::Bind;
use super::connection::{Attempt, PostgresConnection, Prepared};
use super::row::PgRow;

/// A query of at most this many rows is read in one wait ([`PostgresConnection::execute_few`]).
pub(super) const FEW_ROWS: usize = 8;
/// Parameters bound from an array on the stack; more take two small vectors.
const STACK_PARAMS: usize = 8;

impl PostgresConnection {
    /// Runs a query whose SQL returns at most `max_rows` rows ([`FEW_ROWS`]), reading them
    /// all in one wait; only the first `max_rows` go to `sink`.
    pub(super) fn execute_few(
        &mut self,
        stmt: &Statement,
        prepared: &Prepared,
        params: &[ValueRef<'_>],
        max_rows: usize,
        sink: &mut dyn FnMut(&dyn crate::row::Row) -> Result<()>,
    ) -> std::result::Result<u64, Attempt> {
        let rows = match with_binds(params, |binds| self.client.query(stmt, binds)) {
            Ok(rows) => rows,
            // Nothing was handed on: as a failed start of the streaming path (retried once
            // when a schema change invalidated the cached plan).
            Err(e) => return Err(Attempt::Start(e)),
        };
        for row in rows.iter().take(max_rows) {
            let storage = if prepared.needs_storage {
                (0..prepared.decode.len())
                    .map(|_| OnceCell::new())
                    .collect()
            } else {
                Vec::new()
            };
            sink(&PgRow {
                row,
                decode: &prepared.decode,
                storage,
            })
            .map_err(Attempt::Failed)?;
        }
        Ok(0)
    }

    /// Runs a statement whose rows nobody reads, in one wait: the client library discards
    /// any rows; the count of changed rows comes from the server's completion message (0
    /// for a query, as on the streaming path).
    pub(super) fn execute_unread(
        &mut self,
        stmt: &Statement,
        prepared: &Prepared,
        params: &[ValueRef<'_>],
    ) -> std::result::Result<u64, Attempt> {
        match with_binds(params, |binds| self.client.execute(stmt, binds)) {
            Ok(n) => Ok(if prepared.query { 0 } else { n }),
            // Nothing was handed on, and a failed statement changed nothing: as a failed
            // start of the streaming path.
            Err(e) => Err(Attempt::Start(e)),
        }
    }
}

/// Calls `f` with `params` as the client library's parameter list ([`Bind`]s, numbered
/// from 1).
fn with_binds<'a, R>(params: &[ValueRef<'a>], f: impl FnOnce(&[&(dyn ToSql + Sync)]) -> R) -> R {
    fn bind<'a>((i, &value): (usize, &ValueRef<'a>)) -> Bind<'a> {
        Bind {
            value,
            position: i + 1,
        }
    }
    if params.len() <= STACK_PARAMS {
        let mut binds = [Bind {
            value: ValueRef::Null,
            position: 0,
        }; STACK_PARAMS];
        for (b, p) in binds.iter_mut().zip(params.iter().enumerate()) {
            *b = bind(p);
        }
        let refs: [&(dyn ToSql + Sync); STACK_PARAMS] =
            std::array::from_fn(|i| &binds[i] as &(dyn ToSql + Sync));
        f(&refs[..params.len()])
    } else {
        let binds: Vec<Bind<'a>> = params.iter().enumerate().map(bind).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            binds.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        f(&refs)
    }
}
