//! The JSON REST API: `/api/students`, `/api/courses`, `/api/enrollments`,
//! `/api/attendance`, each with list (`?page=&per_page=` and filters), get, create, update
//! (PUT and PATCH) and delete. Database errors become responses through
//! `cinnabar::web::HttpError` (404 no row, 409 unique / foreign key, 422 validation, ...);
//! the application's own refusals (a full course, a student not enrolled) are
//! `HttpError::new(409, message)`, the same body shape: `{"error": "conflict", "message":
//! "..."}`.

mod attendance;
mod courses;
pub(crate) mod enrollments;
mod students;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use cinnabar::asyncio::AsyncEngine;
use cinnabar::web::HttpError;
use cinnabar::web::HttpResult;

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

/// What API handlers return (lists answer `Page<Handle<T>>`, serialized by the `serde`
/// feature as `{"items": [...], "total", "page", "per_page", "pages", "has_next", "has_prev"}`).
pub(crate) type ApiResult<T> = HttpResult<T>;

/// A 409 for one of the application's refusals (a full course, a student not enrolled),
/// answered as `{"error": "conflict", "message": ...}`.
pub(crate) fn conflict(message: impl Into<String>) -> HttpError {
    HttpError::new(StatusCode::CONFLICT, message)
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
