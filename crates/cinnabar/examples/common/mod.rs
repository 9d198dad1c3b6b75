//! The tutorial's model, shared by the per-section examples.
#![allow(dead_code)]

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub course: String,
}

/// An engine on `college.db` with a fresh, empty students table.
pub(crate) fn fresh_engine() -> cinnabar::Result<Engine> {
    let engine = create_engine("sqlite:///college.db")?;
    let metadata = MetaData::new().with(Student::table().clone());
    metadata.drop_all(&engine)?;
    metadata.create_all(&engine)?;
    Ok(engine)
}

/// Adds the tutorial's student and a second one.
#[allow(dead_code)]
pub(crate) fn seed(session: &mut Session) -> cinnabar::Result<()> {
    session.add(Student {
        id: None,
        name: "Naresh".into(),
        course: "Python".into(),
    });
    session.add(Student {
        id: None,
        name: "Asha".into(),
        course: "Rust".into(),
    });
    session.commit()
}
