//! Tutorial section "Insert Data into Database": session.add(student); session.commit().
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, Student};

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    let student = Student {
        id: None,
        name: "Naresh".into(),
        course: "Python".into(),
    };
    let student = session.add(student);
    session.commit()?;
    println!(
        "inserted {} with id {:?}",
        student.read().name,
        student.read().id
    );
    Ok(())
}
