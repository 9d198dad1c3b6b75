//! The unit of work: flush ordering under enforced foreign keys, rollback semantics, and
//! failed flushes (typed integrity errors, session usable afterwards).

use super::*;

fn flush_orders_by_foreign_keys(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    // Children first, parents last, in one flush.
    let enrollment = s.add(Enrollment {
        student_id: 100,
        course_id: 10,
        marks: Some(88),
        grade: None,
    });
    let attendance = s.add(Attendance {
        id: None,
        student_id: 100,
        day: "Mon".into(),
        present: None,
        source: None,
        recorded_at: None,
        late_minutes: None,
    });
    let mut st = student("Naresh", "Python");
    st.id = Some(100);
    st.course_id = Some(10);
    let st = s.add(st);
    let python = s.add(Course {
        id: Some(10),
        title: "Python".into(),
    });
    s.commit().unwrap();
    for t in ["courses", "students", "enrollments", "attendance"] {
        assert_eq!(count(db, t), 1, "{t}");
    }

    // The foreign keys are enforced (so the order above mattered).
    let mut c = conn(db);
    let e = c
        .execute(
            text("INSERT INTO enrollments (student_id, course_id) VALUES (:s, :c)")
                .bind("s", 999_i64)
                .bind("c", 10_i64),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    let e = c
        .execute(text("DELETE FROM courses WHERE id = 10"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    drop(c);

    // Deletions go children first, whatever order they were asked in.
    s.delete(&python).unwrap();
    s.delete(&st).unwrap();
    s.delete(&enrollment).unwrap();
    s.delete(&attendance).unwrap();
    s.commit().unwrap();
    for t in ["courses", "students", "enrollments", "attendance"] {
        assert_eq!(count(db, t), 0, "{t}");
    }

    // Parent and child in one flush with a generated parent key set on the child
    // between flushes.
    let c = s.add(course("Rust"));
    s.flush().unwrap();
    let mut st = student("Asha", "Rust");
    st.course_id = c.read().id;
    let st = s.add(st);
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let got = fresh
        .get::<Student>(st.read().id.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(got.read().course_id, c.read().id);
}

fn rollback_discards_pending_adds(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let unflushed = session.add(student("Naresh", "Python"));
    let flushed = session.add(student("Asha", "Rust"));
    session.flush().unwrap();
    let flushed_id = flushed.read().id.unwrap();
    let late = session.add(student("Ravi", "Go"));
    assert_eq!(state(&unflushed), ObjectState::Persistent);
    assert_eq!(state(&late), ObjectState::Pending);
    session.rollback().unwrap();

    for h in [&unflushed, &flushed, &late] {
        assert_eq!(state(h), ObjectState::Transient);
        assert_eq!(h.read().id, None, "generated key is cleared");
    }
    assert!(!session.in_transaction());
    assert_eq!(count(db, "students"), 0);
    assert_eq!(session.identity_count::<Student>(), 0);
    assert!(session.get::<Student>(flushed_id).unwrap().is_none());
    // Nothing is left to flush.
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 0);

    // A transient handle can be added back, and gets a (new) key.
    session.add_handle(&flushed).unwrap();
    assert_eq!(state(&flushed), ObjectState::Pending);
    session.commit().unwrap();
    assert_eq!(state(&flushed), ObjectState::Persistent);
    assert_eq!(count(db, "students"), 1);
    assert_eq!(flushed.read().name, "Asha");
    let id = flushed.read().id.unwrap();
    assert_eq!(student_row(db, id), Some(("Asha".into(), "Rust".into())));
}

fn rollback_restores_modified_values(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let a = session.get::<Student>(ids[0]).unwrap().unwrap();
    let b = session.get::<Student>(ids[1]).unwrap().unwrap();

    // Changed and flushed, changed again, and changed without flushing.
    a.write().course = "Flushed".into();
    session.flush().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Python".into())),
        "uncommitted change visible to another connection"
    );
    a.write().course = "Twice".into();
    b.write().name = "Unflushed".into();
    session.rollback().unwrap();
    assert_eq!(a.read().course, "Python");
    assert_eq!(b.read().name, "Asha");
    assert_eq!(state(&a), ObjectState::Persistent);
    assert!(!session.in_transaction());
    // Nothing is pending afterwards: a commit writes nothing.
    exec(
        db,
        text("UPDATE students SET name = 'Behind' WHERE id = :id").bind("id", ids[1]),
    );
    session.commit().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Python".into()))
    );
    assert_eq!(
        student_row(db, ids[1]),
        Some(("Behind".into(), "Rust".into()))
    );

    // The objects stay usable: change and commit after the rollback.
    a.write().course = "Rust".into();
    session.commit().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Rust".into()))
    );
}

fn deleted_objects_come_back_after_rollback(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let a = session.get::<Student>(ids[0]).unwrap().unwrap();
    let b = session.get::<Student>(ids[1]).unwrap().unwrap();
    session.delete(&a).unwrap();
    session.flush().unwrap();
    session.delete(&b).unwrap();
    assert_eq!(state(&a), ObjectState::Deleted);
    assert_eq!(state(&b), ObjectState::Deleted);
    assert!(session.get::<Student>(ids[0]).unwrap().is_none());
    session.rollback().unwrap();

    for (h, id) in [(&a, ids[0]), (&b, ids[1])] {
        assert_eq!(state(h), ObjectState::Persistent);
        let again = session
            .get::<Student>(id)
            .unwrap()
            .expect("back in the session");
        assert!(Handle::ptr_eq(h, &again));
    }
    assert_eq!(count(db, "students"), 2);
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 2);

    // And they can be deleted for real afterwards.
    session.delete(&a).unwrap();
    session.commit().unwrap();
    assert_eq!(state(&a), ObjectState::Detached);
    assert_eq!(count(db, "students"), 1);
    assert_eq!(student_row(db, ids[0]), None);
}

fn rollback_of_an_object_added_then_deleted(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Naresh", "Python"));
    session.flush().unwrap();
    session.delete(&h).unwrap();
    session.flush().unwrap();
    session.rollback().unwrap();
    // It never existed outside the transaction: transient, no key, not in the session.
    assert_eq!(state(&h), ObjectState::Transient);
    assert_eq!(h.read().id, None);
    assert_eq!(session.identity_count::<Student>(), 0);
    assert_eq!(count(db, "students"), 0);

    // Same, with the deletion not yet flushed.
    let h = session.add(student("Asha", "Rust"));
    session.flush().unwrap();
    session.delete(&h).unwrap();
    session.rollback().unwrap();
    assert_eq!(state(&h), ObjectState::Transient);
    assert_eq!(h.read().id, None);
    assert_eq!(session.identity_count::<Student>(), 0);
    session.add_handle(&h).unwrap();
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 1);

    // Deleting a pending (never flushed) object just forgets it.
    let p = session.add(student("Ravi", "Go"));
    session.delete(&p).unwrap();
    assert_eq!(state(&p), ObjectState::Transient);
    session.commit().unwrap();
    assert_eq!(count(db, "students"), 1);
}

fn failed_flush_unique_violation(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    session.add(with_email("Naresh", "naresh@example.com"));
    session.commit().unwrap();

    let dup = session.add(with_email("Naresh Again", "naresh@example.com"));
    let other = session.add(student("Asha", "Rust"));
    let e = session.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert!(e.is_integrity());
    assert_names_constraint(db, &e, "students", "email");
    assert!(!session.in_transaction());
    // Nothing was written, and the session kept both new objects pending, without keys.
    assert_eq!(state(&dup), ObjectState::Pending);
    assert_eq!(state(&other), ObjectState::Pending);
    assert_eq!(dup.read().id, None);
    assert_eq!(other.read().id, None);
    assert_eq!(count(db, "students"), 1);

    // Expunging the bad object and committing again writes exactly the rest.
    session.expunge(&dup).unwrap();
    assert_eq!(state(&dup), ObjectState::Transient);
    session.add(student("Ravi", "Go"));
    session.commit().unwrap();
    assert!(other.read().id.is_some());
    let mut names: Vec<String> = session
        .query::<Student>()
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["Asha", "Naresh", "Ravi"]);

    // A unique violation on UPDATE keeps the changes in memory, unwritten.
    let a = session.add(with_email("Gita", "g@example.com"));
    let b = session.add(with_email("Hari", "h@example.com"));
    session.commit().unwrap();
    b.write().email = Some("g@example.com".into());
    a.write().course = "Rust".into();
    let e = session.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_names_constraint(db, &e, "students", "email");
    assert_eq!(b.read().email.as_deref(), Some("g@example.com"));
    assert_eq!(a.read().course, "Rust");
    assert_eq!(state(&b), ObjectState::Persistent);
    assert_eq!(
        student_row(db, a.read().id.unwrap()),
        Some(("Gita".into(), "Python".into())),
        "the failed flush wrote nothing"
    );
    // Fixing the bad value and committing writes both changes.
    b.write().email = Some("hari@example.com".into());
    session.commit().unwrap();
    let id = b.read().id.unwrap();
    let email: String = conn(db)
        .scalar(text("SELECT email FROM students WHERE id = :id").bind("id", id))
        .unwrap();
    assert_eq!(email, "hari@example.com");
    assert_eq!(
        student_row(db, a.read().id.unwrap()),
        Some(("Gita".into(), "Rust".into()))
    );
    // rollback() is how to discard kept changes instead.
    b.write().email = Some("g@example.com".into());
    session.commit().unwrap_err();
    assert_eq!(b.read().email.as_deref(), Some("g@example.com"));
    session.rollback().unwrap();
    assert_eq!(b.read().email.as_deref(), Some("hari@example.com"));
    session.commit().unwrap();
}

fn failed_flush_foreign_key_violation(db: &TestDb) {
    setup(db);
    let cid = seed_courses(db, &["Python"])[0];
    let mut s = Session::new(&db.engine);

    let mut orphan = student("Orphan", "Nowhere");
    orphan.course_id = Some(cid + 1000);
    let orphan = s.add(orphan);
    let e = s.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert!(e.is_integrity());
    let sql = e.sql().expect("failing statement attached");
    assert!(sql.contains("students"), "{sql}");
    assert_eq!(state(&orphan), ObjectState::Pending);
    assert!(!s.in_transaction());

    // Fix it and go on.
    orphan.write().course_id = Some(cid);
    s.commit().unwrap();
    assert_eq!(count(db, "students"), 1);

    // A failed flush after a successful INSERT of a parent: both stay pending, and the
    // parent's generated key (from the rolled back INSERT) is cleared.
    let parent = s.add(course("Rust"));
    let mut child = student("Child", "Rust");
    child.course_id = Some(cid + 2000);
    let child = s.add(child);
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(state(&parent), ObjectState::Pending);
    assert_eq!(parent.read().id, None);
    assert_eq!(state(&child), ObjectState::Pending);
    assert_eq!(count(db, "courses"), 1);
    assert_eq!(s.identity_count::<Course>(), 0);
    // rollback() discards them.
    s.rollback().unwrap();
    assert_eq!(state(&parent), ObjectState::Transient);
    assert_eq!(state(&child), ObjectState::Transient);
    s.commit().unwrap();
    assert_eq!(count(db, "courses"), 1);

    // A foreign-key failure on UPDATE, too: the change is kept, unwritten.
    orphan.write().course_id = Some(cid + 1000);
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(orphan.read().course_id, Some(cid + 1000));
    s.rollback().unwrap();
    assert_eq!(orphan.read().course_id, Some(cid));
    let stored: i64 = conn(db)
        .scalar(text("SELECT course_id FROM students"))
        .unwrap();
    assert_eq!(stored, cid);

    // And on DELETE of a parent that still has children.
    let c = s.get::<Course>(cid).unwrap().unwrap();
    s.delete(&c).unwrap();
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(state(&c), ObjectState::Deleted, "still marked for deletion");
    assert_eq!(count(db, "courses"), 1);
    s.delete(&orphan).unwrap();
    s.commit().unwrap();
    assert_eq!(count(db, "courses"), 0);
}

fn failed_flush_not_null_violation(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let mut s = Session::new(&db.engine);
    let ok = s.add(student("Asha", "Rust"));
    let bad = s.add(LooseStudent {
        id: None,
        name: Some("Nameless course".into()),
        course: None,
        course_id: None,
        email: None,
    });
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotNullViolation, "{e}");
    assert!(e.is_integrity());
    assert_names_constraint(db, &e, "students", "course");
    // Rolled back: nothing was written, the objects are still pending.
    assert!(!s.in_transaction());
    assert_eq!(count(db, "students"), 1);
    assert_eq!(state(&ok), ObjectState::Pending);
    assert_eq!(state(&bad), ObjectState::Pending);
    assert_eq!(ok.read().id, None);
    assert_eq!(bad.read().id, None);

    // Usable afterwards: drop the bad object, commit the rest with a new change.
    s.expunge(&bad).unwrap();
    let h = s.get::<Student>(ids[0]).unwrap().unwrap();
    h.write().course = "Go".into();
    s.commit().unwrap();
    assert_eq!(count(db, "students"), 2);
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Go".into()))
    );
    assert_eq!(
        student_row(db, ok.read().id.unwrap()),
        Some(("Asha".into(), "Rust".into()))
    );
}

fn stale_update_and_delete_are_errors(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut s = Session::new(&db.engine);
    let a = s.get::<Student>(ids[0]).unwrap().unwrap();
    let b = s.get::<Student>(ids[1]).unwrap().unwrap();
    // Another connection deletes both rows.
    assert_eq!(exec(db, text("DELETE FROM students")), 2);

    a.write().course = "Rust".into();
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow, "{e}");
    assert_eq!(a.read().course, "Rust", "kept for the caller to decide");
    s.rollback().unwrap();
    assert_eq!(a.read().course, "Python", "restored by the rollback");

    s.delete(&b).unwrap();
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow, "{e}");
    assert_eq!(state(&b), ObjectState::Deleted);
    s.rollback().unwrap();
    assert_eq!(state(&b), ObjectState::Persistent);
    assert!(!s.in_transaction());
    // The session still works. The new row's generated key may be one the stale objects
    // still hold (SQLite reuses rowids): the new object takes it over.
    let c = s.add(student("Ravi", "Go"));
    s.commit().unwrap();
    assert_eq!(names_in_db(db), ["Ravi"]);
    let id = c.read().id.unwrap();
    assert!(Handle::ptr_eq(&s.get::<Student>(id).unwrap().unwrap(), &c));
    for stale in [&a, &b] {
        if stale.read().id == Some(id) {
            assert_eq!(state(stale), ObjectState::Detached);
        }
    }
    let found = s.query::<Student>().all().unwrap();
    assert_eq!(found.len(), 1);
    assert!(Handle::ptr_eq(&found[0], &c));
}

fn changing_a_generated_key_moves_the_row(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
    let mut s = Session::new(&db.engine);
    let h = s.get::<Student>(ids[0]).unwrap().unwrap();
    let new_id = ids[0] + 500;
    h.write().id = Some(new_id);
    s.commit().unwrap();
    assert_eq!(student_row(db, ids[0]), None);
    assert_eq!(
        student_row(db, new_id),
        Some(("Naresh".into(), "Python".into()))
    );
    let again = s.get::<Student>(new_id).unwrap().unwrap();
    assert!(Handle::ptr_eq(&h, &again));
    assert!(s.get::<Student>(ids[0]).unwrap().is_none());
    // Rolled back, the key goes back too.
    h.write().id = Some(new_id + 1);
    s.flush().unwrap();
    s.rollback().unwrap();
    assert_eq!(h.read().id, Some(new_id));
    assert!(Handle::ptr_eq(
        &s.get::<Student>(new_id).unwrap().unwrap(),
        &h
    ));
    assert_eq!(
        student_row(db, new_id),
        Some(("Naresh".into(), "Python".into()))
    );
    // Undone by a savepoint, too.
    let r = s.savepoint(|s| -> Result<()> {
        h.write().id = Some(new_id + 2);
        h.write().course = "Moved".into();
        s.flush()?;
        Err(Error::misuse("undo"))
    });
    assert!(r.is_err());
    assert_eq!(h.read().id, Some(new_id));
    assert_eq!(h.read().course, "Python");
    assert!(Handle::ptr_eq(
        &s.get::<Student>(new_id).unwrap().unwrap(),
        &h
    ));
    assert!(s.get::<Student>(new_id + 2).unwrap().is_none());
    s.commit().unwrap();
    assert_eq!(
        student_row(db, new_id),
        Some(("Naresh".into(), "Python".into()))
    );
}

/// A changed row gives up a unique value before a new row takes it in the same flush
/// (UPDATEs before INSERTs per table, as SQLAlchemy orders them).
fn a_unique_value_released_and_taken_in_one_flush(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    let old = session.add(with_email("Naresh", "naresh@example.com"));
    session.commit().unwrap();
    old.write().email = Some("naresh@old.example.com".into());
    let new = session.add(with_email("Naresh Two", "naresh@example.com"));
    session.commit().unwrap();
    assert!(new.read().id.is_some());
    let emails: Vec<Option<String>> = session
        .query::<Student>()
        .order_by(Student::name.asc())
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().email.clone())
        .collect();
    assert_eq!(
        emails,
        [
            Some("naresh@old.example.com".to_owned()),
            Some("naresh@example.com".to_owned())
        ]
    );
}

crate::backend_tests!(
    a_unique_value_released_and_taken_in_one_flush,
    stale_update_and_delete_are_errors,
    changing_a_generated_key_moves_the_row,
    flush_orders_by_foreign_keys,
    rollback_discards_pending_adds,
    rollback_restores_modified_values,
    deleted_objects_come_back_after_rollback,
    rollback_of_an_object_added_then_deleted,
    failed_flush_unique_violation,
    failed_flush_foreign_key_violation,
    failed_flush_not_null_violation,
);
