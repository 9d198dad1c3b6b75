//! Set-based `update::<T>()` / `delete::<T>()` through the session, keeping the identity map
//! consistent (in place, by reload, or by removal) and undone by rollback.

use super::*;

fn courses_of(hs: &[Handle<Student>]) -> Vec<String> {
    hs.iter().map(|h| h.read().course.clone()).collect()
}

fn bulk_update_keeps_loaded_objects_consistent(db: &TestDb) {
    setup(db);
    let ids = seed(
        db,
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
    assert_eq!(courses_of(&hs), ["Rust", "Rust", "Rust"]);

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
        assert_eq!(student_row(db, *id), Some((n.clone(), c.clone())));
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
        student_row(db, ids[0]),
        Some(("Naresh K".into(), "Go".into()))
    );
    assert_eq!(student_row(db, ids[1]), Some(("Asha".into(), "Go".into())));
    assert!(hs.iter().all(|h| h.read().course == "Go"));

    // A literal on an integer column, then an arithmetic expression on it, with the loaded
    // object reloaded.
    let cs = seed_courses(db, &["Maths", "Physics"]);
    let (maths, physics) = (cs[0], cs[1]);
    s.execute_bulk(
        update::<Student>()
            .filter(Student::id.eq(ids[2]))
            .set(Student::course_id, maths),
    )
    .unwrap();
    assert_eq!(hs[2].read().course_id, Some(maths));
    s.execute_bulk(
        update::<Student>()
            .filter(Student::id.eq(ids[2]))
            .set(Student::course_id, Student::course_id.add(physics - maths)),
    )
    .unwrap();
    assert_eq!(hs[2].read().course_id, Some(physics));
    s.commit().unwrap();
    let in_db: Option<i64> = conn(db)
        .scalar(text("SELECT course_id FROM students WHERE id = :id").bind("id", ids[2]))
        .unwrap();
    assert_eq!(in_db, Some(physics));

    // Matching nothing is fine; no set(..) is misuse.
    let n = s
        .execute_bulk(
            update::<Student>()
                .filter(Student::name.eq("Nobody"))
                .set(Student::course, "X"),
        )
        .unwrap();
    assert_eq!(n, 0);
    let e = s
        .execute_bulk(update::<Student>().filter(Student::id.eq(1)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse);
}

fn bulk_update_with_an_expression_is_undone_by_rollback(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();
    let n = s
        .execute_bulk(update::<Student>().set(Student::course, Student::course.concat(" 2")))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(courses_of(&hs), ["Python 2", "Rust 2"]);
    s.rollback().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh".into(), "Python".into()))
    );
    // The loaded objects are back to the committed values too.
    assert_eq!(courses_of(&hs), ["Python", "Rust"]);
    // And stay consistent with the database after a commit.
    s.execute_bulk(update::<Student>().set(Student::course, Student::course.concat(" 3")))
        .unwrap();
    s.commit().unwrap();
    assert_eq!(hs[0].read().course, "Python 3");
    assert_eq!(
        student_row(db, ids[1]),
        Some(("Asha".into(), "Rust 3".into()))
    );

    // Integer arithmetic in SET, on a model with an integer column.
    let cs = seed_courses(db, &["Maths"]);
    let mut e = Session::new(&db.engine);
    e.add_all(ids.iter().map(|&sid| Enrollment {
        student_id: sid,
        course_id: cs[0],
        marks: Some(40),
        grade: None,
    }));
    e.commit().unwrap();
    let loaded = e
        .query::<Enrollment>()
        .order_by(Enrollment::student_id)
        .all()
        .unwrap();
    let n = e
        .execute_bulk(
            update::<Enrollment>()
                .filter(Enrollment::student_id.eq(ids[0]))
                .set(Enrollment::marks, Enrollment::marks.add(15)),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(loaded[0].read().marks, Some(55));
    assert_eq!(loaded[1].read().marks, Some(40));
    e.commit().unwrap();
    let m: i64 = conn(db)
        .scalar(text("SELECT marks FROM enrollments WHERE student_id = :s").bind("s", ids[0]))
        .unwrap();
    assert_eq!(m, 55);
}

fn bulk_delete_keeps_loaded_objects_consistent(db: &TestDb) {
    setup(db);
    let ids = seed(
        db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")],
    );
    let mut s = Session::new(&db.engine);
    let hs = s.query::<Student>().order_by(Student::id).all().unwrap();
    let n = s
        .execute_bulk(delete::<Student>().filter(Student::course.eq("Python")))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(state(&hs[0]), ObjectState::Deleted);
    assert_eq!(state(&hs[1]), ObjectState::Persistent);
    assert_eq!(state(&hs[2]), ObjectState::Deleted);
    assert!(s.get::<Student>(ids[0]).unwrap().is_none());
    assert_eq!(s.identity_count::<Student>(), 1);
    assert_eq!(s.query::<Student>().count().unwrap(), 1);
    assert_eq!(count(db, "students"), 3, "not committed yet");

    // Rollback brings them back.
    s.rollback().unwrap();
    assert_eq!(state(&hs[0]), ObjectState::Persistent);
    let again = s.get::<Student>(ids[0]).unwrap().unwrap();
    assert!(Handle::ptr_eq(&again, &hs[0]));
    assert_eq!(count(db, "students"), 3);

    // Committed, they are detached and gone.
    let n = s
        .execute_bulk(delete::<Student>().filter(Student::name.like("R%")))
        .unwrap();
    assert_eq!(n, 1);
    s.commit().unwrap();
    assert_eq!(state(&hs[2]), ObjectState::Detached);
    assert_eq!(count(db, "students"), 2);
    assert!(s.get::<Student>(ids[2]).unwrap().is_none());
    // Deleting everything, with nothing loaded in a fresh session.
    let mut fresh = Session::new(&db.engine);
    assert_eq!(fresh.execute_bulk(delete::<Student>()).unwrap(), 2);
    fresh.commit().unwrap();
    assert_eq!(count(db, "students"), 0);
}

crate::backend_tests!(
    bulk_update_keeps_loaded_objects_consistent,
    bulk_update_with_an_expression_is_undone_by_rollback,
    bulk_delete_keeps_loaded_objects_consistent,
);
