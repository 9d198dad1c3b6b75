//! Comparisons with NULL (`eq(None)` is `IS NULL`), identifier limits (a name longer than
//! the backend allows is a typed error, never a silently truncated name) and raw SQL whose
//! parameter types only the bound values tell (PostgreSQL), on every backend.

use super::*;
use cinnabar::dialect::compile;
use cinnabar::schema::Column as ColumnDef;
use cinnabar::sql::{Select, Statement};
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

/// A table of two columns called `name`.
fn long_table(name: &str) -> cinnabar::Table {
    cinnabar::Table::new(name)
        .column(ColumnDef::new("id", SqlType::BigInt).primary_key())
        .column(ColumnDef::new("label", SqlType::Text(Some(20))).nullable())
}

fn long_table_names_are_refused_not_truncated(db: &TestDb) {
    // Two 70-character names that share their first 63 bytes: PostgreSQL would cut both to
    // the same table.
    let prefix = "t".repeat(65);
    let (a, b) = (format!("{prefix}_aaaa"), format!("{prefix}_bbbb"));
    let md = MetaData::new().with(long_table(&a)).with(long_table(&b));
    let result = md.create_all(&db.engine);
    if db.backend == Backend::Sqlite {
        // No limit: two distinct tables.
        result.unwrap();
        let mut c = conn(db);
        c.execute(text(format!("INSERT INTO \"{a}\" (id) VALUES (1)")))
            .unwrap();
        assert_eq!(count(db, &format!("\"{b}\"")), 0);
        return;
    }
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong, "{e}");
    let m = e.to_string();
    assert!(m.contains(&a) && m.contains("70"), "{m}");
    assert!(m.contains(db.engine.dialect().name()), "{m}");
    // Nothing was created under the name the server would have cut it to.
    let e = conn(db)
        .execute(text(format!("SELECT COUNT(*) FROM {}", &a[..63])))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Database, "{e}");
    // drop_all refuses the same names instead of dropping a truncated namesake.
    let e = md.drop_all(&db.engine).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong, "{e}");
    // A statement naming it fails the same way, before reaching the server.
    let e = conn(db)
        .execute(Select::from(a.clone()).column(count_star()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong, "{e}");
}

fn nul_in_a_name_is_misuse_not_a_driver_error(db: &TestDb) {
    let e = MetaData::new()
        .with(long_table("bad\0name"))
        .create_all(&db.engine)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("NUL"), "{e}");
    let e = conn(db)
        .execute(Select::from("bad\0name").column(count_star()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

crate::backend_tests!(
    none_finds_null_rows_and_some_still_binds,
    long_table_names_are_refused_not_truncated,
    nul_in_a_name_is_misuse_not_a_driver_error,
);
