//! The tutorial "Database Integration with SQLite and SQLAlchemy", one test per section,
//! against a SQLite file in a temporary directory.

mod common;

use cinnabar::prelude::*;
use cinnabar::OwnedRow;
use common::{setup, student, temp_engine, Student};

/// The tutorial's model, exactly: `id`, `name`, `course`.
#[path = "models/tutorial.rs"]
mod plain;

fn tables(engine: &Engine) -> Vec<String> {
    let mut conn = engine.connect().unwrap();
    let rows = conn
        .execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .unwrap();
    rows.rows()
        .iter()
        .map(|r| r.get::<String>("name").unwrap())
        .collect()
}

fn naresh_python(engine: &Engine) {
    MetaData::new()
        .with(plain::Student::table().clone())
        .create_all(engine)
        .unwrap();
    let mut session = Session::new(engine);
    session.add(plain::Student {
        id: None,
        name: "Naresh".into(),
        course: "Python".into(),
    });
    session.commit().unwrap();
    let students = session.query::<plain::Student>().all().unwrap();
    let printed: Vec<String> = students
        .iter()
        .map(|s| {
            let s = s.read();
            format!("{} {}", s.name, s.course)
        })
        .collect();
    assert_eq!(printed, ["Naresh Python"]);
}

/// "Creating SQLite Database Connection": `create_engine("sqlite:///students.db")` with a
/// relative path, an absolute one (four slashes), and `sqlite://` in memory.
#[test]
fn connect_with_url_forms() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();

    // sqlite:///relative: relative to the current directory.
    let rel_target = dir.path().join("relative.db");
    let rel = common::relative_to_cwd(&rel_target);
    assert!(rel.is_relative(), "{rel:?}");
    let engine = create_engine(&format!("sqlite:///{}", rel.display())).unwrap();
    assert_eq!(engine.url().database(), Some(rel.to_str().unwrap()));
    assert!(!engine.url().is_memory());
    assert!(
        !rel_target.exists(),
        "no connection is opened before one is needed"
    );
    naresh_python(&engine);
    assert!(
        rel_target.exists(),
        "sqlite:///{} did not create {rel_target:?}",
        rel.display()
    );

    // sqlite:////absolute
    let abs_target = dir.path().join("absolute.db");
    let url = format!("sqlite:///{}", abs_target.display());
    assert!(url.starts_with("sqlite:////"), "{url}");
    let engine = create_engine(&url).unwrap();
    assert_eq!(engine.url().database(), Some(abs_target.to_str().unwrap()));
    naresh_python(&engine);
    assert!(abs_target.exists());
    // The data really is in that file.
    let raw = rusqlite::Connection::open(&abs_target).unwrap();
    let n: i64 = raw
        .query_row(
            "SELECT COUNT(*) FROM students WHERE name = 'Naresh'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);

    // sqlite:// is an in-memory database shared by the engine's connections.
    let engine = create_engine("sqlite://").unwrap();
    assert!(engine.url().is_memory());
    assert_eq!(engine.url().database(), None);
    naresh_python(&engine);
    let mut session = Session::new(&engine);
    assert_eq!(session.query::<plain::Student>().count().unwrap(), 1);

    // Malformed URLs are typed errors.
    for bad in ["students.db", "sqlite://host/students.db", "oracle:///x.db"] {
        let e = create_engine(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
    }
}

/// "Creating Database Table Using ORM" + "Create Database Tables": `create_all` creates
/// every table with the columns the models declare, and may run again. (That a second run
/// keeps the data: `compliance/schema.rs`.)
#[test]
fn model_and_create_all() {
    let db = temp_engine();
    assert!(tables(&db.engine).is_empty());
    let metadata = common::metadata();
    metadata.create_all(&db.engine).unwrap();
    let expected = ["attendance", "courses", "enrollments", "marks", "students"];
    assert_eq!(tables(&db.engine), expected);

    // Twice is fine.
    metadata.create_all(&db.engine).unwrap();
    assert_eq!(tables(&db.engine), expected);

    // The columns the model declares, with NOT NULL where the field is not an Option.
    let raw = db.raw();
    let mut stmt = raw.prepare("PRAGMA table_info(students)").unwrap();
    // (name, NOT NULL, primary key); the INTEGER PRIMARY KEY rowid alias cannot hold NULL
    // whatever its declaration says, so its NOT NULL flag is not checked.
    let cols: Vec<(String, bool, bool)> = stmt
        .query_map([], |r| {
            let pk = r.get::<_, i64>(5)? != 0;
            Ok((r.get(1)?, pk || r.get::<_, i64>(3)? != 0, pk))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        cols,
        [
            ("id".to_string(), true, true),
            ("name".to_string(), true, false),
            ("course".to_string(), true, false),
            ("course_id".to_string(), false, false),
            ("email".to_string(), false, false),
        ]
    );
    // The foreign key of the one-to-many example.
    let fk: (String, String, String) = raw
        .query_row("PRAGMA foreign_key_list(students)", [], |r| {
            Ok((r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    assert_eq!(fk, ("courses".into(), "course_id".into(), "id".into()));

    // drop_all removes them all.
    metadata.drop_all(&db.engine).unwrap();
    assert!(tables(&db.engine).is_empty());
}

/// "Insert Data into Database": `session.add(student); session.commit()` and the generated
/// id is on the object. (Several objects, explicit keys, large flushes:
/// `compliance/insert.rs`.)
#[test]
fn insert() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Naresh", "Python"));
    assert_eq!(h.read().id, None);
    session.commit().unwrap();
    let id = h.read().id.expect("generated id after commit");
    assert_eq!(db.student_row(id), Some(("Naresh".into(), "Python".into())));
}

/// "Retrieve Data from Database": `session.query(Student).all()`. (More:
/// `compliance/query.rs`.)
#[test]
fn retrieve_all() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add_all([
        student("Naresh", "Python"),
        student("Asha", "Rust"),
        student("Ravi", "Go"),
    ]);
    session.commit().unwrap();

    // A fresh session reads them from the database.
    let mut fresh = Session::new(&db.engine);
    let students = fresh
        .query::<Student>()
        .order_by(Student::id)
        .all()
        .unwrap();
    let names: Vec<String> = students.iter().map(|s| s.read().name.clone()).collect();
    assert_eq!(names, ["Naresh", "Asha", "Ravi"]);
}

/// "Filter Records": `filter_by(name="Naresh").first()`, and `filter` with conditions.
/// (Every operator, `first` and `one` on every backend: `compliance/query.rs`.)
#[test]
fn filter_by_and_first() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add_all([
        student("Naresh", "Python"),
        student("Asha", "Rust"),
        student("Nikhil", "Go"),
        student("Ravi", "Python"),
    ]);
    session.commit().unwrap();

    let s = session
        .query::<Student>()
        .filter_by(Student::name, "Naresh")
        .first()
        .unwrap()
        .expect("Naresh");
    assert_eq!(s.read().course, "Python");

    let q = session
        .query::<Student>()
        .filter(Student::name.like("N%") & Student::course.eq("Python"))
        .all()
        .unwrap();
    let names: Vec<String> = q.iter().map(|h| h.read().name.clone()).collect();
    assert_eq!(names, ["Naresh"]);
}

/// "Update Records": change a loaded object and commit. (Only the changed columns are
/// written, and `Handle::update`: `compliance/session.rs`.)
#[test]
fn update_loaded_object() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add(student("Naresh", "Python"));
    session.commit().unwrap();

    let s = session.query::<Student>().first().unwrap().unwrap();
    let id = s.read().id.unwrap();
    s.write().course = "Advanced Python".into();
    session.commit().unwrap();
    assert_eq!(
        db.student_row(id),
        Some(("Naresh".into(), "Advanced Python".into()))
    );
    // The identity map: querying again gives the same object.
    let again = session.query::<Student>().first().unwrap().unwrap();
    assert!(Handle::ptr_eq(&s, &again));
    assert_eq!(again.read().course, "Advanced Python");
}

/// "Delete Records": `session.delete(student); session.commit()`. (Autoflush of the
/// deletion, detached objects: `compliance/session.rs`.)
#[test]
fn delete() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add_all([student("Naresh", "Python"), student("Asha", "Rust")]);
    session.commit().unwrap();

    let s = session
        .query::<Student>()
        .order_by(Student::id)
        .first()
        .unwrap()
        .unwrap();
    let id = s.read().id.unwrap();
    session.delete(&s).unwrap();
    session.commit().unwrap();
    assert_eq!(db.student_row(id), None);
    assert_eq!(db.count("students"), 1);
}

#[derive(Debug)]
enum AppError {
    Db(Error),
    Abort(&'static str),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Db(e)
    }
}

fn insert_student(conn: &mut Connection, name: &str) -> Result<()> {
    let rows = conn.execute(
        text("INSERT INTO students (name, course) VALUES (:name, :course)")
            .bind("name", name)
            .bind("course", "Python"),
    )?;
    assert_eq!(rows.rows_affected(), 1);
    Ok(())
}

fn names_in_db(db: &common::TestDb) -> Vec<String> {
    let raw = db.raw();
    let mut stmt = raw
        .prepare("SELECT name FROM students ORDER BY id")
        .unwrap();
    let v = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    v
}

/// "Transactions in SQLAlchemy": `try: session.commit() except: session.rollback()`, the same
/// as a closure (`Session::transaction`), and `with engine.begin() as conn:`. (What a failed
/// flush leaves behind, the error's constraint, savepoints, on every backend:
/// `compliance/flush.rs`, `compliance/transactions.rs`.)
#[test]
fn commit_or_rollback() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let mut first = student("Naresh", "Python");
    first.email = Some("naresh@example.com".into());
    session.add(first);
    session.commit().unwrap();

    let mut dup = student("Naresh Again", "Rust");
    dup.email = Some("naresh@example.com".into());
    session.add(dup);

    // try: commit / except: rollback
    let outcome = match session.commit() {
        Ok(()) => Ok(()),
        Err(e) => {
            session.rollback().unwrap();
            Err(e)
        }
    };
    let e = outcome.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(names_in_db(&db), ["Naresh"]);

    // The same with Session::transaction.
    let r: Result<()> = session.transaction(|s| {
        let mut d = student("Dup", "X");
        d.email = Some("naresh@example.com".into());
        s.add(d);
        s.flush()
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    assert_eq!(names_in_db(&db), ["Naresh"]);

    // With a connection: engine.begin() commits on Ok and rolls back on Err.
    db.engine
        .begin(|conn| insert_student(conn, "Asha"))
        .unwrap();
    let r = db.engine.begin(|conn| -> Result<(), AppError> {
        insert_student(conn, "Ravi")?;
        Err(AppError::Abort("changed my mind"))
    });
    match r {
        Err(AppError::Abort(why)) => assert_eq!(why, "changed my mind"),
        Err(AppError::Db(e)) => panic!("unexpected database error: {e}"),
        Ok(()) => panic!("committed"),
    }
    assert_eq!(names_in_db(&db), ["Naresh", "Asha"]);
}

#[derive(FromRow, Debug, PartialEq)]
struct StudentRow {
    id: i64,
    name: String,
    course: String,
}

/// "Using Raw SQL with SQLAlchemy": `text(..)` with bound parameters, through a connection
/// and through the session; rows by name, by index, and mapped with `FromRow`. (Column
/// lists, errors, several and unbound parameters, raw DML in the session's transaction, on
/// every backend: `compliance/raw_sql.rs`.)
#[test]
fn raw_sql() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add_all([
        student("Naresh", "Python"),
        student("Asha", "Rust"),
        student("Ravi", "Python"),
    ]);
    session.commit().unwrap();

    let query = || text("SELECT * FROM students WHERE name = :name").bind("name", "Naresh");

    // Through a connection.
    let mut conn = db.engine.connect().unwrap();
    let rows = conn.execute(query()).unwrap();
    assert_eq!(rows.len(), 1);
    let row: &OwnedRow = rows.first().unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "Naresh");
    assert_eq!(row.get::<String>(2usize).unwrap(), "Python");
    assert_eq!(row.get::<i64>(0usize).unwrap(), 1);
    let shown = row.to_string();
    assert!(
        shown.contains("Naresh") && shown.contains("Python"),
        "{shown}"
    );
    let mapped: Vec<StudentRow> = rows.map_into().unwrap();
    assert_eq!(
        mapped,
        [StudentRow {
            id: 1,
            name: "Naresh".into(),
            course: "Python".into()
        }]
    );
    drop(conn);

    // Through the session (after an autoflush of pending objects).
    session.add(student("Naresh", "Go"));
    let rows = session.execute(query()).unwrap();
    let courses: Vec<String> = rows
        .rows()
        .iter()
        .map(|r| r.get::<String>("course").unwrap())
        .collect();
    assert_eq!(courses, ["Python", "Go"]);
    session.commit().unwrap();
}
