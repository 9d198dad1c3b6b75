//! The extractors: [`Db`], the application's `AsyncEngine` from the router's state, and
//! [`UnitOfWork`], the request's unit of work that [`UnitOfWorkLayer`](crate::UnitOfWorkLayer)
//! opened.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use cinnabar_async::{AsyncEngine, AsyncSession};
use cinnabar_core::Result;
use cinnabar_orm::Session;

use crate::error::HttpError;

/// The application's [`AsyncEngine`], taken from the router's state (the state itself, or
/// a field of it through `FromRef`), for handlers that run whole units of work themselves:
///
/// ```ignore
/// async fn list(Db(db): Db) -> HttpResult<Json<Vec<Student>>> {
///     Ok(Json(db.read(|s| ...).await?))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Db(pub AsyncEngine);

impl std::ops::Deref for Db {
    type Target = AsyncEngine;
    fn deref(&self) -> &AsyncEngine {
        &self.0
    }
}

impl<S> FromRequestParts<S> for Db
where
    AsyncEngine: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Db(AsyncEngine::from_ref(state)))
    }
}

/// The request's unit of work (put in place by [`UnitOfWorkLayer`](crate::UnitOfWorkLayer)):
/// every [`run`](UnitOfWork::run) of the handler shares one session and one transaction,
/// and the layer commits or rolls back after the handler, so a handler never commits:
///
/// ```ignore
/// async fn enrol(uow: UnitOfWork, Json(form): Json<Enrol>) -> HttpResult<StatusCode> {
///     uow.run(move |s| { s.get_or_404::<Course>(form.course)?; s.add(..); Ok(()) }).await?;
///     Ok(StatusCode::CREATED) // committed by the layer before the 201 is sent
/// }
/// ```
///
/// Without the layer on the route, extracting it fails with a 500 whose message names the
/// missing layer.
#[derive(Debug, Clone)]
pub struct UnitOfWork(pub(crate) AsyncSession);

impl UnitOfWork {
    /// Runs `f` on the request's session, on a blocking thread of the lane (see
    /// [`AsyncSession::run`]); nothing is committed until the layer does it.
    ///
    /// # Errors
    /// `f`'s error (`?` turns it into the response, and the layer then rolls back).
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.0.run(f).await
    }

    /// The underlying [`AsyncSession`].
    pub fn session(&self) -> &AsyncSession {
        &self.0
    }
}

/// What the layer puts in the request's extensions.
#[derive(Clone)]
pub(crate) struct RequestUnit(pub(crate) AsyncSession);

impl<S: Send + Sync> FromRequestParts<S> for UnitOfWork {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<RequestUnit>() {
            Some(unit) => Ok(UnitOfWork(unit.0.clone())),
            None => Err(HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the UnitOfWork extractor needs cinnabar::web::UnitOfWorkLayer on this route: \
                 add .layer(UnitOfWorkLayer::new(db)) to the router",
            )
            .expose_details(true)),
        }
    }
}
