//! Raw SQL with `text(..)` and bound parameters, through a connection and through the
//! session; rows by name and index and mapped with `FromRow`; hostile values bound safely.

use super::*;
use cinnabar::OwnedRow;

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

fn raw_sql_through_connection_and_session(db: &TestDb) {
    setup(db);
    let ids = seed(
        db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")],
    );
    let query = || text("SELECT * FROM students WHERE name = :name").bind("name", "Naresh");

    // Through a connection.
    let mut conn = conn(db);
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
    assert_eq!(row.get::<i64>(0usize).unwrap(), ids[0]);
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
            id: ids[0],
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
    // The same parameter twice, and several parameters.
    let n: i64 = conn
        .scalar(
            text("SELECT COUNT(*) FROM students WHERE name = :n OR course = :c OR name = :n")
                .bind("n", "Asha")
                .bind("c", "Python"),
        )
        .unwrap();
    assert_eq!(n, 3);
    let picked: Vec<StudentRow> = conn
        .query_as(
            text("SELECT id, name, course FROM students WHERE id > :lo AND id <= :hi ORDER BY id")
                .bind("lo", ids[0])
                .bind("hi", ids[2]),
        )
        .unwrap();
    let picked: Vec<&str> = picked.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(picked, ["Asha", "Ravi"]);
    // NULL binds and compares as SQL NULL.
    let n: i64 = conn
        .scalar(
            text("SELECT COUNT(*) FROM students WHERE email IS NULL AND course_id IS NULL AND name <> :x")
                .bind("x", "Ravi"),
        )
        .unwrap();
    assert_eq!(n, 2);
    // An unbound parameter is reported, not sent as NULL.
    let e = conn
        .execute(text("SELECT * FROM students WHERE name = :name"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(e.to_string().contains(":name"), "{e}");
    // Raw DML reports the affected rows.
    let rows = conn
        .execute(
            text("UPDATE students SET course = :c WHERE course = :old")
                .bind("c", "Python 3")
                .bind("old", "Python"),
        )
        .unwrap();
    assert_eq!(rows.rows_affected(), 2);
    drop(conn);

    // Through the session (after an autoflush of pending objects).
    let mut session = Session::new(&db.engine);
    session.add(student("Naresh", "Go"));
    let rows = session.execute(query()).unwrap();
    let mut courses: Vec<String> = rows
        .rows()
        .iter()
        .map(|r| r.get::<String>("course").unwrap())
        .collect();
    courses.sort();
    assert_eq!(courses, ["Go", "Python 3"]);
    let all = session
        .execute(text("SELECT id, name, course FROM students ORDER BY id"))
        .unwrap();
    let mapped: Vec<StudentRow> = all.map_into().unwrap();
    assert_eq!(mapped.len(), 4);
    assert_eq!(mapped[3].course, "Go");
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 4);

    // Raw DML through the session is part of its transaction.
    session
        .execute(
            text("UPDATE students SET course = :c WHERE name = :n")
                .bind("c", "C")
                .bind("n", "Asha"),
        )
        .unwrap();
    assert!(session.in_transaction());
    assert_eq!(
        student_row(db, ids[1]),
        Some(("Asha".into(), "Rust".into()))
    );
    session.rollback().unwrap();
    let c: String = self::conn(db)
        .scalar(text("SELECT course FROM students WHERE name = 'Asha'"))
        .unwrap();
    assert_eq!(c, "Rust");
    session
        .execute(
            text("UPDATE students SET course = :c WHERE name = :n")
                .bind("c", "C")
                .bind("n", "Asha"),
        )
        .unwrap();
    session.commit().unwrap();
    assert_eq!(student_row(db, ids[1]), Some(("Asha".into(), "C".into())));
}

/// Values that break naively interpolated SQL in one dialect or another.
fn hostile_values(db: &TestDb) -> Vec<String> {
    let mut v: Vec<String> = [
        "Robert'); DROP TABLE students;--",
        "' OR '1'='1",
        "\" OR \"\"=\"",
        "`students`",
        "back\\slash\\",
        "\\'; DROP TABLE courses; --",
        "$1",
        "$2::text",
        ":name",
        "?",
        "%_%",
        "/* comment */",
        "-- comment",
        "E'\\x41'",
        "$$dollar$$",
        "line\nbreak\r\ttab",
        "semi;colon",
        "",
        " ",
        "SELECT * FROM students",
        "\u{7f}\u{1}\u{1b}",
        "ünïcödé ✓ 🦀",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // PostgreSQL text cannot hold NUL at all (the server rejects the value, not the
    // statement); elsewhere it must round-trip.
    if db.backend != Backend::Postgres {
        v.push("nul\0byte".into());
    }
    v
}

fn hostile_values_are_bound_safely(db: &TestDb) {
    setup(db);
    let values = hostile_values(db);

    // Through the ORM: insert, read back by key, query by value.
    let mut s = Session::new(&db.engine);
    let hs: Vec<Handle<Student>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut st = student(&format!("H{i}"), v);
            st.email = Some(format!("{i}{v}"));
            s.add(st)
        })
        .collect();
    s.commit().unwrap();
    assert_eq!(count(db, "students"), values.len() as i64);
    assert_eq!(count(db, "courses"), 0);
    let mut fresh = Session::new(&db.engine);
    for (h, v) in hs.iter().zip(&values) {
        let id = h.read().id.unwrap();
        let got = fresh.get::<Student>(id).unwrap().unwrap();
        assert_eq!(&got.read().course, v);
        assert_eq!(
            got.read().email.as_deref(),
            Some(format!("{}{v}", &got.read().name[1..]).as_str())
        );
        let found = fresh
            .query::<Student>()
            .filter(Student::course.eq(v.as_str()) & Student::id.eq(id))
            .all()
            .unwrap();
        assert_eq!(found.len(), 1, "{v:?}");
        assert!(Handle::ptr_eq(&found[0], &got));
    }
    // LIKE with a bound pattern treats the value as data.
    let n = fresh
        .query::<Student>()
        .filter(Student::course.like("%DROP TABLE%"))
        .count()
        .unwrap();
    assert_eq!(n, 2);

    // Through text() on a connection, and as update values.
    let mut c = conn(db);
    for (i, v) in values.iter().enumerate() {
        let n: i64 = c
            .scalar(
                text("SELECT COUNT(*) FROM students WHERE course = :v AND name = :n")
                    .bind("v", v.as_str())
                    .bind("n", format!("H{i}")),
            )
            .unwrap();
        assert_eq!(n, 1, "{v:?}");
        let back: String = c
            .scalar(text("SELECT course FROM students WHERE name = :n").bind("n", format!("H{i}")))
            .unwrap();
        assert_eq!(&back, v);
    }
    drop(c);
    let h = &hs[0];
    h.write().course = values[1].clone();
    s.commit().unwrap();
    assert_eq!(student_row(db, h.read().id.unwrap()).unwrap().1, values[1]);
    s.execute_bulk(
        update::<Student>()
            .filter(Student::course.eq(values[2].as_str()))
            .set(Student::course, values[0].as_str()),
    )
    .unwrap();
    s.commit().unwrap();
    assert_eq!(
        student_row(db, hs[2].read().id.unwrap()).unwrap().1,
        values[0]
    );
    // Every table is still there.
    for t in TABLES {
        count(db, t);
    }
}

/// A `:name` inside a literal or comment of the database's own syntax is text, not a
/// parameter: PostgreSQL's dollar quotes and `E'..'` strings, MySQL's backslash escapes and `#`
/// comments.
fn markers_inside_dialect_literals_are_text(db: &TestDb) {
    let sql = match db.backend {
        Backend::Postgres => "SELECT $q$ :no $q$ || E'\\' :no' || :x AS v",
        Backend::MySql => "SELECT CONCAT('\\' :no', :x) AS v # :no\n",
        Backend::Sqlite => "SELECT ' :no ''' || :x AS v -- :no\n",
    };
    let expected = match db.backend {
        Backend::Postgres => " :no ' :noX",
        Backend::MySql => "' :noX",
        Backend::Sqlite => " :no 'X",
    };
    let mut conn = conn(db);
    let v: String = conn.scalar(text(sql).bind("x", "X")).unwrap();
    assert_eq!(v, expected, "{sql}");
}

/// Parameters whose type only the bound value tells (an argument of `CONCAT`, `:v IS NULL`):
/// PostgreSQL cannot infer them from the SQL (42P18, "could not determine data type of
/// parameter"), so the driver declares them from the values. The same SQL bound with another
/// kind of value, and inside a transaction, works too; `:n + 1` keeps working on every backend.
fn parameter_types_come_from_the_bound_values(db: &TestDb) {
    let mut c = conn(db);
    let s: String = c
        .scalar(text("SELECT CONCAT(:x, ':y')").bind("x", "a"))
        .unwrap();
    assert_eq!(s, "a:y");
    // The same text with an integer: a statement of its own types, not the cached one.
    let s: String = c
        .scalar(text("SELECT CONCAT(:x, ':y')").bind("x", 5i64))
        .unwrap();
    assert_eq!(s, "5:y");
    let n: i64 = c.scalar(text("SELECT :n + 1").bind("n", 41i64)).unwrap();
    assert_eq!(n, 42);
    // Beyond 32 bits. PostgreSQL *can* type `$1 + 1` (INTEGER, from the literal), and its
    // inference is kept: the value is refused naming the parameter, and a cast says BIGINT.
    let big = text("SELECT :n + 1").bind("n", 5_000_000_000i64);
    if db.backend == Backend::Postgres {
        let e = c.scalar::<i64>(big).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(
            e.message().contains("$1") && e.message().contains("int4"),
            "{e}"
        );
        let n: i64 = c
            .scalar(text("SELECT :n::bigint + 1").bind("n", 5_000_000_000i64))
            .unwrap();
        assert_eq!(n, 5_000_000_001);
    } else {
        assert_eq!(c.scalar::<i64>(big).unwrap(), 5_000_000_001);
    }
    let is_null = "SELECT CASE WHEN :v IS NULL THEN 'null' ELSE 'set' END";
    let s: String = c.scalar(text(is_null).bind("v", None::<String>)).unwrap();
    assert_eq!(s, "null");
    let s: String = c.scalar(text(is_null).bind("v", "x")).unwrap();
    assert_eq!(s, "set");
    // Where the server can infer the type, it still does: text into an integer column's
    // comparison is an error naming the parameter, an integer into it works.
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let name: String = c
        .scalar(text("SELECT name FROM students WHERE id = :id").bind("id", ids[0]))
        .unwrap();
    assert_eq!(name, "Naresh");

    // Inside a transaction: finding the types must not abort it.
    let mut tx = c.begin().unwrap();
    let s: String = tx
        .scalar(
            text("SELECT CONCAT(:x, '-', :y)")
                .bind("x", "in")
                .bind("y", 7i64),
        )
        .unwrap();
    assert_eq!(s, "in-7");
    tx.execute(
        text("UPDATE students SET course = CONCAT(:c, '!') WHERE id = :id")
            .bind("c", "Rust")
            .bind("id", ids[0]),
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(student_row(db, ids[0]).unwrap().1, "Rust!");
}

/// `Session::execute` reads a raw statement's first keyword with the dialect's lexer: a
/// read behind a comment (or in parentheses) begins no transaction; a write behind a
/// comment, or a SELECT-looking word inside one, still does.
fn raw_reads_and_writes_are_told_apart_by_the_lexer(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let mut s = Session::new(&db.engine);
    let mut reads = vec![
        "/* note */ SELECT name FROM students",
        "-- note\n  select name FROM students",
    ];
    match db.backend {
        // SQLite has no parenthesised top-level query.
        Backend::Sqlite => {}
        Backend::Postgres => reads.push("(SELECT name FROM students)"),
        Backend::MySql => reads.extend(["(SELECT name FROM students)", "# note\nSELECT 1"]),
    }
    for sql in reads {
        s.execute(text(sql)).unwrap();
        assert!(!s.in_transaction(), "{sql:?} began a transaction");
    }
    let writes = [
        "/* SELECT */ UPDATE students SET course = 'Rust' WHERE id = :id",
        "-- select\nUPDATE students SET course = 'Go' WHERE id = :id",
    ];
    for sql in writes {
        s.execute(text(sql).bind("id", ids[0])).unwrap();
        assert!(s.in_transaction(), "{sql:?} began no transaction");
        s.rollback().unwrap();
        assert!(!s.in_transaction());
    }
    assert_eq!(student_row(db, ids[0]).unwrap().1, "Python");
}

crate::backend_tests!(
    raw_sql_through_connection_and_session,
    raw_reads_and_writes_are_told_apart_by_the_lexer,
    hostile_values_are_bound_safely,
    markers_inside_dialect_literals_are_text,
    parameter_types_come_from_the_bound_values,
);
