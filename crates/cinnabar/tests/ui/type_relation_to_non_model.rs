use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    students: HasMany<String>,
}

fn main() {}
