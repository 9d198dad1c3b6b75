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
pub mod models;
mod pages;
pub mod queries;
pub mod setup;

use axum::Router;
use cinnabar::prelude::*;

pub use cinnabar::asyncio::AsyncEngine;
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
/// The work runs on a blocking thread, and so does the engine's drop when it fails: the
/// synchronous PostgreSQL client blocks on its own runtime when a connection closes, which
/// panics on an async worker thread.
///
/// # Errors
/// Connection, migration and database errors.
pub async fn setup(url: &str) -> cinnabar::Result<AsyncEngine> {
    let url = url.to_owned();
    let engine = tokio::task::spawn_blocking(move || {
        let engine = create_engine(&url)?;
        prepare_blocking(&engine)?;
        Ok::<_, Error>(engine)
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Misuse, format!("start-up task failed: {e}")))??;
    Ok(AsyncEngine::new(engine))
}

/// Applies the migrations and writes the demo data (if absent) on an async engine already
/// made.
///
/// # Errors
/// Migration and database errors.
pub async fn prepare(db: &AsyncEngine) -> cinnabar::Result<()> {
    let engine = db.engine().clone();
    tokio::task::spawn_blocking(move || prepare_blocking(&engine))
        .await
        .map_err(|e| Error::new(ErrorKind::Misuse, format!("start-up task failed: {e}")))?
}

/// [`prepare`] for synchronous callers: migrations, then the demo data in one transaction.
///
/// # Errors
/// Migration and database errors.
pub fn prepare_blocking(engine: &Engine) -> cinnabar::Result<()> {
    migrate(engine)?;
    let mut session = Session::new(engine);
    seed(&mut session)?;
    session.commit()
}
