//! The driver interface: what a database client library must provide. A driver does I/O
//! only; SQL text comes from a dialect.
//!
//! Implemented by the SQLite driver (rusqlite) here, and by the PostgreSQL and MySQL
//! drivers behind their features.

use cinnabar_core::dialect::Dialect;
use cinnabar_core::{Result, ValueRef};

use crate::key::SqliteKey;
use crate::row::Row;

/// Receives each result row of a statement.
pub type RowSink<'a> = &'a mut dyn FnMut(&dyn Row) -> Result<()>;

/// Opens connections for one URL.
pub trait Driver: Send + Sync + 'static {
    /// The dialect that renders SQL for this driver's database.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Opens a new connection.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`](cinnabar_core::ErrorKind::Connection) naming the target.
    fn connect(&self) -> Result<Box<dyn DriverConnection>>;

    /// Pool size and overflow this driver needs regardless of configuration (an in-memory
    /// SQLite database must be one shared connection).
    fn forced_pool_limits(&self) -> Option<(usize, usize)> {
        None
    }

    /// Whether this driver's connections go through a transaction-pooling proxy (PgBouncer
    /// with `pool_mode = transaction`, configured with `?pgbouncer=transaction`): each
    /// transaction may run on another server connection, so nothing session-scoped (a `SET`,
    /// an advisory lock, a named prepared statement) outlives a transaction. The driver then
    /// adapts what it does itself; the engine reports it
    /// ([`Engine::transaction_pooled`](crate::Engine::transaction_pooled)) so that the layers
    /// above (the migrations' lock) take their transaction-scoped path. `false` by default.
    fn transaction_pooled(&self) -> bool {
        false
    }

    /// Changes the encryption key of the database to `key` (SQLite with SQLCipher: `PRAGMA
    /// rekey`) on a connection of its own, and opens every later connection with it. The
    /// engine calls it with no other connection open ([`Engine::rekey`](crate::Engine::rekey)).
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) by default: the
    /// database has no encryption key.
    fn rekey(&self, key: SqliteKey) -> Result<()> {
        let _ = key;
        Err(cinnabar_core::Error::unsupported(
            "this database has no encryption key to change (only SQLite files opened with a key, \
             with the `sqlcipher` feature, have one)",
        ))
    }

    /// Upgrades a database encrypted by an older SQLCipher major version to the current
    /// format, in place (`PRAGMA cipher_migrate`), on a connection of its own
    /// ([`Engine::cipher_migrate`](crate::Engine::cipher_migrate)).
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) by default.
    fn cipher_migrate(&self) -> Result<()> {
        Err(cinnabar_core::Error::unsupported(
            "cipher_migrate applies only to SQLite files opened with a key (feature `sqlcipher`)",
        ))
    }
}

/// One open connection.
pub trait DriverConnection: Send {
    /// Runs one statement with positional parameters. Result rows, if any, go to `sink`
    /// (and are discarded when it is `None`). Returns the number of rows the statement
    /// changed (0 for queries).
    ///
    /// # Errors
    /// Database errors mapped to Cinnabar's kinds, naming the constraint where known.
    fn run(&mut self, sql: &str, params: &[ValueRef<'_>], sink: Option<RowSink<'_>>)
        -> Result<u64>;

    /// As [`Self::run`] for a query of at most `max_rows` rows (its SQL says so, with a
    /// LIMIT): `sink` receives the first `max_rows` rows at most. A driver may read them all
    /// at once and stops after them (the PostgreSQL driver waits for the server once instead
    /// of once per row; SQLite does not step the statement again). The default runs
    /// [`Self::run`] and hands on the first `max_rows` rows.
    ///
    /// # Errors
    /// As [`Self::run`].
    fn run_limited(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        max_rows: usize,
        sink: RowSink<'_>,
    ) -> Result<u64> {
        let mut seen = 0usize;
        self.run(
            sql,
            params,
            Some(&mut |row: &dyn crate::row::Row| {
                if seen < max_rows {
                    seen += 1;
                    sink(row)?;
                }
                Ok(())
            }),
        )
    }

    /// Runs one parameterised statement once per row of `params` (`width` values a row),
    /// pushing each execution's changed-row count to `counts`: the executemany path of
    /// flushes. Drivers override it to prepare once; the default calls [`Self::run`].
    ///
    /// # Errors
    /// The first failing execution's error.
    fn run_many(
        &mut self,
        sql: &str,
        width: usize,
        params: &[ValueRef<'_>],
        counts: &mut Vec<u64>,
    ) -> Result<()> {
        if width == 0 {
            return Ok(());
        }
        for row in params.chunks(width) {
            counts.push(self.run(sql, row, None)?);
        }
        Ok(())
    }

    /// Runs SQL without parameters (transaction control, DDL), possibly several statements.
    ///
    /// # Errors
    /// Database errors.
    fn batch(&mut self, sql: &str) -> Result<()>;

    /// The key generated by the last INSERT on this connection.
    fn last_insert_id(&self) -> Option<i64>;

    /// The step between the keys one multi-row INSERT generates, row after row, or `None`
    /// when the server does not promise them consecutive (MySQL's interleaved
    /// `innodb_autoinc_lock_mode = 2`); then such INSERTs cannot map keys to rows.
    ///
    /// # Errors
    /// Database errors while reading the server's settings.
    fn multi_row_key_step(&mut self) -> Result<Option<i64>> {
        Ok(Some(1))
    }

    /// The dialect this connection's server needs when it is not the driver's, found at
    /// connect: the MySQL driver answers [`GaleraDialect`](cinnabar_core::dialect::GaleraDialect)
    /// for a server with `wsrep_on = ON`. The engine switches to it at the first connection
    /// that says so ([`Engine::dialect`](crate::Engine::dialect)). `None` by default.
    fn server_dialect(&self) -> Option<&'static dyn Dialect> {
        None
    }

    /// Whether a transaction is open.
    fn in_transaction(&self) -> bool;

    /// Bounds how long each later statement on this connection may run (`None`: no bound):
    /// past it the database work itself is stopped and the statement fails with
    /// [`ErrorKind::Timeout`](cinnabar_core::ErrorKind::Timeout). Servers do it with the
    /// dialect's [`statement_timeout_sql`](Dialect::statement_timeout_sql); SQLite's driver
    /// interrupts the statement from SQLite's progress handler. [`Self::reset`] takes the
    /// bound away, so it never outlives a checkout.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) by default;
    /// database errors.
    fn set_statement_timeout(&mut self, timeout: Option<std::time::Duration>) -> Result<()> {
        let _ = timeout;
        Err(cinnabar_core::Error::unsupported(
            "this driver cannot bound how long a statement runs",
        ))
    }

    /// Returns the connection to the state a new one has, for its next user: no open
    /// transaction, and the session settings the driver applies at connect (SQLAlchemy's
    /// reset on return). The pool calls it on every connection it takes back, whatever SQL
    /// ran on it; it must not rely on having followed that SQL. Each driver does it the
    /// cheapest exact way it can (SQLite asks the library whether a transaction is open;
    /// PostgreSQL and MySQL do it in one or two round trips).
    ///
    /// # Errors
    /// Database or connection errors; the pool then discards the connection.
    fn reset(&mut self) -> Result<()>;

    /// Checks the connection is alive.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`](cinnabar_core::ErrorKind::Connection) when it is not.
    fn ping(&mut self) -> Result<()>;

    /// Whether an error has shown the connection unusable; a broken connection is never
    /// returned to the pool.
    fn is_broken(&self) -> bool;
}
