use cinnabar::prelude::*;

#[derive(Model)]
struct Product {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(validate(size(max = 3)))]
    unknown_rule: String,
    #[cinnabar(validate(length(min = 5, max = 2)))]
    min_above_max: String,
    #[cinnabar(validate(range(min = 10, max = -10)))]
    range_reversed: i64,
    #[cinnabar(validate(pattern = "([a-z]"))]
    bad_pattern: String,
    #[cinnabar(validate(length(max = 10)))]
    length_on_number: i64,
    #[cinnabar(validate(range(min = 0)))]
    range_on_text: String,
    #[cinnabar(validate(one_of("a", 1)))]
    mixed_one_of: String,
    #[cinnabar(validate(one_of(1, 2)))]
    ints_on_text: String,
    #[cinnabar(validate(range()))]
    no_bounds: i32,
    #[cinnabar(validate(range(min = 0.5)))]
    float_bound_on_int: i32,
}

fn main() {}
