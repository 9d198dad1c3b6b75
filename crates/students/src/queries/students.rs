//! Students: list (search by name or e-mail, filter by course), get with the student page's
//! relationships, create, update, delete.

use cinnabar::prelude::*;
use cinnabar::Query;
use serde::Deserialize;

use super::{contains_pattern, PageParams};
use crate::models::{Attendance, Course, Enrollment, Student};
use cinnabar::Page;

/// `?q=&course_id=` of the student list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StudentFilter {
    /// Part of the name or e-mail, case-insensitive.
    pub q: Option<String>,
    /// Only students enrolled in this course.
    pub course_id: Option<i64>,
}

/// The body of `POST /api/students` and `PUT /api/students/{id}`, and the add-student form.
#[derive(Debug, Clone, Deserialize)]
pub struct NewStudent {
    /// Full name.
    pub name: String,
    /// E-mail address (unique).
    pub email: String,
}

/// The body of `PATCH /api/students/{id}`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StudentPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new e-mail address.
    pub email: Option<String>,
}

/// The students matching `filter`, ordered by name then key.
pub fn query<'s>(s: &'s mut Session, filter: &StudentFilter) -> Query<'s, Student> {
    let mut q = s.query::<Student>();
    if let Some(p) = contains_pattern(filter.q.as_deref()) {
        q = q.filter(
            Student::name
                .lower()
                .like(p.clone())
                .or(Student::email.lower().like(p)),
        );
    }
    if let Some(course) = filter.course_id {
        q = q.filter(Student::enrollments.any(Enrollment::course_id.eq(course)));
    }
    q.order_by(Student::name.asc()).order_by(Student::id.asc())
}

/// One page of the students matching `filter`.
///
/// # Errors
/// Database errors.
pub fn list(
    s: &mut Session,
    filter: &StudentFilter,
    page: PageParams,
) -> cinnabar::Result<Page<Handle<Student>>> {
    query(s, filter).paginate(page.page(), page.per_page())
}

/// The student with key `id`.
///
/// # Errors
/// `NoRow` (404) naming the student when there is none.
pub fn get(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Student>> {
    s.get_or_404::<Student>(id)
}

/// The student with key `id`, its enrollments with their courses, and its attendance: what
/// the student page shows, in four queries whatever the number of courses.
///
/// # Errors
/// `NoRow` when there is no such student; database errors.
pub fn get_detailed(s: &mut Session, id: i64) -> cinnabar::Result<Handle<Student>> {
    s.query::<Student>()
        .filter(Student::id.eq(id))
        .options(selectin(Student::enrollments).then(selectin(Enrollment::course)))
        .options(selectin(Student::attendance))
        .first_or_404()
}

/// Adds a student (validated at the flush: 422 for a bad name or e-mail, 409 for an e-mail
/// already taken).
///
/// # Errors
/// Validation and database errors.
pub fn create(s: &mut Session, input: NewStudent) -> cinnabar::Result<Handle<Student>> {
    let h = s.add(Student::new(input.name.trim(), input.email.trim()));
    s.flush()?;
    Ok(h)
}

/// Changes the fields `patch` names.
///
/// # Errors
/// `NoRow`, validation and database errors.
pub fn update(s: &mut Session, id: i64, patch: StudentPatch) -> cinnabar::Result<Handle<Student>> {
    let h = get(s, id)?;
    {
        let mut st = h.write();
        if let Some(name) = patch.name {
            st.name = name.trim().to_owned();
        }
        if let Some(email) = patch.email {
            st.email = email.trim().to_owned();
        }
    }
    s.flush()?;
    Ok(h)
}

/// Deletes a student; the database deletes their enrollments and attendance
/// (`ON DELETE CASCADE`).
///
/// # Errors
/// `NoRow` and database errors.
pub fn delete(s: &mut Session, id: i64) -> cinnabar::Result<()> {
    let h = get(s, id)?;
    s.delete(&h)?;
    s.flush()
}

/// One line of the student page: a course, its mark, and the attendance in it.
#[derive(Debug, Clone)]
pub struct CourseLine {
    /// The course.
    pub course: Course,
    /// The enrollment's key.
    pub enrollment_id: Option<i64>,
    /// The mark, if graded.
    pub mark: Option<i32>,
    /// Classes attended, classes recorded.
    pub attended: (usize, usize),
}

/// The student page's lines, from a student loaded by [`get_detailed`], and the overall
/// attendance (classes attended, classes recorded).
///
/// # Errors
/// `Misuse` when the relationships were not loaded.
pub fn course_lines(student: &Student) -> cinnabar::Result<(Vec<CourseLine>, (usize, usize))> {
    let attendance: Vec<Attendance> = student.attendance.get()?.iter().map(|a| a.get()).collect();
    let mut lines = Vec::new();
    for e in student.enrollments.get()? {
        let e = e.read();
        let Some(course) = e.course.get()? else {
            continue;
        };
        let course = course.get();
        let rows = attendance.iter().filter(|a| a.course_id == course.id);
        let attended = rows.fold((0, 0), |(p, n), a| (p + usize::from(a.present), n + 1));
        lines.push(CourseLine {
            course,
            enrollment_id: e.id,
            mark: e.mark,
            attended,
        });
    }
    lines.sort_by(|a, b| a.course.code.cmp(&b.course.code));
    let total = attendance
        .iter()
        .fold((0, 0), |(p, n), a| (p + usize::from(a.present), n + 1));
    Ok((lines, total))
}
