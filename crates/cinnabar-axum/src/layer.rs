//! [`UnitOfWorkLayer`]: opens a unit of work for each request, hands it to the handler (the
//! [`UnitOfWork`](crate::UnitOfWork) extractor) and ends it after the handler, before the
//! response leaves: commit on a success (2xx, 3xx), rollback otherwise, and a failed commit
//! becomes the response.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use cinnabar_async::{AsyncEngine, AsyncSession};
use tower::{Layer, Service};

use crate::error::HttpError;
use crate::extract::RequestUnit;

/// The layer that gives each request its unit of work (axum-sqlx-tx's shape):
/// `Router::new().route(..).layer(UnitOfWorkLayer::new(db))`.
///
/// After the handler returns, the layer looks at the response's status: on 2xx and 3xx (a
/// form's redirect-after-POST is a success) it commits the unit and waits for the COMMIT
/// before passing the response on; if the COMMIT fails (a constraint checked at commit, a
/// unique violation found by the final flush, a lost connection) the response is replaced by
/// that error's ([`HttpError`]), so the client never sees a success for work that was not
/// saved. On any other status it rolls back. A unit the handler never ran costs nothing. If
/// the client goes away before the handler finishes, the request's future is dropped and the
/// unit is rolled back on a blocking thread (see [`AsyncSession`]); once the COMMIT has
/// begun, it completes.
#[derive(Debug, Clone)]
pub struct UnitOfWorkLayer {
    db: AsyncEngine,
}

impl UnitOfWorkLayer {
    /// A layer running each request's unit of work on `db`.
    pub fn new(db: AsyncEngine) -> Self {
        UnitOfWorkLayer { db }
    }
}

impl<S> Layer<S> for UnitOfWorkLayer {
    type Service = UnitOfWorkService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        UnitOfWorkService {
            inner,
            db: self.db.clone(),
        }
    }
}

/// The service [`UnitOfWorkLayer`] wraps around a route.
#[derive(Debug, Clone)]
pub struct UnitOfWorkService<S> {
    inner: S,
    db: AsyncEngine,
}

impl<S> Service<Request> for UnitOfWorkService<S>
where
    S: Service<Request, Error = Infallible> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let unit = self.db.session();
        request.extensions_mut().insert(RequestUnit(unit.clone()));
        // The clone that was made ready is the one to call (tower's usual dance).
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let response = inner.call(request).await?.into_response();
            Ok(finish(unit, response).await)
        })
    }
}

/// Ends the request's unit of work as its response says.
async fn finish(unit: AsyncSession, response: Response) -> Response {
    let status = response.status();
    if status.is_success() || status.is_redirection() {
        match unit.commit().await {
            Ok(()) => response,
            Err(e) => HttpError::from(e).into_response(),
        }
    } else {
        if let Err(e) = unit.rollback().await {
            tracing::warn!(target: "cinnabar::web", error = %e, "rollback after an error response failed");
        }
        response
    }
}
