//! Composite primary keys, and values at the edges through the ORM: i64 extremes, unicode,
//! doubles, NULL.

use super::*;

fn composite_primary_keys(db: &TestDb) {
    setup(db);
    let ids = seed(db, &[("Naresh", "Python"), ("Asha", "Rust")]);
    let cs = seed_courses(db, &["Python", "Rust"]);
    let (c1, c2) = (cs[0], cs[1]);
    let mut s = Session::new(&db.engine);
    let e = s.add(Enrollment {
        student_id: ids[0],
        course_id: c1,
        marks: None,
        grade: None,
    });
    s.add(Enrollment {
        student_id: ids[1],
        course_id: c1,
        marks: Some(71),
        grade: Some("B".into()),
    });
    s.commit().unwrap();
    assert_eq!(count(db, "enrollments"), 2);

    let got = s.get::<Enrollment>((ids[0], c1)).unwrap().unwrap();
    assert!(Handle::ptr_eq(&e, &got));
    assert!(s.get::<Enrollment>((ids[0], c2)).unwrap().is_none());
    assert!(s.get::<Enrollment>((ids[1], c2)).unwrap().is_none());
    let other = s.get::<Enrollment>((ids[1], c1)).unwrap().unwrap();
    assert_eq!(other.read().marks, Some(71));

    // Update non-key columns.
    e.write().marks = Some(93);
    e.write().grade = Some("A".into());
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let f = fresh.get::<Enrollment>((ids[0], c1)).unwrap().unwrap();
    assert_eq!(f.read().marks, Some(93));
    assert_eq!(f.read().grade.as_deref(), Some("A"));
    // The other row with the same course was not touched.
    let g = fresh.get::<Enrollment>((ids[1], c1)).unwrap().unwrap();
    assert_eq!(g.read().marks, Some(71));
    drop(fresh);

    // Change part of the key: the row moves and the identity map follows.
    e.write().course_id = c2;
    s.commit().unwrap();
    let moved = s.get::<Enrollment>((ids[0], c2)).unwrap().unwrap();
    assert!(Handle::ptr_eq(&e, &moved));
    let n: i64 = conn(db)
        .scalar(
            text("SELECT COUNT(*) FROM enrollments WHERE student_id = :s AND course_id = :c AND marks = 93 AND grade = 'A'")
                .bind("s", ids[0])
                .bind("c", c2),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(count(db, "enrollments"), 2);
    assert!(s.get::<Enrollment>((ids[0], c1)).unwrap().is_none());

    // Query by part of the key.
    let by_course = s
        .query::<Enrollment>()
        .filter(Enrollment::course_id.eq(c1))
        .all()
        .unwrap();
    assert_eq!(by_course.len(), 1);
    assert!(Handle::ptr_eq(&by_course[0], &other));

    // The same key twice is a unique violation.
    s.add(Enrollment {
        student_id: ids[1],
        course_id: c1,
        marks: None,
        grade: None,
    });
    let err = s.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
    assert_eq!(count(db, "enrollments"), 2);
    s.rollback().unwrap();

    // Delete by composite key.
    s.delete(&moved).unwrap();
    s.commit().unwrap();
    assert_eq!(count(db, "enrollments"), 1);
    assert!(s.get::<Enrollment>((ids[0], c2)).unwrap().is_none());
    // Several at once.
    let more = s.add_all([
        Enrollment {
            student_id: ids[0],
            course_id: c1,
            marks: Some(1),
            grade: None,
        },
        Enrollment {
            student_id: ids[0],
            course_id: c2,
            marks: Some(2),
            grade: None,
        },
    ]);
    s.commit().unwrap();
    assert_eq!(count(db, "enrollments"), 3);
    for h in more.iter().chain([&other]) {
        s.delete(h).unwrap();
    }
    s.commit().unwrap();
    assert_eq!(count(db, "enrollments"), 0);
}

fn natural_text_primary_keys(db: &TestDb) {
    setup(db);
    let tag = |code: &str, category: &str, rank: i64| Tag {
        code: code.into(),
        category: category.into(),
        rank,
        uses: None,
    };
    let mut s = Session::new(&db.engine);
    let hs = s.add_all([
        tag("rust", "lang", 1),
        tag("python", "lang", 2),
        tag("sql", "query", 1),
    ]);
    let explicit = s.add(Tag {
        uses: Some(7),
        ..tag("go", "lang", 3)
    });
    s.flush().unwrap();
    for h in &hs {
        assert_eq!(
            h.read().uses,
            Some(0),
            "server default read back by text key"
        );
    }
    assert_eq!(explicit.read().uses, Some(7));
    s.commit().unwrap();

    let got = s.get::<Tag>("python").unwrap().unwrap();
    assert!(Handle::ptr_eq(&got, &hs[1]));
    assert!(s.get::<Tag>("cobol").unwrap().is_none());
    let mut fresh = Session::new(&db.engine);
    let f = fresh.get::<Tag>("sql").unwrap().unwrap();
    assert_eq!(*f.read(), hs[2].get());

    // Rename the key: the row moves.
    hs[0].write().code = "rustlang".into();
    hs[0].write().uses = Some(5);
    s.commit().unwrap();
    assert!(s.get::<Tag>("rust").unwrap().is_none());
    assert!(Handle::ptr_eq(
        &s.get::<Tag>("rustlang").unwrap().unwrap(),
        &hs[0]
    ));
    let uses: i64 = conn(db)
        .scalar(text("SELECT uses FROM tags WHERE code = :c").bind("c", "rustlang"))
        .unwrap();
    assert_eq!(uses, 5);

    // The composite unique constraint and the key are enforced.
    s.add(tag("ruby", "lang", 2));
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    s.rollback().unwrap();
    s.add(tag("go", "other", 9));
    let e = s.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    s.rollback().unwrap();
    assert_eq!(count(db, "tags"), 4);

    // Bulk update by key, and delete.
    let n = s
        .execute_bulk(
            update::<Tag>()
                .filter(Tag::category.eq("lang"))
                .set(Tag::uses, Tag::uses.add(1)),
        )
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(hs[1].read().uses, Some(1));
    assert_eq!(explicit.read().uses, Some(8));
    s.delete(&hs[2]).unwrap();
    s.commit().unwrap();
    assert_eq!(count(db, "tags"), 3);
}

fn sample(big: i64, label: &str) -> Sample {
    Sample {
        id: None,
        big,
        maybe: None,
        label: label.into(),
        note: None,
        ratio: 0.0,
        flag: false,
        data: None,
    }
}

fn i64_extremes_and_unicode_round_trip(db: &TestDb) {
    setup(db);
    let labels = [
        "plain",
        "नरेश कुमार",
        "日本語のテキスト",
        "🦀🚀 emoji 𝄞",
        "e\u{301} combining",
        "עברית RTL",
        "Ωmega ß ﬁ",
        "",
    ];
    let bigs = [
        i64::MIN,
        i64::MAX,
        0,
        -1,
        1,
        i64::MIN + 1,
        i64::MAX - 1,
        1 << 53,
    ];
    let mut s = Session::new(&db.engine);
    let hs: Vec<Handle<Sample>> = bigs
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (&big, label))| {
            let mut v = sample(big, label);
            v.maybe = if i % 2 == 0 {
                Some(big.checked_neg().unwrap_or(i64::MAX))
            } else {
                None
            };
            v.note = Some(label.repeat(3));
            v.ratio = [
                0.1,
                -1e300,
                1.5,
                f64::MIN_POSITIVE,
                1e-7,
                123456.789,
                -0.25,
                2.0,
            ][i];
            v.flag = i % 3 == 0;
            v.data = match i % 3 {
                0 => Some((0..=255u8).collect()),
                1 => Some(Vec::new()),
                _ => None,
            };
            s.add(v)
        })
        .collect();
    s.commit().unwrap();

    // A fresh session reads back exactly what was written.
    let mut fresh = Session::new(&db.engine);
    for h in &hs {
        let want = h.get();
        let got = fresh.get::<Sample>(want.id.unwrap()).unwrap().unwrap();
        assert_eq!(*got.read(), want);
    }
    // Filtering by extreme values binds them exactly.
    for big in [i64::MIN, i64::MAX] {
        let found = fresh
            .query::<Sample>()
            .filter(Sample::big.eq(big))
            .one()
            .unwrap();
        assert_eq!(found.read().big, big);
    }
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::big.gt(i64::MAX - 2))
            .count()
            .unwrap(),
        2
    );
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::big.lt(i64::MIN + 2))
            .count()
            .unwrap(),
        2
    );
    let ordered: Vec<i64> = fresh
        .query::<Sample>()
        .order_by(Sample::big)
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().big)
        .collect();
    let mut expected = bigs.to_vec();
    expected.sort_unstable();
    assert_eq!(ordered, expected);
    // Unicode through filters and raw SQL.
    let crab = fresh
        .query::<Sample>()
        .filter(Sample::label.eq("🦀🚀 emoji 𝄞"))
        .one()
        .unwrap();
    assert_eq!(crab.read().big, bigs[3]);
    let label: String = conn(db)
        .scalar(text("SELECT label FROM samples WHERE big = :b").bind("b", bigs[1]))
        .unwrap();
    assert_eq!(label, labels[1]);
    let len: i64 = conn(db)
        .scalar(text("SELECT COUNT(*) FROM samples WHERE note = :n").bind("n", labels[2].repeat(3)))
        .unwrap();
    assert_eq!(len, 1);

    // Booleans and bytes filter and compare as values.
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::flag.eq(true))
            .count()
            .unwrap(),
        3
    );
    let bytes: Vec<u8> = (0..=255u8).collect();
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::data.eq(bytes.clone()))
            .count()
            .unwrap(),
        3
    );
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::data.is_null())
            .count()
            .unwrap(),
        2
    );

    // Updates to extreme values through change detection, and back to NULL.
    let h = &hs[2];
    h.write().big = i64::MIN;
    h.write().maybe = Some(i64::MAX);
    h.write().label = "ünïcödé ✓".into();
    h.write().note = None;
    let flag = h.read().flag;
    h.write().flag = !flag;
    h.write().data = Some(vec![0, 0, 1]);
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Sample>(h.read().id.unwrap()).unwrap().unwrap();
    assert_eq!(*got.read(), h.get());
    assert_eq!(
        fresh
            .query::<Sample>()
            .filter(Sample::big.eq(i64::MIN))
            .count()
            .unwrap(),
        2
    );
    // An explicit key at the top of the range.
    let top = s.add(Sample {
        id: Some(i64::MAX),
        ..sample(7, "top")
    });
    s.commit().unwrap();
    assert_eq!(top.read().id, Some(i64::MAX));
    let got = fresh.get::<Sample>(i64::MAX).unwrap().unwrap();
    assert_eq!(got.read().label, "top");
}

/// Values far larger than a page: a 60 KB string (under MySQL's 64 KiB TEXT) and a 1 MiB
/// byte string through the ORM.
fn large_values_round_trip(db: &TestDb) {
    setup(db);
    round_trip_sample(db, "ab🦀c".repeat(60_000 / 7), 1_048_576);
}

fn round_trip_sample(db: &TestDb, text_value: String, blob_len: u32) {
    let bytes: Vec<u8> = (0..blob_len).map(|i| (i % 251) as u8).collect();
    let mut s = Session::new(&db.engine);
    let h = s.add(Sample {
        note: Some(text_value.clone()),
        data: Some(bytes.clone()),
        ..sample(1, "large")
    });
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Sample>(h.read().id.unwrap()).unwrap().unwrap();
    assert_eq!(got.read().note.as_deref(), Some(text_value.as_str()));
    assert_eq!(got.read().data.as_deref(), Some(bytes.as_slice()));
    // Updated to another large value, then to a small one.
    h.write().note = Some(text_value.replace('a', "z"));
    s.commit().unwrap();
    let stored: String = conn(db)
        .scalar(text("SELECT note FROM samples WHERE label = 'large'"))
        .unwrap();
    assert_eq!(stored, text_value.replace('a', "z"));
    h.write().note = Some("small".into());
    h.write().data = Some(vec![1, 2, 3]);
    s.commit().unwrap();
    let mut fresh = Session::new(&db.engine);
    let got = fresh.get::<Sample>(h.read().id.unwrap()).unwrap().unwrap();
    assert_eq!(got.read().note.as_deref(), Some("small"));
    assert_eq!(got.read().data.as_deref(), Some([1u8, 2, 3].as_slice()));
}

crate::backend_tests!(
    composite_primary_keys,
    natural_text_primary_keys,
    i64_extremes_and_unicode_round_trip,
    large_values_round_trip,
);

mod large_text {
    use super::*;

    /// A `String` field is unbounded in Rust: 1 MiB of text must fit on every backend.
    fn one_mebibyte_of_text(db: &TestDb) {
        setup(db);
        round_trip_sample(db, "ab🦀c".repeat(1_048_576 / 7 + 1), 16);
    }

    backend_tests_with!(one_mebibyte_of_text {
        sqlite: [],
        postgres: [],
        mysql: [],
    });
}
