//! TEMPORARY stand-ins for the issue-11 API h-async is building (`cinnabar::asyncio`,
//! `cinnabar::web`, `Query::paginate`, `Session::statement_count`), with the agreed names, so
//! the application compiles before that work is on main. Removed once it is.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cinnabar::prelude::*;
use cinnabar::Query;

/// Stand-in for `cinnabar::asyncio::AsyncEngine`.
#[derive(Clone)]
pub struct AsyncEngine(Arc<Engine>);

impl AsyncEngine {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> AsyncEngine {
        AsyncEngine(Arc::new(engine))
    }
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.0
    }
    /// One unit of work, committed when the closure succeeds.
    pub async fn run<T, F>(&self, f: F) -> cinnabar::Result<T>
    where
        F: FnOnce(&mut Session) -> cinnabar::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let engine = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = Session::new(&engine);
            match f(&mut s) {
                Ok(v) => {
                    s.commit()?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = s.rollback();
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| cinnabar::Error::new(ErrorKind::Misuse, e.to_string()))?
    }
    /// Read-only unit of work.
    pub async fn read<T, F>(&self, f: F) -> cinnabar::Result<T>
    where
        F: FnOnce(&mut Session) -> cinnabar::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(f).await
    }
}

/// Stand-in for `cinnabar::web::HttpError`.
#[derive(Debug)]
pub struct HttpError(pub cinnabar::Error);

impl From<cinnabar::Error> for HttpError {
    fn from(e: cinnabar::Error) -> Self {
        HttpError(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = match self.0.kind() {
            ErrorKind::NoRow => StatusCode::NOT_FOUND,
            ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation => StatusCode::CONFLICT,
            ErrorKind::CheckViolation | ErrorKind::NotNullViolation | ErrorKind::Validation => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorKind::Busy | ErrorKind::PoolTimeout => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let body = serde_json::json!({
            "error": format!("{:?}", self.0.kind()),
            "message": self.0.message(),
        });
        (status, Json(body)).into_response()
    }
}

/// Stand-in for `cinnabar::web::HttpResult`.
pub type HttpResult<T> = Result<T, HttpError>;

/// Stand-in for `cinnabar::Page`.
#[derive(Debug, serde::Serialize)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Matching rows in all.
    pub total: u64,
    /// 1-based page number.
    pub page: u64,
    /// Page size.
    pub per_page: u64,
    /// Number of pages.
    pub pages: u64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// Whether a previous page exists.
    pub has_prev: bool,
}

/// Stand-in for `Query::paginate`.
pub trait Paginate<T: Model> {
    /// One page of the query.
    fn paginate(self, page: u64, per_page: u64) -> cinnabar::Result<Page<Handle<T>>>;
}

impl<T: Model> Paginate<T> for Query<'_, T> {
    fn paginate(self, page: u64, per_page: u64) -> cinnabar::Result<Page<Handle<T>>> {
        // Loads every row and slices (temporary: the real one counts and windows in SQL).
        let all = self.all()?;
        let total = all.len() as u64;
        let pages = total.div_ceil(per_page.max(1));
        let items = all
            .into_iter()
            .skip(((page.max(1) - 1) * per_page) as usize)
            .take(per_page as usize)
            .collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
            pages,
            has_next: page < pages,
            has_prev: page > 1,
        })
    }
}

/// Stand-in for `Session::statement_count`.
pub trait StatementCount {
    /// Statements run so far.
    fn statement_count(&self) -> u64;
}

impl StatementCount for Session {
    fn statement_count(&self) -> u64 {
        0
    }
}
