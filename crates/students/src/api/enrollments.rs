//! `/api/enrollments` handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cinnabar::RetryPolicy;
use cinnabar::{Handle, Page};

use super::{conflict, created, ApiResult};
use crate::models::Enrollment;
use crate::queries::enrollments::{
    self as q, Enrolled, EnrollmentFilter, MarkUpdate, NewEnrollment,
};
use crate::queries::PageParams;
use cinnabar::asyncio::AsyncEngine;

/// `GET /api/enrollments?student_id=&course_id=&page=&per_page=`
pub(super) async fn list(
    State(db): State<AsyncEngine>,
    Query(filter): Query<EnrollmentFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Handle<Enrollment>>>> {
    let page = db.read(move |s| q::list(s, &filter, page)).await?;
    Ok(Json(page))
}

/// `GET /api/enrollments/{id}`
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Enrollment>> {
    Ok(Json(db.read(move |s| Ok(q::get(s, id)?.get())).await?))
}

/// What an enrolment ended as, as data that leaves the unit of work.
pub(crate) enum Outcome {
    Done(Enrollment),
    Full { code: String, capacity: i32 },
    Already,
}

/// Runs an enrolment (locked and retried, see `queries::enrollments`) as one unit of work.
pub(crate) async fn enrol(db: &AsyncEngine, input: NewEnrollment) -> cinnabar::Result<Outcome> {
    db.run_with_retry(RetryPolicy::default(), move |s| {
        Ok(match q::enrol(s, &input)? {
            Enrolled::Done(h) => Outcome::Done(h.get()),
            Enrolled::Full { code, capacity } => Outcome::Full { code, capacity },
            Enrolled::Already => Outcome::Already,
        })
    })
    .await
}

/// `POST /api/enrollments`: 201; 409 when the course is full or the student is enrolled
/// already; 404 for an unknown student or course; 422 for a mark outside 0–100.
pub(super) async fn create(
    State(db): State<AsyncEngine>,
    Json(input): Json<NewEnrollment>,
) -> ApiResult<Response> {
    let (student, course) = (input.student_id, input.course_id);
    match enrol(&db, input).await? {
        Outcome::Done(e) => Ok(created("/api/enrollments", e.id, e)),
        Outcome::Full { code, capacity } => Err(conflict(format!(
            "course {code} is full ({capacity} of {capacity} seats taken)"
        ))),
        Outcome::Already => Err(conflict(format!(
            "student {student} is already enrolled in course {course}"
        ))),
    }
}

/// `PUT` / `PATCH /api/enrollments/{id}`: the mark (`{"mark": 87}`, or `null` to clear).
pub(super) async fn update(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(input): Json<MarkUpdate>,
) -> ApiResult<Json<Enrollment>> {
    Ok(Json(
        db.run(move |s| Ok(q::set_mark(s, id, input)?.get()))
            .await?,
    ))
}

/// `DELETE /api/enrollments/{id}`: 204; the seat is free again.
pub(super) async fn delete(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    db.run(move |s| q::delete(s, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
