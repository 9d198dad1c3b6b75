use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    age: i32,
}

fn case_results_of_two_kinds() {
    let _ = case().when(Student::age.gt(1), "a").else_(5);
}

fn simple_case_value_of_another_kind() {
    let _ = case_on(Student::age).when("x", 1).end();
}

fn tuple_position_of_another_kind() {
    let _ = tuple((Student::name, Student::age)).eq(("Smith", "x"));
}

fn coalesce_of_two_kinds() {
    let _ = coalesce((Student::name, Student::age));
}

fn main() {
    case_results_of_two_kinds();
    simple_case_value_of_another_kind();
    tuple_position_of_another_kind();
    coalesce_of_two_kinds();
}
