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
            STATEMENTS.with(|c| c.set(0));
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
    /// Stand-in for `AsyncEngine::run_with_retry`.
    pub async fn run_with_retry<T, F>(&self, policy: RetryPolicy, f: F) -> cinnabar::Result<T>
    where
        F: FnMut(&mut Session) -> cinnabar::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |s| s.transaction_with_retry(&policy, f))
            .await
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
pub struct HttpError {
    status: StatusCode,
    error: Option<cinnabar::Error>,
    message: String,
}

impl HttpError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            error: None,
            message: message.into(),
        }
    }
}

impl From<cinnabar::Error> for HttpError {
    fn from(e: cinnabar::Error) -> Self {
        HttpError {
            status: status_of(e.kind()),
            message: e.message().to_owned(),
            error: Some(e),
        }
    }
}

/// Stand-in for `cinnabar::web::status_of`.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NoRow => StatusCode::NOT_FOUND,
        ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation | ErrorKind::StaleData => {
            StatusCode::CONFLICT
        }
        ErrorKind::CheckViolation | ErrorKind::NotNullViolation | ErrorKind::Validation => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ErrorKind::Busy
        | ErrorKind::PoolTimeout
        | ErrorKind::Deadlock
        | ErrorKind::SerializationFailure
        | ErrorKind::Connection => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let kind = match &self.error {
            Some(e) => format!("{:?}", e.kind()),
            None => self
                .status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase()
                .replace([' ', '-'], "_"),
        };
        let mut body = serde_json::json!({ "error": kind, "message": self.message });
        if let Some(v) = self.error.as_ref().and_then(|e| e.validation_errors()) {
            body["fields"] = v
                .errors()
                .iter()
                .map(
                    |f| serde_json::json!({"field": f.field, "rule": f.rule, "message": f.message}),
                )
                .collect();
        }
        (self.status, Json(body)).into_response()
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

thread_local! {
    /// Statements run on this thread since its unit of work began (see [`StatementCounter`]).
    static STATEMENTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Stand-in for the engine's statement count: a tracing layer counting the engine's
/// per-statement spans (target `cinnabar::sql`) on the thread that runs them; the stand-in
/// `AsyncEngine` resets the count when a unit of work begins.
pub struct StatementCounter;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn register_callsite(
        &self,
        meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if meta.target() == "cinnabar::sql" {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(
        &self,
        meta: &tracing::Metadata<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        meta.target() == "cinnabar::sql"
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _id: &tracing::span::Id,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().target() == "cinnabar::sql" {
            STATEMENTS.with(|c| c.set(c.get() + 1));
        }
    }
}

/// Installs a global subscriber with only the [`StatementCounter`] (for tests); a no-op when
/// one is installed already.
pub fn count_statements() {
    use tracing_subscriber::layer::SubscriberExt;
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(StatementCounter),
    );
}

/// Stand-in for `Session::statement_count`.
pub trait StatementCount {
    /// Statements run so far.
    fn statement_count(&self) -> u64;
}

impl StatementCount for Session {
    fn statement_count(&self) -> u64 {
        STATEMENTS.with(std::cell::Cell::get)
    }
}

/// Stand-in for `Session::get_or_404` and `Query::first_or_404`.
pub trait Or404 {
    /// The object with `key`, or a `NoRow` error naming the model and key.
    fn get_or_404<T: Model>(
        &mut self,
        key: impl Into<T::Key> + std::fmt::Debug + Clone,
    ) -> cinnabar::Result<Handle<T>>;
}

impl Or404 for Session {
    fn get_or_404<T: Model>(
        &mut self,
        key: impl Into<T::Key> + std::fmt::Debug + Clone,
    ) -> cinnabar::Result<Handle<T>> {
        let shown = format!("{key:?}");
        self.get::<T>(key)?.ok_or_else(|| {
            cinnabar::Error::new(
                ErrorKind::NoRow,
                format!("no {} with key {shown}", T::model_name()),
            )
        })
    }
}

/// Stand-in for `Query::first_or_404`.
pub trait First404<T: Model> {
    /// The first match or `NoRow`.
    fn first_or_404(self) -> cinnabar::Result<Handle<T>>;
}

impl<T: Model> First404<T> for Query<'_, T> {
    fn first_or_404(self) -> cinnabar::Result<Handle<T>> {
        self.first()?.ok_or_else(|| {
            cinnabar::Error::new(
                ErrorKind::NoRow,
                format!("no {} matches the query", T::model_name()),
            )
        })
    }
}
