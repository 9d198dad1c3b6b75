use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id))]
    students: HasMany<Student>,
    #[cinnabar(relation(foreign_key = course_id))]
    teachers: HasMany<Teacher>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "teachers")]
struct Teacher {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
    // `teachers` relates courses to teachers, not back to students.
    #[cinnabar(relation(foreign_key = course_id, back_populates = teachers))]
    course: BelongsTo<Course>,
}

fn main() {}
