use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 3)]
    age: i32,
}

fn main() {}
