//! The SQLite driver, on rusqlite with the bundled SQLite.
//!
//! Every connection gets the settings users need and rarely know: `foreign_keys=ON`, WAL
//! journaling and `synchronous=NORMAL` for files, a busy timeout, and a large prepared
//! statement cache. Values that SQLite has no type for (dates, UUIDs, decimals, JSON) are
//! bound as text in a fixed format, so they read back exactly; a decimal's `NUMERIC(p, s)`
//! column turns that text into an INTEGER or REAL, as SQLAlchemy stores it, and `Decimal`
//! reads those back (see docs/ARCHITECTURE.md, "SQLite defaults").

use std::time::Duration;

use cinnabar_core::dialect::{Dialect, SqliteDialect};
use cinnabar_core::{Error, ErrorKind, Result};
use rusqlite::OpenFlags;

use crate::driver::{Driver, DriverConnection};
use crate::url::Url;

mod bind;
mod connection;
mod error;
mod row;
mod session;

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
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            foreign_keys: true,
            wal: true,
            statement_cache: 256,
        }
    }
}

/// Opens SQLite connections to one file (or one shared in-memory database).
#[derive(Debug)]
pub struct SqliteDriver {
    path: Option<String>,
    read_only: bool,
    options: SqliteOptions,
}

impl SqliteDriver {
    /// A driver for a `sqlite://` URL: its database path (none: in memory), `?mode=ro`
    /// (read only) and `?timeout=` (the busy timeout in seconds, overriding
    /// `options.busy_timeout`).
    ///
    /// # Errors
    /// [`ErrorKind::Url`] for a timeout that is not a number.
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
        Ok(SqliteDriver::new(
            url.database().map(str::to_owned),
            read_only,
            options,
        ))
    }

    /// A driver for `path` (`None`: in memory).
    pub fn new(path: Option<String>, read_only: bool, options: SqliteOptions) -> Self {
        SqliteDriver {
            path,
            read_only,
            options,
        }
    }
}

impl SqliteDriver {
    fn wal(&self) -> bool {
        self.path.is_some() && self.options.wal && !self.read_only
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if self.read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let target = self.path.as_deref().unwrap_or(":memory:");
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
        }))
    }

    fn forced_pool_limits(&self) -> Option<(usize, usize)> {
        // Each in-memory connection would be its own empty database: share one.
        self.path.is_none().then_some((1, 0))
    }
}

#[cfg(test)]
mod tests;
