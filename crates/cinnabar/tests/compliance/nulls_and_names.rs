//! Comparisons with NULL (`eq(None)` is `IS NULL`), identifier limits (a name longer than
//! the backend allows is a typed error, never a silently truncated name) and raw SQL whose
//! parameter types only the bound values tell (PostgreSQL), on every backend.

use super::*;
use cinnabar::dialect::compile;
use cinnabar::schema::Column as ColumnDef;
use cinnabar::sql::Statement;
use cinnabar::types::SqlType;

/// Names of the students `q` finds, in key order.
fn names(q: cinnabar::Query<'_, Student>) -> Vec<String> {
    q.order_by(Student::id)
        .all()
        .unwrap()
        .iter()
        .map(|h| h.read().name.clone())
        .collect()
}

fn none_finds_null_rows_and_some_still_binds(db: &TestDb) {
    setup(db);
    let course = seed_courses(db, &["Python"])[0];
    let mut s = Session::new(&db.engine);
    s.add(Student {
        course_id: Some(course),
        email: Some("a@example.com".into()),
        ..student("A", "Python")
    });
    s.add(student("B", "Rust"));
    s.add(student("C", "Rust"));
    s.commit().unwrap();

    // A foreign-key column (the key of a relationship) and a plain nullable column.
    let none = None::<i64>;
    assert_eq!(
        names(s.query::<Student>().filter_by(Student::course_id, none)),
        ["B", "C"]
    );
    assert_eq!(
        names(s.query::<Student>().filter(Student::course_id.eq(none))),
        ["B", "C"]
    );
    assert_eq!(
        names(s.query::<Student>().filter(Student::course_id.ne(none))),
        ["A"]
    );
    assert_eq!(
        names(
            s.query::<Student>()
                .filter(Student::email.ne(None::<String>))
        ),
        ["A"]
    );
    assert_eq!(
        names(
            s.query::<Student>()
                .filter_by(Student::course_id, Some(course))
        ),
        ["A"]
    );
    assert_eq!(
        s.query::<Student>()
            .filter_by(Student::course_id, none)
            .count()
            .unwrap(),
        2
    );

    // The SQL: IS [NOT] NULL without a parameter; Some(x) is still `= <placeholder>`.
    let d = db.engine.dialect();
    let sql =
        |q: cinnabar::Query<'_, Student>| compile(d, &Statement::Select(q.statement())).unwrap();
    let c = sql(s.query::<Student>().filter_by(Student::course_id, none));
    assert!(
        c.sql.ends_with("\"course_id\" IS NULL") || c.sql.ends_with("`course_id` IS NULL"),
        "{}",
        c.sql
    );
    assert!(c.params.is_empty(), "{:?}", c.params);
    let c = sql(s.query::<Student>().filter(Student::course_id.ne(none)));
    assert!(c.sql.contains("IS NOT NULL"), "{}", c.sql);
    let c = sql(s
        .query::<Student>()
        .filter_by(Student::course_id, Some(course)));
    assert!(!c.sql.contains("NULL") && c.params.len() == 1, "{}", c.sql);

    // Set-based statements use the same comparison.
    let n = s
        .execute_bulk(
            update::<Student>()
                .filter(Student::course_id.eq(none))
                .set(Student::course, "Go"),
        )
        .unwrap();
    assert_eq!(n, 2);
    let n = s
        .execute_bulk(delete::<Student>().filter(Student::email.eq(None::<String>)))
        .unwrap();
    assert_eq!(n, 2);
    s.commit().unwrap();
    assert_eq!(names_in_db(db), ["A"]);
}

crate::backend_tests!(none_finds_null_rows_and_some_still_binds);
