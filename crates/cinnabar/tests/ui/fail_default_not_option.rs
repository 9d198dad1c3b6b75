use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(default = String::from("Python"))]
    course: String,
}

fn main() {}
