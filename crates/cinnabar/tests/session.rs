//! The Session on SQLite only: what the cross-backend compliance suite cannot check.
//!
//! The session's semantics (identity map, autoflush, change detection, rollback, queries,
//! bulk statements, defaults, composite keys, flush ordering, failed flushes) are tested once
//! for SQLite, PostgreSQL and MariaDB in `compliance/` (`session.rs`, `flush.rs`, `query.rs`,
//! `bulk.rs`, `insert.rs`, `keys_and_values.rs`). What stays here: guards held across a
//! flush, commit or rollback (misuse and deadlock checks of the session itself, whatever the
//! backend), and what a flush stores as seen by another SQLite client (rusqlite), with
//! SQLite's storage classes.

mod common;

use cinnabar::prelude::*;
use common::{setup, student, within, Attendance, Student, TestDb};

fn seed(db: &TestDb, students: &[(&str, &str)]) -> Vec<i64> {
    let mut s = Session::new(&db.engine);
    let hs = s.add_all(students.iter().map(|(n, c)| student(n, c)));
    s.commit().unwrap();
    hs.iter().map(|h| h.read().id.unwrap()).collect()
}

/// What a flush wrote, read back by another SQLite client (rusqlite, not the engine) with
/// strict types, and stored with the storage classes every SQLite client expects: booleans
/// as INTEGER 0/1, the server-default timestamp as TEXT. (The defaults on the objects, on
/// every backend: `compliance/insert.rs`, `defaults_are_on_the_object_after_flush`.)
#[test]
fn defaults_as_stored_in_the_sqlite_file() {
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
    s.add(Attendance {
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
    s.commit().unwrap();
    let at = blank
        .read()
        .recorded_at
        .clone()
        .expect("server default read back");

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
            ("Mon".into(), true, "manual".into(), at, 0),
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
                partial.read().recorded_at.clone().unwrap(),
                2
            ),
        ]
    );
    let classes: Vec<String> = raw
        .prepare(
            "SELECT typeof(present) || ' ' || typeof(source) || ' ' || typeof(recorded_at) \
             || ' ' || typeof(late_minutes) FROM attendance ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(classes, ["integer text text integer"; 3]);
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
