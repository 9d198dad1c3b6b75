//! The migration lock: one connection that holds the dialect's named lock (PostgreSQL
//! advisory lock, MySQL `GET_LOCK`) for a whole run, polled with a bounded wait, and the
//! session's lock timeout. On SQLite the lock is each revision's `BEGIN IMMEDIATE` instead
//! ([`MigrationLock::WriteTransaction`]); [`busy_to_lock_error`] words its failure. Behind a
//! transaction-pooling proxy ([`Engine::transaction_pooled`]) nothing session-level may be
//! held, so every transaction of the run takes the dialect's transaction-scoped lock and lock
//! timeout instead ([`TxGuard`]). On a
//! cluster whose named locks are local to one server (Galera) it is a lock table's row
//! ([`MigrationLock::LockTable`], `lock_table.rs`). Used by the [`Migrator`](crate::Migrator).

use std::time::{Duration, Instant};

use cinnabar_core::dialect::{MigrationLock, NamedLock, TransactionLock};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use cinnabar_engine::{Connection, Engine};

use crate::lock_table::LockRow;
use crate::version::first_int;

/// A connection for a migration run, holding the migration lock where the dialect has a
/// named one and the lock timeout where it has one. Both are given back when it drops.
pub(crate) struct LockedSession {
    pub(crate) conn: Connection,
    named: Option<(NamedLock, String)>,
    row: Option<LockRow>,
    reset_timeout: Option<&'static str>,
    /// What each transaction of the run takes first (behind a transaction pooler).
    pub(crate) guard: TxGuard,
}

/// Behind a transaction-pooling proxy: the lock and lock timeout each transaction of a
/// migration run takes at its start (both end with it). Empty on a direct connection, where
/// the session holds them for the whole run.
#[derive(Debug, Clone, Default)]
pub(crate) struct TxGuard {
    lock: Option<(TransactionLock, String, Duration)>,
    lock_timeout: Option<String>,
}

impl TxGuard {
    /// Runs at the start of a transaction on `conn`: takes the lock (waiting up to the run's
    /// wait), then sets the lock timeout for the transaction's steps.
    pub(crate) fn enter(&self, conn: &mut Connection) -> Result<()> {
        if let Some((lock, name, wait)) = &self.lock {
            poll(conn, lock.try_acquire, lock.holder, name, *wait)?;
        }
        if let Some(sql) = &self.lock_timeout {
            conn.execute_script(sql)?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for LockedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockedSession")
            .field("named_lock", &self.named.as_ref().map(|(_, n)| n))
            .finish()
    }
}

impl LockedSession {
    /// Connects, takes the named lock `name` (waiting up to `wait`), and sets the lock
    /// timeout for the steps.
    pub(crate) fn open(
        engine: &Engine,
        name: &str,
        wait: Duration,
        lock_timeout: Option<Duration>,
    ) -> Result<LockedSession> {
        // Connect first: the server may tell the engine its dialect at connect (Galera).
        let conn = engine.connect()?;
        let dialect = conn.dialect();
        let lock = dialect.migration_lock().ok_or_else(|| {
            Error::unsupported(format!(
                "the {} dialect has no migration lock; migrations refuse to run unguarded",
                dialect.name()
            ))
        })?;
        if engine.transaction_pooled() {
            return Self::open_pooled(conn, engine, name, wait, lock_timeout);
        }
        let mut session = LockedSession {
            conn,
            named: None,
            row: None,
            reset_timeout: None,
            guard: TxGuard::default(),
        };
        match lock {
            MigrationLock::Named(_) if !dialect.named_locks_cluster_wide() => {
                return Err(Error::unsupported(format!(
                    "the {} dialect's named lock excludes only sessions on the same server, not                      the other servers of the cluster; migrations refuse to run unguarded",
                    dialect.name()
                )));
            }
            MigrationLock::Named(named) => {
                acquire(&mut session.conn, &named, name, wait)?;
                session.named = Some((named, name.to_owned()));
            }
            MigrationLock::LockTable => {
                let row = LockRow::new(name);
                row.acquire(&mut session.conn, wait)?;
                session.row = Some(row);
            }
            MigrationLock::WriteTransaction => {}
        }
        if let Some(t) = lock_timeout {
            if let Some(sql) = dialect.lock_timeout_sql(t) {
                session.conn.execute_script(&sql)?;
                session.reset_timeout = dialect.lock_timeout_reset_sql();
            }
        }
        Ok(session)
    }
}

impl LockedSession {
    /// Behind a transaction pooler: no session-level lock or setting; each transaction takes
    /// the transaction-scoped ones ([`TxGuard`]). Refused where the dialect has no such lock,
    /// or no transactional DDL (a step committed on its own would run unguarded).
    fn open_pooled(
        conn: Connection,
        engine: &Engine,
        name: &str,
        wait: Duration,
        lock_timeout: Option<Duration>,
    ) -> Result<LockedSession> {
        let dialect = conn.dialect();
        let refuse = |why: &str| {
            Error::unsupported(format!(
                "migrations through a transaction-pooling connection ({}): {why}; run them on a \
                 direct connection to the database (the URL without the pooler)",
                engine.url()
            ))
        };
        let Some(lock) = dialect.migration_transaction_lock() else {
            return Err(refuse(&format!(
                "the {} dialect has no lock scoped to a transaction, and a session-level lock \
                 would stay behind on a server connection other clients share",
                dialect.name()
            )));
        };
        if !dialect.transactional_ddl() {
            return Err(refuse(&format!(
                "the {} dialect's DDL is not transactional, so steps would commit outside the \
                 lock",
                dialect.name()
            )));
        }
        let lock_timeout = match lock_timeout {
            Some(t) => dialect.lock_timeout_local_sql(t),
            None => None,
        };
        Ok(LockedSession {
            conn,
            named: None,
            row: None,
            reset_timeout: None,
            guard: TxGuard {
                lock: Some((lock, name.to_owned(), wait)),
                lock_timeout,
            },
        })
    }
}

impl Drop for LockedSession {
    fn drop(&mut self) {
        // A transaction left open by a failure would keep the release inside it (and on
        // PostgreSQL an aborted one refuses every statement).
        while self.conn.in_transaction() {
            if self.conn.rollback_level().is_err() {
                break;
            }
        }
        if let Some(sql) = self.reset_timeout {
            if let Err(e) = self.conn.execute_script(sql) {
                tracing::warn!(target: "cinnabar::migrate", error = %e, "resetting the lock timeout failed");
            }
        }
        if let Some(row) = &self.row {
            match row.release(&mut self.conn) {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    target: "cinnabar::migrate",
                    "the migration lock row was no longer this run's at release"
                ),
                Err(e) => tracing::warn!(
                    target: "cinnabar::migrate",
                    error = %e,
                    "deleting the migration lock row failed; the next run will report it held"
                ),
            }
        }
        if let Some((named, name)) = &self.named {
            match first_int(&mut self.conn, named.release, &[ValueRef::Text(name)]) {
                Ok(1) => {}
                Ok(_) => tracing::warn!(
                    target: "cinnabar::migrate",
                    "the migration lock was no longer held by this session at release"
                ),
                Err(e) => tracing::warn!(
                    target: "cinnabar::migrate",
                    error = %e,
                    "releasing the migration lock failed; it goes when the connection closes"
                ),
            }
        }
    }
}

/// Polls `lock.try_acquire` until it succeeds or `wait` runs out; then the error names the
/// session holding the lock.
fn acquire(conn: &mut Connection, lock: &NamedLock, name: &str, wait: Duration) -> Result<()> {
    poll(conn, lock.try_acquire, lock.holder, name, wait)
}

/// Polls `try_acquire` until it succeeds or `wait` runs out; then the error names the
/// session `holder` describes.
fn poll(
    conn: &mut Connection,
    try_acquire: &str,
    holder_sql: &str,
    name: &str,
    wait: Duration,
) -> Result<()> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(25);
    loop {
        if first_int(conn, try_acquire, &[ValueRef::Text(name)])? == 1 {
            return Ok(());
        }
        let waited = start.elapsed();
        if waited >= wait {
            let holder = holder(conn, holder_sql, name)
                .unwrap_or_else(|e| format!("(could not read the holder: {})", e.message()));
            return Err(Error::new(
                ErrorKind::Busy,
                format!(
                    "the migration lock {name:?} on the {} database was not free within {:.1} s; \
                     it is held by {holder}. Another migration is running: wait for it, or \
                     end that session if it is stuck",
                    conn.dialect().name(),
                    wait.as_secs_f64()
                ),
            ));
        }
        std::thread::sleep(pause.min(wait.saturating_sub(waited)));
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// Who holds the lock, in the dialect's words, or `nobody` when it was released meanwhile.
fn holder(conn: &mut Connection, holder_sql: &str, name: &str) -> Result<String> {
    let mut found = None;
    conn.run(
        holder_sql,
        &[ValueRef::Text(name)],
        Some(&mut |row: &dyn cinnabar_engine::Row| {
            if found.is_none() {
                found = Some(cinnabar_engine::get_at::<String>(row, 0, "holder")?);
            }
            Ok(())
        }),
    )?;
    Ok(found.unwrap_or_else(|| "nobody any more (it was just released)".to_owned()))
}

/// Where the lock is the write transaction (SQLite), a `Busy` error from BEGIN means another
/// connection held the write lock for the whole busy timeout: say so.
pub(crate) fn busy_to_lock_error(e: Error, engine: &Engine) -> Error {
    if e.kind() != ErrorKind::Busy {
        return e;
    }
    Error::new(
        ErrorKind::Busy,
        format!(
            "the write lock of {} was not free within the busy timeout: another connection is \
             writing (a migration or the application); SQLite cannot say which process holds \
             it. Retry, or raise the busy timeout (`?timeout=` in the URL): {}",
            engine.url(),
            e.message()
        ),
    )
}
