use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
struct Invoice {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(precision = 10, scale = 2)]
    amount: f64,
}

fn main() {}
