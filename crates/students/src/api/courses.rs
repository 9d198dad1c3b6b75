//! `/api/courses` handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cinnabar::{Handle, Page};

use super::{conflict, created, ApiResult};
use crate::models::Course;
use crate::queries::courses::{self as q, CourseFilter, CoursePatch, CourseUpdate, NewCourse};
use crate::queries::PageParams;
use cinnabar::asyncio::AsyncEngine;

/// `GET /api/courses?q=&teacher_id=&page=&per_page=`
pub(super) async fn list(
    State(db): State<AsyncEngine>,
    Query(filter): Query<CourseFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Handle<Course>>>> {
    let page = db.read(move |s| q::list(s, &filter, page)).await?;
    Ok(Json(page))
}

/// `GET /api/courses/{id}`
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Course>> {
    Ok(Json(db.read(move |s| Ok(q::get(s, id)?.get())).await?))
}

/// `POST /api/courses`: 201; 422 for a capacity below 1 or a bad code or title, 409 for a
/// code already taken or an unknown teacher.
pub(super) async fn create(
    State(db): State<AsyncEngine>,
    Json(input): Json<NewCourse>,
) -> ApiResult<Response> {
    let course = db.run(move |s| Ok(q::create(s, input)?.get())).await?;
    Ok(created("/api/courses", course.id, course))
}

async fn apply(db: AsyncEngine, id: i64, patch: CoursePatch) -> ApiResult<Json<Course>> {
    let outcome = db
        .run(move |s| {
            Ok(match q::update(s, id, patch)? {
                CourseUpdate::Done(h) => Ok(h.get()),
                CourseUpdate::BelowEnrolled { enrolled } => Err(enrolled),
            })
        })
        .await?;
    match outcome {
        Ok(course) => Ok(Json(course)),
        Err(enrolled) => Err(conflict(format!(
            "course {id} has {enrolled} students enrolled; the capacity cannot be lower"
        ))),
    }
}

/// `PUT /api/courses/{id}`: every field.
pub(super) async fn replace(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(input): Json<NewCourse>,
) -> ApiResult<Json<Course>> {
    let patch = CoursePatch {
        code: Some(input.code),
        title: Some(input.title),
        capacity: Some(input.capacity),
        teacher_id: input.teacher_id,
    };
    apply(db, id, patch).await
}

/// `PATCH /api/courses/{id}`: the fields given; 409 for a capacity below the students
/// enrolled.
pub(super) async fn update(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(patch): Json<CoursePatch>,
) -> ApiResult<Json<Course>> {
    apply(db, id, patch).await
}

/// `DELETE /api/courses/{id}`: 204; its enrollments and attendance go too.
pub(super) async fn delete(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    db.run(move |s| q::delete(s, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
