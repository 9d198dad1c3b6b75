//! Courses: list (search by code or title, filter by teacher), get, the roster (loaded
//! eagerly: a fixed number of queries whatever the number of students), create, update,
//! delete.

use cinnabar::prelude::*;
use cinnabar::Query;
use serde::Deserialize;

use super::{contains_pattern, PageParams};
use crate::models::{Attendance, Course, Enrollment};
use cinnabar::Page;

/// `?q=&teacher_id=` of the course list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CourseFilter {
    /// Part of the code or title, case-insensitive.
    pub q: Option<String>,
    /// Only the courses this teacher teaches.
    pub teacher_id: Option<i64>,
}

/// The body of `POST /api/courses` and `PUT /api/courses/{id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewCourse {
    /// A short unique code.
    pub code: String,
    /// The title.
    pub title: String,
    /// Seats (at least 1).
    pub capacity: i32,
    /// The teacher's key.
    pub teacher_id: Option<i64>,
}

/// The body of `PATCH /api/courses/{id}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CoursePatch {
    /// A new code.
    pub code: Option<String>,
    /// A new title.
    pub title: Option<String>,
    /// A new number of seats: refused (409) below the number enrolled.
    pub capacity: Option<i32>,
    /// A new teacher (`null` is left unchanged).
    pub teacher_id: Option<i64>,
}

/// The courses matching `filter`, ordered by code.
pub fn query<'s>(s: &'s mut Session, filter: &CourseFilter) -> Query<'s, Course> {
    let mut q = s.query::<Course>();
    if let Some(p) = contains_pattern(filter.q.as_deref()) {
        q = q.filter(
            Course::code
                .lower()
                .like(p.clone())
                .or(Course::title.lower().like(p)),
        );
    }
    if let Some(t) = filter.teacher_id {
        q = q.filter(Course::teacher_id.eq(t));
    }
    q.order_by(Course::code.asc())
}

/// One page of the courses matching `filter`.
///
/// # Errors
/// Database errors.
pub fn list(
    s: &mut Session,
    filter: &CourseFilter,
    page: PageParams,
) -> cinnabar::Result<Page<Handle<Course>>> {
    query(s, filter).paginate(page.page(), page.per_page())
}

/// Every course with its teacher and enrollments loaded (three queries), for the course
/// list page and the enrol form.
///
/// # Errors
/// Database errors.
pub fn all_with_seats(s: &mut Session) -> cinnabar::Result<Vec<Handle<Course>>> {
    s.query::<Course>()
        .order_by(Course::code.asc())
        .options(selectin(Course::teacher))
        .options(selectin(Course::enrollments))
        .all()
}

/// The course with key `id`.
///
/// # Errors
/// `NoRow` (404) naming the course when there is none.
pub fn get(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Course>> {
    s.get_or_404::<Course>(id)
}

/// The course page: the course with its teacher, its enrollments and each enrollment's
/// student loaded eagerly (selectin), and the course's attendance rows: five queries
/// whatever the number of students.
///
/// # Errors
/// `NoRow` when there is no such course; database errors.
pub fn roster(s: &mut Session, id: i64) -> cinnabar::Result<(Handle<Course>, Vec<Attendance>)> {
    let course = s
        .query::<Course>()
        .filter(Course::id.eq(id))
        .options(selectin(Course::teacher))
        .options(selectin(Course::enrollments).then(selectin(Enrollment::student)))
        .first_or_404()?;
    let attendance = s
        .query::<Attendance>()
        .filter(Attendance::course_id.eq(id))
        .all()?
        .iter()
        .map(Handle::get)
        .collect();
    Ok((course, attendance))
}

/// The course with key `id`, its row locked until the transaction ends (`SELECT ... FOR
/// UPDATE`; SQLite's write lock).
///
/// # Errors
/// `NoRow` when there is none; database errors.
pub fn lock_course(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Course>> {
    s.query::<Course>()
        .filter(Course::id.eq(id))
        .with_for_update()
        .first_or_404()
}

/// Adds a course.
///
/// # Errors
/// Validation (422), a code already taken or an unknown teacher (409), database errors.
pub fn create(s: &mut Session, input: NewCourse) -> cinnabar::Result<Handle<Course>> {
    let mut c = Course::new(input.code.trim(), input.title.trim(), input.capacity);
    c.teacher_id = input.teacher_id;
    let h = s.add(c);
    s.flush()?;
    Ok(h)
}

/// What [`update`] did.
#[derive(Debug)]
pub enum CourseUpdate {
    /// Updated.
    Done(Handle<Course>),
    /// The new capacity is below the number already enrolled; nothing changed.
    BelowEnrolled {
        /// Students enrolled.
        enrolled: usize,
    },
}

/// Changes the fields `patch` names. A capacity change locks the course row and counts its
/// enrollments under the lock, as enrolment does, so the two cannot interleave.
///
/// # Errors
/// `NoRow`, validation and database errors.
pub fn update(s: &mut Session, id: i64, patch: CoursePatch) -> cinnabar::Result<CourseUpdate> {
    let h = if patch.capacity.is_some() {
        let h = lock_course(s, id)?;
        let enrolled = super::enrollments::seats_taken(s, id)?;
        if patch
            .capacity
            .is_some_and(|c| (c.max(0) as usize) < enrolled)
        {
            return Ok(CourseUpdate::BelowEnrolled { enrolled });
        }
        h
    } else {
        get(s, id)?
    };
    {
        let mut c = h.write();
        if let Some(code) = patch.code {
            c.code = code.trim().to_owned();
        }
        if let Some(title) = patch.title {
            c.title = title.trim().to_owned();
        }
        if let Some(capacity) = patch.capacity {
            c.capacity = capacity;
        }
        if patch.teacher_id.is_some() {
            c.teacher_id = patch.teacher_id;
        }
    }
    s.flush()?;
    Ok(CourseUpdate::Done(h))
}

/// Deletes a course; the database deletes its enrollments and attendance.
///
/// # Errors
/// `NoRow` and database errors.
pub fn delete(s: &mut Session, id: i64) -> cinnabar::Result<()> {
    let h = get(s, id)?;
    s.delete(&h)?;
    s.flush()
}
