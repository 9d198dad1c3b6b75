//! Tutorial section "Transactions in SQLAlchemy": try: commit() except: rollback().
mod common;
use cinnabar::prelude::*;
use common::Student;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "accounts")]
struct Account {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(unique)]
    email: String,
}

fn main() -> cinnabar::Result<()> {
    let engine = create_engine("sqlite:///college.db")?;
    let metadata = MetaData::new()
        .with(Student::table().clone())
        .with(Account::table().clone());
    metadata.drop_all(&engine)?;
    metadata.create_all(&engine)?;
    let mut session = Session::new(&engine);
    session.add(Account {
        id: None,
        email: "naresh@example.com".into(),
    });
    session.commit()?;

    // try: session.commit() except: session.rollback()
    session.add(Account {
        id: None,
        email: "naresh@example.com".into(),
    });
    match session.commit() {
        Ok(()) => println!("committed"),
        Err(e) if e.kind() == ErrorKind::UniqueViolation => {
            // Nothing was written; the session still holds the duplicate account (fix it
            // and commit again, or discard it as the tutorial does).
            session.rollback()?;
            println!("rolled back: {e}");
        }
        Err(e) => return Err(e),
    }

    // Engine-level: commit on Ok, roll back on Err.
    let r: cinnabar::Result<()> = engine.begin(|conn| {
        conn.execute(
            text("INSERT INTO students (name, course) VALUES (:n, :c)")
                .bind("n", "Ravi")
                .bind("c", "Go"),
        )?;
        Err(Error::misuse("changed my mind"))
    });
    println!("engine.begin returned error: {}", r.is_err());

    // A savepoint rolls back only its own part.
    session.add(Student {
        id: None,
        name: "Kept".into(),
        course: "SQL".into(),
    });
    let _ = session.savepoint(|s| {
        s.add(Student {
            id: None,
            name: "Dropped".into(),
            course: "SQL".into(),
        });
        s.flush()?;
        Err::<(), _>(Error::misuse("undo the savepoint"))
    });
    session.commit()?;
    println!("students: {}", session.query::<Student>().count()?);
    Ok(())
}
