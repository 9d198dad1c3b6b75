//! Tutorial section "Update Records": change a loaded object, commit.
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, seed, Student};

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;
    let student = session.query::<Student>().first()?.expect("seeded");
    student.write().course = "Advanced Python".into();
    session.commit()?; // UPDATE "students" SET "course" = ? WHERE "id" = ?
    let again = session.get::<Student>(student.read().id.unwrap_or_default())?;
    println!(
        "{}",
        again.map(|s| s.read().course.clone()).unwrap_or_default()
    );
    Ok(())
}
