//! The session's identity map, autoflush, change detection (only changed columns are
//! written) and deletion.

use super::*;
use cinnabar::SessionOptions;

fn identity_map_gives_one_object_per_row(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let a = session
        .query::<Student>()
        .filter(Student::name.eq("Naresh"))
        .one()
        .unwrap();
    let b = session
        .query::<Student>()
        .filter(Student::course.eq("Python"))
        .first()
        .unwrap()
        .unwrap();
    let all = session
        .query::<Student>()
        .order_by(Student::id)
        .all()
        .unwrap();
    assert!(Handle::ptr_eq(&a, &b));
    assert!(Handle::ptr_eq(&a, &all[0]));
    assert!(!Handle::ptr_eq(&a, &all[1]));
    assert_eq!(session.identity_count::<Student>(), 2);

    // A change through one handle is visible through the other, before any flush.
    a.write().course = "Advanced Python".into();
    assert_eq!(b.read().course, "Advanced Python");
    let c = session.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(Handle::ptr_eq(&a, &c));
    assert_eq!(c.read().course, "Advanced Python");
    session.commit().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Advanced Python".into()))
    );

    // Another session has objects of its own.
    let mut other = Session::new(&db.engine);
    let d = other.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(!Handle::ptr_eq(&a, &d));
    assert_eq!(d.read().course, "Advanced Python");
    assert_eq!(other.delete(&a).unwrap_err().kind(), ErrorKind::Misuse);
}

fn get_is_served_from_the_identity_map(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let echo = echo_engine(db);
    let mut session = Session::new(&echo);
    let (h, sql) = capture_sql(|| session.get::<Student>(ids[0]).unwrap().unwrap());
    assert_eq!(statements(&sql, "SELECT").len(), 1, "{sql:?}");
    assert_eq!(h.read().name, "Naresh");

    // Again: the same handle, without SQL.
    let (again, sql) = capture_sql(|| session.get::<Student>(ids[0]).unwrap().unwrap());
    assert!(sql.is_empty(), "get() of a loaded object ran {sql:?}");
    assert!(Handle::ptr_eq(&h, &again));

    // Even with the row deleted behind the session's back, get() answers from memory.
    let n = exec(
        db,
        text("DELETE FROM students WHERE id = :id").bind("id", ids[0]),
    );
    assert_eq!(n, 1);
    let again = session
        .get::<Student>(ids[0])
        .unwrap()
        .expect("from the identity map");
    assert!(Handle::ptr_eq(&h, &again));
    // A query does go to the database.
    assert!(session
        .query::<Student>()
        .filter(Student::id.eq(ids[0]))
        .first()
        .unwrap()
        .is_none());
    // An unknown key costs one SELECT and finds nothing.
    let (missing, sql) = capture_sql(|| session.get::<Student>(ids[0] + 100).unwrap());
    assert!(missing.is_none());
    assert_eq!(statements(&sql, "SELECT").len(), 1, "{sql:?}");
}

fn autoflush_before_query(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Asha", "Rust"));
    assert_eq!(state(&h), ObjectState::Pending);
    let found = session
        .query::<Student>()
        .filter_by(Student::name, "Asha")
        .first()
        .unwrap()
        .expect("autoflushed");
    assert!(Handle::ptr_eq(&h, &found));
    assert_eq!(state(&h), ObjectState::Persistent);
    assert!(h.read().id.is_some());
    assert!(session.in_transaction());
    // Flushed, not committed: other connections do not see it.
    assert_eq!(count(db, "students"), 0);
    // Changes are autoflushed too.
    h.write().course = "Go".into();
    assert_eq!(
        session
            .query::<Student>()
            .filter(Student::course.eq("Go"))
            .count()
            .unwrap(),
        1
    );
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 1);

    // Without autoflush, a query does not see pending objects until flush().
    let mut manual = Session::with_options(
        &db.engine,
        SessionOptions {
            autoflush: false,
            ..Default::default()
        },
    );
    let p = manual.add(student("Ravi", "Go"));
    assert!(manual
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .first()
        .unwrap()
        .is_none());
    assert_eq!(state(&p), ObjectState::Pending);
    manual.flush().unwrap();
    let found = manual
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .first()
        .unwrap()
        .unwrap();
    assert!(Handle::ptr_eq(&p, &found));
    manual.commit().unwrap();
    assert_eq!(count(db, "students"), 2);
}

fn only_changed_columns_are_written(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let id = ids[0];
    let echo = echo_engine(db);

    // The session changes the course; behind its back another connection renames the
    // student. The commit writes the course only, so the rename survives.
    let mut s = Session::new(&echo);
    let h = s.get::<Student>(id).unwrap().unwrap();
    assert_eq!(
        exec(
            db,
            text("UPDATE students SET name = 'Naresh K' WHERE id = :id").bind("id", id),
        ),
        1
    );
    h.write().course = "Advanced Python".into();
    let (committed, sql) = capture_sql(|| s.commit());
    committed.unwrap();
    let updates = statements(&sql, "UPDATE");
    assert_eq!(updates.len(), 1, "{sql:?}");
    let set = updates[0].split(" WHERE ").next().unwrap();
    assert!(set.contains("course"), "{set}");
    assert!(
        !set.contains("name") && !set.contains("email"),
        "unchanged columns written: {set}"
    );
    assert_eq!(
        student_row(db, id),
        Some(("Naresh K".into(), "Advanced Python".into()))
    );
    // A query after the commit refreshes the object from the database.
    let again = s.query::<Student>().first().unwrap().unwrap();
    assert!(Handle::ptr_eq(&h, &again));
    assert_eq!(h.read().name, "Naresh K");

    // Two sessions change different columns of the same row; both changes survive.
    let mut s1 = Session::new(&db.engine);
    let mut s2 = Session::new(&db.engine);
    let a = s1.get::<Student>(id).unwrap().unwrap();
    let b = s2.get::<Student>(id).unwrap().unwrap();
    a.write().name = "Naresh Kumar".into();
    b.write().course = "Rust".into();
    s1.commit().unwrap();
    s2.commit().unwrap();
    assert_eq!(
        student_row(db, id),
        Some(("Naresh Kumar".into(), "Rust".into()))
    );

    // Taking a write guard without changing anything writes nothing.
    let mut s3 = Session::new(&echo);
    let c = s3.get::<Student>(id).unwrap().unwrap();
    exec(
        db,
        text("UPDATE students SET course = 'Go', name = 'N' WHERE id = :id").bind("id", id),
    );
    {
        let mut g = c.write();
        g.course = "Rust".into(); // the value it already had in this session
    }
    let (committed, sql) = capture_sql(|| s3.commit());
    committed.unwrap();
    assert!(statements(&sql, "UPDATE").is_empty(), "{sql:?}");
    assert_eq!(student_row(db, id), Some(("N".into(), "Go".into())));

    // Changing a column and changing it back writes nothing either.
    let d = s3
        .query::<Student>()
        .filter(Student::id.eq(id))
        .one()
        .unwrap();
    assert!(Handle::ptr_eq(&c, &d));
    assert_eq!(d.read().name, "N");
    exec(
        db,
        text("UPDATE students SET name = 'Behind' WHERE id = :id").bind("id", id),
    );
    d.write().name = "Temp".into();
    d.write().name = "N".into();
    s3.commit().unwrap();
    assert_eq!(student_row(db, id), Some(("Behind".into(), "Go".into())));

    // Handle::update is the same as a write guard.
    let e = s3.query::<Student>().one().unwrap();
    e.update(|st| st.course = "C".into());
    s3.commit().unwrap();
    assert_eq!(student_row(db, id), Some(("Behind".into(), "C".into())));
}

fn delete_objects(db: &TestDb) {
    setup(db);
    seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let s = session
        .query::<Student>()
        .order_by(Student::id)
        .first()
        .unwrap()
        .unwrap();
    let id = s.read().id.unwrap();
    session.delete(&s).unwrap();
    assert_eq!(state(&s), ObjectState::Deleted);
    // Autoflush: the deletion is visible to the session's next query, not to others.
    assert_eq!(session.query::<Student>().count().unwrap(), 1);
    assert_eq!(count(db, "students"), 2);
    session.commit().unwrap();

    assert_eq!(student_row(db, id), None);
    assert_eq!(count(db, "students"), 1);
    assert_eq!(state(&s), ObjectState::Detached);
    assert!(session.get::<Student>(id).unwrap().is_none());
    let left = session.query::<Student>().all().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].read().name, "Asha");
    // A committed deletion detaches the object; deleting it again is misuse.
    assert_eq!(session.delete(&s).unwrap_err().kind(), ErrorKind::Misuse);
    // Deleting a pending object just forgets it.
    let p = session.add(student("Ravi", "Go"));
    session.delete(&p).unwrap();
    assert_eq!(state(&p), ObjectState::Transient);
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 1);
}

crate::backend_tests!(
    identity_map_gives_one_object_per_row,
    get_is_served_from_the_identity_map,
    autoflush_before_query,
    only_changed_columns_are_written,
    delete_objects,
);
