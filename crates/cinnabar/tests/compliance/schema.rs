//! `create_all` / `drop_all`: idempotent, in dependency order, and the tables enforce what
//! the models declare (NOT NULL, UNIQUE, foreign keys).

use super::*;

fn table_exists(db: &TestDb, table: &str) -> bool {
    conn(db)
        .execute(text(format!("SELECT COUNT(*) FROM {table}")))
        .is_ok()
}

fn create_all_and_drop_all(db: &TestDb) {
    for t in TABLES {
        assert!(!table_exists(db, t), "{t} exists before create_all");
    }
    let md = metadata();
    md.create_all(&db.engine).expect("create_all");
    for t in TABLES {
        assert!(table_exists(db, t), "{t} missing after create_all");
        assert_eq!(count(db, t), 0);
    }

    // The tables enforce the models' constraints.
    let mut c = conn(db);
    let e = c
        .execute(text("INSERT INTO students (name) VALUES ('no course')"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    c.execute(text("INSERT INTO courses (title) VALUES ('Algebra')"))
        .unwrap();
    let e = c
        .execute(text("INSERT INTO courses (title) VALUES ('Algebra')"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    let e = c
        .execute(
            text("INSERT INTO students (name, course, course_id) VALUES ('x', 'y', :c)")
                .bind("c", 987_654_i64),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    drop(c);

    // drop_all removes every table, and is idempotent; create_all starts over.
    md.drop_all(&db.engine).expect("drop_all");
    for t in TABLES {
        assert!(!table_exists(db, t), "{t} survived drop_all");
    }
    md.drop_all(&db.engine).expect("second drop_all");
    md.create_all(&db.engine)
        .expect("create_all after drop_all");
    assert_eq!(count(db, "courses"), 0);
    seed(db, &[("Naresh", "Python")]);
    assert_eq!(count(db, "students"), 1);
}

crate::backend_tests!(create_all_and_drop_all);

mod idempotent {
    use super::*;

    /// `create_all` on a database that already has the tables, their indexes and data.
    fn create_all_is_idempotent(db: &TestDb) {
        let md = metadata();
        md.create_all(&db.engine).expect("first create_all");
        let ids = seed(db, &[("Naresh", "Python")]);
        md.create_all(&db.engine).expect("second create_all");
        md.create_all(&db.engine).expect("third create_all");
        assert_eq!(count(db, "students"), 1);
        assert_eq!(
            student_row(db, ids[0]),
            Some(("Naresh".into(), "Python".into()))
        );
        for t in TABLES {
            count(db, t);
        }
    }

    backend_tests_with!(create_all_is_idempotent {
        sqlite: [],
        postgres: [],
        mysql: [],
    });
}
