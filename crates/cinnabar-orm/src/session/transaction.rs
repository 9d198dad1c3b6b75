//! The session's transaction: begin, commit, rollback (with the registries' journals
//! putting memory back as it was), `transaction` and `transaction_with_retry` around a unit
//! of work, and savepoints.

use std::sync::atomic::Ordering;

use cinnabar_core::{Error, Result};

use super::Session;
use crate::journal::Snapshot;
use crate::retry::{Retried, RetryPolicy};

impl Session {
    pub(super) fn ensure_transaction(&mut self) -> Result<()> {
        if self.options.read_only {
            return Err(Session::read_only_error("beginning a write transaction"));
        }
        if self.tx_depth == 0 {
            self.release_replica();
            self.route.wrote = true;
            let depth = self.primary_connection()?.begin_write_level()?;
            self.tx_depth = depth;
        }
        Ok(())
    }

    /// Begins the session's transaction now (otherwise it begins at the first write).
    ///
    /// # Errors
    /// Database errors; [`ErrorKind::Busy`](cinnabar_core::ErrorKind::Busy) on SQLite when
    /// another writer holds the lock past the busy timeout.
    pub fn begin(&mut self) -> Result<()> {
        self.ensure_transaction()
    }

    /// Whether the session's transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx_depth > 0
    }

    /// Flushes, commits, and returns the connection to the pool. Objects keep their values
    /// and are refreshed from the database by the next query that loads them.
    ///
    /// # Errors
    /// Flush errors (after which everything is rolled back), or COMMIT errors.
    pub fn commit(&mut self) -> Result<()> {
        self.flush()?;
        if self.tx_depth > 0 {
            let conn = self
                .conn
                .as_mut()
                .ok_or_else(|| Error::misuse("session has no connection"))?;
            while conn.transaction_depth() > 1 {
                conn.commit_level()?;
            }
            if let Err(e) = conn.commit_level() {
                self.rollback_keeping_changes();
                return Err(e);
            }
            self.tx_depth = 0;
        }
        for r in &mut self.registries {
            r.after_commit();
        }
        self.generation += 1;
        self.release_connection();
        Ok(())
    }

    /// Rolls back the transaction: pending objects leave the session, changed objects get
    /// back their committed values, deleted objects return. Returns the connection to the
    /// pool.
    ///
    /// # Errors
    /// Database errors from ROLLBACK (the in-memory state is restored regardless).
    pub fn rollback(&mut self) -> Result<()> {
        // Restoring objects takes their locks: refuse while this thread holds a guard on one.
        for r in &self.registries {
            r.check_unlocked()?;
        }
        let result = self.rollback_database();
        self.restore_after_rollback();
        self.release_connection();
        result
    }

    /// Rolls back every open level of the session's transaction on its connection.
    fn rollback_database(&mut self) -> Result<()> {
        let mut result = Ok(());
        if self.tx_depth > 0 {
            if let Some(conn) = self.conn.as_mut() {
                while conn.transaction_depth() > 0 {
                    if let Err(e) = conn.rollback_level() {
                        result = Err(e);
                        break;
                    }
                }
            }
            self.tx_depth = 0;
        }
        result
    }

    /// After a flush or COMMIT failed: rolls the transaction back and keeps every change of
    /// it in the session as not yet flushed (pending objects pending, changed objects
    /// changed, deleted objects marked), so fixing or expunging the bad object and committing
    /// again writes the rest; [`Session::rollback`] discards them.
    pub(super) fn rollback_keeping_changes(&mut self) {
        if let Err(r) = self.rollback_database() {
            tracing::warn!(target: "cinnabar::session", error = %r, "rollback after a failed flush failed");
        }
        self.savepoints = 0;
        let mut left = false;
        for r in &mut self.registries {
            left |= r.after_failed_flush();
        }
        self.tracker
            .dirty
            .store(usize::from(left), Ordering::Relaxed);
        self.generation += 1;
        self.release_connection();
    }

    fn restore_after_rollback(&mut self) {
        self.savepoints = 0;
        for r in &mut self.registries {
            r.after_rollback();
        }
        self.tracker.dirty.store(0, Ordering::Relaxed);
        self.generation += 1;
    }

    /// Runs `f` and commits when it returns `Ok`; rolls back when it or the commit fails
    /// (the tutorial's `try: commit() except: rollback()`), so after an error the session
    /// holds none of `f`'s changes.
    ///
    /// # Errors
    /// `f`'s error, or the commit's.
    pub fn transaction<R, E, F>(&mut self, f: F) -> std::result::Result<R, E>
    where
        F: FnOnce(&mut Session) -> std::result::Result<R, E>,
        E: From<Error>,
    {
        match f(self) {
            Ok(v) => match self.commit() {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.rollback();
                    Err(E::from(e))
                }
            },
            Err(e) => {
                let _ = self.rollback();
                Err(e)
            }
        }
    }

    /// Runs a whole unit of work, `f` then `commit()`, and runs it again when it fails with
    /// a conflict another attempt may not meet: a version conflict
    /// ([`ErrorKind::StaleData`](cinnabar_core::ErrorKind::StaleData)), a deadlock, a
    /// serialization failure, or a lock or SQLite write lock that stayed taken
    /// ([`ErrorKind::is_retryable`](cinnabar_core::ErrorKind::is_retryable)), or with a code
    /// the engine's dialect calls retryable
    /// ([`Dialect::is_retryable`](cinnabar_core::dialect::Dialect::is_retryable): Galera's
    /// 1047 while a node is not ready; its certification conflicts are deadlocks). Before each
    /// attempt the session is rolled back and cleared (a clean identity map, as after
    /// [`Session::close`]), so `f` reads everything afresh; between attempts it waits as
    /// `policy` says. Any other error is returned at once, after a rollback.
    ///
    /// `f` may run several times: keep side effects outside the database out of it. Handles
    /// from before the call, and from a failed attempt, are detached: use those `f` loads.
    ///
    /// (`docs/CONCURRENCY.md` has this example complete, run as a doc test of the `cinnabar`
    /// crate.)
    ///
    /// ```ignore
    /// session.transaction_with_retry(&RetryPolicy::default(), |s| {
    ///     let c = s.get::<Counter>(1)?.ok_or_else(|| Error::new(ErrorKind::NoRow, "no counter 1"))?;
    ///     c.write().value += 1;
    ///     Ok(())
    /// })?;
    /// ```
    ///
    /// # Errors
    /// The last attempt's error when every attempt failed with a retryable one (its message
    /// says how many were made), or the first non-retryable error. `Misuse` when the session
    /// has unflushed changes or an open transaction when called (they would be lost).
    pub fn transaction_with_retry<R, F>(&mut self, policy: &RetryPolicy, f: F) -> Result<R>
    where
        F: FnMut(&mut Session) -> Result<R>,
    {
        self.transaction_with_retry_counted(policy, f)
            .map(|done| done.value)
    }

    /// [`Session::transaction_with_retry`], also saying how many attempts it took
    /// ([`Retried::attempts`]; [`Retried::retries`] is that minus one): for reporting
    /// contention, as the Galera tests and docs/SCALING.md do.
    ///
    /// ```ignore
    /// let done = session.transaction_with_retry_counted(&RetryPolicy::default(), |s| { ... })?;
    /// metrics.retries += u64::from(done.retries());
    /// ```
    ///
    /// # Errors
    /// As [`Session::transaction_with_retry`].
    pub fn transaction_with_retry_counted<R, F>(
        &mut self,
        policy: &RetryPolicy,
        mut f: F,
    ) -> Result<Retried<R>>
    where
        F: FnMut(&mut Session) -> Result<R>,
    {
        if self.has_work() || self.tx_depth > 0 {
            return Err(Error::misuse(
                "transaction_with_retry starts each attempt from a clean session: commit or roll back the session's pending changes and open transaction first",
            ));
        }
        let attempts = policy.max_attempts.max(1);
        let mut seed = RetryPolicy::seed();
        let mut attempt = 1;
        loop {
            self.close();
            self.read_primary_until_close();
            let outcome = f(self).and_then(|v| self.commit().map(|()| v));
            let e = match outcome {
                Ok(value) => {
                    return Ok(Retried {
                        value,
                        attempts: attempt,
                    })
                }
                Err(e) => e,
            };
            // Discard what the attempt left (a failed commit keeps its changes).
            let _ = self.rollback();
            // The dialect knows codes retryable on its database only (Galera's 1047).
            if !self.engine.dialect().is_retryable(&e) {
                return Err(e);
            }
            if attempt >= attempts {
                return Err(e.context(format_args!("gave up after {attempt} attempts")));
            }
            tracing::debug!(target: "cinnabar::session", attempt, error = %e, "retrying the unit of work");
            std::thread::sleep(policy.backoff(attempt, &mut seed));
            attempt += 1;
        }
    }

    /// Runs `f` inside a SAVEPOINT. On `Err` only the savepoint's work is undone in the
    /// database, and the session forgets the objects `f` added and restores the ones it
    /// deleted or changed (reloading changed rows); the outer transaction goes on.
    ///
    /// # Errors
    /// `f`'s error, flush errors, database errors.
    pub fn savepoint<R, E, F>(&mut self, f: F) -> std::result::Result<R, E>
    where
        F: FnOnce(&mut Session) -> std::result::Result<R, E>,
        E: From<Error>,
    {
        self.flush()?;
        self.ensure_transaction()?;
        let snapshot = Snapshot::take(&mut self.registries);
        self.primary_connection()?.begin_write_level()?;
        self.savepoints += 1;
        let outcome = f(self);
        let outcome = match outcome {
            Ok(v) => match self.flush_inner() {
                Ok(()) => Ok(v),
                Err(e) => Err(E::from(e)),
            },
            Err(e) => Err(e),
        };
        self.savepoints = self.savepoints.saturating_sub(1);
        match outcome {
            Ok(v) => {
                self.primary_connection()?.commit_level()?;
                for r in &mut self.registries {
                    r.release_mark();
                }
                Ok(v)
            }
            Err(e) => {
                self.primary_connection()?.rollback_level()?;
                let (conn, registries) = self.conn_and_registries()?;
                snapshot.restore(conn, registries)?;
                Err(e)
            }
        }
    }
}
