use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "teachers")]
pub struct Teacher {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students", unique(name, course), index(course, r#type))]
pub struct Student {
    #[cinnabar(primary_key, autoincrement)]
    pub id: Option<i64>,
    #[cinnabar(length = 50, unique, index)]
    pub name: String,
    #[cinnabar(default = String::from("Python"))]
    pub course: Option<String>,
    #[cinnabar(column = "kind")]
    pub r#type: String,
    pub fee: f64,
    #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
    pub created_at: Option<String>,
    #[cinnabar(foreign_key = "teachers.id", on_delete = "set null")]
    pub teacher_id: Option<i64>,
}

#[derive(Model, Debug, Clone)]
struct CourseStudent {
    #[cinnabar(primary_key, foreign_key = "students.id", on_delete = "CASCADE")]
    student_id: i64,
    #[cinnabar(primary_key, autoincrement = false)]
    course_id: Option<i32>,
}

// `precision`/`scale` need a decimal field, which needs the `decimal` feature.
#[cfg(feature = "decimal")]
#[derive(Model, Debug, Clone)]
struct Invoice {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(precision = 10, scale = 2)]
    amount: cinnabar::rust_decimal::Decimal,
    #[cinnabar(precision = 12)]
    tax: Option<cinnabar::rust_decimal::Decimal>,
}

#[derive(FromRow, Debug)]
struct CourseCount {
    course: String,
    #[cinnabar(column = "n")]
    students: i64,
}

fn main() {
    let _ = Student::name.eq("x");
    let _ = Student::id.eq(1);
    let _ = Student::name.like("N%");
    let _ = Student::fee.gt(Student::fee);
    let _ = CourseStudent::course_id.eq(3);
    assert_eq!(<Student as Model>::table().name, "students");
    assert_eq!(<CourseStudent as Model>::table().name, "course_student");
    assert_eq!(Student::GENERATED_KEY, Some(0));
    assert_eq!(CourseStudent::GENERATED_KEY, None);
    assert_eq!(Teacher::COLUMNS, ["id", "name"]);
    let _ = std::mem::size_of::<CourseCount>();
    #[cfg(feature = "decimal")]
    assert_eq!(
        <Invoice as Model>::table().columns[1].sql_type,
        cinnabar::SqlType::Decimal(10, 2)
    );
}
