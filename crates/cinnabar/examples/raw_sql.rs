//! Tutorial section "Using Raw SQL with SQLAlchemy": text() with bound parameters.
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, seed};

#[derive(FromRow, Debug)]
struct NameCourse {
    name: String,
    course: String,
}

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;

    let result = session.execute(text("SELECT * FROM students"))?;
    for row in &result {
        println!("{row}");
    }
    // Values are always bound, never pasted into the SQL.
    let hostile = "Naresh'; DROP TABLE students; --";
    let rows = session.execute(
        text("SELECT name, course FROM students WHERE name = :name").bind("name", hostile),
    )?;
    println!("{} rows for a hostile name", rows.len());
    let typed: Vec<NameCourse> = session
        .execute(text("SELECT name, course FROM students WHERE course = :c").bind("c", "Python"))?
        .map_into()?;
    for t in &typed {
        println!("{} takes {}", t.name, t.course);
    }
    Ok(())
}
