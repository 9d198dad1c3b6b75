//! Behind a transaction-pooling proxy (PgBouncer `pool_mode = transaction`, URL
//! `?pgbouncer=transaction`): each transaction, and each statement run outside one, may go to
//! another server connection, which other clients share. So the connection keeps nothing on
//! the server between transactions:
//!
//! - statements are described once (inside a transaction, the describing statement closed
//!   before it ends) and then sent as the *unnamed* statement with their parameter types
//!   declared, parse, bind and execute in one round trip (`Client::query_typed_raw`), instead
//!   of named statements that would be missing, or another client's, on the next server
//!   connection ("prepared statement "s0" does not exist" / "already exists");
//! - the URL's `search_path` and a statement timeout are `SET LOCAL`, run after every BEGIN
//!   and, for a statement outside a transaction, in a transaction of its own around it;
//! - types that are not built in (enums, domains, citext) make the client library look them
//!   up with named statements of its own, which it keeps for the connection's life (no API
//!   closes them). So a statement that may look types up (its first description, or a run of
//!   a statement with such result columns) runs inside a transaction, that transaction ends
//!   with `DEALLOCATE ALL` (nothing of ours stays on the shared server connection), and the
//!   client connection to the pooler is replaced by a fresh one once the transaction is over
//!   (between transactions it holds nothing the next server connection would need);
//! - the reset on return to the pool is a `ROLLBACK` (a `RESET ALL` would reach some other
//!   client's server connection, and there is nothing of ours to reset).
//!
//! Used by `connection.rs` when the driver was configured so (`mod.rs`).

use std::sync::Arc;

use cinnabar_core::dialect::{Dialect, PostgresDialect};
use cinnabar_core::sql::split_statements;
use cinnabar_core::{Result, ValueRef};

use super::connection::{PostgresConnection, Stmt, Unnamed};
use super::row::{decode_of, Decode};
use super::rules;
use super::tx_state::{tx_effect, TxEffect};
use crate::driver::RowSink;

/// A transaction-pooled connection's own state: the transaction-scoped settings.
#[derive(Debug, Default)]
pub(super) struct Pooled {
    /// `SET LOCAL search_path TO ...`, from the URL's `search_path`.
    search_path: Option<String>,
    /// `SET LOCAL statement_timeout = ...`, while a statement timeout is set.
    timeout: Option<String>,
    /// Both, joined: what every transaction begins with.
    local: String,
    /// The client library may hold named statements of its type lookups, made in the
    /// current transaction: deallocate them before it ends.
    type_lookups: bool,
    /// The client holds handles of deallocated lookup statements: replace it once no
    /// transaction is open.
    stale_client: bool,
    /// How to open the replacement.
    config: Option<postgres::Config>,
}

impl Pooled {
    pub(super) fn new(search_path: Option<String>, config: postgres::Config) -> Pooled {
        let mut p = Pooled {
            search_path,
            config: Some(config),
            ..Pooled::default()
        };
        p.join();
        p
    }

    fn join(&mut self) {
        self.local = [&self.search_path, &self.timeout]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("; ");
    }
}

/// The decode plan of `row`'s columns when their types are not the ones described (a schema
/// change since): the unnamed statement is planned afresh each time, so rows say their types.
pub(super) fn changed_columns(u: &Unnamed, row: &postgres::Row) -> Option<Arc<[Decode]>> {
    let columns = row.columns();
    let same = columns.len() == u.columns.len()
        && columns
            .iter()
            .zip(&u.columns)
            .all(|(c, &oid)| c.type_().oid() == oid);
    if same {
        return None;
    }
    Some(columns.iter().map(|c| decode_of(c.type_())).collect())
}

/// `sql` with the transaction-scoped settings `local` run before its first statement when no
/// transaction is open (a multi-statement script runs as one implicit transaction) and after
/// each statement that begins or ends one, so that every transaction in it has them.
pub(super) fn with_local_settings(sql: &str, local: &str, in_transaction: bool) -> String {
    let mut out = String::with_capacity(sql.len() + 2 * local.len() + 8);
    let mut pending = !in_transaction;
    let mut open = in_transaction;
    for stmt in split_statements(sql, rules()) {
        let effect = tx_effect(stmt);
        if pending && effect == TxEffect::None {
            out.push_str(local);
            out.push_str("; ");
            pending = false;
        }
        out.push_str(stmt);
        out.push_str("; ");
        match effect {
            TxEffect::Begin => {
                open = true;
                pending = true;
            }
            TxEffect::Commit | TxEffect::Rollback => {
                open = false;
                pending = true;
            }
            TxEffect::RollbackToSavepoint | TxEffect::None => {}
        }
    }
    if pending && open {
        out.push_str(local);
    }
    out
}

impl PostgresConnection {
    /// Notes that the client library may now hold named statements of its type lookups.
    pub(super) fn note_type_lookups(&mut self) {
        if let Some(p) = self.pooled.as_mut() {
            p.type_lookups = true;
        }
    }

    /// Removes the type lookups' named statements from the server connection, inside the
    /// transaction that made them (unless it failed: then nothing more runs in it), and
    /// marks the client for replacement.
    fn close_type_lookups(&mut self) -> Result<()> {
        let Some(p) = self.pooled.as_mut() else {
            return Ok(());
        };
        if !std::mem::take(&mut p.type_lookups) {
            return Ok(());
        }
        p.stale_client = true;
        if self.tx.failed {
            return Ok(());
        }
        let sql = "DEALLOCATE ALL";
        self.client
            .batch_execute(sql)
            .map_err(|e| self.fail(e, sql))
    }

    /// Once no transaction is open, replaces a client whose lookup statements were
    /// deallocated by a fresh connection to the pooler. If that fails, the connection is
    /// marked broken (the pool discards it) and the next checkout opens a new one.
    pub(super) fn replace_stale_client(&mut self) {
        let Some(p) = self.pooled.as_mut() else {
            return;
        };
        if !p.stale_client || self.tx.open {
            return;
        }
        p.stale_client = false;
        let fresh = p.config.as_ref().map(|c| c.connect(postgres::NoTls));
        match fresh {
            Some(Ok(client)) => self.client = super::client::PgClient::new(client),
            Some(Err(e)) => {
                tracing::debug!(target: "cinnabar::engine", error = %e, "reconnecting to the pooler failed");
                self.broken = true;
            }
            None => self.broken = true,
        }
    }

    fn local_settings(&self) -> String {
        self.pooled
            .as_ref()
            .map(|p| p.local.clone())
            .unwrap_or_default()
    }

    /// Whether `sql` with `params` is described and reads no type that needs a lookup: it
    /// can run outside a transaction in one round trip.
    fn described_plainly(&self, sql: &str, params: &[ValueRef<'_>]) -> bool {
        matches!(
            self.cached(sql, params).map(|p| &p.stmt),
            Some(Stmt::Unnamed(u)) if !u.custom_columns
        )
    }

    /// [`DriverConnection::run`](crate::driver::DriverConnection::run) behind a transaction
    /// pooler; `effect` is what `sql` does to the transaction.
    pub(super) fn run_pooled(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
        effect: TxEffect,
    ) -> Result<u64> {
        let local = self.local_settings();
        if effect != TxEffect::None && params.is_empty() {
            // Transaction control: as a script (nothing to describe), BEGIN with the settings.
            let script = match effect {
                TxEffect::Begin if !local.is_empty() => format!("{sql}; {local}"),
                _ => sql.to_owned(),
            };
            return match self.client.batch_execute(&script) {
                Ok(()) => Ok(0),
                Err(e) => Err(self.fail(e, sql)),
            };
        }
        let wrap = !self.tx.open
            && effect == TxEffect::None
            && (!local.is_empty() || !self.described_plainly(sql, params));
        if !wrap {
            let result = self.run_inner(sql, params, sink);
            let closed = self.close_type_lookups();
            return result.and_then(|n| closed.map(|()| n));
        }
        let begin = if local.is_empty() {
            "BEGIN".to_owned()
        } else {
            format!("BEGIN; {local}")
        };
        self.batch_tracked(&begin, sql)?;
        let result = self.run_inner(sql, params, sink);
        let result = match (result, self.close_type_lookups()) {
            (Ok(n), Ok(())) => Ok(n),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        };
        let server_error = self.server_error;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.batch_tracked(end, sql);
        self.server_error = server_error;
        match (result, ended) {
            (Ok(n), Ok(())) => Ok(n),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }

    /// [`DriverConnection::batch`](crate::driver::DriverConnection::batch) behind a
    /// transaction pooler: every transaction in the script gets the settings.
    pub(super) fn batch_pooled(&mut self, sql: &str) -> Result<()> {
        let local = self.local_settings();
        if local.is_empty() {
            return self.batch_tracked(sql, sql);
        }
        let full = with_local_settings(sql, &local, self.tx.open);
        self.batch_tracked(&full, sql)
    }

    /// A statement timeout as a transaction-scoped setting: remembered for every later
    /// transaction, and applied at once to the open one.
    pub(super) fn set_timeout_pooled(
        &mut self,
        timeout: Option<std::time::Duration>,
    ) -> Result<()> {
        let Some(sql) = PostgresDialect.statement_timeout_local_sql(timeout) else {
            return Ok(());
        };
        if let Some(p) = self.pooled.as_mut() {
            p.timeout = timeout.map(|_| sql.clone());
            p.join();
        }
        if self.tx.open {
            self.batch_tracked(&sql, &sql)?;
        }
        Ok(())
    }

    /// Forgets the statement timeout (the reset on return to the pool).
    pub(super) fn reset_pooled(&mut self) {
        if let Some(p) = self.pooled.as_mut() {
            if std::mem::take(&mut p.type_lookups) {
                p.stale_client = true;
            }
            p.timeout = None;
            p.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transaction_of_a_script_gets_the_settings() {
        let l = "SET LOCAL search_path TO s";
        assert_eq!(
            with_local_settings("BEGIN", l, false),
            format!("BEGIN; {l}")
        );
        assert_eq!(
            with_local_settings("CREATE TABLE t (x int)", l, false),
            format!("{l}; CREATE TABLE t (x int); ")
        );
        // Inside a transaction the settings were applied at its BEGIN.
        assert_eq!(
            with_local_settings("CREATE TABLE t (x int)", l, true),
            "CREATE TABLE t (x int); "
        );
        assert_eq!(with_local_settings("COMMIT", l, true), "COMMIT; ");
        assert_eq!(
            with_local_settings(
                "BEGIN; INSERT INTO t VALUES (1); COMMIT; SELECT 1",
                l,
                false
            ),
            format!("BEGIN; {l}; INSERT INTO t VALUES (1); COMMIT; {l}; SELECT 1; ")
        );
        assert_eq!(
            with_local_settings("SAVEPOINT a; ROLLBACK TO SAVEPOINT a", l, true),
            "SAVEPOINT a; ROLLBACK TO SAVEPOINT a; "
        );
    }

    #[test]
    fn settings_join_search_path_and_timeout() {
        let mut p = Pooled::new(
            Some("SET LOCAL search_path TO a".into()),
            postgres::Config::new(),
        );
        assert_eq!(p.local, "SET LOCAL search_path TO a");
        p.timeout = Some("SET LOCAL statement_timeout = 5".into());
        p.join();
        assert_eq!(
            p.local,
            "SET LOCAL search_path TO a; SET LOCAL statement_timeout = 5"
        );
        assert_eq!(Pooled::new(None, postgres::Config::new()).local, "");
    }
}
