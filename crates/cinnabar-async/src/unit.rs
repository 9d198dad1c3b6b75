//! How one unit of work runs on its blocking thread: a new session, the closure, then
//! COMMIT or ROLLBACK ([`Session::transaction`], or [`Session::transaction_with_retry`]);
//! and what the caller's future going away changes: [`Outcome`] is a flag the future's
//! [`Watch`] raises when it is dropped before the unit ended, which turns a COMMIT that has
//! not begun into a ROLLBACK.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cinnabar_core::{Error, Result};
use cinnabar_engine::Engine;
use cinnabar_orm::{RetryPolicy, Session, SessionOptions};

/// Whether the caller of a unit of work went away; shared by the unit and its caller.
pub(crate) struct Outcome(Arc<AtomicBool>);

impl Outcome {
    pub(crate) fn new() -> Self {
        Outcome(Arc::new(AtomicBool::new(false)))
    }

    /// The guard the caller's future holds.
    pub(crate) fn watch(&self) -> Watch {
        Watch(Some(Arc::clone(&self.0)))
    }

    /// The flag, raised once the caller is gone.
    pub(crate) fn cancelled(&self) -> &AtomicBool {
        &self.0
    }
}

/// Held by the caller's future while the unit runs: dropped without
/// [`finished`](Watch::finished) (the future was dropped), it raises the flag.
pub(crate) struct Watch(Option<Arc<AtomicBool>>);

impl Watch {
    /// The unit ended and its result reached the caller.
    pub(crate) fn finished(mut self) {
        self.0 = None;
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(flag) = self.0.take() {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

fn caller_gone() -> Error {
    Error::misuse(
        "the caller of this unit of work went away (its future was dropped) before the \
         commit: the unit was rolled back",
    )
}

/// Turns a closure to be called once into the `FnMut` the session's retry loop takes.
pub(crate) fn once<T>(
    f: impl FnOnce(&mut Session) -> Result<T>,
) -> impl FnMut(&mut Session) -> Result<T> {
    let mut f = Some(f);
    move |s| match f.take() {
        Some(f) => f(s),
        None => Err(Error::misuse("a unit of work's closure was called twice")),
    }
}

/// Runs `f` on a new session with `options`, then commits, or rolls back when `f` or the
/// commit fails, or when the caller went away before the commit began (checked after `f`
/// returns; a unit whose caller left before it started does not run at all). With `retry`,
/// as [`Session::transaction_with_retry`].
pub(crate) fn run_unit<T>(
    engine: &Engine,
    options: SessionOptions,
    retry: Option<RetryPolicy>,
    cancelled: &AtomicBool,
    mut f: impl FnMut(&mut Session) -> Result<T>,
) -> Result<T> {
    if cancelled.load(Ordering::SeqCst) {
        return Err(caller_gone());
    }
    let mut session = Session::with_options(engine, options);
    let body = |s: &mut Session| {
        let value = f(s)?;
        if cancelled.load(Ordering::SeqCst) {
            return Err(caller_gone());
        }
        Ok(value)
    };
    let result = match retry {
        Some(policy) => session.transaction_with_retry(&policy, body),
        None => session.transaction(body),
    };
    if let Err(e) = &result {
        if cancelled.load(Ordering::SeqCst) {
            tracing::info!(target: "cinnabar::async", error = %e, "unit of work rolled back: its caller went away");
        }
    }
    result
}
