//! Exact SQL of the issue-14 expressions (CASE, CAST, COALESCE/NULLIF, arithmetic and
//! concatenation, date/time functions, `call`, scalar/correlated subqueries, EXISTS, IN
//! (subquery), row values) on SQLite, PostgreSQL and MySQL, with their bound parameters, and
//! the errors of what cannot be compiled.

#![allow(non_upper_case_globals)]

use cinnabar_core::dialect::{
    compile, Compiled, Dialect, MySqlDialect, PostgresDialect, SqliteDialect,
};
use cinnabar_core::schema::Column as ColumnDef;
use cinnabar_core::sql::{
    add_days, call, case, case_on, cast, coalesce, current_date, current_timestamp, exists,
    extract, not_exists, nullif, scalar, tuple, Column, DatePart, DateTimeExpression, Expr,
    Expression, ExpressionExt, Select, Statement, TextExpression, TypedExpr,
};
use cinnabar_core::types::{kind, SqlType};
use cinnabar_core::{ErrorKind, Value};

struct Student;
struct Enrollment;

impl Student {
    const id: Column<Student, i64> = Column::new("students", "id", 0);
    const first: Column<Student, String> = Column::new("students", "first", 1);
    const last: Column<Student, String> = Column::new("students", "last", 2);
    const nickname: Column<Student, Option<String>> = Column::new("students", "nickname", 3);
    const age: Column<Student, i32> = Column::new("students", "age", 4);
    const gpa: Column<Student, f64> = Column::new("students", "gpa", 5);
}

impl Enrollment {
    const student_id: Column<Enrollment, i64> = Column::new("enrollments", "student_id", 0);
    const mark: Column<Enrollment, Option<i32>> = Column::new("enrollments", "mark", 1);
    const course: Column<Enrollment, String> = Column::new("enrollments", "course", 2);
}

const SQLITE: SqliteDialect = SqliteDialect;
const PG: PostgresDialect = PostgresDialect;
const MYSQL: MySqlDialect = MySqlDialect;

fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn i(n: i64) -> Value {
    Value::Int(n)
}

fn compiled(d: &dyn Dialect, stmt: impl Into<Statement>) -> Compiled {
    let stmt = stmt.into();
    compile(d, &stmt).unwrap_or_else(|e| panic!("{} failed to compile {stmt:?}: {e}", d.name()))
}

/// Exact SQL and parameters on each of the three dialects.
#[track_caller]
fn assert_all(stmt: Select, sqlite: &str, pg: &str, mysql: &str, params: &[Value]) {
    for (d, want) in [
        (&SQLITE as &dyn Dialect, sqlite),
        (&PG, pg),
        (&MYSQL, mysql),
    ] {
        let c = compiled(d, stmt.clone());
        assert_eq!(c.sql, want, "SQL on {}", d.name());
        assert_eq!(c.params, params, "params on {}", d.name());
        assert_eq!(
            c.sql
                .matches(if d.name() == "postgresql" { '$' } else { '?' })
                .count(),
            c.params.len(),
            "placeholders on {}",
            d.name()
        );
    }
}

/// The error compiling `stmt` on `d`.
#[track_caller]
fn error_of(d: &dyn Dialect, stmt: Select) -> cinnabar_core::Error {
    match compile(d, &Statement::Select(stmt)) {
        Ok(c) => panic!("{} compiled what it should refuse: {}", d.name(), c.sql),
        Err(e) => e,
    }
}

fn students() -> Select {
    Select::from("students")
}

// ---------------------------------------------------------------------------------------------
// CASE

#[test]
fn searched_case_with_else() {
    let grade = case()
        .when(Student::gpa.ge(3.5), "A")
        .when(Student::gpa.ge(2.5), "B")
        .else_("C");
    assert_all(
        students().column(grade),
        r#"SELECT CASE WHEN "students"."gpa" >= ? THEN ? WHEN "students"."gpa" >= ? THEN ? ELSE ? END FROM "students""#,
        r#"SELECT CASE WHEN "students"."gpa" >= $1 THEN $2 WHEN "students"."gpa" >= $3 THEN $4 ELSE $5 END FROM "students""#,
        "SELECT CASE WHEN `students`.`gpa` >= ? THEN ? WHEN `students`.`gpa` >= ? THEN ? ELSE ? END FROM `students`",
        &[Value::Real(3.5), t("A"), Value::Real(2.5), t("B"), t("C")],
    );
}

#[test]
fn case_without_else_and_integer_results_typed_for_postgres() {
    // PostgreSQL types a parameter when preparing: in a CASE whose results are all
    // parameters an untyped one would be text, so non-text results say their type.
    let passed = case().when(Enrollment::mark.ge(50), 1).end();
    assert_all(
        Select::from("enrollments").column(passed),
        r#"SELECT CASE WHEN "enrollments"."mark" >= ? THEN ? END FROM "enrollments""#,
        r#"SELECT CASE WHEN "enrollments"."mark" >= $1 THEN CAST($2 AS BIGINT) END FROM "enrollments""#,
        "SELECT CASE WHEN `enrollments`.`mark` >= ? THEN ? END FROM `enrollments`",
        &[i(50), i(1)],
    );
}

#[test]
fn simple_case_compares_the_operand() {
    let label = case_on(Student::age)
        .when(18, "adult")
        .when(17, Student::first)
        .else_(Student::last);
    assert_all(
        students().column(label),
        r#"SELECT CASE "students"."age" WHEN ? THEN ? WHEN ? THEN "students"."first" ELSE "students"."last" END FROM "students""#,
        r#"SELECT CASE "students"."age" WHEN $1 THEN $2 WHEN $3 THEN "students"."first" ELSE "students"."last" END FROM "students""#,
        "SELECT CASE `students`.`age` WHEN ? THEN ? WHEN ? THEN `students`.`first` ELSE `students`.`last` END FROM `students`",
        &[i(18), t("adult"), i(17)],
    );
}

#[test]
fn case_in_a_filter_and_an_aggregate() {
    let points: TypedExpr<kind::Integer> = case()
        .when(Enrollment::mark.is_null(), 0)
        .else_(Enrollment::mark);
    let q = Select::from("enrollments")
        .column(points.clone().sum())
        .filter(points.gt(10));
    let c = compiled(&SQLITE, q);
    assert_eq!(
        c.sql,
        r#"SELECT SUM(CASE WHEN "enrollments"."mark" IS NULL THEN ? ELSE "enrollments"."mark" END) FROM "enrollments" WHERE CASE WHEN "enrollments"."mark" IS NULL THEN ? ELSE "enrollments"."mark" END > ?"#
    );
    assert_eq!(c.params, [i(0), i(0), i(10)]);
}

#[test]
fn empty_case_is_a_misuse_error() {
    let empty = case::<kind::Integer>().end();
    for d in [&SQLITE as &dyn Dialect, &PG, &MYSQL] {
        let e = error_of(d, students().column(empty.clone()));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.to_string().contains("CASE has no WHEN"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// CAST

#[test]
fn cast_is_spelled_per_dialect() {
    assert_all(
        students()
            .column(Student::age.cast::<i64>())
            .column(cast::<f64>(Student::age))
            .column(cast::<String>(Student::id)),
        r#"SELECT CAST("students"."age" AS INTEGER), CAST("students"."age" AS REAL), CAST("students"."id" AS TEXT) FROM "students""#,
        r#"SELECT CAST("students"."age" AS BIGINT), CAST("students"."age" AS DOUBLE PRECISION), CAST("students"."id" AS TEXT) FROM "students""#,
        "SELECT CAST(`students`.`age` AS SIGNED), CAST(`students`.`age` AS DOUBLE), CAST(`students`.`id` AS CHAR) FROM `students`",
        &[],
    );
}

#[test]
fn cast_of_a_bound_value_names_its_type_on_postgres() {
    assert_all(
        Select::default().column(cast::<i64>("42")),
        "SELECT CAST(? AS INTEGER)",
        "SELECT CAST(CAST($1 AS TEXT) AS BIGINT)",
        "SELECT CAST(? AS SIGNED)",
        &[t("42")],
    );
}

#[test]
fn cast_to_every_sql_type() {
    use SqlType::*;
    let expect: [(SqlType, &str, &str, Option<&str>); 12] = [
        (SmallInt, "INTEGER", "SMALLINT", Some("SIGNED")),
        (Integer, "INTEGER", "INTEGER", Some("SIGNED")),
        (Float, "REAL", "REAL", Some("FLOAT")),
        (Boolean, "INTEGER", "BOOLEAN", None),
        (Text(Some(20)), "TEXT", "VARCHAR(20)", Some("CHAR(20)")),
        (Blob, "BLOB", "BYTEA", Some("BINARY")),
        (Date, "date(x)", "DATE", Some("DATE")),
        (Time, "strftime('%H:%M:%f', x)", "TIME", Some("TIME(6)")),
        (
            DateTime,
            "strftime('%Y-%m-%d %H:%M:%f', x)",
            "TIMESTAMP",
            Some("DATETIME(6)"),
        ),
        (Uuid, "TEXT", "UUID", Some("CHAR(36)")),
        (
            Decimal(10, 2),
            "NUMERIC",
            "NUMERIC(10, 2)",
            Some("DECIMAL(10, 2)"),
        ),
        (Json, "TEXT", "JSONB", None),
    ];
    let of = |to: SqlType| {
        Select::default().column(Expr::Cast {
            expr: Box::new(Expr::Column(cinnabar_core::sql::ColumnRef::bare("x"))),
            to,
        })
    };
    for (to, sqlite, pg, mysql) in expect {
        // A lowercase spelling is a function around the operand `x`.
        let written = |ty: &str, quote: char| {
            if ty.starts_with(|c: char| c.is_ascii_lowercase()) {
                format!(
                    "SELECT {}",
                    ty.replace(", x)", &format!(", {quote}x{quote})"))
                        .replace("(x)", &format!("({quote}x{quote})"))
                )
            } else {
                format!("SELECT CAST({quote}x{quote} AS {ty})")
            }
        };
        assert_eq!(
            compiled(&SQLITE, of(to)).sql,
            written(sqlite, '"'),
            "{to:?}"
        );
        assert_eq!(compiled(&PG, of(to)).sql, written(pg, '"'), "{to:?}");
        match mysql {
            Some(ty) => assert_eq!(compiled(&MYSQL, of(to)).sql, written(ty, '`')),
            None => {
                let e = error_of(&MYSQL, of(to));
                assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
                assert!(e.to_string().contains(&format!("no CAST to {to:?}")), "{e}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// COALESCE, NULLIF, arithmetic, concatenation

#[test]
fn coalesce_and_nullif() {
    assert_all(
        students()
            .column(coalesce((Student::nickname, Student::first, "?")))
            .column(Student::nickname.coalesce("none"))
            .column(Student::gpa.div(nullif(Student::age, 0).cast::<f64>())),
        r#"SELECT COALESCE("students"."nickname", "students"."first", ?), COALESCE("students"."nickname", ?), "students"."gpa" / CAST(NULLIF("students"."age", ?) AS REAL) FROM "students""#,
        r#"SELECT COALESCE("students"."nickname", "students"."first", $1), COALESCE("students"."nickname", $2), "students"."gpa" / CAST(NULLIF("students"."age", $3) AS DOUBLE PRECISION) FROM "students""#,
        "SELECT COALESCE(`students`.`nickname`, `students`.`first`, ?), COALESCE(`students`.`nickname`, ?), `students`.`gpa` / CAST(NULLIF(`students`.`age`, ?) AS DOUBLE) FROM `students`",
        &[t("?"), t("none"), i(0)],
    );
}

#[test]
fn coalesce_of_fewer_than_two_is_an_arity_error() {
    let one = coalesce(vec![Student::first]);
    for d in [&SQLITE as &dyn Dialect, &PG, &MYSQL] {
        let e = error_of(d, students().column(one.clone()));
        assert_eq!(e.kind(), ErrorKind::Misuse);
        assert!(
            e.to_string()
                .contains("COALESCE takes at least 2 arguments, got 1"),
            "{e}"
        );
    }
}

#[test]
fn arithmetic_unary_minus_and_integer_division() {
    assert_all(
        students()
            .column(-Student::age)
            .column(-(Student::age.add(1)))
            .column(-(-Student::age))
            .column(Student::age.int_div(2))
            .column(Student::age.modulo(3).mul(Student::id)),
        r#"SELECT -"students"."age", -("students"."age" + ?), -(-"students"."age"), "students"."age" / ?, ("students"."age" % ?) * "students"."id" FROM "students""#,
        r#"SELECT -"students"."age", -("students"."age" + $1), -(-"students"."age"), "students"."age" / $2, ("students"."age" % $3) * "students"."id" FROM "students""#,
        "SELECT -`students`.`age`, -(`students`.`age` + ?), -(-`students`.`age`), `students`.`age` DIV ?, (`students`.`age` % ?) * `students`.`id` FROM `students`",
        &[i(1), i(2), i(3)],
    );
}

#[test]
fn nested_concatenation_with_a_null() {
    let full = Student::first
        .concat(" ")
        .concat(Student::last)
        .concat(None::<String>);
    assert_all(
        students().column(full),
        r#"SELECT (("students"."first" || ?) || "students"."last") || ? FROM "students""#,
        r#"SELECT (("students"."first" || $1) || "students"."last") || $2 FROM "students""#,
        "SELECT CONCAT(CONCAT(CONCAT(`students`.`first`, ?), `students`.`last`), ?) FROM `students`",
        &[t(" "), Value::Null],
    );
}

// ---------------------------------------------------------------------------------------------
// Date and time

#[cfg(feature = "chrono")]
struct Event;
#[cfg(feature = "chrono")]
impl Event {
    const on: Column<Event, chrono::NaiveDate> = Column::new("events", "on", 0);
}

fn date_col() -> TypedExpr<kind::Date> {
    TypedExpr::from_expr(Expr::Column(cinnabar_core::sql::ColumnRef::qualified(
        "events", "on",
    )))
}

fn ts_col() -> TypedExpr<kind::Timestamp> {
    TypedExpr::from_expr(Expr::Column(cinnabar_core::sql::ColumnRef::qualified(
        "events", "at",
    )))
}

#[test]
fn date_parts_per_dialect() {
    assert_all(
        Select::from("events")
            .column(date_col().year())
            .column(extract(DatePart::Second, ts_col())),
        r#"SELECT CAST(strftime('%Y', "events"."on") AS INTEGER), CAST(strftime('%S', "events"."at") AS INTEGER) FROM "events""#,
        r#"SELECT CAST(date_part('year', "events"."on") AS INTEGER), CAST(FLOOR(date_part('second', "events"."at")) AS INTEGER) FROM "events""#,
        "SELECT EXTRACT(YEAR FROM `events`.`on`), EXTRACT(SECOND FROM `events`.`at`) FROM `events`",
        &[],
    );
    for (part, sqlite, pg) in [
        (DatePart::Month, "%m", "month"),
        (DatePart::Day, "%d", "day"),
        (DatePart::Hour, "%H", "hour"),
        (DatePart::Minute, "%M", "minute"),
    ] {
        let q = || Select::default().column(extract(part, ts_col()));
        assert_eq!(
            compiled(&SQLITE, q()).sql,
            format!(r#"SELECT CAST(strftime('{sqlite}', "events"."at") AS INTEGER)"#)
        );
        assert_eq!(
            compiled(&PG, q()).sql,
            format!(r#"SELECT CAST(date_part('{pg}', "events"."at") AS INTEGER)"#)
        );
        assert_eq!(
            compiled(&MYSQL, q()).sql,
            format!("SELECT EXTRACT({} FROM `events`.`at`)", part.keyword())
        );
    }
}

#[test]
fn current_date_timestamp_and_adding_days() {
    assert_all(
        Select::from("events")
            .column(current_date())
            .column(current_timestamp())
            .filter(add_days(date_col(), 7).ge(current_date()))
            .filter(date_col().add_days(Student::age.neg_days()).lt(current_date())),
        r#"SELECT CURRENT_DATE, CURRENT_TIMESTAMP FROM "events" WHERE (date("events"."on", (?) || ' days') >= CURRENT_DATE) AND (date("events"."on", (-"students"."age") || ' days') < CURRENT_DATE)"#,
        r#"SELECT CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE), (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') FROM "events" WHERE (("events"."on" + CAST($1 AS INTEGER)) >= CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE)) AND (("events"."on" + CAST(-"students"."age" AS INTEGER)) < CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS DATE))"#,
        "SELECT UTC_DATE(), UTC_TIMESTAMP(6) FROM `events` WHERE (DATE_ADD(`events`.`on`, INTERVAL ? DAY) >= UTC_DATE()) AND (DATE_ADD(`events`.`on`, INTERVAL -`students`.`age` DAY) < UTC_DATE())",
        &[i(7)],
    );
}

trait NegDays {
    fn neg_days(self) -> TypedExpr<kind::Integer>;
}
impl NegDays for Column<Student, i32> {
    fn neg_days(self) -> TypedExpr<kind::Integer> {
        -self
    }
}

#[cfg(feature = "chrono")]
#[test]
fn typed_date_columns_get_the_date_methods() {
    let q = Select::from("events").column(Event::on.month());
    assert_eq!(
        compiled(&MYSQL, q).sql,
        "SELECT EXTRACT(MONTH FROM `events`.`on`) FROM `events`"
    );
}

// ---------------------------------------------------------------------------------------------
// call

#[test]
fn call_any_function_with_bound_arguments() {
    assert_all(
        students()
            .column(call::<kind::Text>("substr", (Student::first, 1, 2)))
            .column(call::<kind::Real>("pg_catalog.round", (Student::gpa,)))
            .column(call::<kind::Integer>("random", ())),
        r#"SELECT substr("students"."first", ?, ?), pg_catalog.round("students"."gpa"), random() FROM "students""#,
        r#"SELECT substr("students"."first", $1, $2), pg_catalog.round("students"."gpa"), random() FROM "students""#,
        "SELECT substr(`students`.`first`, ?, ?), pg_catalog.round(`students`.`gpa`), random() FROM `students`",
        &[i(1), i(2)],
    );
}

#[test]
fn bad_function_names_are_misuse_errors_naming_them() {
    for bad in [
        "",
        "1abc",
        "lower(x); DROP TABLE students; --",
        "a.b.c",
        "sch.",
        ".f",
        "na\u{e9}ve",
        "sp ace",
        "quo\"te",
    ] {
        let q = students().column(call::<kind::Text>(bad.to_owned(), (Student::first,)));
        for d in [&SQLITE as &dyn Dialect, &PG, &MYSQL] {
            let e = error_of(d, q.clone());
            assert_eq!(e.kind(), ErrorKind::Misuse, "{bad:?}: {e}");
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Subqueries

fn marks_of_student() -> Select {
    Select::from("enrollments")
        .column(Enrollment::mark.max())
        .filter(Enrollment::student_id.eq(Student::id))
}

#[test]
fn correlated_scalar_subquery_compared_and_selected() {
    assert_all(
        students()
            .column(Student::first)
            .column_as(scalar::<kind::Integer>(marks_of_student()), "best")
            .filter(Enrollment::mark.eq(scalar(marks_of_student()))),
        r#"SELECT "students"."first", (SELECT MAX("enrollments"."mark") FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id") AS "best" FROM "students" WHERE "enrollments"."mark" = (SELECT MAX("enrollments"."mark") FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id")"#,
        r#"SELECT "students"."first", (SELECT MAX("enrollments"."mark") FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id") AS "best" FROM "students" WHERE "enrollments"."mark" = (SELECT MAX("enrollments"."mark") FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id")"#,
        "SELECT `students`.`first`, (SELECT MAX(`enrollments`.`mark`) FROM `enrollments` WHERE `enrollments`.`student_id` = `students`.`id`) AS `best` FROM `students` WHERE `enrollments`.`mark` = (SELECT MAX(`enrollments`.`mark`) FROM `enrollments` WHERE `enrollments`.`student_id` = `students`.`id`)",
        &[],
    );
}

#[test]
fn scalar_subquery_needs_one_column() {
    let two = Select::from("enrollments")
        .column(Enrollment::mark)
        .column(Enrollment::course);
    let e = error_of(&PG, students().column(scalar::<kind::Integer>(two)));
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(
        e.to_string()
            .contains("exactly one column, this one selects 2"),
        "{e}"
    );
    let star = Select::from("enrollments");
    let e = error_of(&SQLITE, students().column(scalar::<kind::Integer>(star)));
    assert!(e.to_string().contains("selects * (all columns)"), "{e}");
}

#[test]
fn exists_not_exists_and_in_select() {
    let enrolled = Select::from("enrollments")
        .column(Enrollment::student_id)
        .filter(Enrollment::course.eq("Python"));
    assert_all(
        students()
            .column(Student::id)
            .filter(exists(
                Select::from("enrollments").filter(Enrollment::student_id.eq(Student::id)),
            ))
            .filter(not_exists(
                Select::from("enrollments")
                    .filter(Enrollment::student_id.eq(Student::id))
                    .filter(Enrollment::mark.lt(40)),
            ))
            .filter(Student::id.in_select(enrolled.clone()))
            .filter(Student::id.not_in_select(enrolled)),
        r#"SELECT "students"."id" FROM "students" WHERE EXISTS (SELECT * FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id") AND (NOT EXISTS (SELECT * FROM "enrollments" WHERE ("enrollments"."student_id" = "students"."id") AND ("enrollments"."mark" < ?))) AND ("students"."id" IN (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."course" = ?)) AND ("students"."id" NOT IN (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."course" = ?))"#,
        r#"SELECT "students"."id" FROM "students" WHERE EXISTS (SELECT * FROM "enrollments" WHERE "enrollments"."student_id" = "students"."id") AND (NOT EXISTS (SELECT * FROM "enrollments" WHERE ("enrollments"."student_id" = "students"."id") AND ("enrollments"."mark" < $1))) AND ("students"."id" IN (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."course" = $2)) AND ("students"."id" NOT IN (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."course" = $3))"#,
        "SELECT `students`.`id` FROM `students` WHERE EXISTS (SELECT * FROM `enrollments` WHERE `enrollments`.`student_id` = `students`.`id`) AND (NOT EXISTS (SELECT * FROM `enrollments` WHERE (`enrollments`.`student_id` = `students`.`id`) AND (`enrollments`.`mark` < ?))) AND (`students`.`id` IN (SELECT `enrollments`.`student_id` FROM `enrollments` WHERE `enrollments`.`course` = ?)) AND (`students`.`id` NOT IN (SELECT `enrollments`.`student_id` FROM `enrollments` WHERE `enrollments`.`course` = ?))",
        &[i(40), t("Python"), t("Python")],
    );
}

#[test]
fn in_select_width_must_match() {
    let two = Select::from("enrollments")
        .column(Enrollment::student_id)
        .column(Enrollment::course);
    let e = error_of(&MYSQL, students().filter(Student::id.in_select(two)));
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(
        e.to_string()
            .contains("compares 1 value(s) with a subquery of 2 column(s)"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Row values

#[test]
fn tuple_comparisons_and_in() {
    let q = students()
        .column(Student::id)
        .filter(tuple((Student::last, Student::first)).gt(("Smith", "Ann")))
        .filter(tuple((Student::age, Student::id)).in_([(20, 1), (21, 2)]))
        .filter(
            tuple((Student::id, Student::last)).in_select(
                Select::from("enrollments")
                    .column(Enrollment::student_id)
                    .column(Enrollment::course),
            ),
        );
    let c = compiled(&SQLITE, q.clone());
    assert_eq!(
        c.sql,
        r#"SELECT "students"."id" FROM "students" WHERE (("students"."last", "students"."first") > (?, ?)) AND (("students"."age", "students"."id") IN ((?, ?), (?, ?))) AND (("students"."id", "students"."last") IN (SELECT "enrollments"."student_id", "enrollments"."course" FROM "enrollments"))"#
    );
    let params = [t("Smith"), t("Ann"), i(20), i(1), i(21), i(2)];
    assert_eq!(c.params, params);
    let c = compiled(&PG, q.clone());
    assert_eq!(
        c.sql,
        r#"SELECT "students"."id" FROM "students" WHERE (("students"."last", "students"."first") > ($1, $2)) AND (("students"."age", "students"."id") IN (($3, $4), ($5, $6))) AND (("students"."id", "students"."last") IN (SELECT "enrollments"."student_id", "enrollments"."course" FROM "enrollments"))"#
    );
    assert_eq!(c.params, params);
    // MariaDB plans an ordering comparison of row values as a full index scan, so it gets
    // the expansion (a range); `=` and IN stay row values.
    let c = compiled(&MYSQL, q);
    assert_eq!(
        c.sql,
        "SELECT `students`.`id` FROM `students` WHERE (`students`.`last` > ? OR (`students`.`last` = ? AND `students`.`first` > ?)) AND ((`students`.`age`, `students`.`id`) IN ((?, ?), (?, ?))) AND ((`students`.`id`, `students`.`last`) IN (SELECT `enrollments`.`student_id`, `enrollments`.`course` FROM `enrollments`))"
    );
    assert_eq!(
        c.params,
        [t("Smith"), t("Smith"), t("Ann"), i(20), i(1), i(21), i(2)]
    );
    let eq = compiled(
        &MYSQL,
        students().filter(tuple((Student::last, Student::first)).eq(("Smith", "Ann"))),
    );
    assert_eq!(
        eq.sql,
        "SELECT * FROM `students` WHERE (`students`.`last`, `students`.`first`) = (?, ?)"
    );
}

/// SQLite without row values: the capability off, everything else SQLite's.
#[derive(Debug)]
struct NoRowValues;
impl Dialect for NoRowValues {
    fn name(&self) -> &'static str {
        "no-row-values"
    }
    fn supports_row_values(&self) -> bool {
        false
    }
    fn column_type(&self, column: &ColumnDef, keyed: bool) -> String {
        SQLITE.column_type(column, keyed)
    }
    fn autoincrement_primary_key(&self, column: &ColumnDef) -> String {
        SQLITE.autoincrement_primary_key(column)
    }
    fn max_bind_params(&self) -> usize {
        SQLITE.max_bind_params()
    }
}

#[test]
fn tuple_comparisons_expand_without_row_values() {
    let cmp = |c| compiled(&NoRowValues, students().column(Student::id).filter(c));
    let three = || tuple((Student::last, Student::first, Student::id));
    let c = cmp(three().gt(("Smith", "Ann", 7)));
    assert_eq!(
        c.sql,
        r#"SELECT "students"."id" FROM "students" WHERE "students"."last" > ? OR ("students"."last" = ? AND "students"."first" > ?) OR ("students"."last" = ? AND "students"."first" = ? AND "students"."id" > ?)"#
    );
    assert_eq!(
        c.params,
        [t("Smith"), t("Smith"), t("Ann"), t("Smith"), t("Ann"), i(7)]
    );
    let c = cmp(three().le(("Smith", "Ann", 7)));
    assert!(
        c.sql.ends_with(
            r#"OR ("students"."last" = ? AND "students"."first" = ? AND "students"."id" <= ?)"#
        ),
        "{}",
        c.sql
    );
    assert!(
        c.sql.contains(
            r#"WHERE "students"."last" < ? OR ("students"."last" = ? AND "students"."first" < ?)"#
        ),
        "{}",
        c.sql
    );
    let c = cmp(three().eq(("Smith", "Ann", 7)));
    assert!(
        c.sql.ends_with(
            r#"WHERE "students"."last" = ? AND "students"."first" = ? AND "students"."id" = ?"#
        ),
        "{}",
        c.sql
    );
    let c = cmp(three().ne(("Smith", "Ann", 7)));
    assert!(
        c.sql.ends_with(
            r#"WHERE "students"."last" <> ? OR "students"."first" <> ? OR "students"."id" <> ?"#
        ),
        "{}",
        c.sql
    );
    // Inside a conjunction the expansion is parenthesized as one operand.
    let c = compiled(
        &NoRowValues,
        students()
            .filter(Student::age.gt(1))
            .filter(tuple((Student::last, Student::first)).ge(("S", "A"))),
    );
    assert!(c.sql.ends_with(r#"WHERE ("students"."age" > ?) AND ("students"."last" > ? OR ("students"."last" = ? AND "students"."first" >= ?))"#), "{}", c.sql);
    let c = cmp(tuple((Student::age, Student::id)).not_in([(20, 1), (21, 2)]));
    assert!(c.sql.ends_with(r#"WHERE NOT ((("students"."age" = ? AND "students"."id" = ?) OR ("students"."age" = ? AND "students"."id" = ?)))"#) || c.sql.ends_with(r#"WHERE NOT (("students"."age" = ? AND "students"."id" = ?) OR ("students"."age" = ? AND "students"."id" = ?))"#), "{}", c.sql);
    assert_eq!(c.params, [i(20), i(1), i(21), i(2)]);
    // IN over a subquery has no expansion.
    let e = error_of(
        &NoRowValues,
        students().filter(
            tuple((Student::id, Student::last)).in_select(
                Select::from("enrollments")
                    .column(Enrollment::student_id)
                    .column(Enrollment::course),
            ),
        ),
    );
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}

#[test]
fn empty_tuple_lists_and_mismatched_rows() {
    let none: Vec<(i32, i64)> = Vec::new();
    assert_all(
        students().filter(tuple((Student::age, Student::id)).in_(none)),
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        "SELECT * FROM `students` WHERE 1 <> 1",
        &[],
    );
    let bad = Expr::Tuple(vec![Expr::value(1), Expr::value(2)]).binary(
        cinnabar_core::sql::BinOp::Lt,
        Expr::Tuple(vec![Expr::value(1)]),
    );
    let e = error_of(&SQLITE, students().filter(bad));
    assert_eq!(e.kind(), ErrorKind::Misuse);
    assert!(
        e.to_string()
            .contains("row value of 2 compared with a row value of 1"),
        "{e}"
    );
}

#[test]
fn hostile_values_stay_bound() {
    let evil = "'); DROP TABLE students; --";
    let q = students()
        .column(case().when(Student::first.eq(evil), evil).else_(evil))
        .column(call::<kind::Text>("upper", (evil,)))
        .column(coalesce((Student::nickname, evil)))
        .filter(tuple((Student::last, Student::first)).lt((evil, evil)));
    for d in [&SQLITE as &dyn Dialect, &PG, &MYSQL] {
        let c = compiled(d, q.clone());
        assert!(!c.sql.contains("DROP"), "{}", c.sql);
        assert!(c.params.iter().all(|p| *p == t(evil)), "{:?}", c.params);
        // MySQL expands the row comparison, binding the first value twice.
        let want = if d.name() == "mysql" { 8 } else { 7 };
        assert_eq!(c.params.len(), want, "{}", d.name());
    }
}

#[test]
fn text_methods_still_apply_to_case_results() {
    let c = compiled(
        &PG,
        students().column(
            case()
                .when(Student::age.lt(18), "minor")
                .else_(Student::first)
                .upper(),
        ),
    );
    assert_eq!(
        c.sql,
        r#"SELECT UPPER(CASE WHEN "students"."age" < $1 THEN $2 ELSE "students"."first" END) FROM "students""#
    );
}
