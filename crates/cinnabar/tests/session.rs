//! The Session: identity map, unit of work, autoflush, rollback, queries, bulk statements,
//! defaults, composite keys, flush ordering and failed flushes.

mod common;

use cinnabar::prelude::*;
use cinnabar::SessionOptions;
use common::{
    setup, state, student, within, Attendance, Course, Enrollment, Mark, Student, TestDb,
};

/// The `students` table seen through a model that allows NULL everywhere, to make the
/// database's NOT NULL constraint fire.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct LooseStudent {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: Option<String>,
    course: Option<String>,
    course_id: Option<i64>,
    email: Option<String>,
}

fn seed(db: &TestDb, students: &[(&str, &str)]) -> Vec<i64> {
    let mut s = Session::new(&db.engine);
    let hs = s.add_all(students.iter().map(|(n, c)| student(n, c)));
    s.commit().unwrap();
    hs.iter().map(|h| h.read().id.unwrap()).collect()
}

fn with_email(name: &str, email: &str) -> Student {
    let mut s = student(name, "Python");
    s.email = Some(email.into());
    s
}

#[test]
fn identity_map_gives_one_object_per_row() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python"), ("Asha", "Rust")]);
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
    // A query does not overwrite the unflushed change (it autoflushes it instead).
    let c = session.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(Handle::ptr_eq(&a, &c));
    assert_eq!(c.read().course, "Advanced Python");
    session.commit().unwrap();
    assert_eq!(
        db.student_row(ids[0]),
        Some(("Naresh".into(), "Advanced Python".into()))
    );

    // Handles from another session are different objects.
    let mut other = Session::new(&db.engine);
    let d = other.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(!Handle::ptr_eq(&a, &d));
    assert_eq!(d.read().course, "Advanced Python");
    assert_eq!(other.delete(&a).unwrap_err().kind(), ErrorKind::Misuse);
}

#[test]
fn get_is_served_from_the_identity_map() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
    let mut session = Session::new(&db.engine);
    let h = session.get::<Student>(ids[0]).unwrap().unwrap();
    assert_eq!(h.read().name, "Naresh");

    // Delete the row behind the session's back: get() still answers, without SQL.
    let n = db
        .raw()
        .execute("DELETE FROM students WHERE id = ?1", [ids[0]])
        .unwrap();
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
    // An unknown key costs a SELECT and finds nothing.
    assert!(session.get::<Student>(ids[0] + 100).unwrap().is_none());
}

#[test]
fn autoflush_before_query() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Asha", "Rust"));
    assert_eq!(state(&h), "Pending");
    let found = session
        .query::<Student>()
        .filter_by(Student::name, "Asha")
        .first()
        .unwrap()
        .expect("autoflushed");
    assert!(Handle::ptr_eq(&h, &found));
    assert_eq!(state(&h), "Persistent");
    assert!(h.read().id.is_some());
    assert!(session.in_transaction());
    // Flushed, not committed: other connections do not see it.
    assert_eq!(db.count("students"), 0);
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
    assert_eq!(db.count("students"), 1);

    // Without autoflush, a query does not see pending objects until flush().
    let mut manual = Session::with_options(&db.engine, SessionOptions { autoflush: false });
    let p = manual.add(student("Ravi", "Go"));
    assert!(manual
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .first()
        .unwrap()
        .is_none());
    assert_eq!(state(&p), "Pending");
    manual.flush().unwrap();
    let found = manual
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .first()
        .unwrap()
        .unwrap();
    assert!(Handle::ptr_eq(&p, &found));
    manual.commit().unwrap();
    assert_eq!(db.count("students"), 2);
}

#[test]
fn only_changed_columns_are_written() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
    let id = ids[0];

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
        db.student_row(id),
        Some(("Naresh Kumar".into(), "Rust".into()))
    );

    // Taking a write guard without changing anything writes nothing.
    let mut s3 = Session::new(&db.engine);
    let c = s3.get::<Student>(id).unwrap().unwrap();
    db.raw()
        .execute(
            "UPDATE students SET course = 'Go', name = 'N' WHERE id = ?1",
            [id],
        )
        .unwrap();
    {
        let mut g = c.write();
        g.course = "Rust".into(); // the value it already had in this session
    }
    s3.commit().unwrap();
    assert_eq!(db.student_row(id), Some(("N".into(), "Go".into())));

    // Changing a column and changing it back writes nothing either. (A query, unlike
    // get(), refreshes the object committed earlier.)
    let d = s3
        .query::<Student>()
        .filter(Student::id.eq(id))
        .one()
        .unwrap();
    assert!(Handle::ptr_eq(&c, &d));
    assert_eq!(d.read().name, "N");
    db.raw()
        .execute("UPDATE students SET name = 'Behind' WHERE id = ?1", [id])
        .unwrap();
    d.write().name = "Temp".into();
    d.write().name = "N".into();
    s3.commit().unwrap();
    assert_eq!(db.student_row(id), Some(("Behind".into(), "Go".into())));
}

#[test]
fn rollback_discards_pending_adds() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let unflushed = session.add(student("Naresh", "Python"));
    let flushed = session.add(student("Asha", "Rust"));
    session.flush().unwrap();
    let flushed_id = flushed.read().id.unwrap();
    let late = session.add(student("Ravi", "Go"));
    assert_eq!(state(&unflushed), "Persistent");
    assert_eq!(state(&late), "Pending");
    session.rollback().unwrap();

    for h in [&unflushed, &flushed, &late] {
        assert_eq!(state(h), "Transient");
        assert_eq!(h.read().id, None, "generated key is cleared");
    }
    assert!(!session.in_transaction());
    assert_eq!(db.count("students"), 0);
    assert_eq!(session.identity_count::<Student>(), 0);
    assert!(session.get::<Student>(flushed_id).unwrap().is_none());
    // Nothing is left to flush.
    session.commit().unwrap();
    assert_eq!(db.count("students"), 0);

    // A transient handle can be added back.
    session.add_handle(&flushed).unwrap();
    assert_eq!(state(&flushed), "Pending");
    session.commit().unwrap();
    assert_eq!(state(&flushed), "Persistent");
    assert_eq!(db.count("students"), 1);
    assert_eq!(flushed.read().name, "Asha");
}

#[test]
fn rollback_restores_modified_values() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let a = session.get::<Student>(ids[0]).unwrap().unwrap();
    let b = session.get::<Student>(ids[1]).unwrap().unwrap();

    // Changed and flushed, changed again, and changed without flushing.
    a.write().course = "Flushed".into();
    session.flush().unwrap();
    a.write().course = "Twice".into();
    b.write().name = "Unflushed".into();
    session.rollback().unwrap();
    assert_eq!(a.read().course, "Python");
    assert_eq!(b.read().name, "Asha");
    assert_eq!(state(&a), "Persistent");
    // Nothing is pending afterwards: a commit writes nothing.
    db.raw()
        .execute(
            "UPDATE students SET name = 'Behind' WHERE id = ?1",
            [ids[1]],
        )
        .unwrap();
    session.commit().unwrap();
    assert_eq!(
        db.student_row(ids[0]),
        Some(("Naresh".into(), "Python".into()))
    );
    assert_eq!(
        db.student_row(ids[1]),
        Some(("Behind".into(), "Rust".into()))
    );

    // The objects stay usable: change and commit after the rollback.
    a.write().course = "Rust".into();
    session.commit().unwrap();
    assert_eq!(
        db.student_row(ids[0]),
        Some(("Naresh".into(), "Rust".into()))
    );
}

#[test]
fn failed_update_is_rolled_back_in_memory() {
    let db = setup();
    let mut s = Session::new(&db.engine);
    let a = s.add(with_email("Naresh", "n@example.com"));
    let b = s.add(with_email("Asha", "a@example.com"));
    s.commit().unwrap();

    b.write().email = Some("n@example.com".into());
    a.write().course = "Rust".into();
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(e.constraint(), Some("students.email"));
    // Everything the failed flush touched is back to its committed state.
    assert_eq!(b.read().email.as_deref(), Some("a@example.com"));
    assert_eq!(a.read().course, "Python");
    assert_eq!(state(&b), "Persistent");
    // And the session can fix it and commit.
    b.write().email = Some("asha@example.com".into());
    s.commit().unwrap();
    let raw = db.raw();
    let email: String = raw
        .query_row("SELECT email FROM students WHERE name = 'Asha'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(email, "asha@example.com");
}

#[test]
fn deleted_objects_come_back_after_rollback() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut session = Session::new(&db.engine);
    let a = session.get::<Student>(ids[0]).unwrap().unwrap();
    let b = session.get::<Student>(ids[1]).unwrap().unwrap();
    session.delete(&a).unwrap();
    session.flush().unwrap();
    session.delete(&b).unwrap();
    assert_eq!(state(&a), "Deleted");
    assert_eq!(state(&b), "Deleted");
    assert!(session.get::<Student>(ids[0]).unwrap().is_none());
    session.rollback().unwrap();

    for (h, id) in [(&a, ids[0]), (&b, ids[1])] {
        assert_eq!(state(h), "Persistent");
        let again = session
            .get::<Student>(id)
            .unwrap()
            .expect("back in the session");
        assert!(Handle::ptr_eq(h, &again));
    }
    assert_eq!(db.count("students"), 2);
    session.commit().unwrap();
    assert_eq!(db.count("students"), 2);

    // And they can be deleted for real afterwards.
    session.delete(&a).unwrap();
    session.commit().unwrap();
    assert_eq!(state(&a), "Detached");
    assert_eq!(db.count("students"), 1);
}

#[test]
fn rollback_of_an_object_added_then_deleted_in_one_transaction() {
    let db = setup();
    let mut session = Session::new(&db.engine);
    let h = session.add(student("Naresh", "Python"));
    session.flush().unwrap();
    session.delete(&h).unwrap();
    session.flush().unwrap();
    session.rollback().unwrap();
    // It never existed outside the transaction: transient, no key, not in the session.
    assert_eq!(state(&h), "Transient");
    assert_eq!(h.read().id, None);
    assert_eq!(session.identity_count::<Student>(), 0);
    assert_eq!(db.count("students"), 0);

    // Same, with the deletion not yet flushed.
    let h = session.add(student("Asha", "Rust"));
    session.flush().unwrap();
    session.delete(&h).unwrap();
    session.rollback().unwrap();
    assert_eq!(state(&h), "Transient");
    assert_eq!(h.read().id, None);
    assert_eq!(session.identity_count::<Student>(), 0);
    session.add_handle(&h).unwrap();
    session.commit().unwrap();
    assert_eq!(db.count("students"), 1);

    // Deleting a pending (never flushed) object just forgets it.
    let p = session.add(student("Ravi", "Go"));
    session.delete(&p).unwrap();
    assert_eq!(state(&p), "Transient");
    session.commit().unwrap();
    assert_eq!(db.count("students"), 1);
}

#[test]
fn one_and_one_or_none() {
    let db = setup();
    seed(
        &db,
        &[("Naresh", "Python"), ("Asha", "Python"), ("Ravi", "Go")],
    );
    let mut s = Session::new(&db.engine);
    let h = s
        .query::<Student>()
        .filter(Student::course.eq("Go"))
        .one()
        .unwrap();
    assert_eq!(h.read().name, "Ravi");

    let e = s
        .query::<Student>()
        .filter(Student::course.eq("Python"))
        .one()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MultipleRows, "{e}");
    assert!(e.to_string().contains("Student"), "{e}");
    let e = s
        .query::<Student>()
        .filter(Student::course.eq("Python"))
        .one_or_none()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MultipleRows);

    let e = s
        .query::<Student>()
        .filter(Student::course.eq("Cobol"))
        .one()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow, "{e}");
    assert!(e.to_string().contains("Student"), "{e}");
    assert!(s
        .query::<Student>()
        .filter(Student::course.eq("Cobol"))
        .one_or_none()
        .unwrap()
        .is_none());
    let h = s
        .query::<Student>()
        .filter(Student::name.eq("Asha"))
        .one_or_none()
        .unwrap()
        .unwrap();
    assert_eq!(h.read().course, "Python");
}

#[test]
fn count_exists_order_limit_offset() {
    let db = setup();
    let names = [
        "Hari", "Asha", "Gita", "Bala", "Farah", "Chitra", "Esha", "Dev",
    ];
    let pairs: Vec<(&str, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, if i % 2 == 0 { "Python" } else { "Rust" }))
        .collect();
    seed(&db, &pairs);
    let mut s = Session::new(&db.engine);

    assert_eq!(s.query::<Student>().count().unwrap(), 8);
    assert_eq!(
        s.query::<Student>()
            .filter(Student::course.eq("Rust"))
            .count()
            .unwrap(),
        4
    );
    assert!(s
        .query::<Student>()
        .filter(Student::name.eq("Gita"))
        .exists()
        .unwrap());
    assert!(!s
        .query::<Student>()
        .filter(Student::name.eq("Zara"))
        .exists()
        .unwrap());

    let page = |s: &mut Session, offset: u64| -> Vec<String> {
        s.query::<Student>()
            .order_by(Student::name)
            .limit(3)
            .offset(offset)
            .all()
            .unwrap()
            .iter()
            .map(|h| h.read().name.clone())
            .collect()
    };
    assert_eq!(page(&mut s, 0), ["Asha", "Bala", "Chitra"]);
    assert_eq!(page(&mut s, 3), ["Dev", "Esha", "Farah"]);
    assert_eq!(page(&mut s, 6), ["Gita", "Hari"]);
    assert!(page(&mut s, 9).is_empty());

    let desc: Vec<String> = s
        .query::<Student>()
        .filter(Student::course.eq("Python"))
        .order_by(Student::name.desc())
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect();
    assert_eq!(desc, ["Hari", "Gita", "Farah", "Esha"]);
    // Two ordering terms.
    let by_course: Vec<String> = s
        .query::<Student>()
        .order_by(Student::course.desc())
        .order_by(Student::name)
        .limit(2)
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect();
    assert_eq!(by_course, ["Asha", "Bala"]);

    // count honours limit and offset.
    assert_eq!(s.query::<Student>().limit(5).count().unwrap(), 5);
    assert_eq!(s.query::<Student>().offset(6).limit(5).count().unwrap(), 2);
    // count and exists autoflush.
    s.add(student("Zara", "Go"));
    assert!(s
        .query::<Student>()
        .filter(Student::name.eq("Zara"))
        .exists()
        .unwrap());
    assert_eq!(s.query::<Student>().count().unwrap(), 9);
    s.rollback().unwrap();
    assert_eq!(s.query::<Student>().count().unwrap(), 8);
}

#[test]
fn bulk_update_keeps_loaded_objects_consistent() {
    let db = setup();
    let ids = seed(
        &db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")],
    );
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();

    // A literal SET: loaded objects are updated in place.
    let n = s
        .execute_bulk(
            update::<Student>()
                .filter(Student::course.eq("Python"))
                .set(Student::course, "Rust"),
        )
        .unwrap();
    assert_eq!(n, 2);
    let courses: Vec<String> = hs.iter().map(|h| h.read().course.clone()).collect();
    assert_eq!(courses, ["Rust", "Rust", "Rust"]);

    // An expression SET: loaded objects are reloaded.
    let n = s
        .execute_bulk(
            update::<Student>()
                .filter(Student::id.ne(ids[1]))
                .set(Student::name, Student::name.concat("!")),
        )
        .unwrap();
    assert_eq!(n, 2);
    let names: Vec<String> = hs.iter().map(|h| h.read().name.clone()).collect();
    assert_eq!(names, ["Naresh!", "Asha", "Ravi!"]);

    // Rollback undoes both, in the database and in memory.
    s.rollback().unwrap();
    let now: Vec<(String, String)> = hs
        .iter()
        .map(|h| {
            let g = h.read();
            (g.name.clone(), g.course.clone())
        })
        .collect();
    let expected = [("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")]
        .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(now, expected);
    for (id, (n, c)) in ids.iter().zip(&expected) {
        assert_eq!(db.student_row(*id), Some((n.clone(), c.clone())));
    }

    // A pending change is autoflushed before the bulk statement, and later changes to an
    // updated object write only what they change.
    hs[1].write().course = "Python".into();
    let n = s
        .execute_bulk(
            update::<Student>()
                .filter(Student::course.eq("Python"))
                .set(Student::course, "Go"),
        )
        .unwrap();
    assert_eq!(n, 3);
    hs[0].write().name = "Naresh K".into();
    s.commit().unwrap();
    assert_eq!(
        db.student_row(ids[0]),
        Some(("Naresh K".into(), "Go".into()))
    );
    assert_eq!(db.student_row(ids[1]), Some(("Asha".into(), "Go".into())));
    assert!(hs.iter().all(|h| h.read().course == "Go"));

    // No set(..) is misuse.
    let e = s
        .execute_bulk(update::<Student>().filter(Student::id.eq(1)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
}

#[test]
fn bulk_update_with_an_expression_is_undone_by_rollback() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();
    let n = s
        .execute_bulk(update::<Student>().set(Student::course, Student::course.concat(" 2")))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(hs[0].read().course, "Python 2");
    assert_eq!(hs[1].read().course, "Rust 2");
    s.rollback().unwrap();
    assert_eq!(
        db.student_row(ids[0]),
        Some(("Naresh".into(), "Python".into()))
    );
    // The loaded objects are back to the committed values too.
    assert_eq!(hs[0].read().course, "Python");
    assert_eq!(hs[1].read().course, "Rust");
    // And stay consistent with the database after a commit.
    s.execute_bulk(update::<Student>().set(Student::course, Student::course.concat(" 3")))
        .unwrap();
    s.commit().unwrap();
    assert_eq!(hs[0].read().course, "Python 3");
    assert_eq!(
        db.student_row(ids[1]),
        Some(("Asha".into(), "Rust 3".into()))
    );
}

#[test]
fn bulk_delete_keeps_loaded_objects_consistent() {
    let db = setup();
    let ids = seed(
        &db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")],
    );
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();
    let n = s
        .execute_bulk(delete::<Student>().filter(Student::course.eq("Python")))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(state(&hs[0]), "Deleted");
    assert_eq!(state(&hs[1]), "Persistent");
    assert_eq!(state(&hs[2]), "Deleted");
    assert!(s.get::<Student>(ids[0]).unwrap().is_none());
    assert_eq!(s.identity_count::<Student>(), 1);
    assert_eq!(s.query::<Student>().count().unwrap(), 1);

    // Rollback brings them back.
    s.rollback().unwrap();
    assert_eq!(state(&hs[0]), "Persistent");
    let again = s.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(Handle::ptr_eq(&again, &hs[0]));
    assert_eq!(db.count("students"), 3);

    // Committed, they are detached and gone.
    let n = s
        .execute_bulk(delete::<Student>().filter(Student::name.like("R%")))
        .unwrap();
    assert_eq!(n, 1);
    s.commit().unwrap();
    assert_eq!(state(&hs[2]), "Detached");
    assert_eq!(db.count("students"), 2);
    assert!(s.get::<Student>(ids[2]).unwrap().is_none());
    // Deleting everything, with nothing loaded in a fresh session.
    let mut fresh = Session::new(&db.engine);
    assert_eq!(fresh.execute_bulk(delete::<Student>()).unwrap(), 2);
    fresh.commit().unwrap();
    assert_eq!(db.count("students"), 0);
}

#[test]
fn defaults_are_on_the_object_after_flush() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
    let mut s = Session::new(&db.engine);
    let blank = s.add(Attendance {
        id: None,
        student_id: ids[0],
        day: "Mon".into(),
        present: None,
        source: None,
        recorded_at: None,
        late_minutes: None,
    });
    let explicit = s.add(Attendance {
        id: None,
        student_id: ids[0],
        day: "Tue".into(),
        present: Some(false),
        source: Some("scanner".into()),
        recorded_at: Some("2024-06-01 09:00:00".into()),
        late_minutes: Some(5),
    });
    let partial = s.add(Attendance {
        id: None,
        student_id: ids[0],
        day: "Wed".into(),
        present: None,
        source: None,
        recorded_at: None,
        late_minutes: Some(2),
    });
    s.flush().unwrap();

    let b = blank.get();
    assert!(b.id.is_some());
    assert_eq!(b.present, Some(true), "Rust default");
    assert_eq!(b.source.as_deref(), Some("manual"), "Rust default");
    let at = b.recorded_at.clone().expect("server default read back");
    assert!(at.len() >= 19 && at.starts_with("20"), "{at}");
    assert_eq!(b.late_minutes, Some(0), "server default read back");

    let e = explicit.get();
    assert_eq!(e.present, Some(false));
    assert_eq!(e.source.as_deref(), Some("scanner"));
    assert_eq!(e.recorded_at.as_deref(), Some("2024-06-01 09:00:00"));
    assert_eq!(e.late_minutes, Some(5));

    let p = partial.get();
    assert_eq!(p.late_minutes, Some(2));
    assert!(p.recorded_at.is_some());
    assert_eq!(p.present, Some(true));
    s.commit().unwrap();

    // The database agrees with the objects.
    let raw = db.raw();
    let mut stmt = raw
        .prepare(
            "SELECT day, present, source, recorded_at, late_minutes FROM attendance ORDER BY id",
        )
        .unwrap();
    let rows: Vec<(String, bool, String, String, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("Mon".into(), true, "manual".into(), at.clone(), 0),
            (
                "Tue".into(),
                false,
                "scanner".into(),
                "2024-06-01 09:00:00".into(),
                5
            ),
            (
                "Wed".into(),
                true,
                "manual".into(),
                p.recorded_at.clone().unwrap(),
                2
            ),
        ]
    );
}

#[test]
fn composite_primary_keys() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut s = Session::new(&db.engine);
    let c1 = s.add(Course {
        id: None,
        title: "Python".into(),
    });
    let c2 = s.add(Course {
        id: None,
        title: "Rust".into(),
    });
    s.flush().unwrap();
    let (c1, c2) = (c1.read().id.unwrap(), c2.read().id.unwrap());
    let e = s.add(Enrollment {
        student_id: ids[0],
        course_id: c1,
        grade: None,
    });
    s.add(Enrollment {
        student_id: ids[1],
        course_id: c1,
        grade: Some("B".into()),
    });
    s.commit().unwrap();
    assert_eq!(db.count("enrollments"), 2);

    let got = s.get::<Enrollment>((ids[0], c1)).unwrap().unwrap();
    assert!(Handle::ptr_eq(&e, &got));
    assert!(s.get::<Enrollment>((ids[0], c2)).unwrap().is_none());

    // Update a non-key column.
    e.write().grade = Some("A".into());
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let f = fresh.get::<Enrollment>((ids[0], c1)).unwrap().unwrap();
    assert_eq!(f.read().grade.as_deref(), Some("A"));
    drop(fresh);

    // Change part of the key: the row moves and the identity map follows.
    e.write().course_id = c2;
    s.commit().unwrap();
    let moved = s.get::<Enrollment>((ids[0], c2)).unwrap().unwrap();
    assert!(Handle::ptr_eq(&e, &moved));
    let raw = db.raw();
    let n: i64 = raw
        .query_row(
            "SELECT COUNT(*) FROM enrollments WHERE student_id = ?1 AND course_id = ?2 AND grade = 'A'",
            [ids[0], c2],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(db.count("enrollments"), 2);

    // The same key twice is a unique violation.
    s.add(Enrollment {
        student_id: ids[1],
        course_id: c1,
        grade: None,
    });
    let err = s.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");

    // Delete by composite key.
    s.delete(&moved).unwrap();
    s.commit().unwrap();
    assert_eq!(db.count("enrollments"), 1);
    assert!(s.get::<Enrollment>((ids[0], c2)).unwrap().is_none());
}

#[test]
fn flush_orders_parents_before_children() {
    let db = setup();
    let mut s = Session::new(&db.engine);
    // Children first, parents last, in one flush; foreign keys are enforced.
    let mark = s.add(Mark {
        id: None,
        student_id: 100,
        subject: "Maths".into(),
        score: 90,
    });
    let mut st = student("Naresh", "Python");
    st.id = Some(100);
    st.course_id = Some(10);
    let st = s.add(st);
    let course = s.add(Course {
        id: Some(10),
        title: "Python".into(),
    });
    s.add(Enrollment {
        student_id: 100,
        course_id: 10,
        grade: None,
    });
    s.commit().unwrap();
    assert_eq!(db.count("courses"), 1);
    assert_eq!(db.count("students"), 1);
    assert_eq!(db.count("marks"), 1);
    assert_eq!(db.count("enrollments"), 1);
    let fk_on: i64 = {
        let mut conn = db.engine.connect().unwrap();
        conn.scalar(text("PRAGMA foreign_keys")).unwrap()
    };
    assert_eq!(fk_on, 1);

    // Deletions go children first (marks has no ON DELETE action, so the student cannot
    // be deleted before its marks; and deleting the course first would cascade).
    s.delete(&course).unwrap();
    s.delete(&st).unwrap();
    s.delete(&mark).unwrap();
    s.commit().unwrap();
    assert_eq!(db.count("marks"), 0);
    assert_eq!(db.count("students"), 0);
    assert_eq!(db.count("courses"), 0);
    assert_eq!(db.count("enrollments"), 0);
}

#[test]
fn failed_flush_not_null_is_typed_and_recoverable() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
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
    assert_eq!(e.constraint(), Some("students.course"), "{e:?}");
    assert!(e.to_string().contains("students.course"), "{e}");
    // Rolled back: nothing was written, the objects are transient again.
    assert!(!s.in_transaction());
    assert_eq!(db.count("students"), 1);
    assert_eq!(state(&ok), "Transient");
    assert_eq!(state(&bad), "Transient");
    assert_eq!(ok.read().id, None);

    // Usable afterwards.
    let h = s.get::<Student>(ids[0]).unwrap().unwrap();
    h.write().course = "Go".into();
    s.add_handle(&ok).unwrap();
    s.commit().unwrap();
    assert_eq!(db.count("students"), 2);
    assert_eq!(db.student_row(ids[0]), Some(("Naresh".into(), "Go".into())));
}

#[test]
fn failed_flush_foreign_key_is_typed_and_recoverable() {
    let db = setup();
    let mut s = Session::new(&db.engine);
    let c = s.add(Course {
        id: None,
        title: "Python".into(),
    });
    s.commit().unwrap();
    let cid = c.read().id.unwrap();

    let mut orphan = student("Orphan", "Nowhere");
    orphan.course_id = Some(cid + 1000);
    let orphan = s.add(orphan);
    let e = s.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert!(e.is_integrity());
    // SQLite does not say which foreign key failed; the failing statement names the table.
    let sql = e.sql().expect("failing statement attached");
    assert!(sql.contains("students"), "{sql}");
    assert_eq!(state(&orphan), "Transient");
    assert!(!s.in_transaction());

    // Fix it and go on.
    orphan.write().course_id = Some(cid);
    s.add_handle(&orphan).unwrap();
    s.commit().unwrap();
    assert_eq!(db.count("students"), 1);

    // A foreign-key failure on UPDATE, too.
    orphan.write().course_id = Some(cid + 1000);
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ForeignKeyViolation, "{e}");
    assert_eq!(orphan.read().course_id, Some(cid));
    let raw = db.raw();
    let stored: i64 = raw
        .query_row("SELECT course_id FROM students", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, cid);
}

#[test]
fn flush_with_a_write_guard_held_is_misuse() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
    within(20, move || {
        let mut s = Session::new(&db.engine);
        let h = s.get::<Student>(ids[0]).unwrap().unwrap();
        let pending = s.add(student("Asha", "Rust"));

        // A write guard on a loaded object.
        let mut g = h.write();
        g.course = "Rust".into();
        let e = s.flush().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.to_string().contains("Student"), "{e}");
        drop(g);

        // A write guard on a pending object.
        let g = pending.write();
        let e = s.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        drop(g);

        // With the guards gone the session works; the change made under the guard was
        // either kept or rolled back, never half-written.
        s.add_handle(&pending).unwrap();
        s.commit().unwrap();
        assert_eq!(db.count("students"), 2);
        let (_, course) = db.student_row(ids[0]).unwrap();
        assert_eq!(course, h.read().course);
    });
}

#[test]
fn commit_and_rollback_with_a_read_guard_held_do_not_deadlock() {
    let db = setup();
    let ids = seed(&db, &[("Naresh", "Python")]);
    within(20, move || {
        let mut s = Session::new(&db.engine);
        let h = s.get::<Student>(ids[0]).unwrap().unwrap();
        h.write().course = "Rust".into();
        s.flush().unwrap();
        {
            let g = h.read();
            let r = s.commit();
            assert_eq!(g.course, "Rust");
            // Either it commits, or it refuses with a clear error; it must not hang.
            if let Err(e) = r {
                assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
            }
        }
        h.write().course = "Go".into();
        s.flush().unwrap();
        {
            let _g = h.read();
            let e = s.rollback().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        }
        // With the guard gone the rollback goes through and restores the committed value.
        s.rollback().unwrap();
        assert_eq!(h.read().course, "Rust");
    });
}
