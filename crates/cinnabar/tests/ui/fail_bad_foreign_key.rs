use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "courses_id")]
    course_id: i64,
}

fn main() {}
