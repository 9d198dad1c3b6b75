//! [`AsyncEngine`]: an [`Engine`] and the lane of blocking threads its units of work run on.

use std::sync::Arc;
use std::time::Duration;

use cinnabar_core::{Error, ErrorKind, Result};
use cinnabar_engine::Engine;
use cinnabar_orm::{RetryPolicy, Session, SessionOptions};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::unit::{once, run_unit, Outcome};

/// An engine for async code (SQLAlchemy's `AsyncEngine`): each unit of work is one closure
/// over a `&mut Session`, run whole on tokio's blocking threads, committed when it returns
/// `Ok` and rolled back when it returns `Err`.
///
/// `Clone + Send + Sync`: keep one in the application's state and clone it into each
/// request. Clones share the lane; [`AsyncEngine::with_statement_timeout`] is per clone.
///
/// **The lane.** At most [`lanes`](AsyncEngine::lanes) units run at once, by default the
/// engine's pool size plus its overflow (15 with SQLAlchemy's defaults; 1 for an in-memory
/// SQLite database): a unit holds at most one pooled connection at a time, so units never
/// wait in the pool (nor time out there), and a burst of requests queues on the lane,
/// holding no thread, instead of taking one blocking thread each.
///
/// **Cancellation.** When the future of `run` or `read` is dropped (a client disconnected,
/// a `tokio::time::timeout` fired), a unit that has not started yet never starts; one that
/// is running finishes its closure on its thread (a thread cannot be stopped safely, and
/// the statement timeout bounds its statements) and is then **rolled back**, unless its
/// COMMIT had already begun, which then completes. Either way its transaction ends and its
/// connection goes back to the pool: nothing is left open. [`AsyncEngine::wait_idle`]
/// waits for such units.
///
/// **Panics** in a closure roll the unit back (the session is dropped while unwinding) and
/// are resumed in the caller of `run` / `read`.
///
/// ```
/// use cinnabar::asyncio::AsyncEngine;
/// use cinnabar::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[cinnabar(table = "students")]
/// struct Student {
///     #[cinnabar(primary_key)]
///     id: Option<i64>,
///     name: String,
/// }
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> cinnabar::Result<()> {
/// let db = AsyncEngine::connect("sqlite://").await?;
/// let tables = MetaData::new().with(Student::table().clone());
/// db.run(move |s| tables.create_all(s.engine())).await?;
///
/// let id = db
///     .run(|s| {
///         let naresh = s.add(Student { id: None, name: "Naresh".into() });
///         s.flush()?;
///         let id = naresh.read().id;
///         Ok(id)
///     })
///     .await?; // committed before the result comes back
/// let name = db
///     .read(move |s| Ok(s.get_or_404::<Student>(id.unwrap_or_default())?.read().name.clone()))
///     .await?;
/// assert_eq!(name, "Naresh");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncEngine {
    engine: Engine,
    lane: Arc<Semaphore>,
    lanes: usize,
    statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for AsyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncEngine")
            .field("engine", &self.engine)
            .field("lanes", &self.lanes)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl AsyncEngine {
    /// An async handle on `engine` whose lane has as many places as the engine's pool can
    /// check out connections at once (`size + max_overflow`).
    pub fn new(engine: Engine) -> AsyncEngine {
        let o = engine.pool_options();
        let lanes = o.size.saturating_add(o.max_overflow);
        AsyncEngine::with_lanes(engine, lanes)
    }

    /// An async handle whose lane has `lanes` places (at least 1): fewer than the pool's
    /// connections to leave some to synchronous code; more only if units of work hold no
    /// connection for part of their time.
    pub fn with_lanes(engine: Engine, lanes: usize) -> AsyncEngine {
        let lanes = lanes.clamp(1, Semaphore::MAX_PERMITS);
        AsyncEngine {
            engine,
            lane: Arc::new(Semaphore::new(lanes)),
            lanes,
            statement_timeout: None,
        }
    }

    /// Makes the engine from `url` ([`cinnabar_engine::create_engine`]) and checks that the
    /// database answers, on the blocking lane: a bad URL, a server that is down or wrong
    /// credentials fail here, at start-up, rather than at the first request.
    ///
    /// # Errors
    /// [`ErrorKind::Url`], [`ErrorKind::Connection`] and the other errors of
    /// `create_engine` and of a first connection.
    pub async fn connect(url: &str) -> Result<AsyncEngine> {
        let url = url.to_owned();
        let engine = tokio::task::spawn_blocking(move || {
            let engine = cinnabar_engine::create_engine(&url)?;
            drop(engine.connect()?);
            Ok::<_, Error>(engine)
        })
        .await
        .map_err(|e| Error::new(ErrorKind::Connection, format!("connecting: {e}")))??;
        Ok(AsyncEngine::new(engine))
    }

    /// The synchronous engine (for `create_all`, migrations, or a connection of your own
    /// outside the lane).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many units of work may run at once.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// How many more units of work could start now (for monitoring and tests).
    pub fn idle_lanes(&self) -> usize {
        self.lane.available_permits()
    }

    /// This handle with every statement of its units bounded by `timeout` (other clones
    /// keep theirs): a statement still running then is stopped by the database itself —
    /// SQLite interrupts it, PostgreSQL cancels it (`statement_timeout`), MariaDB kills it
    /// (`max_statement_time`) — and fails with [`ErrorKind::Timeout`], and the unit is
    /// rolled back. The bound is per statement, like the servers' settings; a unit of many
    /// statements may take longer in all.
    pub fn with_statement_timeout(mut self, timeout: Duration) -> AsyncEngine {
        self.statement_timeout = Some(timeout);
        self
    }

    /// The statement timeout of this handle's units, if any.
    pub fn statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    pub(crate) fn session_options(&self, read_only: bool) -> SessionOptions {
        SessionOptions::default()
            .statement_timeout(self.statement_timeout)
            .read_only(read_only)
    }

    /// Runs one unit of work: `f` gets a new session, on a thread of the lane; when it
    /// returns `Ok` the session commits (when it has anything to write or a transaction
    /// open) and the value comes back after the COMMIT; when it returns `Err` the session
    /// rolls back and the error comes back. See the type's documentation for cancellation.
    ///
    /// # Errors
    /// `f`'s error, the commit's (a flush error, a constraint, a lost connection:
    /// [`ErrorKind::CommitOutcomeUnknown`]), [`ErrorKind::Timeout`] from a statement
    /// timeout, [`ErrorKind::Misuse`] outside a tokio runtime.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let options = self.session_options(false);
        self.spawn(move |engine, cancelled| run_unit(engine, options, None, cancelled, once(f)))
            .await
    }

    /// [`AsyncEngine::run`] for a unit that only reads: its session is read-only
    /// ([`SessionOptions::read_only`]): one read-only transaction (on SQLite a DEFERRED
    /// `BEGIN`, which takes no write lock, so reads never queue behind writers), and a
    /// flush of changes, a write statement or `FOR UPDATE` inside it is refused with
    /// [`ErrorKind::Misuse`].
    ///
    /// # Errors
    /// As [`AsyncEngine::run`]; [`ErrorKind::Misuse`] when `f` writes or leaves changes.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let options = self.session_options(true);
        self.spawn(move |engine, cancelled| run_unit(engine, options, None, cancelled, once(f)))
            .await
    }

    /// [`AsyncEngine::run`] with [`Session::transaction_with_retry`]: `f` runs again, from a
    /// clean session, when it or its commit fails with a conflict another attempt may not
    /// meet (a deadlock, a serialization failure, a stale version, a lock that stayed
    /// taken: [`ErrorKind::is_retryable`]), waiting as `policy` says between attempts, on
    /// the same thread of the lane.
    ///
    /// # Errors
    /// As [`Session::transaction_with_retry`] and [`AsyncEngine::run`].
    pub async fn run_with_retry<T, F>(&self, policy: RetryPolicy, f: F) -> Result<T>
    where
        F: FnMut(&mut Session) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let options = self.session_options(false);
        self.spawn(move |engine, cancelled| run_unit(engine, options, Some(policy), cancelled, f))
            .await
    }

    /// Waits until no unit of work runs: every place of the lane is free (units started
    /// meanwhile are waited for too). For a graceful shutdown, and for tests that drop
    /// futures and then check the pool.
    pub async fn wait_idle(&self) {
        let all = u32::try_from(self.lanes).unwrap_or(u32::MAX);
        if let Ok(permits) = self.lane.acquire_many(all).await {
            drop(permits);
        }
    }

    /// Takes a place on the lane, then runs `job` on a blocking thread, holding the place
    /// until the job ends even if this future is dropped (then `cancelled` is set).
    async fn spawn<T, J>(&self, job: J) -> Result<T>
    where
        J: FnOnce(&Engine, &std::sync::atomic::AtomicBool) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let place = self.take_place().await?;
        let outcome = Outcome::new();
        let watch = outcome.watch();
        let engine = self.engine.clone();
        let result = self
            .on_blocking_thread(move || {
                let _place = place;
                job(&engine, outcome.cancelled())
            })
            .await;
        watch.finished();
        result
    }

    /// Waits for a place on the lane.
    pub(crate) async fn take_place(&self) -> Result<OwnedSemaphorePermit> {
        Arc::clone(&self.lane)
            .acquire_owned()
            .await
            .map_err(|_| Error::misuse("the AsyncEngine's lane was closed"))
    }

    /// Runs `job` on one of tokio's blocking threads; it runs to its end even if this
    /// future is dropped. A panic in it is resumed here.
    pub(crate) async fn on_blocking_thread<T, J>(&self, job: J) -> Result<T>
    where
        J: FnOnce() -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::misuse(
                "AsyncEngine's units of work run on tokio's blocking threads: call them inside \
                 a tokio runtime",
            )
        })?;
        match runtime.spawn_blocking(job).await {
            Ok(r) => r,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(Error::new(
                ErrorKind::Misuse,
                format!("the unit of work did not run: {e} (the tokio runtime is shutting down)"),
            )),
        }
    }
}
