//! The application's models: teachers teach courses, students enrol in courses (an
//! [`Enrollment`] is an association object carrying the mark), and attendance is recorded per
//! student, course and day. Validation rules sit on the fields (docs/VALIDATION.md) and are
//! CHECK constraints in the schema the migrations create.
//!
//! Relationship fields are never serialized (`#[serde(skip)]`): the API returns flat rows
//! with their foreign keys, and the pages read relationships they loaded eagerly.

use cinnabar::prelude::*;
use cinnabar::MetaData;
use serde::{Deserialize, Serialize};

/// A teacher, who teaches any number of courses.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "teachers")]
pub struct Teacher {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// Full name, 2 to 100 characters.
    #[cinnabar(length = 100, validate(length(min = 2, max = 100)))]
    pub name: String,
    /// A unique e-mail address.
    #[cinnabar(
        length = 120,
        unique,
        validate(length(min = 3, max = 120), pattern = r"^[^@\s]+@[^@\s]+$")
    )]
    pub email: String,
    /// The courses this teacher teaches.
    #[cinnabar(relation(foreign_key = teacher_id, back_populates = teacher))]
    #[serde(skip)]
    pub courses: HasMany<Course>,
}

/// A course with a limited number of seats.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "courses")]
pub struct Course {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// A short unique code such as `CS101`.
    #[cinnabar(length = 20, unique, validate(length(min = 2, max = 20)))]
    pub code: String,
    /// The course's title.
    #[cinnabar(length = 100, validate(length(min = 2, max = 100)))]
    pub title: String,
    /// How many students may enrol (at least 1).
    #[cinnabar(validate(range(min = 1, max = 10000)))]
    pub capacity: i32,
    /// Who teaches it, if anyone yet; set to NULL when the teacher is deleted.
    #[cinnabar(foreign_key = "teachers.id", on_delete = "set null", index)]
    pub teacher_id: Option<i64>,
    /// The teacher (loaded on demand).
    #[cinnabar(relation(foreign_key = teacher_id, back_populates = courses))]
    #[serde(skip)]
    pub teacher: BelongsTo<Teacher>,
    /// The enrollments in this course (its roster).
    #[cinnabar(relation(
        foreign_key = course_id,
        back_populates = course,
        cascade = "delete",
        passive_deletes
    ))]
    #[serde(skip)]
    pub enrollments: HasMany<Enrollment>,
}

/// A student.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "students")]
pub struct Student {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// Full name, 2 to 100 characters.
    #[cinnabar(length = 100, index, validate(length(min = 2, max = 100)))]
    pub name: String,
    /// A unique e-mail address.
    #[cinnabar(
        length = 120,
        unique,
        validate(length(min = 3, max = 120), pattern = r"^[^@\s]+@[^@\s]+$")
    )]
    pub email: String,
    /// The student's enrollments, each with its course and mark.
    #[cinnabar(relation(
        foreign_key = student_id,
        back_populates = student,
        cascade = "delete",
        passive_deletes
    ))]
    #[serde(skip)]
    pub enrollments: HasMany<Enrollment>,
    /// The student's attendance records.
    #[cinnabar(relation(foreign_key = student_id, cascade = "delete", passive_deletes))]
    #[serde(skip)]
    pub attendance: HasMany<Attendance>,
}

/// A student's enrollment in a course, with the mark obtained (an association object).
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "enrollments", unique(student_id, course_id))]
pub struct Enrollment {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// The student enrolled.
    #[cinnabar(foreign_key = "students.id", on_delete = "cascade", index)]
    pub student_id: Option<i64>,
    /// The course enrolled in.
    #[cinnabar(foreign_key = "courses.id", on_delete = "cascade", index)]
    pub course_id: Option<i64>,
    /// The mark, 0 to 100, once graded.
    #[cinnabar(validate(range(min = 0, max = 100)))]
    pub mark: Option<i32>,
    /// The student (loaded on demand).
    #[cinnabar(relation(foreign_key = student_id, back_populates = enrollments))]
    #[serde(skip)]
    pub student: BelongsTo<Student>,
    /// The course (loaded on demand).
    #[cinnabar(relation(foreign_key = course_id, back_populates = enrollments))]
    #[serde(skip)]
    pub course: BelongsTo<Course>,
}

/// Whether a student attended a course on a day.
#[derive(Model, Debug, Clone, Serialize, Deserialize)]
#[cinnabar(table = "attendance", unique(student_id, course_id, day))]
pub struct Attendance {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// The student.
    #[cinnabar(foreign_key = "students.id", on_delete = "cascade", index)]
    pub student_id: Option<i64>,
    /// The course.
    #[cinnabar(foreign_key = "courses.id", on_delete = "cascade", index)]
    pub course_id: Option<i64>,
    /// The day of the class.
    pub day: chrono::NaiveDate,
    /// Present or absent.
    pub present: bool,
}

/// Every model's table, for the migration CLI (`cargo run -p students --bin migrate`) and
/// for `Migrator::check`.
pub fn metadata() -> MetaData {
    MetaData::new()
        .with(Teacher::table().clone())
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Enrollment::table().clone())
        .with(Attendance::table().clone())
}

impl Student {
    /// A new student with empty (loaded) relationships.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Student {
        Student {
            id: None,
            name: name.into(),
            email: email.into(),
            enrollments: HasMany::new(),
            attendance: HasMany::new(),
        }
    }
}

impl Course {
    /// A new course with no teacher yet.
    pub fn new(code: impl Into<String>, title: impl Into<String>, capacity: i32) -> Course {
        Course {
            id: None,
            code: code.into(),
            title: title.into(),
            capacity,
            teacher_id: None,
            teacher: BelongsTo::default(),
            enrollments: HasMany::new(),
        }
    }
}

impl Teacher {
    /// A new teacher.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Teacher {
        Teacher {
            id: None,
            name: name.into(),
            email: email.into(),
            courses: HasMany::new(),
        }
    }
}

impl Enrollment {
    /// A new enrollment of a student in a course, not graded yet.
    pub fn new(student_id: i64, course_id: i64, mark: Option<i32>) -> Enrollment {
        Enrollment {
            id: None,
            student_id: Some(student_id),
            course_id: Some(course_id),
            mark,
            student: BelongsTo::default(),
            course: BelongsTo::default(),
        }
    }
}
