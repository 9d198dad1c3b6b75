use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    tags: Vec<std::time::Duration>,
}

fn main() {}
