//! Attendance: list (by student, course or day), record, update, delete. A record is refused
//! (409) for a student not enrolled in the course; one per student, course and day (the
//! unique constraint: 409).

use cinnabar::prelude::*;
use serde::Deserialize;

use super::PageParams;
use crate::models::{Attendance, Enrollment};
use cinnabar::Page;

/// `?student_id=&course_id=&day=` of the attendance list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AttendanceFilter {
    /// Only this student's records.
    pub student_id: Option<i64>,
    /// Only this course's records.
    pub course_id: Option<i64>,
    /// Only this day's records (`YYYY-MM-DD`).
    pub day: Option<chrono::NaiveDate>,
}

/// The body of `POST /api/attendance` and `PUT /api/attendance/{id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAttendance {
    /// The student.
    pub student_id: i64,
    /// The course.
    pub course_id: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: chrono::NaiveDate,
    /// Present or absent.
    pub present: bool,
}

/// The body of `PATCH /api/attendance/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AttendancePatch {
    /// A new day.
    pub day: Option<chrono::NaiveDate>,
    /// Present or absent.
    pub present: Option<bool>,
}

/// What [`record`] did.
#[derive(Debug)]
pub enum Recorded {
    /// Recorded.
    Done(Handle<Attendance>),
    /// Refused: the student is not enrolled in the course.
    NotEnrolled,
}

/// One page of the records matching `filter`, by day then key.
///
/// # Errors
/// Database errors.
pub fn list(
    s: &mut Session,
    filter: &AttendanceFilter,
    page: PageParams,
) -> cinnabar::Result<Page<Handle<Attendance>>> {
    let mut q = s.query::<Attendance>();
    if let Some(id) = filter.student_id {
        q = q.filter(Attendance::student_id.eq(id));
    }
    if let Some(id) = filter.course_id {
        q = q.filter(Attendance::course_id.eq(id));
    }
    if let Some(day) = filter.day {
        q = q.filter(Attendance::day.eq(day));
    }
    q.order_by(Attendance::day.asc())
        .order_by(Attendance::id.asc())
        .paginate(page.page(), page.per_page())
}

/// The record with key `id`.
///
/// # Errors
/// `NoRow` (404) when there is none.
pub fn get(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Attendance>> {
    s.get_or_404::<Attendance>(id)
}

fn enrolled(s: &mut Session, student_id: i64, course_id: i64) -> cinnabar::Result<bool> {
    s.query::<Enrollment>()
        .filter(Enrollment::student_id.eq(student_id))
        .filter(Enrollment::course_id.eq(course_id))
        .exists()
}

/// Records attendance of an enrolled student.
///
/// # Errors
/// A second record for the same student, course and day (409); database errors.
pub fn record(s: &mut Session, input: NewAttendance) -> cinnabar::Result<Recorded> {
    if !enrolled(s, input.student_id, input.course_id)? {
        return Ok(Recorded::NotEnrolled);
    }
    let h = s.add(Attendance {
        id: None,
        student_id: Some(input.student_id),
        course_id: Some(input.course_id),
        day: input.day,
        present: input.present,
    });
    s.flush()?;
    Ok(Recorded::Done(h))
}

/// Replaces a record's student, course, day and presence.
///
/// # Errors
/// `NoRow`, unique and database errors.
pub fn replace(s: &mut Session, id: i64, input: NewAttendance) -> cinnabar::Result<Recorded> {
    let h = get(s, id)?;
    if !enrolled(s, input.student_id, input.course_id)? {
        return Ok(Recorded::NotEnrolled);
    }
    {
        let mut a = h.write();
        a.student_id = Some(input.student_id);
        a.course_id = Some(input.course_id);
        a.day = input.day;
        a.present = input.present;
    }
    s.flush()?;
    Ok(Recorded::Done(h))
}

/// Changes the fields `patch` names.
///
/// # Errors
/// `NoRow`, unique and database errors.
pub fn update(
    s: &mut Session,
    id: i64,
    patch: AttendancePatch,
) -> cinnabar::Result<Handle<Attendance>> {
    let h = get(s, id)?;
    {
        let mut a = h.write();
        if let Some(day) = patch.day {
            a.day = day;
        }
        if let Some(present) = patch.present {
            a.present = present;
        }
    }
    s.flush()?;
    Ok(h)
}

/// Deletes a record.
///
/// # Errors
/// `NoRow` and database errors.
pub fn delete(s: &mut Session, id: i64) -> cinnabar::Result<()> {
    let h = get(s, id)?;
    s.delete(&h)?;
    s.flush()
}
