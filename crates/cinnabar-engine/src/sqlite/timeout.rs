//! SQLite's statement timeout: SQLite has no setting for it, so the driver installs a
//! progress handler (called every [`CHECK_EVERY`] virtual-machine instructions) that
//! interrupts the running statement once its deadline has passed. The statement then fails
//! with `SQLITE_INTERRUPT`, mapped to `ErrorKind::Timeout`, and SQLite undoes its work.
//!
//! Why not `sqlite3_interrupt` from a timer thread: the handler runs on the connection's own
//! thread, between instructions of the statement it bounds, so it can never hit the next
//! statement, and no thread is needed. Time spent waiting on a lock is bounded by the busy
//! timeout instead (the handler is not called while SQLite sleeps in its busy handler).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cinnabar_core::{Error, ErrorKind, Result};

/// Virtual-machine instructions between two deadline checks (a check is one clock read).
const CHECK_EVERY: i32 = 1000;

/// No statement is running under the timeout.
const DISARMED: u64 = u64::MAX;

/// The timeout of one connection and the deadline of the statement it is running.
pub(super) struct StatementTimeout {
    limit: Duration,
    /// The running statement's deadline, as nanoseconds after `base`, or [`DISARMED`].
    deadline: Arc<Deadline>,
}

struct Deadline {
    base: Instant,
    at: AtomicU64,
}

impl Deadline {
    fn passed(&self) -> bool {
        let at = self.at.load(Ordering::Relaxed);
        at != DISARMED && nanos(self.base.elapsed()) >= at
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX - 1)
}

impl StatementTimeout {
    /// Installs the progress handler on `conn` for statements bounded by `limit`.
    pub(super) fn install(conn: &mut rusqlite::Connection, limit: Duration) -> Result<Self> {
        let deadline = Arc::new(Deadline {
            base: Instant::now(),
            at: AtomicU64::new(DISARMED),
        });
        let seen = Arc::clone(&deadline);
        conn.progress_handler(CHECK_EVERY, Some(move || seen.passed()))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Database,
                    format!("installing SQLite's progress handler: {e}"),
                )
            })?;
        Ok(StatementTimeout { limit, deadline })
    }

    /// Removes the progress handler from `conn`.
    pub(super) fn uninstall(conn: &mut rusqlite::Connection) -> Result<()> {
        conn.progress_handler(0, None::<fn() -> bool>).map_err(|e| {
            Error::new(
                ErrorKind::Database,
                format!("removing SQLite's progress handler: {e}"),
            )
        })
    }

    /// Starts the clock for a statement.
    pub(super) fn arm(&self) {
        let at = nanos(self.deadline.base.elapsed()).saturating_add(nanos(self.limit));
        self.deadline
            .at
            .store(at.min(DISARMED - 1), Ordering::Relaxed);
    }

    /// Stops the clock, and names the timeout in the statement's error when it was the
    /// cause.
    pub(super) fn disarm<T>(&self, result: Result<T>) -> Result<T> {
        self.deadline.at.store(DISARMED, Ordering::Relaxed);
        result.map_err(|e| {
            if e.kind() == ErrorKind::Timeout {
                e.context(format_args!(
                    "the statement ran past its statement timeout of {:?} and was interrupted",
                    self.limit
                ))
            } else {
                e
            }
        })
    }
}
