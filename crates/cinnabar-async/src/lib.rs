//! Cinnabar's async facade (`cinnabar::asyncio`, facade feature `async`; named after
//! SQLAlchemy's `sqlalchemy.ext.asyncio`): an [`AsyncEngine`] that runs whole units of work,
//! `run(|session| { ... })`, on a bounded lane of tokio's blocking threads.
//!
//! Why whole units of work and not an async `Session`: the core is synchronous (SQLite is,
//! and async SQLite stacks measure 5–70× slower), and a `Session` or pooled connection held
//! across an `.await` would keep a connection (and on SQLite a write lock) for as long as
//! the task is parked. A closure cannot `.await`, and the session it is lent cannot leave
//! it, so neither can happen. See docs/WEB.md.
//!
//! Here: the crate's exports. `engine.rs` has the [`AsyncEngine`] (the lane, the
//! statement timeout, `connect`, the blocking threads), `unit.rs` how one unit of work runs
//! (commit or rollback, cancellation), `session.rs` the [`AsyncSession`], one unit of work
//! over several closures (the web layer's request-scoped unit of work).

#![warn(clippy::unwrap_used)]

mod engine;
mod session;
mod unit;

pub use engine::AsyncEngine;
pub use session::AsyncSession;
