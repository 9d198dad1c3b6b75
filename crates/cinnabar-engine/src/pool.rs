//! The connection pool (SQLAlchemy's `QueuePool`): `size` kept connections plus up to
//! `max_overflow` temporary ones, a checkout timeout with a clear error, pre-ping, recycling
//! by age, and reset on return (every kept connection goes through the driver's
//! [`DriverConnection::reset`]: no open transaction, the driver's session settings back; a
//! broken connection is discarded, never handed out again).
//!
//! Written here rather than taken from r2d2/deadpool: checkin must run the driver's reset
//! and honour overflow-vs-kept semantics, and the whole pool is ~200 lines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cinnabar_core::{Error, ErrorKind, Result};
use parking_lot::{Condvar, Mutex};

use crate::driver::{Driver, DriverConnection};

/// Pool settings; the defaults are SQLAlchemy's.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Connections kept open (default 5).
    pub size: usize,
    /// Extra connections opened under load and closed on return (default 10).
    pub max_overflow: usize,
    /// How long a checkout waits for a free connection (default 30 s).
    pub timeout: Duration,
    /// Close connections older than this on checkout (default: never).
    pub recycle: Option<Duration>,
    /// Test each connection with a ping on checkout (default off).
    pub pre_ping: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            size: 5,
            max_overflow: 10,
            timeout: Duration::from_secs(30),
            recycle: None,
            pre_ping: false,
        }
    }
}

struct Idle {
    conn: Box<dyn DriverConnection>,
    created: Instant,
}

struct State {
    idle: Vec<Idle>,
    open: usize,
}

struct Inner {
    driver: Box<dyn Driver>,
    options: PoolOptions,
    state: Mutex<State>,
    freed: Condvar,
}

/// A pool of connections to one database. Cheap to clone.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

/// A connection checked out of the pool; give it back with [`Pool::checkin`].
pub struct Checkout {
    /// The driver connection.
    pub conn: Box<dyn DriverConnection>,
    /// When the connection was opened.
    pub created: Instant,
}

/// Pool counters, for tests and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open (idle plus checked out).
    pub open: usize,
    /// Connections idle in the pool.
    pub idle: usize,
}

impl Pool {
    /// A pool over `driver`; a driver's forced limits (in-memory SQLite) override `options`.
    pub fn new(driver: Box<dyn Driver>, mut options: PoolOptions) -> Self {
        if let Some((size, overflow)) = driver.forced_pool_limits() {
            options.size = size;
            options.max_overflow = overflow;
            options.recycle = None;
        }
        Pool {
            inner: Arc::new(Inner {
                driver,
                options,
                state: Mutex::new(State {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
            }),
        }
    }

    /// The driver behind this pool.
    pub fn driver(&self) -> &dyn Driver {
        &*self.inner.driver
    }

    /// The pool's settings, after a driver's forced limits (an in-memory SQLite database's
    /// one connection).
    pub fn options(&self) -> &PoolOptions {
        &self.inner.options
    }

    /// Current counters.
    pub fn status(&self) -> PoolStatus {
        let s = self.inner.state.lock();
        PoolStatus {
            open: s.open,
            idle: s.idle.len(),
        }
    }

    /// Takes a connection, opening one if below the limit, else waiting up to the timeout.
    ///
    /// # Errors
    /// [`ErrorKind::PoolTimeout`] when none came free in time; connection errors from the
    /// driver.
    pub fn checkout(&self) -> Result<Checkout> {
        let o = &self.inner.options;
        let deadline = Instant::now() + o.timeout;
        let mut state = self.inner.state.lock();
        loop {
            if let Some(idle) = state.idle.pop() {
                let expired = o.recycle.is_some_and(|r| idle.created.elapsed() >= r);
                if expired {
                    state.open -= 1;
                    drop(state);
                    drop(idle);
                    state = self.inner.state.lock();
                    continue;
                }
                if o.pre_ping {
                    drop(state);
                    let mut idle = idle;
                    if idle.conn.ping().is_ok() {
                        return Ok(Checkout {
                            conn: idle.conn,
                            created: idle.created,
                        });
                    }
                    tracing::warn!(target: "cinnabar::pool", "discarding a connection that failed its pre-ping");
                    drop(idle);
                    state = self.inner.state.lock();
                    state.open -= 1;
                    continue;
                }
                return Ok(Checkout {
                    conn: idle.conn,
                    created: idle.created,
                });
            }
            if state.open < o.size + o.max_overflow {
                state.open += 1;
                drop(state);
                return match self.inner.driver.connect() {
                    Ok(conn) => Ok(Checkout {
                        conn,
                        created: Instant::now(),
                    }),
                    Err(e) => {
                        self.inner.state.lock().open -= 1;
                        self.inner.freed.notify_one();
                        Err(e)
                    }
                };
            }
            if self
                .inner
                .freed
                .wait_until(&mut state, deadline)
                .timed_out()
            {
                return Err(Error::new(
                    ErrorKind::PoolTimeout,
                    format!(
                        "no connection came free within {:?} (pool size {}, overflow {}, all {} in use)",
                        o.timeout, o.size, o.max_overflow, state.open
                    ),
                ));
            }
        }
    }

    /// Returns a connection: discards a broken connection, closes an overflow connection,
    /// and resets the rest ([`DriverConnection::reset`], whatever SQL ran on it) before
    /// keeping it; a connection whose reset fails is discarded.
    pub fn checkin(&self, mut checkout: Checkout) {
        // An overflow connection is closed, which ends its session: no reset needed.
        let mut keep = !checkout.conn.is_broken()
            && self.inner.state.lock().idle.len() < self.inner.options.size;
        if keep {
            if let Err(e) = checkout.conn.reset() {
                tracing::warn!(target: "cinnabar::pool", error = %e, "reset on return failed; discarding the connection");
                keep = false;
            }
        }
        let mut state = self.inner.state.lock();
        if keep && state.idle.len() < self.inner.options.size {
            state.idle.push(Idle {
                conn: checkout.conn,
                created: checkout.created,
            });
            drop(state);
        } else {
            state.open -= 1;
            drop(state);
            drop(checkout);
        }
        self.inner.freed.notify_one();
    }

    /// Runs `f` on the driver with none of this pool's connections in use: fails when any is
    /// checked out, and holds the pool's lock meanwhile, so none can be checked out or opened
    /// until `f` returns; when `f` succeeds, the idle connections are closed (opened before
    /// `f`, they may no longer be valid). How [`Engine::rekey`](crate::Engine::rekey) changes
    /// a key.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] naming how many connections are in use; `f`'s error (the idle
    /// connections are then kept).
    pub fn exclusive<T>(&self, what: &str, f: impl FnOnce(&dyn Driver) -> Result<T>) -> Result<T> {
        let mut state = self.inner.state.lock();
        let in_use = state.open - state.idle.len();
        if in_use > 0 {
            return Err(Error::misuse(format!(
                "{what} needs the engine to itself, but {in_use} of its connections {} checked \
                 out: drop them (and any Session using them) first",
                if in_use == 1 { "is" } else { "are" }
            )));
        }
        let done = f(&*self.inner.driver)?;
        let idle = std::mem::take(&mut state.idle);
        state.open -= idle.len();
        drop(state);
        drop(idle);
        Ok(done)
    }

    /// Closes all idle connections (checked-out ones close when returned).
    pub fn dispose(&self) {
        let idle = {
            let mut s = self.inner.state.lock();
            let idle = std::mem::take(&mut s.idle);
            s.open -= idle.len();
            idle
        };
        drop(idle);
    }
}
