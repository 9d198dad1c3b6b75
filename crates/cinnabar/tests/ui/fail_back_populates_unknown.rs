use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id, back_populates = courze))]
    students: HasMany<Student>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id, back_populates = students))]
    course: BelongsTo<Course>,
}

fn main() {}
