//! The models of `tests/sqlalchemy_interop.rs`, in a file of their own so that `tests/schema_diff.rs`
//! checks that each reflects exactly as declared.
#![allow(dead_code)]

use cinnabar::chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use cinnabar::prelude::*;
use cinnabar::rust_decimal::Decimal;
use cinnabar::serde_json;

/// The tutorial's course, as `Course(Base)` declares it.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "courses")]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(unique)]
    pub title: Option<String>,
}

/// The tutorial's student with the one-to-many example's foreign key.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub course: Option<String>,
    #[cinnabar(foreign_key = "courses.id")]
    pub course_id: Option<i64>,
}

/// One column per type both libraries support on SQLite (SQLAlchemy 1.4 has no `Uuid`).
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "every_type")]
pub(crate) struct EveryType {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 20, unique)]
    pub code: String,
    pub small: i32,
    pub big: i64,
    #[cinnabar(length = 50)]
    pub label: String,
    pub body: String,
    pub flag: bool,
    pub ratio: f64,
    #[cinnabar(precision = 5, scale = 2)]
    pub price: Decimal,
    #[cinnabar(precision = 12, scale = 4)]
    pub amount: Decimal,
    pub day: NaiveDate,
    pub moment: NaiveDateTime,
    pub clock: NaiveTime,
    pub data: Vec<u8>,
    pub doc: serde_json::Value,
    pub note: Option<String>,
}
