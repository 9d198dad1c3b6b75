//! INSERT through the session: generated keys written back to the objects (one object, and
//! 2,500 in one flush sent as multi-row batches), explicit keys, Rust and server defaults.

use std::collections::HashMap;

use super::*;

#[derive(FromRow, Debug, PartialEq)]
struct IdName {
    id: i64,
    name: String,
}

fn rows_by_id(db: &TestDb) -> HashMap<i64, String> {
    let rows: Vec<IdName> = conn(db)
        .query_as(text("SELECT id, name FROM students"))
        .expect("read students");
    rows.into_iter().map(|r| (r.id, r.name)).collect()
}

fn insert_single_with_generated_key(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let h = s.add(student("Naresh", "Python"));
    assert_eq!(h.read().id, None);
    assert_eq!(state(&h), ObjectState::Pending);
    s.commit().unwrap();
    assert_eq!(state(&h), ObjectState::Persistent);
    let id = h.read().id.expect("generated key after commit");
    assert_eq!(
        student_row(db, id),
        Some(("Naresh".into(), "Python".into()))
    );

    // More objects, one flush: each gets its own key.
    let more = s.add_all([student("Asha", "Rust"), student("Ravi", "Go")]);
    s.flush().unwrap();
    let ids: Vec<i64> = more.iter().map(|h| h.read().id.unwrap()).collect();
    assert!(ids[0] != ids[1] && !ids.contains(&id), "{id} {ids:?}");
    s.commit().unwrap();
    assert_eq!(
        student_row(db, ids[0]),
        Some(("Asha".into(), "Rust".into()))
    );
    assert_eq!(student_row(db, ids[1]), Some(("Ravi".into(), "Go".into())));
    assert_eq!(count(db, "students"), 3);

    // An explicit key is used as given.
    let mut st = student("Explicit", "C");
    st.id = Some(id + 10_000);
    let h = s.add(st);
    s.commit().unwrap();
    assert_eq!(h.read().id, Some(id + 10_000));
    assert_eq!(
        student_row(db, id + 10_000),
        Some(("Explicit".into(), "C".into()))
    );
    // And found again by that key from a fresh session.
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Student>(id + 10_000).unwrap().unwrap();
    assert_eq!(got.read().name, "Explicit");
}

fn insert_2500_objects_in_one_flush(db: &TestDb) {
    setup(db);
    const N: usize = 2500;
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    let hs = s.add_all((0..N).map(|i| {
        let mut st = student(
            &format!("S{i:05}"),
            if i % 3 == 0 { "Python" } else { "Rust" },
        );
        if i % 7 == 0 {
            st.email = Some(format!("s{i}@example.com"));
        }
        st
    }));
    let (flushed, sql) = capture_sql(|| s.flush());
    flushed.unwrap();
    let inserts = statements(&sql, "INSERT");
    // Every object sends the same columns (all but the generated key), so the batches are
    // as large as the dialect allows for the model's width.
    let d = db.engine.dialect();
    let width = Student::COLUMNS.len();
    let per_statement = d
        .insert_batch_rows()
        .min(d.max_bind_params() / width)
        .min(d.insert_batch_params() / width)
        .max(1);
    assert!(
        per_statement >= 10,
        "{} batches only {per_statement} rows",
        d.name()
    );
    assert_eq!(
        inserts.len(),
        N.div_ceil(per_statement),
        "{} INSERT statements for {N} objects: not sent as multi-row batches of {per_statement}",
        inserts.len()
    );
    let mut ids: Vec<i64> = hs
        .iter()
        .map(|h| {
            assert_eq!(state(h), ObjectState::Persistent);
            h.read().id.expect("generated key on every object")
        })
        .collect();
    s.commit().unwrap();
    assert_eq!(s.identity_count::<Student>(), N);

    // Every object carries the key of its own row.
    let rows = rows_by_id(db);
    assert_eq!(rows.len(), N);
    for h in &hs {
        let g = h.read();
        assert_eq!(rows.get(&g.id.unwrap()), Some(&g.name), "{g:?}");
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), N, "generated keys are distinct");

    // A fresh session loads the same values under the same keys.
    let mut fresh = Session::new(&db.engine);
    let h = &hs[N - 1];
    let got = fresh.get::<Student>(h.read().id.unwrap()).unwrap().unwrap();
    assert_eq!(*got.read(), *h.read());
    assert_eq!(
        fresh
            .query::<Student>()
            .filter(Student::email.is_not_null())
            .count()
            .unwrap(),
        N.div_ceil(7) as i64
    );
}

fn insert_batches_of_mixed_shapes_map_keys_to_objects(db: &TestDb) {
    setup(db);
    let echo = echo_engine(db);
    let mut s = Session::new(&echo);
    // Runs of generated keys between explicit ones: several multi-row batches, each
    // mapped back to its own objects.
    let hs = s.add_all((0..40).map(|i| {
        let mut st = student(&format!("M{i:02}"), "Go");
        if i % 9 == 4 {
            st.id = Some(50_000_000 + i * 1000);
        }
        st
    }));
    let (flushed, sql) = capture_sql(|| s.flush());
    flushed.unwrap();
    let inserts = statements(&sql, "INSERT");
    assert!(
        inserts.len() < 40,
        "{} INSERT statements for 40 objects",
        inserts.len()
    );
    s.commit().unwrap();
    let rows = rows_by_id(db);
    assert_eq!(rows.len(), 40);
    for (i, h) in hs.iter().enumerate() {
        let g = h.read();
        let id = g.id.unwrap();
        if i % 9 == 4 {
            assert_eq!(id, 50_000_000 + i as i64 * 1000);
        }
        assert_eq!(rows.get(&id), Some(&g.name), "{g:?}");
    }

    // Courses too (a second model in the same flush).
    let cs = s.add_all((0..5).map(|i| course(&format!("Course {i}"))));
    let ss = s.add_all((0..5).map(|i| student(&format!("T{i}"), "X")));
    s.commit().unwrap();
    for (i, (c, st)) in cs.iter().zip(&ss).enumerate() {
        let mut fresh = Session::new(&db.engine);
        let fc = fresh.get::<Course>(c.read().id.unwrap()).unwrap().unwrap();
        assert_eq!(fc.read().title, format!("Course {i}"));
        let fs = fresh
            .get::<Student>(st.read().id.unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(fs.read().name, format!("T{i}"));
    }
}

#[derive(FromRow, Debug, PartialEq)]
struct AttendanceRow {
    day: String,
    present: bool,
    source: String,
    recorded_at: String,
    late_minutes: i64,
}

fn defaults_are_on_the_object_after_flush(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python")]);
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
    let second_blank = s.add(Attendance {
        id: None,
        student_id: ids[0],
        day: "Thu".into(),
        present: None,
        source: None,
        recorded_at: None,
        late_minutes: None,
    });
    let keyed = s.add(Attendance {
        id: Some(900),
        student_id: ids[0],
        day: "Fri".into(),
        present: None,
        source: None,
        recorded_at: None,
        late_minutes: None,
    });
    s.flush().unwrap();
    let k = keyed.get();
    assert_eq!(k.id, Some(900));
    assert_eq!(
        k.late_minutes,
        Some(0),
        "server default read back with an explicit key"
    );
    assert!(k.recorded_at.is_some());

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

    let b2 = second_blank.get();
    assert_eq!(b2.late_minutes, Some(0));
    assert!(b2.recorded_at.is_some());
    let keys = [b.id, e.id, p.id, b2.id];
    let mut distinct = keys.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{keys:?}");
    assert!(!keys.contains(&Some(900)));
    s.delete(&keyed).unwrap();
    s.commit().unwrap();

    // The database agrees with the objects.
    let rows: Vec<AttendanceRow> = conn(db)
        .query_as(text(
            "SELECT day, present, source, recorded_at, late_minutes FROM attendance ORDER BY id",
        ))
        .unwrap();
    assert_eq!(
        rows,
        [
            AttendanceRow {
                day: "Mon".into(),
                present: true,
                source: "manual".into(),
                recorded_at: at,
                late_minutes: 0
            },
            AttendanceRow {
                day: "Tue".into(),
                present: false,
                source: "scanner".into(),
                recorded_at: "2024-06-01 09:00:00".into(),
                late_minutes: 5
            },
            AttendanceRow {
                day: "Wed".into(),
                present: true,
                source: "manual".into(),
                recorded_at: p.recorded_at.clone().unwrap(),
                late_minutes: 2
            },
            AttendanceRow {
                day: "Thu".into(),
                present: true,
                source: "manual".into(),
                recorded_at: b2.recorded_at.clone().unwrap(),
                late_minutes: 0
            },
        ]
    );
    // Booleans filter on every backend.
    let mut q = Session::new(&db.engine);
    assert_eq!(
        q.query::<Attendance>()
            .filter(Attendance::present.eq(false))
            .count()
            .unwrap(),
        1
    );
    assert_eq!(
        q.query::<Attendance>()
            .filter(Attendance::present.eq(true) & Attendance::late_minutes.eq(0))
            .count()
            .unwrap(),
        2
    );
    // And a fresh session loads the same objects.
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Attendance>(b.id.unwrap()).unwrap().unwrap();
    assert_eq!(*got.read(), b);
}

crate::backend_tests!(
    insert_single_with_generated_key,
    insert_2500_objects_in_one_flush,
    insert_batches_of_mixed_shapes_map_keys_to_objects,
    defaults_are_on_the_object_after_flush,
);

/// MySQL/MariaDB report only the first key of a multi-row INSERT; the others follow it by
/// `auto_increment_increment`, which a cluster may set above 1 (here for this session).
#[cfg(feature = "mysql")]
#[test]
#[cfg_attr(not(cinnabar_test_mysql), ignore = "CINNABAR_TEST_MYSQL is not set")]
fn mysql_multi_row_keys_follow_auto_increment_increment() {
    let db = TestDb::mysql();
    setup(&db);
    let mut s = Session::new(&db.engine);
    s.execute(text("SET SESSION auto_increment_increment = 3"))
        .unwrap();
    let names: Vec<String> = (0..5).map(|i| format!("s{i}")).collect();
    let hs = s.add_all(names.iter().map(|n| student(n, "Go")));
    s.commit().unwrap();
    let ids: Vec<i64> = hs.iter().map(|h| h.read().id.unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[1] - w[0] == 3), "{ids:?}");
    let rows = rows_by_id(&db);
    for (h, name) in hs.iter().zip(&names) {
        assert_eq!(rows.get(&h.read().id.unwrap()), Some(name));
    }
}
