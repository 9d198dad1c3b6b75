//! The JSON REST API: `/api/students`, `/api/courses`, `/api/enrollments`,
//! `/api/attendance`, each with list (`?page=&per_page=` and filters), get, create, update
//! (PUT and PATCH) and delete. Database errors become responses through
//! `cinnabar::web::HttpError` (404 no row, 409 unique / foreign key, 422 validation, ...);
//! the application's own refusals (a full course, a student not enrolled) are 409 with the
//! same body shape, `{"error": "...", "message": "..."}`.

mod attendance;
mod courses;
pub(crate) mod enrollments;
mod students;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cinnabar::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::compat::{AsyncEngine, HttpError, Page};

/// The API's routes.
pub(crate) fn routes() -> Router<AsyncEngine> {
    Router::new()
        .route("/api/students", get(students::list).post(students::create))
        .route(
            "/api/students/{id}",
            get(students::show)
                .put(students::replace)
                .patch(students::update)
                .delete(students::delete),
        )
        .route("/api/courses", get(courses::list).post(courses::create))
        .route(
            "/api/courses/{id}",
            get(courses::show)
                .put(courses::replace)
                .patch(courses::update)
                .delete(courses::delete),
        )
        .route(
            "/api/enrollments",
            get(enrollments::list).post(enrollments::create),
        )
        .route(
            "/api/enrollments/{id}",
            get(enrollments::show)
                .put(enrollments::update)
                .patch(enrollments::update)
                .delete(enrollments::delete),
        )
        .route(
            "/api/attendance",
            get(attendance::list).post(attendance::create),
        )
        .route(
            "/api/attendance/{id}",
            get(attendance::show)
                .put(attendance::replace)
                .patch(attendance::update)
                .delete(attendance::delete),
        )
}

/// An API error: a database error (mapped by `HttpError`) or one of the application's
/// refusals.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// A Cinnabar error, mapped to its status by `HttpError`.
    Db(HttpError),
    /// The request conflicts with the data (409): a full course, a student not enrolled.
    Conflict {
        /// A machine-readable word (`course_full`, ...).
        error: &'static str,
        /// What happened, for people.
        message: String,
    },
}

impl From<cinnabar::Error> for ApiError {
    fn from(e: cinnabar::Error) -> Self {
        ApiError::Db(HttpError::from(e))
    }
}

impl ApiError {
    /// A 409 refusal.
    pub(crate) fn conflict(error: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            error,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Db(e) => e.into_response(),
            ApiError::Conflict { error, message } => (
                StatusCode::CONFLICT,
                Json(json!({ "error": error, "message": message })),
            )
                .into_response(),
        }
    }
}

/// What API handlers return.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// A page of objects as JSON: `{"items": [...], "total", "page", "per_page", "pages",
/// "has_next", "has_prev"}`.
pub(crate) fn page_json<T: Model + Serialize>(page: Page<Handle<T>>) -> Value {
    let items: Vec<T> = page.items.iter().map(Handle::get).collect();
    json!({
        "items": items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "has_next": page.has_next,
        "has_prev": page.has_prev,
    })
}

/// `201 Created` with the new object's URL in `Location` and the object as the body.
pub(crate) fn created<T: Serialize>(base: &str, id: Option<i64>, body: T) -> Response {
    let location = format!("{base}/{}", id.unwrap_or_default());
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}
