use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(unique, nullable)]
    name: String,
}

fn main() {}
