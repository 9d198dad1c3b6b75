//! The users service: create and look up users, on its own database.
//!
//! `POST /api/users` `{"name", "email"}` → `201` with the user; a second user with the same
//! email → `409`. `GET /api/users/{id}` → `200` with the user, or `404`. A database that is
//! that cannot be reached, or stays busy, answers as [`cinnabar::web::HttpError`] maps it:
//! `503` with `Retry-After` (never a `404`), which is what the payments service reacts to.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use cinnabar::asyncio::AsyncEngine;
use cinnabar::prelude::*;
use cinnabar::web::HttpResult;
use serde::{Deserialize, Serialize};

/// A user of the system; the email is unique.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "users")]
pub struct User {
    /// Generated key.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// Display name.
    pub name: String,
    /// Unique email address.
    #[cinnabar(unique)]
    pub email: String,
}

/// The body of `POST /api/users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    /// Display name.
    pub name: String,
    /// Unique email address.
    pub email: String,
}

/// Creates the `users` table when it is missing.
///
/// # Errors
/// The database's error.
pub async fn create_schema(db: &AsyncEngine) -> cinnabar::Result<()> {
    let engine = db.engine().clone();
    tokio::task::spawn_blocking(move || {
        MetaData::new()
            .with(User::table().clone())
            .create_all(&engine)
    })
    .await
    .map_err(|e| cinnabar::Error::new(cinnabar::ErrorKind::Misuse, format!("create_schema: {e}")))?
}

/// The users service's routes, on `db`.
pub fn app(db: AsyncEngine) -> Router {
    Router::new()
        .route("/api/users", post(create))
        .route("/api/users/{id}", get(show))
        .with_state(db)
}

async fn create(
    State(db): State<AsyncEngine>,
    Json(new): Json<NewUser>,
) -> HttpResult<(StatusCode, Json<User>)> {
    let user = db
        .run(move |session| {
            let handle = session.add(User {
                id: None,
                name: new.name,
                email: new.email,
            });
            session.flush()?;
            let user = handle.read().clone();
            Ok(user)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn show(State(db): State<AsyncEngine>, Path(id): Path<i64>) -> HttpResult<Json<User>> {
    let user = db
        .read(move |session| Ok(session.get_or_404::<User>(id)?.read().clone()))
        .await?;
    Ok(Json(user))
}
