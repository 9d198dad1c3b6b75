//! `/api/students` handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cinnabar::{Handle, Page};

use super::{created, ApiResult};
use crate::models::Student;
use crate::queries::students::{self as q, NewStudent, StudentFilter, StudentPatch};
use crate::queries::PageParams;
use cinnabar::asyncio::AsyncEngine;

/// `GET /api/students?q=&course_id=&page=&per_page=`
pub(super) async fn list(
    State(db): State<AsyncEngine>,
    Query(filter): Query<StudentFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Handle<Student>>>> {
    let page = db.read(move |s| q::list(s, &filter, page)).await?;
    Ok(Json(page))
}

/// `GET /api/students/{id}`
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Student>> {
    Ok(Json(db.read(move |s| Ok(q::get(s, id)?.get())).await?))
}

/// `POST /api/students`: 201 with the student, 422 for invalid fields, 409 for an e-mail
/// already taken.
pub(super) async fn create(
    State(db): State<AsyncEngine>,
    Json(input): Json<NewStudent>,
) -> ApiResult<Response> {
    let student = db.run(move |s| Ok(q::create(s, input)?.get())).await?;
    Ok(created("/api/students", student.id, student))
}

/// `PUT /api/students/{id}`: every field.
pub(super) async fn replace(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(input): Json<NewStudent>,
) -> ApiResult<Json<Student>> {
    let patch = StudentPatch {
        name: Some(input.name),
        email: Some(input.email),
    };
    Ok(Json(
        db.run(move |s| Ok(q::update(s, id, patch)?.get())).await?,
    ))
}

/// `PATCH /api/students/{id}`: the fields given.
pub(super) async fn update(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(patch): Json<StudentPatch>,
) -> ApiResult<Json<Student>> {
    Ok(Json(
        db.run(move |s| Ok(q::update(s, id, patch)?.get())).await?,
    ))
}

/// `DELETE /api/students/{id}`: 204; the student's enrollments and attendance go too.
pub(super) async fn delete(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    db.run(move |s| q::delete(s, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
