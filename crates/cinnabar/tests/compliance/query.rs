//! Queries: all, filter, filter_by, first, order_by, limit, offset, count, exists, one and
//! one_or_none with their errors.

use super::*;

fn names(hs: &[Handle<Student>]) -> Vec<String> {
    hs.iter().map(|h| h.read().name.clone()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn query_all_and_filter(db: &TestDb) {
    setup(db);
    let mut session = Session::new(&db.engine);
    assert!(session.query::<Student>().all().unwrap().is_empty());
    let ids = seed(
        db,
        &[
            ("Naresh", "Python"),
            ("Asha", "Rust"),
            ("Nikhil", "Go"),
            ("Ravi", "Python"),
        ],
    );

    // A fresh session reads them from the database, in key order.
    let mut fresh = Session::new(&db.engine);
    let all = fresh
        .query::<Student>()
        .order_by(Student::id)
        .all()
        .unwrap();
    assert_eq!(names(&all), ["Naresh", "Asha", "Nikhil", "Ravi"]);
    assert!(all.iter().all(|h| state(h) == ObjectState::Persistent));
    let loaded: Vec<i64> = all.iter().map(|h| h.read().id.unwrap()).collect();
    assert_eq!(loaded, ids);

    let q = |f: Condition| -> Vec<String> {
        let mut s = Session::new(&db.engine);
        let hs = s.query::<Student>().filter(f).all().unwrap();
        sorted(names(&hs))
    };
    assert_eq!(
        q(Student::name.like("N%") & Student::course.eq("Python")),
        ["Naresh"]
    );
    assert_eq!(
        q(Student::course.eq("Rust") | Student::course.eq("Go")),
        ["Asha", "Nikhil"]
    );
    assert_eq!(q(!Student::course.eq("Python")), ["Asha", "Nikhil"]);
    assert_eq!(
        q(Student::course
            .in_(["Go", "Rust"])
            .and(Student::name.ne("Asha"))),
        ["Nikhil"]
    );
    assert_eq!(
        q(Student::course.not_in(["Go", "Rust"])),
        ["Naresh", "Ravi"]
    );
    assert_eq!(q(Student::id.between(ids[1], ids[2])), ["Asha", "Nikhil"]);
    let even: Vec<String> = sorted(
        ids.iter()
            .zip(["Naresh", "Asha", "Nikhil", "Ravi"])
            .filter(|(id, _)| *id % 2 == 0)
            .map(|(_, n)| n.to_string())
            .collect(),
    );
    assert_eq!(q(Student::id.modulo(2).eq(0)), even);
    assert_eq!(
        q(Student::email.is_null() & Student::id.gt(ids[2])),
        ["Ravi"]
    );
    assert_eq!(
        q(Student::id.ge(ids[2]) & Student::id.lt(ids[3])),
        ["Nikhil"]
    );
    assert_eq!(q(Student::name.length().eq(4)), ["Asha", "Ravi"]);
    assert!(q(Student::name.eq("Nobody")).is_empty());
}

fn filter_by_and_first(db: &TestDb) {
    setup(db);
    seed(
        db,
        &[("Naresh", "Python"), ("Asha", "Rust"), ("Ravi", "Python")],
    );
    let mut session = Session::new(&db.engine);
    let s = session
        .query::<Student>()
        .filter_by(Student::name, "Naresh")
        .first()
        .unwrap()
        .expect("Naresh");
    assert_eq!(s.read().course, "Python");
    assert!(session
        .query::<Student>()
        .filter_by(Student::name, "Nobody")
        .first()
        .unwrap()
        .is_none());
    // Two filter_by terms are ANDed.
    let both = session
        .query::<Student>()
        .filter_by(Student::course, "Python")
        .filter_by(Student::name, "Ravi")
        .all()
        .unwrap();
    assert_eq!(names(&both), ["Ravi"]);
    // first() follows order_by.
    let last = session
        .query::<Student>()
        .filter_by(Student::course, "Python")
        .order_by(Student::name.desc())
        .first()
        .unwrap()
        .unwrap();
    assert_eq!(last.read().name, "Ravi");
    // The same row through another query is the same handle.
    let again = session
        .query::<Student>()
        .filter(Student::name.eq("Naresh"))
        .first()
        .unwrap()
        .unwrap();
    assert!(Handle::ptr_eq(&s, &again));
}

fn order_by_limit_offset_count(db: &TestDb) {
    setup(db);
    let list = [
        "Hari", "Asha", "Gita", "Bala", "Farah", "Chitra", "Esha", "Dev",
    ];
    let pairs: Vec<(&str, &str)> = list
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, if i % 2 == 0 { "Python" } else { "Rust" }))
        .collect();
    seed(db, &pairs);
    let mut s = Session::new(&db.engine);

    assert_eq!(s.query::<Student>().count().unwrap(), 8);
    assert_eq!(
        s.query::<Student>()
            .filter(Student::course.eq("Rust"))
            .count()
            .unwrap(),
        4
    );

    let page = |s: &mut Session, offset: u64| -> Vec<String> {
        names(
            &s.query::<Student>()
                .order_by(Student::name)
                .limit(3)
                .offset(offset)
                .all()
                .unwrap(),
        )
    };
    assert_eq!(page(&mut s, 0), ["Asha", "Bala", "Chitra"]);
    assert_eq!(page(&mut s, 3), ["Dev", "Esha", "Farah"]);
    assert_eq!(page(&mut s, 6), ["Gita", "Hari"]);
    assert!(page(&mut s, 9).is_empty());
    // OFFSET without LIMIT.
    let tail = s
        .query::<Student>()
        .order_by(Student::name)
        .offset(6)
        .all()
        .unwrap();
    assert_eq!(names(&tail), ["Gita", "Hari"]);

    let desc = s
        .query::<Student>()
        .filter(Student::course.eq("Python"))
        .order_by(Student::name.desc())
        .all()
        .unwrap();
    assert_eq!(names(&desc), ["Hari", "Gita", "Farah", "Esha"]);
    // Two ordering terms.
    let by_course = s
        .query::<Student>()
        .order_by(Student::course.desc())
        .order_by(Student::name)
        .limit(2)
        .all()
        .unwrap();
    assert_eq!(names(&by_course), ["Asha", "Bala"]);

    // count honours limit and offset.
    assert_eq!(s.query::<Student>().limit(5).count().unwrap(), 5);
    assert_eq!(s.query::<Student>().offset(6).limit(5).count().unwrap(), 2);
    assert_eq!(s.query::<Student>().offset(6).count().unwrap(), 2);
    assert_eq!(
        s.query::<Student>()
            .filter(Student::course.eq("Rust"))
            .order_by(Student::name)
            .limit(3)
            .count()
            .unwrap(),
        3
    );
    // count autoflushes.
    s.add(student("Zara", "Go"));
    assert_eq!(s.query::<Student>().count().unwrap(), 9);
    s.rollback().unwrap();
    assert_eq!(s.query::<Student>().count().unwrap(), 8);
}

fn one_and_one_or_none(db: &TestDb) {
    setup(db);
    seed(
        db,
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
    assert_eq!(e.kind(), ErrorKind::MultipleRows, "{e}");

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
    // The errors leave the session usable.
    assert_eq!(s.query::<Student>().count().unwrap(), 3);
    h.write().course = "Rust".into();
    s.commit().unwrap();
    let id = h.read().id.unwrap();
    assert_eq!(student_row(db, id), Some(("Asha".into(), "Rust".into())));
}

crate::backend_tests!(
    query_all_and_filter,
    filter_by_and_first,
    order_by_limit_offset_count,
    one_and_one_or_none,
);

mod exists {
    use super::*;

    fn exists_reports_whether_rows_match(db: &TestDb) {
        setup(db);
        seed(db, &[("Gita", "Python"), ("Hari", "Rust")]);
        let mut s = Session::new(&db.engine);
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
        assert!(s.query::<Student>().exists().unwrap());
        // exists() autoflushes.
        s.add(student("Zara", "Go"));
        assert!(s
            .query::<Student>()
            .filter(Student::name.eq("Zara"))
            .exists()
            .unwrap());
        s.rollback().unwrap();
        assert!(!s
            .query::<Student>()
            .filter(Student::name.eq("Zara"))
            .exists()
            .unwrap());
        assert!(!s.query::<Course>().exists().unwrap());
    }

    backend_tests_with!(exists_reports_whether_rows_match {
        sqlite: [],
        postgres: [],
        mysql: [],
    });
}

mod exact_strings {
    use super::*;

    /// `=` and UNIQUE compare strings exactly: case counts everywhere; trailing spaces count
    /// except on MySQL/MariaDB, whose binary collation pads.
    fn string_equality_is_exact(db: &TestDb) {
        setup(db);
        seed(
            db,
            &[
                ("Naresh", "Python"),
                ("naresh", "Python"),
                ("Naresh ", "Go"),
            ],
        );
        let mut s = Session::new(&db.engine);
        let hs = s
            .query::<Student>()
            .filter(Student::name.eq("Naresh"))
            .all()
            .unwrap();
        if db.backend == Backend::MySql {
            // utf8mb4_bin is a PAD SPACE collation (the NO PAD binary collations differ
            // between MySQL 8 and MariaDB): trailing spaces do not count in comparisons.
            assert_eq!(hs.len(), 2, "{hs:?}");
        } else {
            assert_eq!(hs.len(), 1, "{hs:?}");
            assert_eq!(hs[0].read().course, "Python");
            let hs = s
                .query::<Student>()
                .filter(Student::name.eq("Naresh "))
                .all()
                .unwrap();
            assert_eq!(hs.len(), 1, "{hs:?}");
            assert_eq!(hs[0].read().course, "Go");
        }
        // Case always counts.
        let lower = s
            .query::<Student>()
            .filter(Student::name.eq("naresh"))
            .all()
            .unwrap();
        assert_eq!(lower.len(), 1, "{lower:?}");
        s.add(with_email("A", "Case@example.com"));
        s.add(with_email("B", "case@example.com"));
        s.commit().unwrap();
        assert_eq!(count(db, "students"), 5);
    }

    crate::backend_tests!(string_equality_is_exact);
}
