//! The models of the round trip (models -> create_all -> reflect -> codegen -> compile ->
//! create_all -> reflect): every column type, keys of several shapes, uniques and indexes,
//! server defaults, checks, foreign keys with ON DELETE, a renamed and a keyword column, and every
//! relationship kind, a reference cycle (post_update) and a self-reference included.

use cinnabar::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use cinnabar::prelude::*;
use cinnabar::rust_decimal::Decimal;
use cinnabar::uuid::Uuid;

#[derive(Model, Debug, Clone)]
#[cinnabar(
    table = "rt_courses",
    check(name = "fee_not_negative", sql = "fee >= 0")
)]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    pub title: String,
    #[cinnabar(precision = 8, scale = 2)]
    pub fee: Option<Decimal>,
    pub credits: Option<Decimal>,
    #[cinnabar(length = 20, server_default = "'open'")]
    pub status: Option<String>,
    #[cinnabar(relation(foreign_key = course_id))]
    pub students: HasMany<Student>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_students", unique(name, email), index(name, course_id))]
#[cinnabar(check = "age >= 0", check = "small < 100")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 80)]
    pub name: String,
    #[cinnabar(length = 120)]
    pub email: Option<String>,
    #[cinnabar(column = "Nick Name")]
    pub nick: Option<String>,
    pub r#type: Option<String>,
    #[cinnabar(index)]
    pub age: Option<i32>,
    pub small: Option<i16>,
    pub active: bool,
    pub score: Option<f64>,
    pub ratio: Option<f32>,
    pub photo: Option<Vec<u8>>,
    pub born: Option<NaiveDate>,
    pub wakes: Option<NaiveTime>,
    pub joined: Option<NaiveDateTime>,
    pub seen: Option<DateTime<Utc>>,
    pub token: Option<Uuid>,
    pub prefs: Option<cinnabar::serde_json::Value>,
    #[cinnabar(server_default = "0")]
    pub visits: Option<i64>,
    #[cinnabar(foreign_key = "rt_courses.id", on_delete = "set null")]
    pub course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    pub course: BelongsTo<Course>,
}

/// One-to-one: a unique foreign key.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_profiles")]
pub(crate) struct Profile {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(unique, foreign_key = "rt_students.id", on_delete = "cascade")]
    pub student_id: i64,
    pub bio: Option<String>,
}

/// An association object: a composite key of two foreign keys and a column of its own.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_enrollments")]
pub(crate) struct Enrollment {
    #[cinnabar(primary_key, foreign_key = "rt_students.id", on_delete = "cascade")]
    pub student_id: i64,
    #[cinnabar(primary_key, foreign_key = "rt_courses.id")]
    pub course_id: i64,
    pub marks: Option<i32>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_tags")]
pub(crate) struct Tag {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 30, unique)]
    pub name: String,
}

/// A pure association table: many-to-many between students and tags.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_student_tags")]
pub(crate) struct StudentTag {
    #[cinnabar(primary_key, foreign_key = "rt_students.id")]
    pub student_id: i64,
    #[cinnabar(primary_key, foreign_key = "rt_tags.id")]
    pub tag_id: i64,
}

/// Departments and employees reference each other: a cycle closed by post_update.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_departments")]
pub(crate) struct Department {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 50)]
    pub name: String,
    #[cinnabar(foreign_key = "rt_employees.id")]
    pub manager_id: Option<i64>,
    #[cinnabar(relation(foreign_key = manager_id, post_update))]
    pub manager: BelongsTo<Employee>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_employees")]
pub(crate) struct Employee {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "rt_departments.id", on_delete = "cascade")]
    pub department_id: Option<i64>,
    #[cinnabar(foreign_key = "rt_employees.id")]
    pub boss_id: Option<i64>,
}

/// A natural composite key of text and date.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_readings")]
pub(crate) struct Reading {
    #[cinnabar(primary_key, length = 10)]
    pub station: String,
    #[cinnabar(primary_key)]
    pub day: NaiveDate,
    pub total: f64,
}

/// An integer key the program assigns.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "rt_codes")]
pub(crate) struct Code {
    #[cinnabar(primary_key)]
    pub code: i32,
    #[cinnabar(length = 40)]
    pub label: String,
}

/// Every model's table.
pub(crate) fn metadata() -> MetaData {
    MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Profile::table().clone())
        .with(Enrollment::table().clone())
        .with(Tag::table().clone())
        .with(StudentTag::table().clone())
        .with(Department::table().clone())
        .with(Employee::table().clone())
        .with(Reading::table().clone())
        .with(Code::table().clone())
}
