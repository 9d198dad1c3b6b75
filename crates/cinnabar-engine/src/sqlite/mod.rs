//! The SQLite driver, on rusqlite with the bundled SQLite.
//!
//! Every connection gets the settings users need and rarely know: `foreign_keys=ON`, WAL
//! journaling and `synchronous=NORMAL` for files, a busy timeout, and a large prepared
//! statement cache. Values that SQLite has no type for (dates, UUIDs, decimals, JSON) are
//! bound as text in a fixed format, so they read back exactly; a decimal's `NUMERIC(p, s)`
//! column turns that text into an INTEGER or REAL, as SQLAlchemy stores it, and `Decimal`
//! reads those back (see docs/ARCHITECTURE.md, "SQLite defaults").
//!
//! With the `sqlcipher` feature rusqlite links SQLCipher instead, and a key
//! ([`SqliteOptions::key`], or `?key=` / `?hexkey=` in the URL) encrypts the file: `PRAGMA key`
//! is the first statement of every connection (`cipher.rs`).

use std::time::Duration;

use cinnabar_core::dialect::{Dialect, SqliteDialect};
use cinnabar_core::{Error, ErrorKind, Result};
use parking_lot::RwLock;
use rusqlite::OpenFlags;

use crate::driver::{Driver, DriverConnection};
use crate::key::SqliteKey;
use crate::url::Url;

mod bind;
mod cipher;
mod connection;
mod error;
mod row;
mod session;
mod timeout;

use connection::SqliteConnection;
use error::map_error;
use session::{wal_mode, Session};

static DIALECT: SqliteDialect = SqliteDialect;

/// SQLite connection settings.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// How long a connection waits on a lock held by another (default 5 s).
    pub busy_timeout: Duration,
    /// Enforce foreign keys (default on).
    pub foreign_keys: bool,
    /// Use write-ahead logging for file databases (default on).
    pub wal: bool,
    /// Prepared statements kept per connection (default 256).
    pub statement_cache: usize,
    /// The key of an encrypted file (SQLCipher; cargo feature `sqlcipher`), applied with
    /// `PRAGMA key` before anything else on every connection; default none (a plain file).
    /// Set it with [`EngineOptions::sqlite_key`](crate::EngineOptions::sqlite_key). Without
    /// the feature a key makes the engine fail with `Unsupported`.
    pub key: Option<SqliteKey>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            foreign_keys: true,
            wal: true,
            statement_cache: 256,
            key: None,
        }
    }
}

/// Opens SQLite connections to one file (or one shared in-memory database).
#[derive(Debug)]
pub struct SqliteDriver {
    path: Option<String>,
    read_only: bool,
    options: SqliteOptions,
    /// The key new connections use: `options.key`, replaced by [`Driver::rekey`].
    key: RwLock<Option<SqliteKey>>,
}

impl SqliteDriver {
    /// A driver for a `sqlite://` URL: its database path (none: in memory), `?mode=ro`
    /// (read only), `?timeout=` (the busy timeout in seconds, overriding
    /// `options.busy_timeout`), and `?key=<passphrase>` or `?hexkey=<64 hex digits>` (the
    /// key of an encrypted file, overriding `options.key`; feature `sqlcipher`).
    ///
    /// # Errors
    /// [`ErrorKind::Url`] for a timeout that is not a number, an empty key, a `hexkey` that
    /// is not 64 hex digits, or both `key` and `hexkey`; [`ErrorKind::Unsupported`] for a
    /// key in a build without the `sqlcipher` feature.
    pub fn from_url(url: &Url, mut options: SqliteOptions) -> Result<Self> {
        let read_only = url.query_param("mode") == Some("ro");
        if let Some(t) = url.query_param("timeout") {
            let secs: f64 = t.parse().map_err(|_| {
                Error::new(
                    ErrorKind::Url,
                    format!("invalid timeout {t:?} in database URL"),
                )
            })?;
            options.busy_timeout = Duration::from_secs_f64(secs.max(0.0));
        }
        let url_key =
            |e: Error| Error::new(ErrorKind::Url, format!("{} in database URL", e.message()));
        match (url.query_param("key"), url.query_param("hexkey")) {
            (Some(_), Some(_)) => {
                return Err(Error::new(
                    ErrorKind::Url,
                    "database URL gives both key and hexkey: give one",
                ))
            }
            (Some(k), None) => options.key = Some(SqliteKey::passphrase(k).map_err(url_key)?),
            (None, Some(h)) => options.key = Some(SqliteKey::from_hex(h).map_err(url_key)?),
            (None, None) => {}
        }
        let driver = SqliteDriver::new(url.database().map(str::to_owned), read_only, options);
        if driver.key.read().is_some() && !cipher::ENABLED {
            return Err(cipher::not_compiled_in(driver.target()));
        }
        Ok(driver)
    }

    /// A driver for `path` (`None`: in memory). A key in `options` without the `sqlcipher`
    /// feature makes every connection fail with [`ErrorKind::Unsupported`].
    pub fn new(path: Option<String>, read_only: bool, mut options: SqliteOptions) -> Self {
        // One copy of the secret, the one `rekey` replaces.
        let key = options.key.take();
        SqliteDriver {
            path,
            read_only,
            key: RwLock::new(key),
            options,
        }
    }
}

impl SqliteDriver {
    fn wal(&self) -> bool {
        self.path.is_some() && self.options.wal && !self.read_only
    }

    /// What error messages call the database: its path, or `:memory:`.
    fn target(&self) -> &str {
        self.path.as_deref().unwrap_or(":memory:")
    }

    /// Opens a connection and applies `key` first (nothing is read yet).
    fn open(&self, key: Option<&SqliteKey>) -> Result<rusqlite::Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if self.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let target = self.target();
        if key.is_some() && !cipher::ENABLED {
            return Err(cipher::not_compiled_in(target));
        }
        let conn = match &self.path {
            Some(p) => rusqlite::Connection::open_with_flags(p, flags),
            None => rusqlite::Connection::open_in_memory_with_flags(flags),
        }
        .map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("cannot open SQLite database {target:?}: {e}"),
            )
        })?;
        if let Some(key) = key {
            cipher::apply(&conn, key, "key", target)?;
        }
        conn.busy_timeout(self.options.busy_timeout)
            .map_err(|e| map_error(e, None))?;
        Ok(conn)
    }

    /// The key for maintenance (rekey, cipher_migrate), which a file without one cannot have
    /// (nor an in-memory database: a maintenance connection would open another one).
    fn current_key(&self, what: &str) -> Result<SqliteKey> {
        if self.path.is_none() {
            return Err(Error::unsupported(format!(
                "{what} applies to a database file; an in-memory database has none"
            )));
        }
        self.key.read().clone().ok_or_else(|| {
            Error::misuse(format!(
                "{what} needs the engine's key, but SQLite database {:?} was opened without \
                 one (set EngineOptions::sqlite_key or ?key= in the URL; a plain file cannot \
                 be encrypted in place)",
                self.target()
            ))
        })
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let key = self.key.read().clone();
        let conn = self.open(key.as_ref())?;
        if self.path.is_some() {
            // Decrypts (reads) the first page now, so a wrong key is one clear error here
            // rather than "file is not a database" from the first statement.
            cipher::verify(&conn, self.target(), key.is_some())?;
        }
        let session = Session {
            busy_timeout: self.options.busy_timeout,
            foreign_keys: self.options.foreign_keys,
        };
        let setup = || -> rusqlite::Result<()> {
            session.apply(&conn)?;
            conn.set_prepared_statement_cache_capacity(self.options.statement_cache);
            if self.wal() {
                wal_mode(&conn, session.busy_timeout)?;
                conn.execute_batch("PRAGMA synchronous = NORMAL")?;
            }
            Ok(())
        };
        setup().map_err(|e| map_error(e, None))?;
        Ok(Box::new(SqliteConnection {
            conn,
            broken: false,
            session,
            timeout: None,
        }))
    }

    fn forced_pool_limits(&self) -> Option<(usize, usize)> {
        // Each in-memory connection would be its own empty database: share one.
        self.path.is_none().then_some((1, 0))
    }

    fn rekey(&self, key: SqliteKey) -> Result<()> {
        let old = self.current_key("rekey")?;
        let mut current = self.key.write();
        let target = self.target();
        let conn = self.open(Some(&old))?;
        cipher::verify(&conn, target, true)?;
        cipher::rekey(&conn, &key, target)?;
        drop(conn);
        // The file is under the new key now; check that it opens with it.
        *current = Some(key.clone());
        let check = self.open(Some(&key))?;
        cipher::verify(&check, target, true)
    }

    fn cipher_migrate(&self) -> Result<()> {
        let key = self.current_key("cipher_migrate")?;
        let conn = self.open(Some(&key))?;
        cipher::migrate(&conn, self.target())?;
        cipher::verify(&conn, self.target(), true)
    }
}

#[cfg(test)]
mod tests;
