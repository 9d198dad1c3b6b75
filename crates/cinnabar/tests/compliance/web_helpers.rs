//! Flask-SQLAlchemy's conveniences on every backend: `Query::paginate` and its `Page`,
//! `Session::get_or_404` / `Query::first_or_404` (a `NoRow` error naming the model and key),
//! and `Session::statement_count` (what a page footer shows).

use super::*;

/// 23 students, `s00`..`s22`, in course `A` when even, `B` when odd.
fn seed_23(db: &TestDb) -> Vec<i64> {
    setup(db);
    let names: Vec<(String, &str)> = (0..23)
        .map(|i| (format!("s{i:02}"), if i % 2 == 0 { "A" } else { "B" }))
        .collect();
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    seed(db, &refs)
}

fn names(items: &[Handle<Student>]) -> Vec<String> {
    items.iter().map(|h| h.read().name.clone()).collect()
}

fn paginate_counts_pages_and_windows_the_rows(db: &TestDb) {
    seed_23(db);
    let mut s = Session::new(&db.engine);
    let first = s.query::<Student>().paginate(1, 10).unwrap();
    assert_eq!(
        (first.total, first.page, first.per_page, first.pages),
        (23, 1, 10, 3)
    );
    assert!(first.has_next && !first.has_prev);
    assert_eq!((first.next_page(), first.prev_page()), (Some(2), None));
    // No order_by: ordered by primary key, so the pages partition the rows.
    let expected: Vec<String> = (0..10).map(|i| format!("s{i:02}")).collect();
    assert_eq!(names(&first.items), expected);

    let last = s.query::<Student>().paginate(3, 10).unwrap();
    assert_eq!(names(&last.items), ["s20", "s21", "s22"]);
    assert!(!last.has_next && last.has_prev);
    assert_eq!((last.next_page(), last.prev_page()), (None, Some(2)));

    // Every row exactly once over all pages.
    let mut all = Vec::new();
    for p in 1..=3 {
        all.extend(names(&s.query::<Student>().paginate(p, 10).unwrap().items));
    }
    let every: Vec<String> = (0..23).map(|i| format!("s{i:02}")).collect();
    assert_eq!(all, every);

    // Past the end: empty, not an error, and the counters still right.
    let past = s.query::<Student>().paginate(9, 10).unwrap();
    assert!(past.items.is_empty());
    assert_eq!((past.total, past.pages), (23, 3));
    assert!(!past.has_next && past.has_prev);
}

fn paginate_keeps_filters_and_order(db: &TestDb) {
    seed_23(db);
    let mut s = Session::new(&db.engine);
    let page = s
        .query::<Student>()
        .filter_by(Student::course, "B")
        .order_by(Student::name.desc())
        .paginate(2, 4)
        .unwrap();
    // Odd students s01..s21 (11 of them), newest name first: page 2 is s13, s11, s09, s07.
    assert_eq!((page.total, page.pages), (11, 3));
    assert_eq!(names(&page.items), ["s13", "s11", "s09", "s07"]);
    assert!(page.has_next && page.has_prev);

    let none = s
        .query::<Student>()
        .filter_by(Student::course, "nothing")
        .paginate(1, 10)
        .unwrap();
    assert_eq!((none.total, none.pages, none.items.len()), (0, 0, 0));
    assert!(!none.has_next && !none.has_prev);
}

fn paginate_refuses_bad_pages(db: &TestDb) {
    seed_23(db);
    let mut s = Session::new(&db.engine);
    let e = s.query::<Student>().paginate(0, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    let fields: Vec<&str> = e
        .validation_errors()
        .unwrap()
        .errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["page", "per_page"]);
    let e = s.query::<Student>().paginate(u64::MAX, 1000).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    let e = s.query::<Student>().limit(3).paginate(1, 10).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

fn paginate_sees_the_sessions_unflushed_objects(db: &TestDb) {
    seed_23(db);
    let mut s = Session::new(&db.engine);
    s.add(student("s23", "A"));
    let page = s.query::<Student>().paginate(3, 10).unwrap();
    assert_eq!(page.total, 24, "autoflush before the count");
    assert_eq!(names(&page.items), ["s20", "s21", "s22", "s23"]);
    s.rollback().unwrap();
    assert_eq!(count(db, "students"), 23);
}

fn get_or_404_and_first_or_404_name_what_is_missing(db: &TestDb) {
    let ids = seed_23(db);
    let mut s = Session::new(&db.engine);
    let found = s.get_or_404::<Student>(ids[3]).unwrap();
    assert_eq!(found.read().name, "s03");
    let e = s.get_or_404::<Student>(999_999).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow);
    assert!(
        e.message().contains("Student") && e.message().contains("999999"),
        "{e}"
    );

    let first = s
        .query::<Student>()
        .filter_by(Student::course, "B")
        .order_by(Student::name)
        .first_or_404()
        .unwrap();
    assert_eq!(first.read().name, "s01");
    let e = s
        .query::<Student>()
        .filter_by(Student::name, "nobody")
        .first_or_404()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow);
    assert!(e.message().contains("Student"), "{e}");
}

fn statement_count_counts_queries_and_writes_across_commits(db: &TestDb) {
    let ids = seed_23(db);
    let mut s = Session::new(&db.engine);
    assert_eq!(s.statement_count(), 0);
    s.query::<Student>().all().unwrap();
    assert_eq!(s.statement_count(), 1);
    // From the identity map: no statement.
    s.get::<Student>(ids[0]).unwrap().unwrap();
    assert_eq!(s.statement_count(), 1);
    // A page is two statements: the count and the rows.
    s.query::<Student>().paginate(1, 5).unwrap();
    assert_eq!(s.statement_count(), 3);
    // Past the end, the row query is skipped.
    s.query::<Student>().paginate(10, 5).unwrap();
    assert_eq!(s.statement_count(), 4);
    // A change and a commit: one UPDATE; BEGIN and COMMIT are not counted, and the count
    // survives the connection going back to the pool.
    s.get::<Student>(ids[0]).unwrap().unwrap().write().course = "C".into();
    s.commit().unwrap();
    assert_eq!(s.statement_count(), 5);
    // Raw SQL counts too, and a rollback keeps the total.
    s.execute(text("SELECT 1")).unwrap();
    s.rollback().unwrap();
    assert_eq!(s.statement_count(), 6);
    // A fresh session starts from zero.
    assert_eq!(Session::new(&db.engine).statement_count(), 0);
}

backend_tests!(
    paginate_counts_pages_and_windows_the_rows,
    paginate_keeps_filters_and_order,
    paginate_refuses_bad_pages,
    paginate_sees_the_sessions_unflushed_objects,
    get_or_404_and_first_or_404_name_what_is_missing,
    statement_count_counts_queries_and_writes_across_commits,
);
