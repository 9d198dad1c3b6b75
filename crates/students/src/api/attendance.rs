//! `/api/attendance` handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cinnabar::{Handle, Page};

use super::{conflict, created, ApiResult};
use crate::models::Attendance;
use crate::queries::attendance::{
    self as q, AttendanceFilter, AttendancePatch, NewAttendance, Recorded,
};
use crate::queries::PageParams;
use cinnabar::asyncio::AsyncEngine;
use cinnabar::web::HttpError;

/// `GET /api/attendance?student_id=&course_id=&day=&page=&per_page=`
pub(super) async fn list(
    State(db): State<AsyncEngine>,
    Query(filter): Query<AttendanceFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Handle<Attendance>>>> {
    let page = db.read(move |s| q::list(s, &filter, page)).await?;
    Ok(Json(page))
}

/// `GET /api/attendance/{id}`
pub(super) async fn show(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Attendance>> {
    Ok(Json(db.read(move |s| Ok(q::get(s, id)?.get())).await?))
}

fn not_enrolled(input: &NewAttendance) -> HttpError {
    conflict(format!(
        "student {} is not enrolled in course {}",
        input.student_id, input.course_id
    ))
}

/// `POST /api/attendance`: 201; 409 for a student not enrolled in the course or a second
/// record for the same day.
pub(super) async fn create(
    State(db): State<AsyncEngine>,
    Json(input): Json<NewAttendance>,
) -> ApiResult<Response> {
    let refused = not_enrolled(&input);
    let done = db
        .run(move |s| {
            Ok(match q::record(s, input)? {
                Recorded::Done(h) => Some(h.get()),
                Recorded::NotEnrolled => None,
            })
        })
        .await?;
    match done {
        Some(a) => Ok(created("/api/attendance", a.id, a)),
        None => Err(refused),
    }
}

/// `PUT /api/attendance/{id}`: every field.
pub(super) async fn replace(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(input): Json<NewAttendance>,
) -> ApiResult<Json<Attendance>> {
    let refused = not_enrolled(&input);
    let done = db
        .run(move |s| {
            Ok(match q::replace(s, id, input)? {
                Recorded::Done(h) => Some(h.get()),
                Recorded::NotEnrolled => None,
            })
        })
        .await?;
    done.map(Json).ok_or(refused)
}

/// `PATCH /api/attendance/{id}`: the day or presence.
pub(super) async fn update(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
    Json(patch): Json<AttendancePatch>,
) -> ApiResult<Json<Attendance>> {
    Ok(Json(
        db.run(move |s| Ok(q::update(s, id, patch)?.get())).await?,
    ))
}

/// `DELETE /api/attendance/{id}`: 204.
pub(super) async fn delete(
    State(db): State<AsyncEngine>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    db.run(move |s| q::delete(s, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
