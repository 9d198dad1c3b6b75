//! `create_all` / `drop_all`: idempotent, in dependency order, and the tables enforce what
//! the models declare (NOT NULL, UNIQUE, foreign keys).

use super::*;

/// Whether `table` exists, read from the backend's catalog: a query that fails panics
/// rather than reading as "absent".
fn table_exists(db: &TestDb, table: &str) -> bool {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :t",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = :t"
        }
        Backend::MySql => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = :t"
        }
    };
    let n: i64 = conn(db)
        .scalar(text(sql).bind("t", table))
        .unwrap_or_else(|e| panic!("checking whether {table} exists: {e}"));
    match n {
        0 => false,
        1 => true,
        n => panic!("{n} tables named {table}"),
    }
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
