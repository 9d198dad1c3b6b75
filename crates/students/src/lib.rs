//! The tutorial's student management system as a web application on Cinnabar: teachers,
//! courses with a capacity, students, enrollments with marks (an association object) and
//! attendance; a JSON REST API under `/api` and server-rendered pages (maud).
//!
//! `cargo run -p students` serves it at <http://127.0.0.1:8000> on `sqlite:///students.db`
//! (see `src/main.rs` and the crate's README). Tests and other programs start it in-process:
//!
//! ```no_run
//! # async fn demo() -> cinnabar::Result<()> {
//! let db = students::setup("sqlite:///students.db").await?; // migrate + demo data
//! let router = students::app(db);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
//! axum::serve(listener, router).await.expect("serve");
//! # Ok(())
//! # }
//! ```
//!
//! Layout: `models` (the five models), `setup` (embedded migrations, demo data), `queries`
//! (what the application does, as synchronous functions over a `Session`), `api` (JSON
//! handlers), `pages` (HTML). Every request is one unit of work on the async engine's
//! blocking pool (`run` to write, `read` to read).

#![warn(clippy::unwrap_used)]

mod api;
pub mod compat;
pub mod models;
mod pages;
pub mod queries;
pub mod setup;

use axum::Router;
use cinnabar::prelude::*;

pub use compat::AsyncEngine;
pub use setup::{check, migrate, seed};

/// The application's routes (API and pages) over `db`.
pub fn app(db: AsyncEngine) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(db)
}

/// Connects to `url`, applies the migrations and writes the demo data if the database has
/// none: what the binary does before serving.
///
/// # Errors
/// Connection, migration and database errors.
pub async fn setup(url: &str) -> cinnabar::Result<AsyncEngine> {
    let engine = create_engine(url)?;
    let db = AsyncEngine::new(engine);
    prepare(&db).await?;
    Ok(db)
}

/// Applies the migrations and writes the demo data (if absent) on an engine already made.
///
/// # Errors
/// Migration and database errors.
pub async fn prepare(db: &AsyncEngine) -> cinnabar::Result<()> {
    let engine = db.engine().clone();
    tokio::task::spawn_blocking(move || migrate(&engine))
        .await
        .map_err(|e| Error::new(ErrorKind::Misuse, format!("migration task failed: {e}")))??;
    db.run(|s| seed(s).map(|_| ())).await
}

/// `Some(h)`, or a `NoRow` error naming what was looked for (404 through `HttpError`).
pub(crate) fn found<T>(h: Option<T>, what: &str, id: i64) -> cinnabar::Result<T> {
    h.ok_or_else(|| Error::new(ErrorKind::NoRow, format!("no {what} with id {id}")))
}
