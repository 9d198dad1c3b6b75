//! A failed commit keeps the user's work: whatever statement of a 50-object unit of work
//! (20 UPDATEs, 20 INSERTs, 10 DELETEs) fails, the database is left unchanged and the
//! session holds exactly the changes it held before the commit; fixing (or expunging) the
//! bad object and committing again writes exactly the rest.

use super::*;

/// `(name, course, email)` of every student row, by name.
fn rows(db: &TestDb) -> Vec<(String, String, Option<String>)> {
    let rows = conn(db)
        .execute(text(
            "SELECT name, course, email FROM students ORDER BY name",
        ))
        .expect("read students");
    rows.rows()
        .iter()
        .map(|r| {
            (
                r.get::<String>("name").unwrap(),
                r.get::<String>("course").unwrap(),
                r.get::<Option<String>>("email").unwrap(),
            )
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    /// The k-th new object takes an e-mail another row has: its INSERT fails.
    Insert(usize),
    /// The k-th changed object takes an e-mail another row has: its UPDATE fails.
    Update(usize),
    /// Another connection deletes the k-th row marked for deletion: its DELETE matches
    /// no row.
    Delete(usize),
}

fn failed_commit_keeps_the_unit_of_work(db: &TestDb, fault: Fault) {
    exec(db, text("DELETE FROM students"));
    let mut s = Session::new(&db.engine);
    let old: Vec<Handle<Student>> = s.add_all(
        (0..30).map(|i| with_email(&format!("old{i:02}"), &format!("old{i:02}@example.com"))),
    );
    s.commit().unwrap();

    // The unit of work: 20 changed, 10 deleted, 20 new.
    for (i, h) in old[..20].iter().enumerate() {
        h.write().course = format!("Changed{i:02}");
    }
    for h in &old[20..] {
        s.delete(h).unwrap();
    }
    let new: Vec<Handle<Student>> = s.add_all(
        (0..20).map(|i| with_email(&format!("new{i:02}"), &format!("new{i:02}@example.com"))),
    );
    match fault {
        Fault::Insert(k) => new[k].write().email = Some("old00@example.com".into()),
        Fault::Update(k) => old[k].write().email = Some(format!("old{:02}@example.com", k + 1)),
        Fault::Delete(k) => {
            let name = old[20 + k].read().name.clone();
            exec(
                db,
                text("DELETE FROM students WHERE name = :n").bind("n", name),
            );
        }
    }
    let before = rows(db);

    let e = match s.commit() {
        Err(e) => e,
        Ok(()) => panic!("{fault:?}: the commit succeeded; rows now {:?}", rows(db)),
    };
    let expected_kind = match fault {
        Fault::Insert(_) | Fault::Update(_) => ErrorKind::UniqueViolation,
        Fault::Delete(_) => ErrorKind::NoRow,
    };
    assert_eq!(e.kind(), expected_kind, "{fault:?}: {e}");
    assert_eq!(rows(db), before, "{fault:?}: the database is unchanged");
    assert!(!s.in_transaction());

    // The session holds exactly what it held before the commit.
    for h in &new {
        assert_eq!(state(h), ObjectState::Pending, "{fault:?}");
        assert_eq!(
            h.read().id,
            None,
            "{fault:?}: no key from the rolled back INSERT"
        );
    }
    for (i, h) in old[..20].iter().enumerate() {
        assert_eq!(state(h), ObjectState::Persistent, "{fault:?}");
        assert_eq!(h.read().course, format!("Changed{i:02}"), "{fault:?}");
    }
    for h in &old[20..] {
        assert_eq!(state(h), ObjectState::Deleted, "{fault:?}: still marked");
    }

    // Fix the bad object, commit again: exactly the rest is written.
    let mut expected: Vec<(String, String, Option<String>)> = Vec::new();
    for i in 0..20 {
        let email = match fault {
            Fault::Update(k) if k == i => None,
            _ => Some(format!("old{i:02}@example.com")),
        };
        expected.push((format!("old{i:02}"), format!("Changed{i:02}"), email));
    }
    for i in 0..20 {
        let email = match fault {
            Fault::Insert(k) if k == i => None,
            _ => Some(format!("new{i:02}@example.com")),
        };
        expected.push((format!("new{i:02}"), "Python".into(), email));
    }
    match fault {
        Fault::Insert(k) => new[k].write().email = None,
        Fault::Update(k) => old[k].write().email = None,
        Fault::Delete(k) => s.expunge(&old[20 + k]).unwrap(),
    }
    s.commit().unwrap();
    expected.sort();
    assert_eq!(rows(db), expected, "{fault:?}");
    for h in &new {
        let id = h.read().id.expect("key after the second commit");
        assert_eq!(
            student_row(db, id).map(|r| r.0),
            Some(h.read().name.clone()),
            "{fault:?}: the object has its own row's key"
        );
        assert_eq!(state(h), ObjectState::Persistent);
    }
    for h in &old[20..] {
        assert_eq!(state(h), ObjectState::Detached, "{fault:?}");
    }
}

fn failure_at_an_insert_keeps_the_unit_of_work(db: &TestDb) {
    setup(db);
    for k in [0, 9, 19] {
        failed_commit_keeps_the_unit_of_work(db, Fault::Insert(k));
    }
}

fn failure_at_an_update_keeps_the_unit_of_work(db: &TestDb) {
    setup(db);
    for k in [0, 10, 18] {
        failed_commit_keeps_the_unit_of_work(db, Fault::Update(k));
    }
}

fn failure_at_a_delete_keeps_the_unit_of_work(db: &TestDb) {
    setup(db);
    for k in [0, 5, 9] {
        failed_commit_keeps_the_unit_of_work(db, Fault::Delete(k));
    }
}

/// After a failed commit, `rollback()` discards the kept changes (the tutorial's
/// `except: session.rollback()`), and a commit after it writes nothing.
fn rollback_after_a_failed_commit_discards_the_changes(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let a = s.add(with_email("a", "a@example.com"));
    let b = s.add(with_email("b", "b@example.com"));
    s.commit().unwrap();
    a.write().course = "Rust".into();
    s.delete(&b).unwrap();
    let c = s.add(with_email("c", "a@example.com"));
    s.commit().unwrap_err();
    s.rollback().unwrap();
    assert_eq!(a.read().course, "Python");
    assert_eq!(state(&b), ObjectState::Persistent);
    assert_eq!(state(&c), ObjectState::Transient);
    s.commit().unwrap();
    assert_eq!(
        rows(db),
        [
            ("a".into(), "Python".into(), Some("a@example.com".into())),
            ("b".into(), "Python".into(), Some("b@example.com".into())),
        ]
    );
}

crate::backend_tests!(
    failure_at_an_insert_keeps_the_unit_of_work,
    failure_at_an_update_keeps_the_unit_of_work,
    failure_at_a_delete_keeps_the_unit_of_work,
    rollback_after_a_failed_commit_discards_the_changes,
);
