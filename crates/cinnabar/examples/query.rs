//! Tutorial section "Retrieve Data from Database": session.query(Student).all().
mod common;
use cinnabar::prelude::*;
use common::{fresh_engine, seed, Student};

fn main() -> cinnabar::Result<()> {
    let engine = fresh_engine()?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;
    let students = session.query::<Student>().all()?;
    for student in students {
        println!("{}", student.read().name);
    }
    Ok(())
}
