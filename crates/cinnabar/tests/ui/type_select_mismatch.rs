use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
}

// The items fix the row type: a name is a String and an average an Option<f64>.
fn row_type_follows_the_items(session: &mut Session) -> Result<()> {
    let _rows: Vec<(i64, f64)> = session.select((Student::name, avg(Student::id))).all()?;
    Ok(())
}

// AVG takes numbers only.
fn average_of_text(session: &mut Session) -> Result<()> {
    let _rows = session.select(avg(Student::name)).all()?;
    Ok(())
}

fn main() {}
