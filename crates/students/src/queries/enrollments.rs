//! Enrollments: enrolment under the course's capacity (the row lock), marks, list, delete.
//!
//! Why a lock and how: two requests that each count the course's enrollments and then insert
//! one would both see a free seat and overfill the course. Enrolment therefore locks the
//! course's row first (a `with_for_update` query: `SELECT ... FOR UPDATE` on PostgreSQL and MariaDB,
//! the database's write lock taken at BEGIN on SQLite), so enrolments into one course run one
//! after the other, and then counts the seats with a locking read of the course's
//! enrollments (a locking read sees the latest committed rows on MariaDB, whose plain reads
//! would see the transaction's snapshot). The caller runs it inside
//! `AsyncEngine::run_with_retry`, which retries a deadlock or a busy database.

use cinnabar::prelude::*;
use serde::Deserialize;

use super::PageParams;
use crate::models::{Enrollment, Student};
use cinnabar::Page;

/// `?student_id=&course_id=` of the enrollment list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnrollmentFilter {
    /// Only this student's enrollments.
    pub student_id: Option<i64>,
    /// Only this course's enrollments.
    pub course_id: Option<i64>,
}

/// The body of `POST /api/enrollments`, and the enrol form.
#[derive(Debug, Clone, Deserialize)]
pub struct NewEnrollment {
    /// The student.
    pub student_id: i64,
    /// The course.
    pub course_id: i64,
    /// A mark, 0 to 100, if already graded.
    pub mark: Option<i32>,
}

/// The body of `PUT` / `PATCH /api/enrollments/{id}`: the mark (`null` clears it).
#[derive(Debug, Clone, Deserialize)]
pub struct MarkUpdate {
    /// The mark, 0 to 100.
    pub mark: Option<i32>,
}

/// What [`enrol`] did.
#[derive(Debug)]
pub enum Enrolled {
    /// Enrolled: the new enrollment.
    Done(Handle<Enrollment>),
    /// Refused: every seat is taken.
    Full {
        /// The course's code.
        code: String,
        /// Its capacity.
        capacity: i32,
    },
    /// Refused: the student is enrolled in the course already.
    Already,
}

/// The number of enrollments in course `course_id`, read with a locking read (call it with
/// the course's row locked).
///
/// # Errors
/// Database errors.
pub fn seats_taken(s: &mut Session, course_id: i64) -> cinnabar::Result<usize> {
    Ok(s.query::<Enrollment>()
        .filter(Enrollment::course_id.eq(course_id))
        .with_for_update()
        .all()?
        .len())
}

/// Enrols a student in a course unless it is full or they are enrolled already (see the
/// module docs for the lock). Run it inside `run_with_retry` / `transaction_with_retry`.
///
/// # Errors
/// `NoRow` (404) for an unknown student or course; validation of the mark (422); database
/// errors.
pub fn enrol(s: &mut Session, input: &NewEnrollment) -> cinnabar::Result<Enrolled> {
    let course = super::courses::lock_course(s, input.course_id)?;
    s.get_or_404::<Student>(input.student_id)?;
    let taken = s
        .query::<Enrollment>()
        .filter(Enrollment::course_id.eq(input.course_id))
        .with_for_update()
        .all()?;
    if taken
        .iter()
        .any(|e| e.read().student_id == Some(input.student_id))
    {
        return Ok(Enrolled::Already);
    }
    let (code, capacity) = {
        let c = course.read();
        (c.code.clone(), c.capacity)
    };
    if taken.len() >= usize::try_from(capacity).unwrap_or(0) {
        return Ok(Enrolled::Full { code, capacity });
    }
    let h = s.add(Enrollment::new(
        input.student_id,
        input.course_id,
        input.mark,
    ));
    s.flush()?;
    Ok(Enrolled::Done(h))
}

/// One page of the enrollments matching `filter`, by key.
///
/// # Errors
/// Database errors.
pub fn list(
    s: &mut Session,
    filter: &EnrollmentFilter,
    page: PageParams,
) -> cinnabar::Result<Page<Handle<Enrollment>>> {
    let mut q = s.query::<Enrollment>();
    if let Some(id) = filter.student_id {
        q = q.filter(Enrollment::student_id.eq(id));
    }
    if let Some(id) = filter.course_id {
        q = q.filter(Enrollment::course_id.eq(id));
    }
    q.order_by(Enrollment::id.asc())
        .paginate(page.page(), page.per_page())
}

/// The enrollment with key `id`.
///
/// # Errors
/// `NoRow` (404) when there is none.
pub fn get(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Enrollment>> {
    s.get_or_404::<Enrollment>(id)
}

/// Sets or clears the mark.
///
/// # Errors
/// `NoRow`, validation (mark outside 0–100) and database errors.
pub fn set_mark(
    s: &mut Session,
    id: i64,
    update: MarkUpdate,
) -> cinnabar::Result<Handle<Enrollment>> {
    let h = get(s, id)?;
    h.write().mark = update.mark;
    s.flush()?;
    Ok(h)
}

/// Deletes an enrollment (a seat is free again).
///
/// # Errors
/// `NoRow` and database errors.
pub fn delete(s: &mut Session, id: i64) -> cinnabar::Result<()> {
    let h = get(s, id)?;
    s.delete(&h)?;
    s.flush()
}
