//! The student-management models of the compliance suite, written once for every backend.
//!
//! Strings that carry a key or an index have a `length`, so MariaDB/MySQL get a VARCHAR
//! they can index; server defaults are SQL every backend understands (`0`,
//! `CURRENT_TIMESTAMP`).

use cinnabar::prelude::*;

/// A course: the parent of students and enrollments.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "courses")]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    pub title: String,
}

/// A student, with a foreign key to its course (no ON DELETE action) and a unique e-mail.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100, index)]
    pub name: String,
    pub course: String,
    #[cinnabar(foreign_key = "courses.id")]
    pub course_id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    pub email: Option<String>,
}

/// Which student takes which course, with the marks obtained: a composite primary key of
/// two foreign keys without ON DELETE actions, so deleting in the wrong order fails.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "enrollments", index(course_id, student_id))]
pub(crate) struct Enrollment {
    #[cinnabar(primary_key, foreign_key = "students.id")]
    pub student_id: i64,
    #[cinnabar(primary_key, foreign_key = "courses.id")]
    pub course_id: i64,
    pub marks: Option<i64>,
    pub grade: Option<String>,
}

/// Attendance, with Rust-side defaults (`present`, `source`) and server-side defaults
/// (`recorded_at`, `late_minutes`).
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "attendance")]
pub(crate) struct Attendance {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "students.id", on_delete = "cascade")]
    pub student_id: i64,
    pub day: String,
    #[cinnabar(default = true)]
    pub present: Option<bool>,
    #[cinnabar(default = String::from("manual"))]
    pub source: Option<String>,
    #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
    pub recorded_at: Option<String>,
    #[cinnabar(server_default = "0")]
    pub late_minutes: Option<i64>,
}

/// Values at the edges of what the types hold: i64 extremes, unicode, doubles, booleans,
/// bytes.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "samples")]
pub(crate) struct Sample {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub big: i64,
    pub maybe: Option<i64>,
    pub label: String,
    pub note: Option<String>,
    pub ratio: f64,
    pub flag: bool,
    pub data: Option<Vec<u8>>,
}

/// A natural (text) primary key, with a server default and a composite unique constraint.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "tags", unique(category, rank))]
pub(crate) struct Tag {
    #[cinnabar(primary_key, length = 40)]
    pub code: String,
    #[cinnabar(length = 40)]
    pub category: String,
    pub rank: i64,
    #[cinnabar(server_default = "0")]
    pub uses: Option<i64>,
}

/// The `students` table seen through a model that allows NULL everywhere, to make the
/// database's NOT NULL constraint fire. Not part of [`metadata`].
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub(crate) struct LooseStudent {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub course: Option<String>,
    pub course_id: Option<i64>,
    pub email: Option<String>,
}

/// The tables [`metadata`] creates.
pub(crate) const TABLES: [&str; 6] = [
    "courses",
    "students",
    "enrollments",
    "attendance",
    "samples",
    "tags",
];

/// The metadata of every model, for `create_all`.
pub(crate) fn metadata() -> MetaData {
    MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Enrollment::table().clone())
        .with(Attendance::table().clone())
        .with(Sample::table().clone())
        .with(Tag::table().clone())
}

/// A student with only the tutorial's fields set.
pub(crate) fn student(name: &str, course: &str) -> Student {
    Student {
        id: None,
        name: name.into(),
        course: course.into(),
        course_id: None,
        email: None,
    }
}

/// A student with an e-mail.
pub(crate) fn with_email(name: &str, email: &str) -> Student {
    let mut s = student(name, "Python");
    s.email = Some(email.into());
    s
}

/// A course without a key yet.
pub(crate) fn course(title: &str) -> Course {
    Course {
        id: None,
        title: title.into(),
    }
}

/// One column of each optional type (`chrono`, `uuid`, `decimal`, `json` features), with a
/// server-side timestamp default.
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
))]
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "typed_values")]
pub(crate) struct Typed {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub day: cinnabar::chrono::NaiveDate,
    pub at: cinnabar::chrono::NaiveDateTime,
    pub instant: cinnabar::chrono::DateTime<cinnabar::chrono::Utc>,
    pub clock: cinnabar::chrono::NaiveTime,
    #[cinnabar(unique)]
    pub token: cinnabar::uuid::Uuid,
    #[cinnabar(precision = 12, scale = 2)]
    pub amount: cinnabar::rust_decimal::Decimal,
    pub doc: cinnabar::serde_json::Value,
    pub maybe_day: Option<cinnabar::chrono::NaiveDate>,
    #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
    pub created: Option<cinnabar::chrono::NaiveDateTime>,
}

/// A counter incremented by many threads (`concurrency_control.rs`). Not part of [`metadata`].
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cc_counters")]
pub(crate) struct Counter {
    #[cinnabar(primary_key)]
    pub id: i64,
    pub value: i64,
}

/// A counter with a version column (`concurrency_control.rs`). Not part of [`metadata`].
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cc_versioned")]
pub(crate) struct Versioned {
    #[cinnabar(primary_key)]
    pub id: i64,
    pub value: i64,
    #[cinnabar(version)]
    pub version: i64,
}
