//! The tutorial "Database Integration with SQLite and SQLAlchemy", one test per section,
//! against a SQLite file in a temporary directory.

mod common;

use cinnabar::prelude::*;
use cinnabar::OwnedRow;
use common::{setup, student, temp_engine, Course, Student};

/// The tutorial's model, exactly: `id`, `name`, `course`.
mod plain {
    use cinnabar::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "students")]
    pub struct Student {
        #[cinnabar(primary_key)]
        pub id: Option<i64>,
        pub name: String,
        pub course: String,
    }
}

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
/// every table and is idempotent.
#[test]
fn model_and_create_all() {
    let db = temp_engine();
    assert!(tables(&db.engine).is_empty());
    let metadata = common::metadata();
    metadata.create_all(&db.engine).unwrap();
    let expected = ["attendance", "courses", "enrollments", "marks", "students"];
    assert_eq!(tables(&db.engine), expected);

    // Twice is fine and keeps the data.
    let mut session = Session::new(&db.engine);
    session.add(student("Naresh", "Python"));
    session.commit().unwrap();
    metadata.create_all(&db.engine).unwrap();
    assert_eq!(tables(&db.engine), expected);
    assert_eq!(db.count("students"), 1);

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
/// id is on the object.
#[test]
fn insert() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Naresh", "Python"));
    assert_eq!(h.read().id, None);
    session.commit().unwrap();
    let id = h.read().id.expect("generated id after commit");
    assert_eq!(db.student_row(id), Some(("Naresh".into(), "Python".into())));

    let more = session.add_all([student("Asha", "Rust"), student("Ravi", "Go")]);
    session.commit().unwrap();
    let ids: Vec<i64> = more.iter().map(|h| h.read().id.unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] != ids[1] && !ids.contains(&id));
    assert_eq!(db.student_row(ids[1]), Some(("Ravi".into(), "Go".into())));
    assert_eq!(db.count("students"), 3);
}

/// "Retrieve Data from Database": `session.query(Student).all()`.
#[test]
fn retrieve_all() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    assert!(session.query::<Student>().all().unwrap().is_empty());
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
    assert!(students.iter().all(|s| common::state(s) == "Persistent"));
}

/// "Filter Records": `filter_by(name="Naresh").first()`, and `filter` with conditions.
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
    assert!(session
        .query::<Student>()
        .filter_by(Student::name, "Nobody")
        .first()
        .unwrap()
        .is_none());

    let names = |q: Vec<Handle<Student>>| -> Vec<String> {
        let mut v: Vec<String> = q.iter().map(|h| h.read().name.clone()).collect();
        v.sort();
        v
    };
    let q = session
        .query::<Student>()
        .filter(Student::name.like("N%") & Student::course.eq("Python"))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Naresh"]);
    let q = session
        .query::<Student>()
        .filter(Student::course.eq("Rust") | Student::course.eq("Go"))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Asha", "Nikhil"]);
    let q = session
        .query::<Student>()
        .filter(!Student::course.eq("Python"))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Asha", "Nikhil"]);
    let q = session
        .query::<Student>()
        .filter(
            Student::course
                .in_(["Go", "Rust"])
                .and(Student::name.ne("Asha")),
        )
        .all()
        .unwrap();
    assert_eq!(names(q), ["Nikhil"]);
    let q = session
        .query::<Student>()
        .filter(Student::id.between(2, 3))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Asha", "Nikhil"]);
    let q = session
        .query::<Student>()
        .filter(Student::id.modulo(2).eq(0))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Asha", "Ravi"]);
    let q = session
        .query::<Student>()
        .filter(Student::email.is_null() & Student::id.gt(3))
        .all()
        .unwrap();
    assert_eq!(names(q), ["Ravi"]);
    // filter_by with the same object twice gives the same handle.
    let again = session
        .query::<Student>()
        .filter(Student::name.eq("Naresh"))
        .first()
        .unwrap()
        .unwrap();
    assert!(Handle::ptr_eq(&s, &again));
}

/// "Update Records": change a loaded object and commit; only the changed column is written.
#[test]
fn update_loaded_object() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    session.add(student("Naresh", "Python"));
    session.commit().unwrap();

    let s = session.query::<Student>().first().unwrap().unwrap();
    let id = s.read().id.unwrap();
    // Behind the session's back, another connection renames the student.
    db.raw()
        .execute("UPDATE students SET name = 'Naresh K' WHERE id = ?1", [id])
        .unwrap();
    s.write().course = "Advanced Python".into();
    session.commit().unwrap();

    // The course was written; the name the session never changed was not overwritten.
    assert_eq!(
        db.student_row(id),
        Some(("Naresh K".into(), "Advanced Python".into()))
    );
    // And a query after the commit refreshes the object from the database.
    let again = session.query::<Student>().first().unwrap().unwrap();
    assert!(Handle::ptr_eq(&s, &again));
    assert_eq!(s.read().name, "Naresh K");
    assert_eq!(s.read().course, "Advanced Python");

    // Handle::update is the same thing.
    s.update(|st| st.course = "Rust".into());
    session.commit().unwrap();
    assert_eq!(db.student_row(id), Some(("Naresh K".into(), "Rust".into())));
}

/// "Delete Records": `session.delete(student); session.commit()`.
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
    // Autoflush: the deletion is visible to the session's next query.
    assert_eq!(session.query::<Student>().count().unwrap(), 1);
    session.commit().unwrap();

    assert_eq!(db.student_row(id), None);
    assert_eq!(db.count("students"), 1);
    assert!(session.get::<Student>(id).unwrap().is_none());
    let left = session.query::<Student>().all().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].read().name, "Asha");
    // A committed deletion detaches the object; deleting it again is misuse.
    assert_eq!(session.delete(&s).unwrap_err().kind(), ErrorKind::Misuse);
}

/// "Transactions in SQLAlchemy": `try: session.commit() except: session.rollback()`.
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
    let dup = session.add(dup);
    let other = session.add(student("Asha", "Rust"));

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
    assert!(e.is_integrity());
    assert_eq!(e.constraint(), Some("students.email"), "{e:?}");
    assert!(e.to_string().contains("students.email"), "{e}");
    assert!(!session.in_transaction());
    // The rolled back objects left the session without ids.
    assert_eq!(dup.read().id, None);
    assert_eq!(other.read().id, None);

    // The earlier commit is intact, and the session goes on working.
    assert_eq!(db.count("students"), 1);
    session.add(student("Ravi", "Go"));
    session.commit().unwrap();
    let mut names: Vec<String> = session
        .query::<Student>()
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["Naresh", "Ravi"]);

    // The same with Session::transaction.
    let r: Result<()> = session.transaction(|s| {
        let mut d = student("Dup", "X");
        d.email = Some("naresh@example.com".into());
        s.add(d);
        s.flush()
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    assert_eq!(db.count("students"), 2);
}

#[derive(FromRow, Debug, PartialEq)]
struct StudentRow {
    id: i64,
    name: String,
    course: String,
}

#[derive(FromRow, Debug, PartialEq)]
struct CourseCount {
    course: String,
    #[cinnabar(column = "n")]
    students: i64,
}

/// "Using Raw SQL with SQLAlchemy": `text(..)` with bound parameters, through a connection
/// and through the session; rows by name, by index, and mapped with `FromRow`.
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
    assert_eq!(
        rows.columns(),
        ["id", "name", "course", "course_id", "email"]
    );
    let row: &OwnedRow = rows.first().unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "Naresh");
    assert_eq!(row.get::<String>(2usize).unwrap(), "Python");
    assert_eq!(row.get::<Option<i64>>("course_id").unwrap(), None);
    assert_eq!(row.get::<i64>(0usize).unwrap(), 1);
    let shown = row.to_string();
    assert!(
        shown.contains("Naresh") && shown.contains("Python"),
        "{shown}"
    );
    // Missing columns and wrong types are errors naming the column.
    let e = row.get::<String>("nope").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.to_string().contains("nope"), "{e}");
    let e = row.get::<i64>("name").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.to_string().contains("name"), "{e}");

    let mapped: Vec<StudentRow> = rows.map_into().unwrap();
    assert_eq!(
        mapped,
        [StudentRow {
            id: 1,
            name: "Naresh".into(),
            course: "Python".into()
        }]
    );
    let counts: Vec<CourseCount> = conn
        .query_as(text(
            "SELECT course, COUNT(*) AS n FROM students GROUP BY course ORDER BY course",
        ))
        .unwrap();
    assert_eq!(
        counts,
        [
            CourseCount {
                course: "Python".into(),
                students: 2
            },
            CourseCount {
                course: "Rust".into(),
                students: 1
            }
        ]
    );
    // An unbound parameter is reported, not sent as NULL.
    let e = conn
        .execute(text("SELECT * FROM students WHERE name = :name"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.to_string().contains(":name"), "{e}");
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
    let all = session
        .execute(text("SELECT id, name, course FROM students ORDER BY id"))
        .unwrap();
    let mapped: Vec<StudentRow> = all.map_into().unwrap();
    assert_eq!(mapped.len(), 4);
    assert_eq!(mapped[3].course, "Go");
    session.commit().unwrap();
    assert_eq!(db.count("students"), 4);

    // Raw DML through the session is part of its transaction.
    session
        .execute(
            text("UPDATE students SET course = :c WHERE name = :n")
                .bind("c", "C")
                .bind("n", "Asha"),
        )
        .unwrap();
    session.rollback().unwrap();
    let mut conn = db.engine.connect().unwrap();
    let c: String = conn
        .scalar(text("SELECT course FROM students WHERE name = 'Asha'"))
        .unwrap();
    assert_eq!(c, "Rust");
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

/// `with engine.begin() as conn:` commits on success and rolls back on error.
#[test]
fn engine_begin_transactions() {
    let db = setup();
    let n = db
        .engine
        .begin(|conn| -> Result<usize> {
            insert_student(conn, "Naresh")?;
            insert_student(conn, "Asha")?;
            assert!(conn.in_transaction());
            Ok(2)
        })
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(names_in_db(&db), ["Naresh", "Asha"]);

    let r = db.engine.begin(|conn| -> Result<(), AppError> {
        insert_student(conn, "Ravi")?;
        Err(AppError::Abort("changed my mind"))
    });
    assert!(matches!(r, Err(AppError::Abort("changed my mind"))));
    assert_eq!(names_in_db(&db), ["Naresh", "Asha"]);

    // A database error inside rolls back what came before it.
    let r = db.engine.begin(|conn| -> Result<(), AppError> {
        insert_student(conn, "Ravi")?;
        conn.execute(text("INSERT INTO students (name) VALUES ('no course')"))?;
        Ok(())
    });
    match r {
        Err(AppError::Db(e)) => {
            assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
            assert_eq!(e.constraint(), Some("students.course"));
        }
        other => panic!("expected a NOT NULL violation, got {other:?}"),
    }
    assert_eq!(names_in_db(&db), ["Naresh", "Asha"]);
    // The pooled connection came back clean.
    let conn = db.engine.connect().unwrap();
    assert!(!conn.in_transaction());
}

/// A connection-level savepoint (`conn.begin()` inside a transaction) undoes only its part.
#[test]
fn connection_savepoint() {
    let db = setup();
    let mut conn = db.engine.connect().unwrap();
    let mut tx = conn.begin().unwrap();
    insert_student(&mut tx, "Naresh").unwrap();
    assert_eq!(tx.transaction_depth(), 1);
    {
        let mut sp = tx.begin().unwrap();
        assert_eq!(sp.transaction_depth(), 2);
        insert_student(&mut sp, "Rolled Back").unwrap();
        sp.rollback().unwrap();
    }
    {
        let mut sp = tx.begin().unwrap();
        insert_student(&mut sp, "Asha").unwrap();
        sp.commit().unwrap();
    }
    {
        // Dropped without commit: rolled back.
        let mut sp = tx.begin().unwrap();
        insert_student(&mut sp, "Dropped").unwrap();
    }
    // transaction() nests as a savepoint too.
    let r = tx.transaction(|c| -> Result<(), AppError> {
        insert_student(c, "Nested")?;
        Err(AppError::Abort("nope"))
    });
    assert!(r.is_err());
    assert_eq!(tx.transaction_depth(), 1);
    // Nothing is visible to others before the commit.
    assert!(names_in_db(&db).is_empty());
    tx.commit().unwrap();
    assert_eq!(names_in_db(&db), ["Naresh", "Asha"]);
}

/// `session.savepoint(..)` undoes only its own part, in the database and in memory.
#[test]
fn session_savepoint() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let naresh = session.add(student("Naresh", "Python"));
    session.commit().unwrap();

    let asha = session.add(student("Asha", "Rust"));
    let mut inner = None;
    let r = session.savepoint(|s| -> Result<(), AppError> {
        inner = Some(s.add(student("Inner", "Go")));
        naresh.write().course = "Changed".into();
        s.flush()?;
        Err(AppError::Abort("undo the savepoint"))
    });
    assert!(matches!(r, Err(AppError::Abort(_))));
    let inner = inner.unwrap();
    assert_eq!(inner.read().id, None, "the savepoint's insert was undone");
    assert_eq!(
        naresh.read().course,
        "Python",
        "the savepoint's change was undone"
    );
    assert!(asha.read().id.is_some(), "work before the savepoint stays");
    assert!(session.in_transaction());

    // A successful savepoint keeps its work.
    let ravi = session
        .savepoint(|s| -> Result<Handle<Student>> { Ok(s.add(student("Ravi", "Go"))) })
        .unwrap();
    session.commit().unwrap();
    assert!(ravi.read().id.is_some());
    assert_eq!(names_in_db(&db), ["Naresh", "Asha", "Ravi"]);
    let id = naresh.read().id.unwrap();
    assert_eq!(db.student_row(id), Some(("Naresh".into(), "Python".into())));

    // A savepoint that fails on a constraint leaves the outer transaction going.
    let keep = session.add(student("Keep", "C"));
    let r = session.savepoint(|s| -> Result<()> {
        s.add(Course {
            id: None,
            title: "Algebra".into(),
        });
        s.add(Course {
            id: None,
            title: "Algebra".into(),
        });
        s.flush()
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    session.commit().unwrap();
    assert!(keep.read().id.is_some());
    assert_eq!(db.count("courses"), 0);
    assert_eq!(db.count("students"), 4);
}
