use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Student {
    id: Option<i64>,
    name: String,
}

fn main() {}
