use cinnabar::prelude::*;

fn check_product(p: &Product) -> bool {
    p.price > 0
}

#[derive(Model, Clone, Debug)]
#[cinnabar(validate_with = check_product)]
struct Product {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    price: i64,
}

fn main() {}
