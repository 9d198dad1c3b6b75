//! Cinnabar's axum integration (`cinnabar::web`, facade feature `axum`): the shapes of
//! axum-sqlx-tx and Flask-SQLAlchemy for axum 0.8.
//!
//! - [`HttpError`] / [`HttpResult`]: `?` on a Cinnabar error in a handler answers with the
//!   status its kind means (no row 404, unique or foreign key 409, check, not-null and
//!   validation 422, busy, pool timeout, statement timeout and an unreachable database 503
//!   with `Retry-After`, ...) and a JSON body `{"error": "<kind>", "message": "..."}`;
//!   database details (SQL, constraint names) only when [`expose_error_details`] is on.
//! - [`Db`]: the [`AsyncEngine`](cinnabar_async::AsyncEngine) extracted from the router's
//!   state through `FromRef`, for handlers that run their own units of work.
//! - [`UnitOfWork`] + [`UnitOfWorkLayer`]: one unit of work per request, shared by every
//!   `run` of the handler; the layer commits it after the handler when the response is a
//!   success (2xx or 3xx) and before the response leaves, turning a failed commit into the
//!   error response (never a 200 followed by a failed commit), and rolls it back otherwise.
//!
//! Files: `error.rs` (HttpError and the status table), `extract.rs` (Db, UnitOfWork),
//! `layer.rs` (UnitOfWorkLayer). See docs/WEB.md.

#![warn(clippy::unwrap_used)]

mod error;
mod extract;
mod layer;

pub use error::{expose_error_details, status_of, HttpError, HttpResult};
pub use extract::{Db, UnitOfWork};
pub use layer::{UnitOfWorkLayer, UnitOfWorkService};
