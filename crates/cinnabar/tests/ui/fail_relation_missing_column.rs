use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course))]
    course: BelongsTo<Course>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(relation(foreign_key = no_such_column))]
    students: HasMany<Student>,
}

fn main() {}
