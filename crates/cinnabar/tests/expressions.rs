//! The expressions of issue 14 executed on SQLite, PostgreSQL and MariaDB (one test per
//! backend, see `support`): CASE, CAST, COALESCE/NULLIF, arithmetic and concatenation, any
//! function through `call`, scalar and correlated subqueries, EXISTS, IN (subquery), row
//! values (also through their AND/OR expansion, compiled by a dialect without row values
//! and run on each server), and the portable date/time functions (feature `chrono`).
//!
//! Each query's result is compared with what the data says it must be; the golden SQL is in
//! `cinnabar-core/tests/golden_expr.rs`.

#[macro_use]
mod support;

use cinnabar::dialect::{compile, Dialect};
use cinnabar::func::{call, cast, nullif, scalar};
use cinnabar::prelude::*;
use cinnabar::sql::{Condition, Select, Statement};
use cinnabar::types::{kind, SqlType};
use cinnabar::Value;
use support::TestDb;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "x_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    first: String,
    last: String,
    nickname: Option<String>,
    age: i32,
    gpa: f64,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "x_enrollments")]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    student_id: i64,
    course: String,
    mark: Option<i32>,
}

/// Ann, Bob (Smiths), Cid (Jones) and Dee (Adams, no enrolment); marks 90/70, 40/NULL, 65.
fn seed(db: &TestDb) {
    db.create_tables(&[Student::table(), Enrollment::table()]);
    let mut s = Session::new(&db.engine);
    let people = [
        ("Ann", "Smith", None, 20, 3.9),
        ("Bob", "Smith", Some("Bobby"), 22, 2.7),
        ("Cid", "Jones", None, 19, 3.1),
        ("Dee", "Adams", Some("D"), 25, 1.8),
    ];
    for (first, last, nickname, age, gpa) in people {
        s.add(Student {
            id: None,
            first: first.into(),
            last: last.into(),
            nickname: nickname.map(Into::into),
            age,
            gpa,
        });
    }
    s.commit().unwrap();
    let ids: Vec<i64> = column(db, students().column(Student::id));
    for (who, course, mark) in [
        (0, "Python", Some(90)),
        (0, "SQL", Some(70)),
        (1, "Python", Some(40)),
        (1, "SQL", None),
        (2, "Python", Some(65)),
    ] {
        s.add(Enrollment {
            id: None,
            student_id: ids[who],
            course: course.into(),
            mark,
        });
    }
    s.commit().unwrap();
}

/// The students, in key order.
fn students() -> Select {
    Select::from("x_students").order_by(Student::id)
}

fn rows<T: FromRow>(db: &TestDb, select: Select) -> Vec<T> {
    let mut conn = db.engine.connect().unwrap();
    conn.query_as::<T>(select)
        .unwrap_or_else(|e| panic!("{:?}: {e}", db.backend))
}

fn column<T: cinnabar::FromSql>(db: &TestDb, select: Select) -> Vec<T> {
    rows::<(T,)>(db, select).into_iter().map(|(v,)| v).collect()
}

fn error_of(db: &TestDb, select: Select) -> cinnabar::Error {
    let mut conn = db.engine.connect().unwrap();
    match conn.query_as::<(Option<String>,)>(select) {
        Ok(r) => panic!("{:?} ran what it should refuse: {r:?}", db.backend),
        Err(e) => e,
    }
}

fn case_expressions(db: &TestDb) {
    seed(db);
    let grade = case()
        .when(Student::gpa.ge(3.5), "A")
        .when(Student::gpa.ge(2.5), "B")
        .else_("C");
    assert_eq!(
        rows::<(String, String)>(db, students().column(Student::first).column(grade)),
        [("Ann", "A"), ("Bob", "B"), ("Cid", "B"), ("Dee", "C")].map(|(a, b)| (a.into(), b.into()))
    );
    // No ELSE: NULL where nothing matches.
    let old = case().when(Student::age.gt(21), "old").end();
    assert_eq!(
        column::<Option<String>>(db, students().column(old)),
        [None, Some("old".into()), None, Some("old".into())]
    );
    // Simple CASE with integer results only (typed for PostgreSQL).
    let family = case_on(Student::last)
        .when("Smith", 1)
        .when("Jones", 2)
        .end();
    assert_eq!(
        column::<Option<i64>>(db, students().column(family)),
        [Some(1), Some(1), Some(2), None]
    );
    // The usual report: SUM(CASE WHEN .. THEN 1 ELSE 0 END). SUM is a NUMERIC on PostgreSQL
    // and a DECIMAL on MariaDB: read as an i64 all the same.
    let passed = case().when(Enrollment::mark.ge(50), 1).else_(0).sum();
    assert_eq!(
        column::<i64>(db, Select::from("x_enrollments").column(passed)),
        [3]
    );
    // CASE in WHERE and ORDER BY.
    let rank = case().when(Student::last.eq("Jones"), 0).else_(1);
    assert_eq!(
        column::<String>(
            db,
            Select::from("x_students")
                .column(Student::first)
                .filter(rank.clone().eq(1))
                .order_by(rank.desc())
                .order_by(Student::first.desc())
        ),
        ["Dee", "Bob", "Ann"]
    );
    // An empty CASE never reaches the server.
    let e = error_of(db, students().column(case::<kind::Text>().end()));
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

fn casts(db: &TestDb) {
    seed(db);
    assert_eq!(
        column::<String>(db, students().column(cast::<String>(Student::age))),
        ["20", "22", "19", "25"]
    );
    assert_eq!(
        column::<f64>(db, students().column(Student::age.cast::<f64>()).limit(1)),
        [20.0]
    );
    // A bound text converted by the database.
    assert_eq!(
        column::<i64>(db, students().column(cast::<i64>("42")).limit(1)),
        [42]
    );
    assert_eq!(
        column::<i64>(
            db,
            students()
                .column(Student::age)
                .filter(cast::<i64>(Student::age.cast::<String>()).eq(22))
        ),
        [22]
    );
    // A cast the dialect cannot write is an error before anything is sent.
    let dialect = db.engine.connect().unwrap().dialect();
    let q = students().column(Student::age.gt(21).cast::<bool>());
    if dialect.cast_spelling(SqlType::Boolean).is_none() {
        let e = error_of(db, q);
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("no CAST to Boolean"), "{e}");
    } else {
        assert_eq!(column::<bool>(db, q), [false, true, false, true]);
    }
}

fn coalesce_nullif_arithmetic_and_concatenation(db: &TestDb) {
    seed(db);
    assert_eq!(
        column::<String>(
            db,
            students().column(coalesce((Student::nickname, Student::first)))
        ),
        ["Ann", "Bobby", "Cid", "D"]
    );
    assert_eq!(
        column::<String>(db, students().column(Student::nickname.coalesce("-"))),
        ["-", "Bobby", "-", "D"]
    );
    assert_eq!(
        column::<Option<i64>>(db, students().column(nullif(Student::age, 20))),
        [None, Some(22), Some(19), Some(25)]
    );
    assert_eq!(
        rows::<(i64, i64, i64, i64)>(
            db,
            students()
                .column(-Student::age)
                .column(Student::age.int_div(3))
                .column((-Student::age).int_div(3))
                .column(Student::age.modulo(7).add(Student::age.mul(2)))
                .limit(2)
        ),
        [(-20, 6, -6, 46), (-22, 7, -7, 45)]
    );
    // `||` on SQLite and PostgreSQL, CONCAT() on MariaDB, nested; a NULL makes it NULL
    // on all three.
    assert_eq!(
        column::<Option<String>>(
            db,
            students().column(Student::first.concat(" ").concat(Student::last).concat("!"))
        )[0],
        Some("Ann Smith!".into())
    );
    assert_eq!(
        column::<Option<String>>(
            db,
            students().column(Student::first.concat(Student::nickname.coalesce(None::<String>)))
        ),
        [None, Some("BobBobby".into()), None, Some("DeeD".into())]
    );
    // Arity is checked before anything is sent.
    let e = error_of(db, students().column(coalesce(vec![Student::first])));
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

fn any_function_through_call(db: &TestDb) {
    seed(db);
    assert_eq!(
        rows::<(String, String, i64)>(
            db,
            students()
                .column(call::<kind::Text>("upper", (Student::first,)))
                .column(call::<kind::Text>("REPLACE", (Student::first, "n", "N")))
                .column(call::<kind::Integer>("abs", (-Student::age,)))
                .limit(1)
        ),
        [("ANN".into(), "ANN".into(), 20)]
    );
    for bad in [
        "upper(x); DROP TABLE x_students; --",
        "up per",
        "a.b.c",
        "1f",
    ] {
        let e = error_of(
            db,
            students().column(call::<kind::Text>(bad.to_owned(), (Student::first,))),
        );
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.to_string().contains(bad), "{e}");
    }
    // The table is still there.
    assert_eq!(column::<i64>(db, students().column(Student::id)).len(), 4);
}

fn best_mark() -> Select {
    Select::from("x_enrollments")
        .column(Enrollment::mark.max())
        .filter(Enrollment::student_id.eq(Student::id))
}

fn subqueries(db: &TestDb) {
    seed(db);
    // Correlated scalar subquery in the select list; NULL without a row.
    assert_eq!(
        rows::<(String, Option<i64>)>(
            db,
            students()
                .column(Student::first)
                .column(scalar::<kind::Integer>(best_mark()))
        ),
        [
            ("Ann".into(), Some(90)),
            ("Bob".into(), Some(40)),
            ("Cid".into(), Some(65)),
            ("Dee".into(), None)
        ]
    );
    // Correlated, in WHERE: students whose best mark is at least 60.
    assert_eq!(
        column::<String>(
            db,
            students()
                .column(Student::first)
                .filter(scalar::<kind::Integer>(best_mark()).ge(60))
        ),
        ["Ann", "Cid"]
    );
    // Uncorrelated: older than the average age (21.5).
    let avg_age = Select::from("x_students").column(Student::age.avg());
    assert_eq!(
        column::<String>(
            db,
            students()
                .column(Student::first)
                .filter(Student::age.cast::<f64>().gt(scalar(avg_age)))
        ),
        ["Bob", "Dee"]
    );
    let enrolled = || Select::from("x_enrollments").filter(Enrollment::student_id.eq(Student::id));
    assert_eq!(
        column::<String>(
            db,
            students().column(Student::first).filter(exists(enrolled()))
        ),
        ["Ann", "Bob", "Cid"]
    );
    assert_eq!(
        column::<String>(
            db,
            students()
                .column(Student::first)
                .filter(not_exists(enrolled()))
        ),
        ["Dee"]
    );
    let passed_python = || {
        Select::from("x_enrollments")
            .column(Enrollment::student_id)
            .filter(Enrollment::course.eq("Python"))
            .filter(Enrollment::mark.ge(50))
    };
    assert_eq!(
        column::<String>(
            db,
            students()
                .column(Student::first)
                .filter(Student::id.in_select(passed_python()))
        ),
        ["Ann", "Cid"]
    );
    assert_eq!(
        column::<String>(
            db,
            students()
                .column(Student::first)
                .filter(Student::id.not_in_select(passed_python()))
        ),
        ["Bob", "Dee"]
    );
}

fn row_values(db: &TestDb) {
    seed(db);
    let names = |c: Condition| -> Vec<String> {
        column(
            db,
            Select::from("x_students")
                .column(Student::first)
                .filter(c)
                .order_by(Student::last)
                .order_by(Student::first),
        )
    };
    let name = || tuple((Student::last, Student::first));
    assert_eq!(names(name().gt(("Jones", "Zed"))), ["Ann", "Bob"]);
    assert_eq!(names(name().gt(("Smith", "Ann"))), ["Bob"]);
    assert_eq!(names(name().ge(("Smith", "Ann"))), ["Ann", "Bob"]);
    assert_eq!(names(name().lt(("Jones", "Cid"))), ["Dee"]);
    assert_eq!(names(name().le(("Jones", "Cid"))), ["Dee", "Cid"]);
    assert_eq!(names(name().eq(("Smith", "Bob"))), ["Bob"]);
    assert_eq!(names(name().ne(("Smith", "Bob"))), ["Dee", "Cid", "Ann"]);
    assert_eq!(
        names(tuple((Student::last, Student::age)).in_([
            ("Smith", 22),
            ("Jones", 19),
            ("Adams", 99)
        ])),
        ["Cid", "Bob"]
    );
    assert_eq!(
        names(tuple((Student::last, Student::age)).not_in([("Smith", 22), ("Jones", 19)])),
        ["Dee", "Ann"]
    );
    // Each student's best enrolment, through (student, mark) IN (SELECT student, MAX(mark)).
    let best = Select::from("x_enrollments")
        .column(Enrollment::student_id)
        .column(Enrollment::mark.max())
        .group_by(Enrollment::student_id);
    assert_eq!(
        rows::<(String, i64)>(
            db,
            Select::from("x_enrollments")
                .column(Enrollment::course)
                .column(Enrollment::mark)
                .filter(tuple((Enrollment::student_id, Enrollment::mark)).in_select(best))
                .order_by(Enrollment::student_id)
        ),
        [
            ("Python".into(), 90),
            ("Python".into(), 40),
            ("Python".into(), 65)
        ]
    );
}

/// The connection's dialect with row values switched off: the AND/OR expansion, run on the
/// real server.
#[derive(Debug)]
struct WithoutRowValues(&'static dyn Dialect);

impl Dialect for WithoutRowValues {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn supports_row_values(&self) -> bool {
        false
    }
    fn quote_identifier(&self, out: &mut String, ident: &str) {
        self.0.quote_identifier(out, ident)
    }
    fn write_placeholder(&self, out: &mut String, n: usize) {
        self.0.write_placeholder(out, n)
    }
    fn column_type(&self, column: &cinnabar::Column, keyed: bool) -> String {
        self.0.column_type(column, keyed)
    }
    fn autoincrement_primary_key(&self, column: &cinnabar::Column) -> String {
        self.0.autoincrement_primary_key(column)
    }
    fn max_bind_params(&self) -> usize {
        self.0.max_bind_params()
    }
    fn write_limit_offset(&self, out: &mut String, limit: Option<u64>, offset: Option<u64>) {
        self.0.write_limit_offset(out, limit, offset)
    }
}

/// A condition on (last, age) built from a key.
type KeyCondition = fn((&'static str, i32)) -> Condition;

fn row_value_expansion_matches_row_values(db: &TestDb) {
    seed(db);
    let mut conn = db.engine.connect().unwrap();
    let native = conn.dialect();
    let expanded = WithoutRowValues(native);
    let run = |conn: &mut Connection, d: &dyn Dialect, c: Condition| -> Vec<i64> {
        let q = Statement::Select(
            Select::from("x_students")
                .column(Student::id)
                .filter(c)
                .order_by(Student::id),
        );
        let compiled = compile(d, &q).unwrap();
        let params: Vec<_> = compiled.params.iter().map(Value::as_ref).collect();
        let mut ids = Vec::new();
        conn.run(
            &compiled.sql,
            &params,
            Some(&mut |row: &dyn cinnabar::Row| {
                ids.push(<(i64,) as FromRow>::from_row(row)?.0);
                Ok(())
            }),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", compiled.sql));
        ids
    };
    let keys = [
        ("Adams", 25),
        ("Jones", 18),
        ("Jones", 19),
        ("Smith", 20),
        ("Smith", 21),
        ("Zed", 0),
    ];
    let mut checked = 0;
    for key in keys {
        let conds: [KeyCondition; 6] = [
            |k| tuple((Student::last, Student::age)).gt(k),
            |k| tuple((Student::last, Student::age)).ge(k),
            |k| tuple((Student::last, Student::age)).lt(k),
            |k| tuple((Student::last, Student::age)).le(k),
            |k| tuple((Student::last, Student::age)).eq(k),
            |k| tuple((Student::last, Student::age)).ne(k),
        ];
        for cond in conds {
            let a = run(&mut conn, native, cond(key));
            let b = run(&mut conn, &expanded, cond(key));
            assert_eq!(a, b, "{key:?}");
            checked += 1;
        }
        let a = run(
            &mut conn,
            native,
            tuple((Student::last, Student::age)).in_([key, ("Smith", 22)]),
        );
        let b = run(
            &mut conn,
            &expanded,
            tuple((Student::last, Student::age)).in_([key, ("Smith", 22)]),
        );
        assert_eq!(a, b, "IN {key:?}");
    }
    assert_eq!(checked, 36);
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "x_points")]
struct Point {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    a: i64,
    b: i64,
    c: i64,
}

/// Row-value comparisons of three columns against Rust's tuple ordering (the oracle), for
/// 150 pseudo-random keys and each operator over 64 rows from small domains (many ties): as
/// the connection's dialect writes them (native on SQLite and PostgreSQL, expanded for `<`,
/// `<=`, `>`, `>=` on MariaDB) and as the AND/OR expansion.
/// Rust's answer for one point and key.
type Oracle = fn(&(i64, i64, i64), &(i64, i64, i64)) -> bool;

fn row_value_comparisons_agree_with_tuple_ordering(db: &TestDb) {
    db.create_tables(&[Point::table()]);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n) as i64
    };
    let mut s = Session::new(&db.engine);
    let mut points = Vec::new();
    for _ in 0..64 {
        let p = (next(3), next(3), next(4));
        points.push(p);
        s.add(Point {
            id: None,
            a: p.0,
            b: p.1,
            c: p.2,
        });
    }
    s.commit().unwrap();
    let mut conn = db.engine.connect().unwrap();
    let native = conn.dialect();
    let expanded = WithoutRowValues(native);
    let count = |conn: &mut Connection, d: &dyn Dialect, c: Condition| -> i64 {
        let q = Statement::Select(Select::from("x_points").column(count_star()).filter(c));
        let compiled = compile(d, &q).unwrap();
        let params: Vec<_> = compiled.params.iter().map(Value::as_ref).collect();
        let mut n = -1;
        conn.run(
            &compiled.sql,
            &params,
            Some(&mut |row: &dyn cinnabar::Row| {
                n = <(i64,) as FromRow>::from_row(row)?.0;
                Ok(())
            }),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", compiled.sql));
        n
    };
    let row = || tuple((Point::a, Point::b, Point::c));
    for _ in 0..150 {
        let key = (next(4) - 1, next(4) - 1, next(5) - 1);
        let cases: [(&str, Condition, Oracle); 6] = [
            (">", row().gt(key), |p, k| p > k),
            (">=", row().ge(key), |p, k| p >= k),
            ("<", row().lt(key), |p, k| p < k),
            ("<=", row().le(key), |p, k| p <= k),
            ("=", row().eq(key), |p, k| p == k),
            ("<>", row().ne(key), |p, k| p != k),
        ];
        for (op, cond, oracle) in cases {
            let want = points.iter().filter(|p| oracle(p, &key)).count() as i64;
            assert_eq!(count(&mut conn, native, cond.clone()), want, "{op} {key:?}");
            assert_eq!(
                count(&mut conn, &expanded, cond),
                want,
                "expanded {op} {key:?}"
            );
        }
    }
}

#[cfg(feature = "chrono")]
mod dates {
    use super::*;
    use cinnabar::chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
    use cinnabar::func::{add_days, current_date, current_timestamp, extract};
    use cinnabar::sql::DatePart;

    #[derive(Model, Debug, Clone)]
    #[cinnabar(table = "x_events")]
    pub(super) struct Event {
        #[cinnabar(primary_key)]
        id: Option<i64>,
        day: NaiveDate,
        at: NaiveDateTime,
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(super) fn date_and_time_functions(db: &TestDb) {
        db.create_tables(&[Event::table()]);
        let mut s = Session::new(&db.engine);
        s.add(Event {
            id: None,
            day: date(2024, 2, 29),
            at: date(2023, 12, 31)
                .and_hms_micro_opt(13, 45, 59, 750_000)
                .unwrap(),
        });
        s.commit().unwrap();
        let events = || Select::from("x_events");
        assert_eq!(
            rows::<(i64, i64, i64, i64, i64, i64)>(
                db,
                events()
                    .column(Event::day.year())
                    .column(Event::day.month())
                    .column(extract(DatePart::Day, Event::day))
                    .column(Event::at.hour())
                    .column(Event::at.minute())
                    .column(Event::at.second())
            ),
            [(2024, 2, 29, 13, 45, 59)]
        );
        assert_eq!(
            rows::<(i64, i64)>(
                db,
                events().column(Event::day.hour()).column(Event::at.year())
            ),
            [(0, 2023)]
        );
        assert_eq!(
            rows::<(NaiveDate, NaiveDate, NaiveDate)>(
                db,
                events()
                    .column(Event::day.add_days(1))
                    .column(add_days(Event::day, -30))
                    .column(Event::day.add_days(Event::day.day().mul(0).add(366)))
            ),
            [(date(2024, 3, 1), date(2024, 1, 30), date(2025, 3, 1))]
        );
        // The database's clock, in UTC.
        let (today, now) = rows::<(NaiveDate, NaiveDateTime)>(
            db,
            events().column(current_date()).column(current_timestamp()),
        )[0];
        let utc = Utc::now().naive_utc();
        assert!(
            (today - utc.date()).num_days().abs() <= 1,
            "{today} vs {utc}"
        );
        assert!((now - utc).num_seconds().abs() < 300, "{now} vs {utc}");
        assert_eq!(
            column::<i64>(
                db,
                events()
                    .column(Event::id)
                    .filter(Event::day.lt(current_date()))
            )
            .len(),
            1
        );
        // Timestamps and times cast from dates and timestamps (SQLite: strftime, to the
        // millisecond).
        assert_eq!(
            rows::<(NaiveDateTime, NaiveTime)>(
                db,
                events()
                    .column(Event::day.cast::<NaiveDateTime>())
                    .column(Event::at.cast::<NaiveTime>())
            ),
            [(
                date(2024, 2, 29).and_hms_opt(0, 0, 0).unwrap(),
                NaiveTime::from_hms_milli_opt(13, 45, 59, 750).unwrap()
            )]
        );
        // Dates cast from text and back.
        assert_eq!(
            column::<NaiveDate>(db, events().column(cast::<NaiveDate>("2024-02-29"))),
            [date(2024, 2, 29)]
        );
        assert_eq!(
            column::<i64>(
                db,
                events()
                    .column(Event::id)
                    .filter(Event::day.eq(cast::<NaiveDate>(
                        Event::at.cast::<NaiveDate>().add_days(60)
                    )))
            )
            .len(),
            1
        );
    }
}

#[cfg(feature = "chrono")]
use dates::date_and_time_functions;

#[cfg(feature = "chrono")]
backend_tests!(
    case_expressions,
    casts,
    coalesce_nullif_arithmetic_and_concatenation,
    any_function_through_call,
    subqueries,
    row_values,
    row_value_expansion_matches_row_values,
    row_value_comparisons_agree_with_tuple_ordering,
    date_and_time_functions,
);

#[cfg(not(feature = "chrono"))]
backend_tests!(
    case_expressions,
    casts,
    coalesce_nullif_arithmetic_and_concatenation,
    any_function_through_call,
    subqueries,
    row_values,
    row_value_expansion_matches_row_values,
    row_value_comparisons_agree_with_tuple_ordering,
);
