//! The tutorial's complete example, line for line: engine from a URL, a declarative model,
//! create_all, a session that adds and commits, then a query printing `Naresh Python`.
//!
//! Run with `cargo run --example college`. It writes `college.db` in the current directory
//! and starts from an empty table each run, so the output is always the tutorial's.
//!
//! The same program runs on PostgreSQL or MariaDB by changing only the URL:
//! `cargo run --example college --features postgres -- postgresql://postgres@127.0.0.1/test`
//! `cargo run --example college --features mysql -- mysql://root@127.0.0.1:3306/test`

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    course: String,
}

fn main() -> cinnabar::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:///college.db".to_string());
    let engine = create_engine(&url)?;

    let metadata = MetaData::new().with(Student::table().clone());
    metadata.drop_all(&engine)?; // start fresh, so the output matches the tutorial
    metadata.create_all(&engine)?;

    let mut session = Session::new(&engine);

    let student = Student {
        id: None,
        name: "Naresh".into(),
        course: "Python".into(),
    };

    session.add(student);

    session.commit()?;

    let students = session.query::<Student>().all()?;

    for s in students {
        let s = s.read();
        println!("{} {}", s.name, s.course);
    }
    Ok(())
}
