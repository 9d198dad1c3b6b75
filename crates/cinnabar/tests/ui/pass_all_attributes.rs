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

fn account_rules(a: &Account) -> Result<(), cinnabar::ValidationErrors> {
    let mut errors = cinnabar::ValidationErrors::new();
    if f64::from(a.low) > a.high {
        errors.add("low, high", "order", "low must not exceed high");
    }
    errors.into_result()
}

#[derive(Model, Debug, Clone)]
#[cinnabar(validate_with = account_rules)]
struct Account {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 30, validate(length(min = 1, max = 30), pattern = "^[a-z]+$"))]
    login: String,
    #[cinnabar(validate(sensitive, length(min = 8)))]
    secret: Option<String>,
    #[cinnabar(validate(range(min = -5, max = 5)))]
    low: i32,
    #[cinnabar(validate(range(max = 1e6)))]
    high: f64,
    #[cinnabar(validate(one_of("a", "b")), length = 1)]
    grade: String,
    #[cinnabar(validate(one_of(1, 2, 3)))]
    tier: i16,
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
    assert!(<Account as Model>::VALIDATES);
    assert!(!<Teacher as Model>::VALIDATES);
    assert_eq!(<Account as Model>::table().checks.len(), 6);
    #[cfg(feature = "decimal")]
    assert_eq!(
        <Invoice as Model>::table().columns[1].sql_type,
        cinnabar::SqlType::Decimal(10, 2)
    );
}
