//! Transactions: `engine.begin`, connection savepoints, `Session::transaction` and
//! `Session::savepoint`.

use super::*;

fn insert_student(conn: &mut Connection, name: &str) -> Result<()> {
    let rows = conn.execute(
        text("INSERT INTO students (name, course) VALUES (:name, :course)")
            .bind("name", name)
            .bind("course", "Python"),
    )?;
    assert_eq!(rows.rows_affected(), 1);
    Ok(())
}

fn engine_begin_commits_or_rolls_back(db: &TestDb) {
    setup(db);
    let n = db
        .engine
        .begin(|conn| -> Result<usize> {
            insert_student(conn, "Naresh")?;
            insert_student(conn, "Asha")?;
            assert!(conn.in_transaction());
            // Not visible to other connections before the commit.
            assert_eq!(count(db, "students"), 0);
            Ok(2)
        })
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);

    let r = db
        .engine
        .begin(|conn| -> std::result::Result<(), AppError> {
            insert_student(conn, "Ravi")?;
            Err(AppError::Abort("changed my mind"))
        });
    assert!(matches!(r, Err(AppError::Abort("changed my mind"))));
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);

    // A database error inside rolls back what came before it.
    let r = db
        .engine
        .begin(|conn| -> std::result::Result<(), AppError> {
            insert_student(conn, "Ravi")?;
            conn.execute(text("INSERT INTO students (name) VALUES ('no course')"))?;
            Ok(())
        });
    match r {
        Err(AppError::Db(e)) => {
            assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
            assert_names_constraint(db, &e, "students", "course");
        }
        other => panic!("expected a NOT NULL violation, got {other:?}"),
    }
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);
    // The pooled connections came back clean and usable.
    let mut c = conn(db);
    assert!(!c.in_transaction());
    insert_student(&mut c, "Ravi").unwrap();
    drop(c);
    assert_eq!(names_in_db(db), ["Naresh", "Asha", "Ravi"]);
}

fn connection_savepoints(db: &TestDb) {
    setup(db);
    let mut conn = conn(db);
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
    let r = tx.transaction(|c| -> std::result::Result<(), AppError> {
        insert_student(c, "Nested")?;
        Err(AppError::Abort("nope"))
    });
    assert!(r.is_err());
    assert_eq!(tx.transaction_depth(), 1);
    // A savepoint that fails on a constraint leaves the transaction usable (PostgreSQL
    // needs the ROLLBACK TO for that).
    let r = tx.transaction(|c| -> Result<()> {
        insert_student(c, "Before failure")?;
        c.execute(text("INSERT INTO students (name) VALUES ('no course')"))?;
        Ok(())
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::NotNullViolation);
    // Nested two deep.
    {
        let mut sp1 = tx.begin().unwrap();
        insert_student(&mut sp1, "Ravi").unwrap();
        {
            let mut sp2 = sp1.begin().unwrap();
            assert_eq!(sp2.transaction_depth(), 3);
            insert_student(&mut sp2, "Deep").unwrap();
            sp2.rollback().unwrap();
        }
        sp1.commit().unwrap();
    }
    // Nothing is visible to others before the commit.
    assert!(names_in_db(db).is_empty());
    let n: i64 = tx.scalar(text("SELECT COUNT(*) FROM students")).unwrap();
    assert_eq!(n, 3);
    tx.commit().unwrap();
    assert_eq!(names_in_db(db), ["Naresh", "Asha", "Ravi"]);
    assert!(!conn.in_transaction());
}

fn session_transaction_commits_or_rolls_back(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    session.add(with_email("Naresh", "naresh@example.com"));
    session.commit().unwrap();

    let r: Result<Handle<Student>> = session.transaction(|s| {
        let h = s.add(student("Asha", "Rust"));
        s.flush()?;
        Ok(h)
    });
    let asha = r.unwrap();
    assert!(asha.read().id.is_some());
    assert!(!session.in_transaction());
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);

    let r: Result<()> = session.transaction(|s| {
        s.add(with_email("Dup", "naresh@example.com"));
        s.flush()
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);

    let r = session.transaction(|s| -> std::result::Result<(), AppError> {
        asha.write().course = "Changed".into();
        s.add(student("Ravi", "Go"));
        s.flush()?;
        Err(AppError::Abort("undo"))
    });
    assert!(matches!(r, Err(AppError::Abort("undo"))));
    assert_eq!(asha.read().course, "Rust");
    assert_eq!(names_in_db(db), ["Naresh", "Asha"]);
    let id = asha.read().id.unwrap();
    assert_eq!(student_row(db, id), Some(("Asha".into(), "Rust".into())));
}

fn session_savepoint_undoes_only_its_part(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let naresh = session.add(student("Naresh", "Python"));
    session.commit().unwrap();

    let asha = session.add(student("Asha", "Rust"));
    let mut inner = None;
    let r = session.savepoint(|s| -> std::result::Result<(), AppError> {
        inner = Some(s.add(student("Inner", "Go")));
        naresh.write().course = "Changed".into();
        s.flush()?;
        Err(AppError::Abort("undo the savepoint"))
    });
    assert!(matches!(r, Err(AppError::Abort(_))));
    let inner = inner.unwrap();
    assert_eq!(inner.read().id, None, "the savepoint's insert was undone");
    assert_eq!(state(&inner), ObjectState::Transient);
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
    assert_eq!(names_in_db(db), ["Naresh", "Asha", "Ravi"]);
    let id = naresh.read().id.unwrap();
    assert_eq!(
        student_row(db, id),
        Some(("Naresh".into(), "Python".into()))
    );

    // A savepoint that fails on a constraint leaves the outer transaction going.
    let keep = session.add(student("Keep", "C"));
    let r = session.savepoint(|s| -> Result<()> {
        s.add(course("Algebra"));
        s.add(course("Algebra"));
        s.flush()
    });
    assert_eq!(r.unwrap_err().kind(), ErrorKind::UniqueViolation);
    assert!(session.in_transaction());
    // The outer transaction still works after the failed savepoint.
    let late = session.add(course("Geometry"));
    session.commit().unwrap();
    assert!(keep.read().id.is_some());
    assert!(late.read().id.is_some());
    assert_eq!(count(db, "courses"), 1);
    assert_eq!(count(db, "students"), 4);
}

fn session_savepoints_nest_and_undo_deletes_and_bulk_changes(db: &TestDb) {
    setup(db);
    let ids = seed(
        db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Go")],
    );
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();

    // A deletion and a bulk UPDATE inside a savepoint that fails are undone, in the
    // database and in memory.
    let r = s.savepoint(|s| -> std::result::Result<(), AppError> {
        s.delete(&hs[0])?;
        s.flush()?;
        s.execute_bulk(
            update::<Student>()
                .filter(Student::course.eq("Rust"))
                .set(Student::course, "Changed"),
        )?;
        assert_eq!(hs[1].read().course, "Changed");
        s.execute_bulk(
            update::<Student>()
                .filter(Student::id.eq(ids[2]))
                .set(Student::name, Student::name.concat("?")),
        )?;
        assert_eq!(hs[2].read().name, "Ravi?");
        s.execute_bulk(delete::<Student>().filter(Student::id.eq(ids[1])))?;
        assert_eq!(state(&hs[1]), ObjectState::Deleted);
        Err(AppError::Abort("undo"))
    });
    assert!(matches!(r, Err(AppError::Abort("undo"))));
    assert_eq!(state(&hs[0]), ObjectState::Persistent);
    assert!(Handle::ptr_eq(
        &s.get::<Student>(ids[0]).unwrap().unwrap(),
        &hs[0]
    ));
    assert_eq!(hs[1].read().course, "Rust", "bulk change undone in memory");
    assert_eq!(
        hs[2].read().name,
        "Ravi",
        "bulk expression undone in memory"
    );
    assert_eq!(state(&hs[1]), ObjectState::Persistent, "bulk delete undone");
    assert_eq!(s.query::<Student>().count().unwrap(), 3);
    let in_tx: String = s
        .execute(text("SELECT course FROM students WHERE id = :id").bind("id", ids[1]))
        .unwrap()
        .scalar()
        .unwrap();
    assert_eq!(in_tx, "Rust", "bulk change undone in the database");

    // Nested savepoints: the inner one fails, the outer one keeps its work.
    let outer = s.savepoint(|s| -> Result<Handle<Student>> {
        hs[2].write().course = "Outer".into();
        let kept = s.add(student("Kept", "Go"));
        let inner: Result<()> = s.savepoint(|s| {
            hs[2].write().name = "Inner".into();
            s.add(student("Dropped", "Go"));
            s.delete(&hs[1])?;
            s.flush()?;
            Err(Error::misuse("undo the inner savepoint"))
        });
        assert_eq!(inner.unwrap_err().kind(), ErrorKind::Misuse);
        assert_eq!(hs[2].read().name, "Ravi");
        assert_eq!(state(&hs[1]), ObjectState::Persistent);
        Ok(kept)
    });
    let kept = outer.unwrap();
    s.commit().unwrap();
    assert!(kept.read().id.is_some());
    assert_eq!(names_in_db(db), ["Naresh", "Asha", "Ravi", "Kept"]);
    assert_eq!(
        student_row(db, ids[2]),
        Some(("Ravi".into(), "Outer".into()))
    );
    assert_eq!(hs[2].read().course, "Outer");
}

/// A statement that fails inside a transaction and whose error the caller swallows.
/// PostgreSQL aborts the whole transaction at the first error, SQLite and MySQL roll back
/// only the statement: the portable guarantee is that a commit never *reports* success for
/// work the database threw away, and that a rollback always makes things usable again.
fn swallowed_error_inside_a_transaction(db: &TestDb) {
    setup(db);
    seed_courses(db, &["Algebra"]);
    let aborts_transaction = db.backend == Backend::Postgres;

    // Through the session.
    let mut s = Session::new(&db.engine);
    let h = s.add(student("Naresh", "Python"));
    s.flush().unwrap();
    let e = s
        .execute(text("INSERT INTO courses (title) VALUES (:t)").bind("t", "Algebra"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    let r = s.commit();
    if aborts_transaction {
        let e = r.unwrap_err();
        assert!(e.message().contains("rolled back"), "{e}");
        // The session kept the object the lost transaction had inserted: still pending.
        assert_eq!(state(&h), ObjectState::Pending);
        assert_eq!(h.read().id, None);
        assert_eq!(count(db, "students"), 0);
    } else {
        r.unwrap();
        assert_eq!(state(&h), ObjectState::Persistent);
        assert_eq!(count(db, "students"), 1);
    }
    assert!(!s.in_transaction());
    // Either way the session goes on, and the next commit writes what is left.
    let h2 = s.add(student("Asha", "Rust"));
    s.commit().unwrap();
    assert!(h2.read().id.is_some());
    assert_eq!(state(&h), ObjectState::Persistent);
    assert_eq!(count(db, "students"), 2);

    // Through engine.begin, with a rollback after the error instead.
    let before = count(db, "students");
    let r = db.engine.begin(|conn| -> Result<()> {
        insert_student(conn, "Ravi")?;
        let _ = conn.execute(text("INSERT INTO courses (title) VALUES ('Algebra')"));
        Ok(())
    });
    if aborts_transaction {
        assert!(r.is_err());
        assert_eq!(count(db, "students"), before);
    } else {
        r.unwrap();
        assert_eq!(count(db, "students"), before + 1);
    }
    let mut c = conn(db);
    let mut tx = c.begin().unwrap();
    insert_student(&mut tx, "Gita").unwrap();
    assert!(tx
        .execute(text("INSERT INTO courses (title) VALUES ('Algebra')"))
        .is_err());
    tx.rollback().unwrap();
    insert_student(&mut c, "Hari").unwrap();
    assert!(names_in_db(db).contains(&"Hari".to_string()));
    assert!(!names_in_db(db).contains(&"Gita".to_string()));
}

crate::backend_tests!(
    swallowed_error_inside_a_transaction,
    session_savepoints_nest_and_undo_deletes_and_bulk_changes,
    engine_begin_commits_or_rolls_back,
    connection_savepoints,
    session_transaction_commits_or_rolls_back,
    session_savepoint_undoes_only_its_part,
);
