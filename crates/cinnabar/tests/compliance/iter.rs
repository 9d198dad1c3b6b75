//! `query.iter()`: rows read in chunks in key order, composite keys, changes made while
//! iterating, the queries it refuses, and the identity map forgetting what the loop drops
//! while keeping what the user holds or changed.

use super::*;
use cinnabar::QueryIter;

fn names(db: &TestDb, chunk: usize) -> (Vec<String>, Vec<String>) {
    let engine = echo_engine(db);
    let mut s = Session::new(&engine);
    let (names, sql) = capture_sql(|| {
        s.query::<Student>()
            .iter()
            .chunk_size(chunk)
            .map(|h| h.map(|h| h.read().name.clone()))
            .collect::<Result<Vec<_>>>()
            .unwrap()
    });
    let selects = statements(&sql, "SELECT").into_iter().cloned().collect();
    (names, selects)
}

fn iter_reads_every_row_in_key_order_a_chunk_at_a_time(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    assert_eq!(s.query::<Student>().iter().count(), 0, "empty table");
    let rows: Vec<(String, &str)> = (0..25).map(|i| (format!("s{i:02}"), "Python")).collect();
    let pairs: Vec<(&str, &str)> = rows.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let ids = seed(db, &pairs);

    let (got, selects) = names(db, 10);
    let expected: Vec<String> = (0..25).map(|i| format!("s{i:02}")).collect();
    assert_eq!(got, expected);
    // 10 + 10 + 5 rows: the short third chunk ends the iteration.
    assert_eq!(selects.len(), 3, "{selects:?}");
    // An exact multiple needs one more (empty) chunk to know it is done.
    let (got, selects) = names(db, 5);
    assert_eq!(got.len(), 25);
    assert_eq!(selects.len(), 6, "{selects:?}");

    // Filters apply; an object the session already holds comes back as the same handle.
    let held = s.get::<Student>(ids[3]).unwrap().unwrap();
    let odd: Vec<Handle<Student>> = s
        .query::<Student>()
        .filter(Student::id.gt(ids[2]))
        .iter()
        .chunk_size(4)
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(odd.len(), 22);
    assert!(Handle::ptr_eq(&odd[0], &held));
    let keys: Vec<i64> = odd.iter().map(|h| h.read().id.unwrap()).collect();
    assert_eq!(keys, ids[3..]);
}

fn iter_walks_a_composite_key(db: &TestDb) {
    setup(db);
    let students = seed(db, &[("a", "x"), ("b", "x"), ("c", "x")]);
    let courses = seed_courses(db, &["P", "Q", "R"]);
    let mut s = Session::new(&db.engine);
    let mut expected = Vec::new();
    for &st in &students {
        for &c in &courses {
            s.add(Enrollment {
                student_id: st,
                course_id: c,
                marks: Some(st * 10 + c),
                grade: None,
            });
            expected.push((st, c));
        }
    }
    s.commit().unwrap();
    expected.sort();
    let mut fresh = Session::new(&db.engine);
    let got: Vec<(i64, i64)> = fresh
        .query::<Enrollment>()
        .iter()
        .chunk_size(2)
        .map(|h| {
            let h = h.unwrap();
            let g = h.read();
            (g.student_id, g.course_id)
        })
        .collect();
    assert_eq!(
        got, expected,
        "every pair once, in key order, across chunk boundaries"
    );
}

fn iter_sees_changes_made_while_it_runs(db: &TestDb) {
    setup(db);
    let pairs: Vec<(String, &str)> = (0..10).map(|i| (format!("s{i}"), "Python")).collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let ids = seed(db, &pairs);
    let mut s = Session::new(&db.engine);
    let mut it = s.query::<Student>().iter().chunk_size(3);
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(it.next().unwrap().unwrap().read().name.clone());
    }
    // Behind the session's back: a row ahead deleted, one ahead renamed, one added.
    exec(
        db,
        text("DELETE FROM students WHERE id = :id").bind("id", ids[7]),
    );
    exec(
        db,
        text("UPDATE students SET name = 'renamed' WHERE id = :id").bind("id", ids[8]),
    );
    let mut other = Session::new(&db.engine);
    other.add(student("late", "Go"));
    other.commit().unwrap();
    drop(other);
    // A change to an object already yielded: the next chunk's autoflush writes it, and the
    // session can commit between items (no read is left open).
    let third = it.next().unwrap().unwrap();
    third.write().course = "Rust".into();
    seen.push(third.read().name.clone());
    for h in it.by_ref().take(2) {
        seen.push(h.unwrap().read().name.clone());
    }
    it.session().commit().unwrap();
    for h in it {
        seen.push(h.unwrap().read().name.clone());
    }
    assert_eq!(
        seen,
        ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "renamed", "s9", "late"]
    );
    assert_eq!(
        student_row(db, ids[2]),
        Some(("s2".to_owned(), "Rust".to_owned()))
    );
}

fn iter_refuses_what_keyset_pagination_cannot_do(db: &TestDb) {
    setup(db);
    seed(db, &[("a", "x")]);
    let mut s = Session::new(&db.engine);
    fn check(what: &str, mut q: QueryIter<'_, Student>) {
        let e = q.next().expect("an error item").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse, "{what}: {e}");
        assert!(e.to_string().contains(what), "{what}: {e}");
        assert!(
            q.next().is_none(),
            "{what}: the iteration ends at its error"
        );
    }
    check(
        "order_by",
        s.query::<Student>().order_by(Student::name).iter(),
    );
    check("limit", s.query::<Student>().limit(5).iter());
    check("offset", s.query::<Student>().offset(1).iter());
    check(
        "with_for_update",
        s.query::<Student>().with_for_update().iter(),
    );
}

fn the_identity_map_forgets_dropped_objects_but_not_held_or_changed_ones(db: &TestDb) {
    setup(db);
    let pairs: Vec<(String, &str)> = (0..60).map(|i| (format!("s{i}"), "Python")).collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let ids = seed(db, &pairs);
    let mut s = Session::new(&db.engine);
    let mut kept = Vec::new();
    let mut changed_id = None;
    let mut most = 0;
    let mut it = s.query::<Student>().iter().chunk_size(5);
    while let Some(h) = it.next() {
        let h = h.unwrap();
        let id = h.read().id.unwrap();
        if id == ids[10] {
            // Changed, then dropped: the session keeps it until the flush writes it.
            h.write().course = "Changed".into();
            changed_id = Some(id);
        } else if id % 20 == 0 {
            kept.push(h);
        }
        most = most.max(it.session().identity_count::<Student>());
    }
    assert!(
        most <= 5 + kept.len() + 1 + 5,
        "the map held {most} live objects while iterating in chunks of 5"
    );
    assert_eq!(
        s.identity_count::<Student>(),
        kept.len() + 1,
        "held and changed objects stay"
    );
    s.commit().unwrap();
    assert_eq!(
        student_row(db, changed_id.unwrap()).unwrap().1,
        "Changed",
        "a changed object the user dropped is still flushed"
    );
    assert_eq!(s.identity_count::<Student>(), kept.len());
    // A held object is the one the session hands out again; a dropped one is loaded anew.
    let again = s
        .get::<Student>(kept[0].read().id.unwrap())
        .unwrap()
        .unwrap();
    assert!(Handle::ptr_eq(&again, &kept[0]));
    let other = s.get::<Student>(ids[1]).unwrap().unwrap();
    assert_eq!(other.read().name, "s1");
}

crate::backend_tests!(
    iter_reads_every_row_in_key_order_a_chunk_at_a_time,
    iter_walks_a_composite_key,
    iter_sees_changes_made_while_it_runs,
    iter_refuses_what_keyset_pagination_cannot_do,
    the_identity_map_forgets_dropped_objects_but_not_held_or_changed_ones,
);
