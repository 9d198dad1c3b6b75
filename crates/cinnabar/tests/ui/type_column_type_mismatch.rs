use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
}

fn text_column_with_integer() {
    let _ = Student::name.eq(5);
}

fn integer_column_with_text() {
    let _ = Student::id.eq("x");
}

fn main() {
    text_column_with_integer();
    integer_column_with_text();
}
