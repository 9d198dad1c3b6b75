//! Tutorial section "Filter Records": filter_by(name="Naresh").first().
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, seed, Student};

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;
    let student = session
        .query::<Student>()
        .filter_by(Student::name, "Naresh")
        .first()?;
    if let Some(student) = student {
        println!("{}", student.read().course);
    }
    // The general form takes typed conditions.
    let rustaceans = session
        .query::<Student>()
        .filter(Student::course.eq("Rust") | Student::name.like("N%"))
        .order_by(Student::name.desc())
        .count()?;
    println!("{rustaceans} match");
    Ok(())
}
