//! Deleting an object and adding a new one with the same primary key in one flush: the pair
//! becomes one UPDATE of the row (SQLAlchemy's behaviour), where an INSERT before the DELETE
//! would fail with a unique violation.

use super::*;

fn tag(code: &str, category: &str, rank: i64, uses: Option<i64>) -> Tag {
    Tag {
        code: code.into(),
        category: category.into(),
        rank,
        uses,
    }
}

fn tag_row(db: &TestDb, code: &str) -> Option<(String, i64, Option<i64>)> {
    let rows = conn(db)
        .execute(text("SELECT category, rank, uses FROM tags WHERE code = :c").bind("c", code))
        .unwrap();
    rows.first().map(|r| {
        (
            r.get::<String>("category").unwrap(),
            r.get::<i64>("rank").unwrap(),
            r.get::<Option<i64>>("uses").unwrap(),
        )
    })
}

fn delete_and_add_with_the_same_natural_key_is_an_update(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let old = s.add(tag("rust", "lang", 1, Some(7)));
    s.add(tag("sql", "lang", 2, None));
    s.commit().unwrap();

    s.delete(&old).unwrap();
    // Takes the key, and the (category, rank) unique pair the old row holds.
    let new = s.add(tag("rust", "lang", 1, None));
    s.commit().unwrap();
    assert_eq!(count(db, "tags"), 2);
    // `uses` was left unset (server default): the row keeps its value, and so does the object.
    assert_eq!(tag_row(db, "rust"), Some(("lang".into(), 1, Some(7))));
    assert_eq!(new.read().uses, Some(7));
    assert_eq!(state(&new), ObjectState::Persistent);
    assert_eq!(state(&old), ObjectState::Detached);
    let got = s.get::<Tag>("rust".to_string()).unwrap().unwrap();
    assert!(
        Handle::ptr_eq(&got, &new),
        "the identity map holds the new object"
    );

    // With new values, through an engine that logs: one UPDATE, no INSERT or DELETE.
    let engine = echo_engine(db);
    let mut s = Session::new(&engine);
    let old = s.get::<Tag>("sql".to_string()).unwrap().unwrap();
    s.delete(&old).unwrap();
    s.add(tag("sql", "query", 5, Some(3)));
    let (r, lines) = capture_sql(|| s.commit());
    r.unwrap();
    assert_eq!(statements(&lines, "UPDATE").len(), 1, "{lines:#?}");
    assert!(statements(&lines, "INSERT").is_empty(), "{lines:#?}");
    assert!(statements(&lines, "DELETE").is_empty(), "{lines:#?}");
    assert_eq!(tag_row(db, "sql"), Some(("query".into(), 5, Some(3))));
}

fn delete_and_add_with_the_same_generated_key_and_composite_key(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let cids = seed_courses(db, &["Python", "Rust"]);
    let mut s = Session::new(&db.engine);
    // An explicit value for a generated key.
    let old = s.get::<Student>(ids[0]).unwrap().unwrap();
    s.delete(&old).unwrap();
    let mut again = student("Naresh Again", "Go");
    again.id = Some(ids[0]);
    let again = s.add(again);
    // A composite key.
    let e = s.add(Enrollment {
        student_id: ids[1],
        course_id: cids[1],
        marks: Some(50),
        grade: None,
    });
    s.commit().unwrap();
    s.delete(&e).unwrap();
    s.add(Enrollment {
        student_id: ids[1],
        course_id: cids[1],
        marks: Some(90),
        grade: Some("A".into()),
    });
    s.commit().unwrap();
    assert_eq!(count(db, "students"), 2);
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Naresh Again".into(), "Go".into()))
    );
    assert_eq!(again.read().id, Some(ids[0]));
    assert_eq!(count(db, "enrollments"), 1);
    let marks: i64 = conn(db)
        .scalar(text("SELECT marks FROM enrollments"))
        .unwrap();
    assert_eq!(marks, 90);
}

fn rollback_of_a_replacement_brings_the_old_object_back(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let old = s.add(tag("go", "lang", 3, Some(1)));
    s.commit().unwrap();
    s.delete(&old).unwrap();
    let new = s.add(tag("go", "lang", 4, Some(2)));
    s.flush().unwrap();
    // Inside the transaction the row already has the new values, under the same key.
    let rank: i64 = s
        .connection()
        .unwrap()
        .scalar(text("SELECT rank FROM tags WHERE code = 'go'"))
        .unwrap();
    assert_eq!(rank, 4);
    s.rollback().unwrap();
    assert_eq!(state(&old), ObjectState::Persistent);
    assert_eq!(state(&new), ObjectState::Transient);
    let got = s.get::<Tag>("go".to_string()).unwrap().unwrap();
    assert!(Handle::ptr_eq(&got, &old));
    assert_eq!(tag_row(db, "go"), Some(("lang".into(), 3, Some(1))));

    // A failed flush keeps both: the deletion marked, the new object pending.
    s.delete(&old).unwrap();
    let new = s.add(tag("go", "lang", 5, None));
    let clash = s.add(tag("clash", "lang", 5, None)); // same (category, rank): unique violation
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(state(&old), ObjectState::Deleted);
    assert_eq!(state(&new), ObjectState::Pending);
    assert_eq!(tag_row(db, "go"), Some(("lang".into(), 3, Some(1))));
    s.expunge(&clash).unwrap();
    s.commit().unwrap();
    assert_eq!(tag_row(db, "go"), Some(("lang".into(), 5, Some(1))));
    assert_eq!(count(db, "tags"), 1);
}

crate::backend_tests!(
    delete_and_add_with_the_same_natural_key_is_an_update,
    delete_and_add_with_the_same_generated_key_and_composite_key,
    rollback_of_a_replacement_brings_the_old_object_back,
);
