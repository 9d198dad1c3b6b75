//! Tutorial section "Delete Records": session.delete(student); session.commit().
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, seed, Student};

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;
    let student = session.query::<Student>().first()?.expect("seeded");
    session.delete(&student)?;
    session.commit()?;
    println!("{} students left", session.query::<Student>().count()?);
    // Set-based: delete every student of a course without loading them.
    let n =
        session.execute_bulk(cinnabar::delete::<Student>().filter(Student::course.eq("Rust")))?;
    session.commit()?;
    println!("bulk-deleted {n}");
    Ok(())
}
