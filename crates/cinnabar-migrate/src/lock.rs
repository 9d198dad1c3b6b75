//! The migration lock: one connection that holds the dialect's named lock (PostgreSQL
//! advisory lock, MySQL `GET_LOCK`) for a whole run, polled with a bounded wait, and the
//! session's lock timeout. On SQLite the lock is each revision's `BEGIN IMMEDIATE` instead
//! ([`MigrationLock::WriteTransaction`]); [`busy_to_lock_error`] words its failure. On a
//! cluster whose named locks are local to one server (Galera) it is a lock table's row
//! ([`MigrationLock::LockTable`], `lock_table.rs`). Used by the [`Migrator`](crate::Migrator).

use std::time::{Duration, Instant};

use cinnabar_core::dialect::{MigrationLock, NamedLock};
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
        let mut session = LockedSession {
            conn,
            named: None,
            row: None,
            reset_timeout: None,
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
    let start = Instant::now();
    let mut pause = Duration::from_millis(25);
    loop {
        if first_int(conn, lock.try_acquire, &[ValueRef::Text(name)])? == 1 {
            return Ok(());
        }
        let waited = start.elapsed();
        if waited >= wait {
            let holder = holder(conn, lock, name)
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
fn holder(conn: &mut Connection, lock: &NamedLock, name: &str) -> Result<String> {
    let mut found = None;
    conn.run(
        lock.holder,
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
