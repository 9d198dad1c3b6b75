//! The settings every connection gets: the busy timeout and foreign-key enforcement (put back
//! on each reset, through the C API), and the switch to WAL at connect.

use std::time::Duration;

use rusqlite::config::DbConfig;

/// The per-connection settings a reset puts back: set through the C API, so applying them
/// parses no SQL (a checkin costs nanoseconds when no transaction is open).
#[derive(Debug, Clone, Copy)]
pub(super) struct Session {
    pub(super) busy_timeout: Duration,
    pub(super) foreign_keys: bool,
}

impl Session {
    pub(super) fn apply(self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        conn.busy_timeout(self.busy_timeout)?;
        if conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY)? != self.foreign_keys {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, self.foreign_keys)?;
        }
        Ok(())
    }
}

/// Switches the database to WAL. Connections that open a new file at once (processes
/// starting together) all try to: SQLite answers BUSY at once, without the busy handler,
/// to those that would otherwise wait on each other, so the switch is retried until the busy
/// timeout. On a file already in WAL mode the pragma changes nothing and takes no lock.
pub(super) fn wal_mode(
    conn: &rusqlite::Connection,
    busy_timeout: Duration,
) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + busy_timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}
