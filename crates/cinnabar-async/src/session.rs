//! [`AsyncSession`]: one unit of work spread over several closures, for a request that
//! needs its reads and writes in one transaction around other awaits (the request-scoped
//! unit of work of `cinnabar::web`, SQLAlchemy's `AsyncSession`).

use std::sync::Arc;

use cinnabar_core::{Error, Result};
use cinnabar_orm::Session;
use tokio::sync::{Mutex, OwnedSemaphorePermit};

use crate::engine::AsyncEngine;

/// A unit of work whose closures run one after another on the lane, sharing one
/// [`Session`]; it ends with [`commit`](AsyncSession::commit) or
/// [`rollback`](AsyncSession::rollback), or, when dropped without either, with a rollback
/// on a blocking thread.
///
/// The session never reaches async code: each [`run`](AsyncSession::run) lends it to a
/// closure on a blocking thread, and between runs it stays inside the `AsyncSession`. From
/// its first run to its end the `AsyncSession` holds a place on the engine's lane (its
/// session may hold a connection all that time), so the lane still never promises more
/// units than the pool has connections. Runs of one `AsyncSession` never overlap (a second
/// waits for the first); a run whose caller went away still finishes before the next one
/// starts. Clone it to share it (clones are the same unit of work).
#[derive(Clone)]
pub struct AsyncSession {
    db: AsyncEngine,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for AsyncSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSession")
            .field("db", &self.db)
            .finish()
    }
}

/// The session and the lane place it holds. Dropped with a session still in it (the
/// request went away), it rolls back on a blocking thread.
#[derive(Default)]
struct State {
    session: Option<Session>,
    place: Option<OwnedSemaphorePermit>,
    ended: bool,
}

impl Drop for State {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        let place = self.place.take();
        // Dropping the session rolls back (a round trip): keep it off async threads.
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn_blocking(move || {
                    drop(session);
                    drop(place);
                });
            }
            Err(_) => {
                drop(session);
                drop(place);
            }
        }
    }
}

impl AsyncSession {
    pub(crate) fn new(db: AsyncEngine) -> AsyncSession {
        AsyncSession {
            db,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Runs `f` on the unit's session, on a blocking thread, without committing: later runs
    /// see its changes (flushed or not), and [`commit`](AsyncSession::commit) writes them.
    /// An error from `f` does not end the unit; the caller decides (the web layer rolls back
    /// when the response is an error).
    ///
    /// # Errors
    /// `f`'s error; [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) after the unit
    /// ended, or outside a tokio runtime.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let mut state = Arc::clone(&self.state).lock_owned().await;
        if state.ended {
            return Err(ended());
        }
        if state.place.is_none() {
            state.place = Some(self.db.take_place().await?);
        }
        let options = self.db.session_options(false);
        let engine = self.db.engine().clone();
        self.db
            .on_blocking_thread(move || {
                let state = &mut *state;
                // Ended until `f` returns: a panic in it leaves the unit ended, so it is
                // rolled back, never committed half done.
                state.ended = true;
                let session = state
                    .session
                    .get_or_insert_with(|| Session::with_options(&engine, options));
                let result = f(session);
                state.ended = false;
                result
            })
            .await
    }

    /// Commits the unit's work (flush, COMMIT) and ends it, giving its connection and lane
    /// place back; the result comes back after the COMMIT. A unit that never ran commits
    /// nothing.
    ///
    /// # Errors
    /// The flush's or COMMIT's error (the unit is then rolled back);
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when it already ended.
    pub async fn commit(&self) -> Result<()> {
        self.end(true).await
    }

    /// Rolls the unit's work back and ends it.
    ///
    /// # Errors
    /// The ROLLBACK's error (the connection is discarded then);
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when it already ended.
    pub async fn rollback(&self) -> Result<()> {
        self.end(false).await
    }

    /// Whether a run has begun the unit's work (so that it holds a lane place).
    pub async fn is_active(&self) -> bool {
        let state = self.state.lock().await;
        state.session.is_some() && !state.ended
    }

    async fn end(&self, commit: bool) -> Result<()> {
        let mut state = Arc::clone(&self.state).lock_owned().await;
        if state.ended {
            return Err(ended());
        }
        state.ended = true;
        let Some(mut session) = state.session.take() else {
            state.place = None;
            return Ok(());
        };
        self.db
            .on_blocking_thread(move || {
                let result = if commit {
                    let r = session.commit();
                    if r.is_err() {
                        let _ = session.rollback();
                    }
                    r
                } else {
                    session.rollback()
                };
                drop(session);
                state.place = None;
                result
            })
            .await
    }
}

fn ended() -> Error {
    Error::misuse(
        "this unit of work already ended (committed, rolled back, or a closure of it panicked)",
    )
}

impl AsyncEngine {
    /// A new [`AsyncSession`]: one unit of work over several `run` calls, ended by its
    /// `commit` or `rollback` (or rolled back when dropped).
    pub fn session(&self) -> AsyncSession {
        AsyncSession::new(self.clone())
    }
}
