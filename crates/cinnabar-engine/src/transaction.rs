//! Transactions and savepoints on a [`Connection`]: `begin` (the dialect's write BEGIN,
//! `BEGIN IMMEDIATE` on SQLite), the level API the ORM's session uses, COMMIT failures
//! (rolled back, or reported as an unknown outcome when the connection is lost), and the
//! [`Transaction`] guard that rolls back when dropped.

use cinnabar_core::dialect::BeginMode;
use cinnabar_core::{Error, ErrorKind, Result};

use crate::connection::Connection;

impl Connection {
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
        self.begin_level(self.engine().inner.write_begin)?;
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
        self.begin_level(self.engine().inner.write_begin)
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
