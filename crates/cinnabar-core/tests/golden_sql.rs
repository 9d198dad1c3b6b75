//! Exact-SQL ("golden") tests in the style of SQLAlchemy's `assert_compile`: every statement
//! kind is compiled for SQLite, PostgreSQL and MySQL and compared with the exact SQL text and
//! the exact list of bound parameters.
//!
//! Statements are built through the typed API (hand-written `Column` constants, as the derive
//! would emit) where it exists and through the untyped builders otherwise.

#![allow(non_upper_case_globals)]

use cinnabar_core::dialect::{
    check_identifier, check_table, compile, compile_ddl, Compiled, Dialect, IdentifierLimit,
    MySqlDialect, PostgresDialect, SqliteDialect,
};
use cinnabar_core::schema::{
    Column as ColumnDef, ForeignKey, Index, ReferentialAction, Table, UniqueConstraint,
};
use cinnabar_core::sql::{
    and_all, count_star, not, or_any, text, AlterAction, AlterTable, BinOp, Column, ColumnRef,
    Condition, CreateIndex, CreateTable, Delete, DropTable, Expr, Expression, Function, Insert,
    JoinKind, OnConflict, OrderBy, Select, Statement, TableRef, TextExpression, Update,
};
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, ErrorKind, Value};

// ---------------------------------------------------------------------------------------------
// A hand-written model, as `#[derive(Model)]` would emit it.

struct Student;
struct Course;

impl Student {
    const id: Column<Student, i64> = Column::new("students", "id", 0);
    const name: Column<Student, String> = Column::new("students", "name", 1);
    const age: Column<Student, i32> = Column::new("students", "age", 2);
    const gpa: Column<Student, f64> = Column::new("students", "gpa", 3);
    const nickname: Column<Student, Option<String>> = Column::new("students", "nickname", 4);
    const course_id: Column<Student, Option<i64>> = Column::new("students", "course_id", 5);
    const active: Column<Student, bool> = Column::new("students", "active", 6);
    const big: Column<Student, u64> = Column::new("students", "big", 7);
}

impl Course {
    const id: Column<Course, i64> = Column::new("courses", "id", 0);
    const title: Column<Course, String> = Column::new("courses", "title", 1);
    const credits: Column<Course, i32> = Column::new("courses", "credits", 2);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const SQLITE: SqliteDialect = SqliteDialect;
const PG: PostgresDialect = PostgresDialect;
const MYSQL: MySqlDialect = MySqlDialect;

fn dialects() -> [&'static dyn Dialect; 3] {
    [&SQLITE, &PG, &MYSQL]
}

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

/// SQLAlchemy's `assert_compile`: exact SQL text, exact bound parameters, no slots.
#[track_caller]
fn assert_sql(
    d: &dyn Dialect,
    stmt: impl Into<Statement>,
    expected_sql: &str,
    expected_params: &[Value],
) {
    let c = compiled(d, stmt);
    assert_eq!(c.sql, expected_sql, "SQL for {}", d.name());
    assert_eq!(c.params, expected_params, "params for {}", d.name());
    assert_eq!(c.slots, 0, "slots for {}", d.name());
}

/// The same statement on all three dialects, with the same parameters.
#[track_caller]
fn assert_each(
    stmt: impl Into<Statement>,
    sqlite: &str,
    postgres: &str,
    mysql: &str,
    params: &[Value],
) {
    let stmt = stmt.into();
    assert_sql(&SQLITE, stmt.clone(), sqlite, params);
    assert_sql(&PG, stmt.clone(), postgres, params);
    assert_sql(&MYSQL, stmt, mysql, params);
}

#[track_caller]
fn compile_err(d: &dyn Dialect, stmt: impl Into<Statement>) -> Error {
    match compile(d, &stmt.into()) {
        Ok(c) => panic!("{} compiled what should fail: {c:?}", d.name()),
        Err(e) => e,
    }
}

fn students() -> Select {
    Select::from("students")
}

// ---------------------------------------------------------------------------------------------
// SELECT: columns, *, DISTINCT.

#[test]
fn select_typed_columns() {
    assert_each(
        students().column(Student::id).column(Student::name),
        r#"SELECT "students"."id", "students"."name" FROM "students""#,
        r#"SELECT "students"."id", "students"."name" FROM "students""#,
        "SELECT `students`.`id`, `students`.`name` FROM `students`",
        &[],
    );
}

#[test]
fn select_star_when_no_columns() {
    assert_each(
        students(),
        r#"SELECT * FROM "students""#,
        r#"SELECT * FROM "students""#,
        "SELECT * FROM `students`",
        &[],
    );
}

#[test]
fn select_distinct() {
    assert_each(
        students().column(Student::name).distinct(),
        r#"SELECT DISTINCT "students"."name" FROM "students""#,
        r#"SELECT DISTINCT "students"."name" FROM "students""#,
        "SELECT DISTINCT `students`.`name` FROM `students`",
        &[],
    );
    assert_each(
        students().distinct(),
        r#"SELECT DISTINCT * FROM "students""#,
        r#"SELECT DISTINCT * FROM "students""#,
        "SELECT DISTINCT * FROM `students`",
        &[],
    );
}

#[test]
fn select_bare_column_and_alias() {
    assert_each(
        students()
            .column(Expr::Column(ColumnRef::bare("name")))
            .column_as(Student::age, "years"),
        r#"SELECT "name", "students"."age" AS "years" FROM "students""#,
        r#"SELECT "name", "students"."age" AS "years" FROM "students""#,
        "SELECT `name`, `students`.`age` AS `years` FROM `students`",
        &[],
    );
}

#[test]
fn select_without_from_binds_values() {
    assert_each(
        Select::default()
            .column(Expr::value(1))
            .column(Expr::value("x")),
        "SELECT ?, ?",
        "SELECT $1, $2",
        "SELECT ?, ?",
        &[i(1), t("x")],
    );
}

// ---------------------------------------------------------------------------------------------
// WHERE.

#[test]
fn where_every_comparison() {
    let cases: [(Condition, &str); 6] = [
        (Student::age.eq(20), "="),
        (Student::age.ne(20), "<>"),
        (Student::age.lt(20), "<"),
        (Student::age.le(20), "<="),
        (Student::age.gt(20), ">"),
        (Student::age.ge(20), ">="),
    ];
    for (cond, op) in cases {
        assert_each(
            students().column(Student::id).filter(cond),
            &format!(r#"SELECT "students"."id" FROM "students" WHERE "students"."age" {op} ?"#),
            &format!(r#"SELECT "students"."id" FROM "students" WHERE "students"."age" {op} $1"#),
            &format!("SELECT `students`.`id` FROM `students` WHERE `students`.`age` {op} ?"),
            &[i(20)],
        );
    }
}

#[test]
fn where_value_kinds_are_bound_as_their_value() {
    assert_each(
        students()
            .filter(Student::gpa.ge(3.5))
            .filter(Student::active.eq(true))
            .filter(Student::name.ne("Ann"))
            .filter(Student::id.eq(9_i64)),
        r#"SELECT * FROM "students" WHERE ("students"."gpa" >= ?) AND ("students"."active" = ?) AND ("students"."name" <> ?) AND ("students"."id" = ?)"#,
        r#"SELECT * FROM "students" WHERE ("students"."gpa" >= $1) AND ("students"."active" = $2) AND ("students"."name" <> $3) AND ("students"."id" = $4)"#,
        "SELECT * FROM `students` WHERE (`students`.`gpa` >= ?) AND (`students`.`active` = ?) AND (`students`.`name` <> ?) AND (`students`.`id` = ?)",
        &[Value::Real(3.5), Value::Bool(true), t("Ann"), i(9)],
    );
}

#[test]
fn where_column_against_column_binds_nothing() {
    assert_each(
        students().filter(Student::age.gt(Course::credits)),
        r#"SELECT * FROM "students" WHERE "students"."age" > "courses"."credits""#,
        r#"SELECT * FROM "students" WHERE "students"."age" > "courses"."credits""#,
        "SELECT * FROM `students` WHERE `students`.`age` > `courses`.`credits`",
        &[],
    );
}

#[test]
fn where_and_or_not() {
    let cond = Student::name
        .eq("Ann")
        .and(Student::age.gt(18))
        .or(not(Student::active.eq(true)));
    assert_each(
        students().column(Student::id).filter(cond),
        r#"SELECT "students"."id" FROM "students" WHERE (("students"."name" = ?) AND ("students"."age" > ?)) OR (NOT ("students"."active" = ?))"#,
        r#"SELECT "students"."id" FROM "students" WHERE (("students"."name" = $1) AND ("students"."age" > $2)) OR (NOT ("students"."active" = $3))"#,
        "SELECT `students`.`id` FROM `students` WHERE ((`students`.`name` = ?) AND (`students`.`age` > ?)) OR (NOT (`students`.`active` = ?))",
        &[t("Ann"), i(18), Value::Bool(true)],
    );
}

#[test]
fn where_operators_and_or_not_overloads() {
    let cond = !(Student::age.ge(18) & Student::age.le(30)) | Student::nickname.is_null();
    assert_each(
        students().filter(cond),
        r#"SELECT * FROM "students" WHERE (NOT (("students"."age" >= ?) AND ("students"."age" <= ?))) OR ("students"."nickname" IS NULL)"#,
        r#"SELECT * FROM "students" WHERE (NOT (("students"."age" >= $1) AND ("students"."age" <= $2))) OR ("students"."nickname" IS NULL)"#,
        "SELECT * FROM `students` WHERE (NOT ((`students`.`age` >= ?) AND (`students`.`age` <= ?))) OR (`students`.`nickname` IS NULL)",
        &[i(18), i(30)],
    );
}

#[test]
fn and_chains_flatten_and_or_chains_flatten() {
    let cond = Student::age
        .eq(1)
        .and(Student::age.eq(2))
        .and(Student::age.eq(3));
    assert_sql(
        &SQLITE,
        students().filter(cond),
        r#"SELECT * FROM "students" WHERE ("students"."age" = ?) AND ("students"."age" = ?) AND ("students"."age" = ?)"#,
        &[i(1), i(2), i(3)],
    );
    let cond = Student::age
        .eq(1)
        .or(Student::age.eq(2))
        .or(Student::age.eq(3));
    assert_sql(
        &PG,
        students().filter(cond),
        r#"SELECT * FROM "students" WHERE ("students"."age" = $1) OR ("students"."age" = $2) OR ("students"."age" = $3)"#,
        &[i(1), i(2), i(3)],
    );
}

#[test]
fn filter_twice_is_anded() {
    assert_each(
        students()
            .filter(Student::name.eq("Ann"))
            .filter(Student::age.lt(30)),
        r#"SELECT * FROM "students" WHERE ("students"."name" = ?) AND ("students"."age" < ?)"#,
        r#"SELECT * FROM "students" WHERE ("students"."name" = $1) AND ("students"."age" < $2)"#,
        "SELECT * FROM `students` WHERE (`students`.`name` = ?) AND (`students`.`age` < ?)",
        &[t("Ann"), i(30)],
    );
}

#[test]
fn empty_and_all_is_true_and_empty_or_any_is_false() {
    assert_each(
        students().filter(and_all([])),
        r#"SELECT * FROM "students" WHERE 1 = 1"#,
        r#"SELECT * FROM "students" WHERE 1 = 1"#,
        "SELECT * FROM `students` WHERE 1 = 1",
        &[],
    );
    assert_each(
        students().filter(or_any([])),
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        "SELECT * FROM `students` WHERE 1 <> 1",
        &[],
    );
    assert_sql(
        &PG,
        students().filter(and_all([Student::age.eq(1), Student::name.eq("a")])),
        r#"SELECT * FROM "students" WHERE ("students"."age" = $1) AND ("students"."name" = $2)"#,
        &[i(1), t("a")],
    );
    assert_sql(
        &PG,
        students().filter(or_any([Student::age.eq(1), Student::name.eq("a")])),
        r#"SELECT * FROM "students" WHERE ("students"."age" = $1) OR ("students"."name" = $2)"#,
        &[i(1), t("a")],
    );
}

#[test]
fn in_and_not_in() {
    assert_each(
        students().filter(Student::age.in_([18, 19, 20])),
        r#"SELECT * FROM "students" WHERE "students"."age" IN (?, ?, ?)"#,
        r#"SELECT * FROM "students" WHERE "students"."age" IN ($1, $2, $3)"#,
        "SELECT * FROM `students` WHERE `students`.`age` IN (?, ?, ?)",
        &[i(18), i(19), i(20)],
    );
    assert_each(
        students().filter(Student::name.not_in(["a", "b"])),
        r#"SELECT * FROM "students" WHERE "students"."name" NOT IN (?, ?)"#,
        r#"SELECT * FROM "students" WHERE "students"."name" NOT IN ($1, $2)"#,
        "SELECT * FROM `students` WHERE `students`.`name` NOT IN (?, ?)",
        &[t("a"), t("b")],
    );
}

#[test]
fn empty_in_matches_nothing_and_empty_not_in_matches_everything() {
    assert_each(
        students().filter(Student::age.in_(Vec::<i32>::new())),
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        r#"SELECT * FROM "students" WHERE 1 <> 1"#,
        "SELECT * FROM `students` WHERE 1 <> 1",
        &[],
    );
    assert_each(
        students().filter(Student::age.not_in(Vec::<i32>::new())),
        r#"SELECT * FROM "students" WHERE 1 = 1"#,
        r#"SELECT * FROM "students" WHERE 1 = 1"#,
        "SELECT * FROM `students` WHERE 1 = 1",
        &[],
    );
    // Combined with other conditions, numbering continues correctly.
    assert_sql(
        &PG,
        students()
            .filter(Student::age.in_(Vec::<i32>::new()))
            .filter(Student::name.eq("x")),
        r#"SELECT * FROM "students" WHERE (1 <> 1) AND ("students"."name" = $1)"#,
        &[t("x")],
    );
}

#[test]
fn is_null_and_is_not_null() {
    assert_each(
        students().filter(Student::nickname.is_null()),
        r#"SELECT * FROM "students" WHERE "students"."nickname" IS NULL"#,
        r#"SELECT * FROM "students" WHERE "students"."nickname" IS NULL"#,
        "SELECT * FROM `students` WHERE `students`.`nickname` IS NULL",
        &[],
    );
    assert_each(
        students().filter(Student::course_id.is_not_null()),
        r#"SELECT * FROM "students" WHERE "students"."course_id" IS NOT NULL"#,
        r#"SELECT * FROM "students" WHERE "students"."course_id" IS NOT NULL"#,
        "SELECT * FROM `students` WHERE `students`.`course_id` IS NOT NULL",
        &[],
    );
}

#[test]
fn like_and_not_like() {
    assert_each(
        students().filter(Student::name.like("A%")),
        r#"SELECT * FROM "students" WHERE "students"."name" LIKE ?"#,
        r#"SELECT * FROM "students" WHERE "students"."name" LIKE $1"#,
        "SELECT * FROM `students` WHERE `students`.`name` LIKE ?",
        &[t("A%")],
    );
    assert_each(
        students().filter(Student::nickname.not_like("%_x")),
        r#"SELECT * FROM "students" WHERE "students"."nickname" NOT LIKE ?"#,
        r#"SELECT * FROM "students" WHERE "students"."nickname" NOT LIKE $1"#,
        "SELECT * FROM `students` WHERE `students`.`nickname` NOT LIKE ?",
        &[t("%_x")],
    );
}

#[test]
fn between_and_not_between() {
    assert_each(
        students().filter(Student::age.between(18, 25)),
        r#"SELECT * FROM "students" WHERE "students"."age" BETWEEN ? AND ?"#,
        r#"SELECT * FROM "students" WHERE "students"."age" BETWEEN $1 AND $2"#,
        "SELECT * FROM `students` WHERE `students`.`age` BETWEEN ? AND ?",
        &[i(18), i(25)],
    );
    let not_between = Expr::Between {
        expr: Box::new(Student::gpa.into()),
        low: Box::new(Expr::value(1.0)),
        high: Box::new(Expr::value(2.5)),
        negated: true,
    };
    assert_each(
        students().filter(not_between),
        r#"SELECT * FROM "students" WHERE "students"."gpa" NOT BETWEEN ? AND ?"#,
        r#"SELECT * FROM "students" WHERE "students"."gpa" NOT BETWEEN $1 AND $2"#,
        "SELECT * FROM `students` WHERE `students`.`gpa` NOT BETWEEN ? AND ?",
        &[Value::Real(1.0), Value::Real(2.5)],
    );
}

// ---------------------------------------------------------------------------------------------
// Expressions: arithmetic, concatenation, functions.

#[test]
fn arithmetic_including_modulo() {
    assert_each(
        Select::from("students")
            .column(Student::age.add(1))
            .column(Student::age.sub(2))
            .column(Student::age.mul(3))
            .column(Student::age.div(4))
            .column(Student::age.modulo(5)),
        r#"SELECT "students"."age" + ?, "students"."age" - ?, "students"."age" * ?, "students"."age" / ?, "students"."age" % ? FROM "students""#,
        r#"SELECT "students"."age" + $1, "students"."age" - $2, "students"."age" * $3, "students"."age" / $4, "students"."age" % $5 FROM "students""#,
        "SELECT `students`.`age` + ?, `students`.`age` - ?, `students`.`age` * ?, `students`.`age` / ?, `students`.`age` % ? FROM `students`",
        &[i(1), i(2), i(3), i(4), i(5)],
    );
}

#[test]
fn nested_arithmetic_is_parenthesised() {
    assert_each(
        students()
            .column(Student::age.add(1).mul(2))
            .filter(Student::age.modulo(2).eq(0)),
        r#"SELECT ("students"."age" + ?) * ? FROM "students" WHERE ("students"."age" % ?) = ?"#,
        r#"SELECT ("students"."age" + $1) * $2 FROM "students" WHERE ("students"."age" % $3) = $4"#,
        "SELECT (`students`.`age` + ?) * ? FROM `students` WHERE (`students`.`age` % ?) = ?",
        &[i(1), i(2), i(2), i(0)],
    );
}

#[test]
fn concat_is_pipes_or_concat_function() {
    assert_each(
        students().column(Student::name.concat(" aka ").concat(Student::nickname)),
        r#"SELECT ("students"."name" || ?) || "students"."nickname" FROM "students""#,
        r#"SELECT ("students"."name" || $1) || "students"."nickname" FROM "students""#,
        "SELECT CONCAT(CONCAT(`students`.`name`, ?), `students`.`nickname`) FROM `students`",
        &[t(" aka ")],
    );
    // Inside a comparison, MySQL's CONCAT() needs no extra parentheses.
    assert_each(
        students().filter(Student::name.concat("x").eq("Annx")),
        r#"SELECT * FROM "students" WHERE ("students"."name" || ?) = ?"#,
        r#"SELECT * FROM "students" WHERE ("students"."name" || $1) = $2"#,
        "SELECT * FROM `students` WHERE (CONCAT(`students`.`name`, ?)) = ?",
        &[t("x"), t("Annx")],
    );
}

#[test]
fn functions_and_aggregates() {
    assert_each(
        students()
            .column(Student::name.lower())
            .column(Student::name.upper())
            .column(Student::name.length())
            .column(Student::age.max())
            .column(Student::age.min())
            .column(Student::age.sum())
            .column(Student::gpa.avg())
            .column(Student::nickname.count()),
        r#"SELECT LOWER("students"."name"), UPPER("students"."name"), LENGTH("students"."name"), MAX("students"."age"), MIN("students"."age"), SUM("students"."age"), AVG("students"."gpa"), COUNT("students"."nickname") FROM "students""#,
        r#"SELECT LOWER("students"."name"), UPPER("students"."name"), LENGTH("students"."name"), MAX("students"."age"), MIN("students"."age"), SUM("students"."age"), AVG("students"."gpa"), COUNT("students"."nickname") FROM "students""#,
        "SELECT LOWER(`students`.`name`), UPPER(`students`.`name`), LENGTH(`students`.`name`), MAX(`students`.`age`), MIN(`students`.`age`), SUM(`students`.`age`), AVG(`students`.`gpa`), COUNT(`students`.`nickname`) FROM `students`",
        &[],
    );
}

#[test]
fn untyped_functions_distinct_coalesce_abs() {
    let count_distinct = Expr::Func {
        func: Function::Count,
        args: vec![Student::name.into()],
        distinct: true,
    };
    let coalesce = Expr::Func {
        func: Function::Coalesce,
        args: vec![
            Student::nickname.into(),
            Student::name.into(),
            Expr::value("?"),
        ],
        distinct: false,
    };
    let abs = Expr::Func {
        func: Function::Abs,
        args: vec![Expr::from(Student::age).binary(BinOp::Sub, Expr::value(20))],
        distinct: false,
    };
    assert_each(
        students().column(count_distinct).column(coalesce).column(abs),
        r#"SELECT COUNT(DISTINCT "students"."name"), COALESCE("students"."nickname", "students"."name", ?), ABS("students"."age" - ?) FROM "students""#,
        r#"SELECT COUNT(DISTINCT "students"."name"), COALESCE("students"."nickname", "students"."name", $1), ABS("students"."age" - $2) FROM "students""#,
        "SELECT COUNT(DISTINCT `students`.`name`), COALESCE(`students`.`nickname`, `students`.`name`, ?), ABS(`students`.`age` - ?) FROM `students`",
        &[t("?"), i(20)],
    );
}

#[test]
fn count_star_with_alias() {
    assert_each(
        students().column_as(count_star(), "n"),
        r#"SELECT COUNT(*) AS "n" FROM "students""#,
        r#"SELECT COUNT(*) AS "n" FROM "students""#,
        "SELECT COUNT(*) AS `n` FROM `students`",
        &[],
    );
}

#[test]
fn group_by_and_having() {
    assert_each(
        students()
            .column(Student::course_id)
            .column_as(count_star(), "n")
            .group_by(Student::course_id)
            .having(count_star().gt(5))
            .having(Student::age.avg().lt(30.0)),
        r#"SELECT "students"."course_id", COUNT(*) AS "n" FROM "students" GROUP BY "students"."course_id" HAVING (COUNT(*) > ?) AND (AVG(CAST("students"."age" AS REAL)) < ?)"#,
        r#"SELECT "students"."course_id", COUNT(*) AS "n" FROM "students" GROUP BY "students"."course_id" HAVING (COUNT(*) > $1) AND (AVG(CAST("students"."age" AS DOUBLE PRECISION)) < $2)"#,
        "SELECT `students`.`course_id`, COUNT(*) AS `n` FROM `students` GROUP BY `students`.`course_id` HAVING (COUNT(*) > ?) AND (AVG(CAST(`students`.`age` AS DOUBLE)) < ?)",
        &[i(5), Value::Real(30.0)],
    );
    assert_sql(
        &SQLITE,
        students()
            .column(Student::course_id)
            .column(Student::active)
            .group_by(Student::course_id)
            .group_by(Student::active),
        r#"SELECT "students"."course_id", "students"."active" FROM "students" GROUP BY "students"."course_id", "students"."active""#,
        &[],
    );
}

#[test]
fn order_by_asc_and_desc() {
    assert_each(
        students()
            .column(Student::name)
            .order_by(Student::name.asc())
            .order_by(Student::age.desc())
            .order_by(Student::id),
        r#"SELECT "students"."name" FROM "students" ORDER BY "students"."name", "students"."age" DESC, "students"."id""#,
        r#"SELECT "students"."name" FROM "students" ORDER BY "students"."name", "students"."age" DESC, "students"."id""#,
        "SELECT `students`.`name` FROM `students` ORDER BY `students`.`name`, `students`.`age` DESC, `students`.`id`",
        &[],
    );
    assert_sql(
        &PG,
        students().order_by(Student::age.add(1).desc()),
        r#"SELECT * FROM "students" ORDER BY ("students"."age" + $1) DESC"#,
        &[i(1)],
    );
}

// ---------------------------------------------------------------------------------------------
// FOR UPDATE: row locks where the database has them; SQLite has none (its callers take the
// database's write lock before the read).

#[test]
fn for_update_variants_per_dialect() {
    use cinnabar_core::sql::RowLock;
    for (lock, suffix) in [
        (RowLock::Wait, " FOR UPDATE"),
        (RowLock::NoWait, " FOR UPDATE NOWAIT"),
        (RowLock::SkipLocked, " FOR UPDATE SKIP LOCKED"),
    ] {
        assert_each(
            students()
                .filter(Student::id.eq(1))
                .limit(2)
                .for_update(lock),
            r#"SELECT * FROM "students" WHERE "students"."id" = ? LIMIT 2"#,
            &format!(r#"SELECT * FROM "students" WHERE "students"."id" = $1 LIMIT 2{suffix}"#),
            &format!("SELECT * FROM `students` WHERE `students`.`id` = ? LIMIT 2{suffix}"),
            &[i(1)],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// LIMIT / OFFSET.

#[test]
fn limit_alone() {
    assert_each(
        students().limit(10),
        r#"SELECT * FROM "students" LIMIT 10"#,
        r#"SELECT * FROM "students" LIMIT 10"#,
        "SELECT * FROM `students` LIMIT 10",
        &[],
    );
}

#[test]
fn offset_alone_per_dialect() {
    assert_each(
        students().offset(5),
        r#"SELECT * FROM "students" LIMIT -1 OFFSET 5"#,
        r#"SELECT * FROM "students" OFFSET 5"#,
        "SELECT * FROM `students` LIMIT 18446744073709551615 OFFSET 5",
        &[],
    );
}

#[test]
fn limit_and_offset() {
    assert_each(
        students()
            .filter(Student::age.gt(1))
            .order_by(Student::id)
            .limit(10)
            .offset(20),
        r#"SELECT * FROM "students" WHERE "students"."age" > ? ORDER BY "students"."id" LIMIT 10 OFFSET 20"#,
        r#"SELECT * FROM "students" WHERE "students"."age" > $1 ORDER BY "students"."id" LIMIT 10 OFFSET 20"#,
        "SELECT * FROM `students` WHERE `students`.`age` > ? ORDER BY `students`.`id` LIMIT 10 OFFSET 20",
        &[i(1)],
    );
    assert_each(
        students().limit(0).offset(0),
        r#"SELECT * FROM "students" LIMIT 0 OFFSET 0"#,
        r#"SELECT * FROM "students" LIMIT 0 OFFSET 0"#,
        "SELECT * FROM `students` LIMIT 0 OFFSET 0",
        &[],
    );
}

#[test]
fn sqlite_clamps_huge_limit_to_i64_max() {
    assert_sql(
        &SQLITE,
        students().limit(u64::MAX),
        r#"SELECT * FROM "students" LIMIT 9223372036854775807"#,
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Joins and subqueries.

#[test]
fn inner_join_with_aliases() {
    let s = Select {
        from: Some(TableRef::aliased("students", "s")),
        ..Select::default()
    }
    .column(Expr::Column(ColumnRef::qualified("s", "name")))
    .column(Expr::Column(ColumnRef::qualified("c", "title")))
    .join(
        JoinKind::Inner,
        TableRef::aliased("courses", "c"),
        Expr::Column(ColumnRef::qualified("s", "course_id"))
            .binary(BinOp::Eq, Expr::Column(ColumnRef::qualified("c", "id"))),
    )
    .filter(Expr::Column(ColumnRef::qualified("c", "credits")).binary(BinOp::Gt, Expr::value(3)));
    assert_each(
        s,
        r#"SELECT "s"."name", "c"."title" FROM "students" AS "s" JOIN "courses" AS "c" ON "s"."course_id" = "c"."id" WHERE "c"."credits" > ?"#,
        r#"SELECT "s"."name", "c"."title" FROM "students" AS "s" JOIN "courses" AS "c" ON "s"."course_id" = "c"."id" WHERE "c"."credits" > $1"#,
        "SELECT `s`.`name`, `c`.`title` FROM `students` AS `s` JOIN `courses` AS `c` ON `s`.`course_id` = `c`.`id` WHERE `c`.`credits` > ?",
        &[i(3)],
    );
}

#[test]
fn left_join_typed() {
    assert_each(
        students()
            .column(Student::name)
            .column(Course::title)
            .join(
                JoinKind::Left,
                TableRef::new("courses"),
                Student::course_id.eq(Course::id),
            ),
        r#"SELECT "students"."name", "courses"."title" FROM "students" LEFT OUTER JOIN "courses" ON "students"."course_id" = "courses"."id""#,
        r#"SELECT "students"."name", "courses"."title" FROM "students" LEFT OUTER JOIN "courses" ON "students"."course_id" = "courses"."id""#,
        "SELECT `students`.`name`, `courses`.`title` FROM `students` LEFT OUTER JOIN `courses` ON `students`.`course_id` = `courses`.`id`",
        &[],
    );
}

#[test]
fn right_join_typed() {
    assert_each(
        students()
            .column(Course::title)
            .column(Student::name)
            .join(
                JoinKind::Right,
                TableRef::new("courses"),
                Student::course_id.eq(Course::id),
            ),
        r#"SELECT "courses"."title", "students"."name" FROM "students" RIGHT OUTER JOIN "courses" ON "students"."course_id" = "courses"."id""#,
        r#"SELECT "courses"."title", "students"."name" FROM "students" RIGHT OUTER JOIN "courses" ON "students"."course_id" = "courses"."id""#,
        "SELECT `courses`.`title`, `students`.`name` FROM `students` RIGHT OUTER JOIN `courses` ON `students`.`course_id` = `courses`.`id`",
        &[],
    );
}

#[test]
fn two_joins_in_order_with_mixed_kinds() {
    let s = Select::from("enrollments")
        .join(
            JoinKind::Inner,
            TableRef::aliased("students", "s"),
            Expr::Column(ColumnRef::qualified("s", "id")).binary(
                BinOp::Eq,
                Expr::Column(ColumnRef::qualified("enrollments", "student_id")),
            ),
        )
        .join(
            JoinKind::Left,
            TableRef::aliased("courses", "c"),
            Expr::Column(ColumnRef::qualified("c", "id")).binary(
                BinOp::Eq,
                Expr::Column(ColumnRef::qualified("enrollments", "course_id")),
            ),
        );
    assert_sql(
        &MYSQL,
        s,
        "SELECT * FROM `enrollments` JOIN `students` AS `s` ON `s`.`id` = `enrollments`.`student_id` LEFT OUTER JOIN `courses` AS `c` ON `c`.`id` = `enrollments`.`course_id`",
        &[],
    );
}

#[test]
fn exists_subquery_numbers_parameters_in_order() {
    let sub = Select::from("courses")
        .column(Course::id)
        .filter(Course::id.eq(Student::course_id))
        .filter(Course::credits.ge(3));
    let s = students()
        .column(Student::name)
        .filter(Student::age.gt(18))
        .filter(Expr::Exists(Box::new(sub)));
    assert_each(
        s,
        r#"SELECT "students"."name" FROM "students" WHERE ("students"."age" > ?) AND EXISTS (SELECT "courses"."id" FROM "courses" WHERE ("courses"."id" = "students"."course_id") AND ("courses"."credits" >= ?))"#,
        r#"SELECT "students"."name" FROM "students" WHERE ("students"."age" > $1) AND EXISTS (SELECT "courses"."id" FROM "courses" WHERE ("courses"."id" = "students"."course_id") AND ("courses"."credits" >= $2))"#,
        "SELECT `students`.`name` FROM `students` WHERE (`students`.`age` > ?) AND EXISTS (SELECT `courses`.`id` FROM `courses` WHERE (`courses`.`id` = `students`.`course_id`) AND (`courses`.`credits` >= ?))",
        &[i(18), i(3)],
    );
}

#[test]
fn not_exists_subquery() {
    let sub = Select::from("courses").filter(Course::id.eq(Student::course_id));
    let cond = not(Condition::from_expr(Expr::Exists(Box::new(sub))));
    assert_each(
        students().filter(cond),
        r#"SELECT * FROM "students" WHERE NOT EXISTS (SELECT * FROM "courses" WHERE "courses"."id" = "students"."course_id")"#,
        r#"SELECT * FROM "students" WHERE NOT EXISTS (SELECT * FROM "courses" WHERE "courses"."id" = "students"."course_id")"#,
        "SELECT * FROM `students` WHERE NOT EXISTS (SELECT * FROM `courses` WHERE `courses`.`id` = `students`.`course_id`)",
        &[],
    );
}

#[test]
fn scalar_subquery_in_select_list() {
    let count = Select::from("students")
        .column(count_star())
        .filter(Student::course_id.eq(Course::id));
    let s = Select::from("courses")
        .column(Course::title)
        .column_as(Expr::Subquery(Box::new(count)), "n");
    assert_each(
        s,
        r#"SELECT "courses"."title", (SELECT COUNT(*) FROM "students" WHERE "students"."course_id" = "courses"."id") AS "n" FROM "courses""#,
        r#"SELECT "courses"."title", (SELECT COUNT(*) FROM "students" WHERE "students"."course_id" = "courses"."id") AS "n" FROM "courses""#,
        "SELECT `courses`.`title`, (SELECT COUNT(*) FROM `students` WHERE `students`.`course_id` = `courses`.`id`) AS `n` FROM `courses`",
        &[],
    );
}

#[test]
fn postgres_numbers_parameters_across_every_clause() {
    let s = students()
        .column(Student::name)
        .column_as(Student::age.max().add(1), "m")
        .join(
            JoinKind::Inner,
            TableRef::new("courses"),
            Student::course_id.eq(Course::id).and(Course::credits.gt(2)),
        )
        .filter(Student::name.like("A%"))
        .group_by(Student::name)
        .having(count_star().ge(2))
        .order_by(Student::name.asc())
        .limit(5);
    assert_sql(
        &PG,
        s,
        r#"SELECT "students"."name", MAX("students"."age") + $1 AS "m" FROM "students" JOIN "courses" ON ("students"."course_id" = "courses"."id") AND ("courses"."credits" > $2) WHERE "students"."name" LIKE $3 GROUP BY "students"."name" HAVING COUNT(*) >= $4 ORDER BY "students"."name" LIMIT 5"#,
        &[i(1), i(2), t("A%"), i(2)],
    );
}

// ---------------------------------------------------------------------------------------------
// INSERT.

#[test]
fn insert_single_row() {
    assert_each(
        Insert::into("students")
            .columns(["name", "age"])
            .values([t("Ann"), i(20)]),
        r#"INSERT INTO "students" ("name", "age") VALUES (?, ?)"#,
        r#"INSERT INTO "students" ("name", "age") VALUES ($1, $2)"#,
        "INSERT INTO `students` (`name`, `age`) VALUES (?, ?)",
        &[t("Ann"), i(20)],
    );
}

#[test]
fn insert_null_and_blob_values_are_bound() {
    assert_each(
        Insert::into("files")
            .columns(["name", "data"])
            .values([Value::Null, Value::Blob(vec![0, 39, 34, 96])]),
        r#"INSERT INTO "files" ("name", "data") VALUES (?, ?)"#,
        r#"INSERT INTO "files" ("name", "data") VALUES ($1, $2)"#,
        "INSERT INTO `files` (`name`, `data`) VALUES (?, ?)",
        &[Value::Null, Value::Blob(vec![0, 39, 34, 96])],
    );
}

#[test]
fn insert_multi_row() {
    assert_each(
        Insert::into("students")
            .columns(["name", "age"])
            .values([t("Ann"), i(20)])
            .values([t("Bob"), i(21)])
            .values([t("Cy"), i(22)]),
        r#"INSERT INTO "students" ("name", "age") VALUES (?, ?), (?, ?), (?, ?)"#,
        r#"INSERT INTO "students" ("name", "age") VALUES ($1, $2), ($3, $4), ($5, $6)"#,
        "INSERT INTO `students` (`name`, `age`) VALUES (?, ?), (?, ?), (?, ?)",
        &[t("Ann"), i(20), t("Bob"), i(21), t("Cy"), i(22)],
    );
}

#[test]
fn insert_param_rows_are_slots() {
    let stmt = Insert::into("students")
        .columns(["name", "age"])
        .param_rows(2);
    let expected = [
        (
            &SQLITE as &dyn Dialect,
            r#"INSERT INTO "students" ("name", "age") VALUES (?, ?), (?, ?)"#,
        ),
        (
            &PG,
            r#"INSERT INTO "students" ("name", "age") VALUES ($1, $2), ($3, $4)"#,
        ),
        (
            &MYSQL,
            "INSERT INTO `students` (`name`, `age`) VALUES (?, ?), (?, ?)",
        ),
    ];
    for (d, sql) in expected {
        let c = compiled(d, stmt.clone());
        assert_eq!(c.sql, sql, "{}", d.name());
        assert!(c.params.is_empty(), "{}: {:?}", d.name(), c.params);
        assert_eq!(c.slots, 4, "{}", d.name());
    }
}

#[test]
fn insert_all_defaults() {
    assert_each(
        Insert::into("students"),
        r#"INSERT INTO "students" DEFAULT VALUES"#,
        r#"INSERT INTO "students" DEFAULT VALUES"#,
        "INSERT INTO `students` () VALUES ()",
        &[],
    );
}

#[test]
fn insert_returning_on_sqlite_and_postgres() {
    let stmt = Insert::into("students")
        .columns(["name"])
        .values([t("Ann")])
        .returning("id")
        .returning("name");
    assert_sql(
        &SQLITE,
        stmt.clone(),
        r#"INSERT INTO "students" ("name") VALUES (?) RETURNING "id", "name""#,
        &[t("Ann")],
    );
    assert_sql(
        &PG,
        stmt,
        r#"INSERT INTO "students" ("name") VALUES ($1) RETURNING "id", "name""#,
        &[t("Ann")],
    );
    assert_sql(
        &PG,
        Insert::into("students").returning("id"),
        r#"INSERT INTO "students" DEFAULT VALUES RETURNING "id""#,
        &[],
    );
}

/// MariaDB writes INSERT ... RETURNING (issue 14: the capability is per statement kind,
/// `Dialect::supports_returning_in`; UPDATE ... RETURNING stays refused).
#[test]
fn insert_returning_on_mysql_is_mariadbs() {
    assert_sql(
        &MYSQL,
        Insert::into("students")
            .columns(["name"])
            .values([t("Ann")])
            .returning("id"),
        "INSERT INTO `students` (`name`) VALUES (?) RETURNING `id`",
        &[t("Ann")],
    );
}

#[test]
fn insert_on_conflict_do_nothing_per_dialect() {
    let stmt = Insert::into("students")
        .columns(["email", "name"])
        .values([t("a@x"), t("Ann")])
        .on_conflict(OnConflict::DoNothing {
            target: vec!["email".into()],
        });
    assert_each(
        stmt,
        r#"INSERT INTO "students" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO NOTHING"#,
        r#"INSERT INTO "students" ("email", "name") VALUES ($1, $2) ON CONFLICT ("email") DO NOTHING"#,
        "INSERT INTO `students` (`email`, `name`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `email` = `email`",
        &[t("a@x"), t("Ann")],
    );
    // Without a target SQLite and PostgreSQL accept a bare ON CONFLICT DO NOTHING.
    let untargeted = Insert::into("students")
        .columns(["email"])
        .values([t("a@x")])
        .on_conflict(OnConflict::DoNothing { target: vec![] });
    assert_sql(
        &SQLITE,
        untargeted.clone(),
        r#"INSERT INTO "students" ("email") VALUES (?) ON CONFLICT DO NOTHING"#,
        &[t("a@x")],
    );
    assert_sql(
        &PG,
        untargeted,
        r#"INSERT INTO "students" ("email") VALUES ($1) ON CONFLICT DO NOTHING"#,
        &[t("a@x")],
    );
}

#[test]
fn insert_on_conflict_update_per_dialect() {
    let stmt = Insert::into("students")
        .columns(["email", "name", "age"])
        .values([t("a@x"), t("Ann"), i(20)])
        .on_conflict(OnConflict::Update {
            target: vec!["email".into()],
            columns: vec!["name".into(), "age".into()],
        });
    assert_each(
        stmt,
        r#"INSERT INTO "students" ("email", "name", "age") VALUES (?, ?, ?) ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name", "age" = excluded."age""#,
        r#"INSERT INTO "students" ("email", "name", "age") VALUES ($1, $2, $3) ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name", "age" = excluded."age""#,
        "INSERT INTO `students` (`email`, `name`, `age`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `age` = VALUES(`age`)",
        &[t("a@x"), t("Ann"), i(20)],
    );
}

#[test]
fn insert_on_conflict_with_composite_target_and_returning() {
    let stmt = Insert::into("enrollments")
        .columns(["student_id", "course_id", "grade"])
        .values([i(1), i(2), Value::Real(3.5)])
        .on_conflict(OnConflict::Update {
            target: vec!["student_id".into(), "course_id".into()],
            columns: vec!["grade".into()],
        })
        .returning("grade");
    assert_sql(
        &PG,
        stmt.clone(),
        r#"INSERT INTO "enrollments" ("student_id", "course_id", "grade") VALUES ($1, $2, $3) ON CONFLICT ("student_id", "course_id") DO UPDATE SET "grade" = excluded."grade" RETURNING "grade""#,
        &[i(1), i(2), Value::Real(3.5)],
    );
    assert_sql(
        &SQLITE,
        stmt.clone(),
        r#"INSERT INTO "enrollments" ("student_id", "course_id", "grade") VALUES (?, ?, ?) ON CONFLICT ("student_id", "course_id") DO UPDATE SET "grade" = excluded."grade" RETURNING "grade""#,
        &[i(1), i(2), Value::Real(3.5)],
    );
    assert_sql(
        &MYSQL,
        stmt,
        "INSERT INTO `enrollments` (`student_id`, `course_id`, `grade`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `grade` = VALUES(`grade`) RETURNING `grade`",
        &[i(1), i(2), Value::Real(3.5)],
    );
}

#[test]
fn malformed_inserts_are_misuse() {
    for d in dialects() {
        let e = compile_err(d, Insert::into("students").columns(["name"]));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.message().contains("no rows"), "{e}");

        let e = compile_err(d, Insert::into("students").values([1]));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.message().contains("no columns"), "{e}");

        let e = compile_err(
            d,
            Insert::into("students")
                .columns(["name", "age"])
                .values([t("Ann"), i(1)])
                .values([t("Bob")]),
        );
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(
            e.message().contains("row 2 has 1 values for 2 columns"),
            "{e}"
        );

        let e = compile_err(
            d,
            Insert::into("students")
                .columns(["name"])
                .values([t("Ann")])
                .param_rows(1),
        );
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.message().contains("mix"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// UPDATE.

#[test]
fn update_set_values_and_expressions_with_where() {
    let stmt = Update::table("students")
        .set("name", Expr::value("Bob"))
        .set("age", Student::age.add(1))
        .set("nickname", Expr::value(Value::Null))
        .filter(Student::id.eq(7));
    assert_each(
        stmt,
        r#"UPDATE "students" SET "name" = ?, "age" = "students"."age" + ?, "nickname" = ? WHERE "students"."id" = ?"#,
        r#"UPDATE "students" SET "name" = $1, "age" = "students"."age" + $2, "nickname" = $3 WHERE "students"."id" = $4"#,
        "UPDATE `students` SET `name` = ?, `age` = `students`.`age` + ?, `nickname` = ? WHERE `students`.`id` = ?",
        &[t("Bob"), i(1), Value::Null, i(7)],
    );
}

#[test]
fn update_without_where_and_with_two_filters() {
    assert_each(
        Update::table("students").set("active", Expr::value(false)),
        r#"UPDATE "students" SET "active" = ?"#,
        r#"UPDATE "students" SET "active" = $1"#,
        "UPDATE `students` SET `active` = ?",
        &[Value::Bool(false)],
    );
    assert_sql(
        &PG,
        Update::table("students")
            .set("age", Expr::value(0))
            .filter(Student::age.lt(0))
            .filter(Student::active.eq(true)),
        r#"UPDATE "students" SET "age" = $1 WHERE ("students"."age" < $2) AND ("students"."active" = $3)"#,
        &[i(0), i(0), Value::Bool(true)],
    );
}

#[test]
fn update_returning_and_mysql_rejection() {
    let stmt = Update::table("students")
        .set("age", Student::age.add(1))
        .filter(Student::name.eq("Ann"))
        .returning("id")
        .returning("age");
    assert_sql(
        &SQLITE,
        stmt.clone(),
        r#"UPDATE "students" SET "age" = "students"."age" + ? WHERE "students"."name" = ? RETURNING "id", "age""#,
        &[i(1), t("Ann")],
    );
    assert_sql(
        &PG,
        stmt.clone(),
        r#"UPDATE "students" SET "age" = "students"."age" + $1 WHERE "students"."name" = $2 RETURNING "id", "age""#,
        &[i(1), t("Ann")],
    );
    let e = compile_err(&MYSQL, stmt);
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(
        e.message().contains("mysql") && e.message().contains("UPDATE"),
        "{e}"
    );
}

#[test]
fn update_without_assignments_is_misuse() {
    for d in dialects() {
        let e = compile_err(d, Update::table("students").filter(Student::id.eq(1)));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.message().contains("students"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// DELETE.

#[test]
fn delete_with_where() {
    assert_each(
        Delete::from("students")
            .filter(Student::age.lt(18))
            .filter(Student::active.eq(false)),
        r#"DELETE FROM "students" WHERE ("students"."age" < ?) AND ("students"."active" = ?)"#,
        r#"DELETE FROM "students" WHERE ("students"."age" < $1) AND ("students"."active" = $2)"#,
        "DELETE FROM `students` WHERE (`students`.`age` < ?) AND (`students`.`active` = ?)",
        &[i(18), Value::Bool(false)],
    );
}

#[test]
fn delete_everything() {
    assert_each(
        Delete::from("students"),
        r#"DELETE FROM "students""#,
        r#"DELETE FROM "students""#,
        "DELETE FROM `students`",
        &[],
    );
}

#[test]
fn delete_returning_on_every_dialect() {
    let stmt = Delete::from("students")
        .filter(Student::id.in_([1_i64, 2]))
        .returning("id");
    assert_sql(
        &SQLITE,
        stmt.clone(),
        r#"DELETE FROM "students" WHERE "students"."id" IN (?, ?) RETURNING "id""#,
        &[i(1), i(2)],
    );
    assert_sql(
        &PG,
        stmt.clone(),
        r#"DELETE FROM "students" WHERE "students"."id" IN ($1, $2) RETURNING "id""#,
        &[i(1), i(2)],
    );
    assert_sql(
        &MYSQL,
        stmt,
        "DELETE FROM `students` WHERE `students`.`id` IN (?, ?) RETURNING `id`",
        &[i(1), i(2)],
    );
}

// ---------------------------------------------------------------------------------------------
// Raw SQL: text().

#[test]
fn text_repeated_and_multiple_named_params() {
    let stmt =
        text("SELECT * FROM students WHERE name = :name OR nickname = :name AND age > :min_age")
            .bind("name", "Ann")
            .bind("min_age", 18);
    assert_each(
        stmt,
        "SELECT * FROM students WHERE name = ? OR nickname = ? AND age > ?",
        "SELECT * FROM students WHERE name = $1 OR nickname = $2 AND age > $3",
        "SELECT * FROM students WHERE name = ? OR nickname = ? AND age > ?",
        &[t("Ann"), t("Ann"), i(18)],
    );
}

#[test]
fn text_without_params_is_verbatim() {
    let sql = "SELECT 1 AS \"x\", 'a:b' FROM `t` -- :c";
    assert_each(text(sql), sql, sql, sql, &[]);
}

#[test]
fn text_casts_literals_and_comments_are_not_params() {
    let stmt = text(
        "SELECT :v::text AS v, '10'::int, ':not_a_param', 'it''s :no', \":nope\" -- :nope\n/* :nope */ FROM t WHERE x = :x",
    )
    .bind("v", "a")
    .bind("x", 1);
    assert_each(
        stmt,
        "SELECT ?::text AS v, '10'::int, ':not_a_param', 'it''s :no', \":nope\" -- :nope\n/* :nope */ FROM t WHERE x = ?",
        "SELECT $1::text AS v, '10'::int, ':not_a_param', 'it''s :no', \":nope\" -- :nope\n/* :nope */ FROM t WHERE x = $2",
        "SELECT ?::text AS v, '10'::int, ':not_a_param', 'it''s :no', \":nope\" -- :nope\n/* :nope */ FROM t WHERE x = ?",
        &[t("a"), i(1)],
    );
}

#[test]
fn text_param_at_start_end_and_adjacent() {
    let stmt = text(":a+:b").bind("a", 1).bind("b", 2);
    assert_each(stmt, "?+?", "$1+$2", "?+?", &[i(1), i(2)]);
}

#[test]
fn text_rebinding_replaces_the_value() {
    let stmt = text("SELECT :v").bind("v", 1).bind("v", "two");
    assert_each(stmt, "SELECT ?", "SELECT $1", "SELECT ?", &[t("two")]);
}

#[test]
fn text_unbound_param_is_misuse_naming_it() {
    for d in dialects() {
        let e = compile_err(d, text("SELECT :a, :missing_one").bind("a", 1));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
        assert!(e.message().contains(":missing_one"), "{e}");
    }
}

#[test]
fn text_unstorable_value_is_a_conversion_error() {
    for d in dialects() {
        let e = compile_err(d, text("SELECT :big").bind("big", u64::MAX));
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(e.message().contains(":big"), "{e}");
    }
}

#[test]
fn typed_unstorable_value_is_a_conversion_error() {
    assert_sql(
        &SQLITE,
        students().filter(Student::big.eq(5_u64)),
        r#"SELECT * FROM "students" WHERE "students"."big" = ?"#,
        &[i(5)],
    );
    for d in dialects() {
        let e = compile_err(d, students().filter(Student::big.eq(u64::MAX)));
        assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
        assert!(e.message().contains("i64::MAX"), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// DDL. These tests predate the DDL statements (`golden_ddl.rs` has the rest); they now go
// through `compile_ddl` and keep their expected SQL byte for byte.

fn create_table(d: &dyn Dialect, table: &Table, if_not_exists: bool) -> String {
    let ddl = CreateTable {
        table: table.clone(),
        if_not_exists,
    };
    compile_ddl(d, &ddl.into()).unwrap()
}

fn add_foreign_key(d: &dyn Dialect, table: &str, fk: &ForeignKey) -> String {
    let ddl = AlterTable::new(table, AlterAction::AddForeignKey(fk.clone()));
    compile_ddl(d, &ddl.into()).unwrap()
}

fn drop_foreign_key(d: &dyn Dialect, table: &str, fk: &ForeignKey) -> String {
    let ddl = AlterTable::new(
        table,
        AlterAction::DropForeignKey(fk.constraint_name(table)),
    );
    compile_ddl(d, &ddl.into()).unwrap()
}

fn create_index(d: &dyn Dialect, table: &str, index: &Index, if_not_exists: bool) -> String {
    let ddl = CreateIndex {
        table: table.into(),
        index: index.clone(),
        if_not_exists,
    };
    compile_ddl(d, &ddl.into()).unwrap()
}

fn drop_table(d: &dyn Dialect, name: &str, if_exists: bool) -> String {
    let ddl = DropTable {
        name: name.into(),
        if_exists,
    };
    compile_ddl(d, &ddl.into()).unwrap()
}

fn students_table() -> Table {
    Table::new("students")
        .column(
            ColumnDef::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("name", SqlType::Text(Some(50))))
        .column(ColumnDef::new("email", SqlType::Text(None)).unique())
        .column(ColumnDef::new("nickname", SqlType::Text(None)).nullable())
        .column(ColumnDef::new("credits", SqlType::Integer).server_default("0"))
        .column(ColumnDef::new("gpa", SqlType::Double).nullable())
        .column(ColumnDef::new("active", SqlType::Boolean))
        .column(ColumnDef::new("course_id", SqlType::BigInt).nullable())
        .foreign_key(
            ForeignKey::new("course_id", "courses", "id").on_delete(ReferentialAction::Cascade),
        )
}

#[test]
fn create_table_full_per_dialect() {
    let table = students_table();
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "students" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(50) NOT NULL, "email" TEXT NOT NULL, "nickname" TEXT, "credits" INTEGER NOT NULL DEFAULT 0, "gpa" REAL, "active" BOOLEAN NOT NULL, "course_id" INTEGER, UNIQUE ("email"), FOREIGN KEY ("course_id") REFERENCES "courses" ("id") ON DELETE CASCADE)"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "students" ("id" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "name" VARCHAR(50) NOT NULL, "email" TEXT NOT NULL, "nickname" TEXT, "credits" INTEGER NOT NULL DEFAULT 0, "gpa" DOUBLE PRECISION, "active" BOOLEAN NOT NULL, "course_id" BIGINT, UNIQUE ("email"), FOREIGN KEY ("course_id") REFERENCES "courses" ("id") ON DELETE CASCADE)"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `students` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(50) NOT NULL, `email` VARCHAR(255) NOT NULL, `nickname` LONGTEXT, `credits` INT NOT NULL DEFAULT 0, `gpa` DOUBLE, `active` BOOLEAN NOT NULL, `course_id` BIGINT, UNIQUE (`email`), FOREIGN KEY (`course_id`) REFERENCES `courses` (`id`) ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn create_table_if_not_exists() {
    let table = Table::new("tags").column(ColumnDef::new("label", SqlType::Text(Some(20))));
    assert_eq!(
        create_table(&SQLITE, &table, true),
        r#"CREATE TABLE IF NOT EXISTS "tags" ("label" VARCHAR(20) NOT NULL)"#
    );
    assert_eq!(
        create_table(&PG, &table, true),
        r#"CREATE TABLE IF NOT EXISTS "tags" ("label" VARCHAR(20) NOT NULL)"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, true),
        "CREATE TABLE IF NOT EXISTS `tags` (`label` VARCHAR(20) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn autoincrement_primary_key_per_integer_width() {
    let cases = [
        (
            SqlType::SmallInt,
            "INTEGER NOT NULL PRIMARY KEY",
            "SMALLINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "SMALLINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
        ),
        (
            SqlType::Integer,
            "INTEGER NOT NULL PRIMARY KEY",
            "INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "INT NOT NULL AUTO_INCREMENT PRIMARY KEY",
        ),
        (
            SqlType::BigInt,
            "INTEGER NOT NULL PRIMARY KEY",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
        ),
    ];
    for (ty, sqlite, pg, mysql) in cases {
        let table = Table::new("t").column(ColumnDef::new("id", ty).primary_key().autoincrement());
        assert_eq!(
            create_table(&SQLITE, &table, false),
            format!(r#"CREATE TABLE "t" ("id" {sqlite})"#)
        );
        assert_eq!(
            create_table(&PG, &table, false),
            format!(r#"CREATE TABLE "t" ("id" {pg})"#)
        );
        assert_eq!(
            create_table(&MYSQL, &table, false),
            format!("CREATE TABLE `t` (`id` {mysql}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
        );
    }
}

#[test]
fn single_primary_key_without_autoincrement_is_a_table_constraint() {
    let table = Table::new("codes")
        .column(ColumnDef::new("code", SqlType::Text(None)).primary_key())
        .column(ColumnDef::new("label", SqlType::Text(None)));
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "codes" ("code" TEXT NOT NULL, "label" TEXT NOT NULL, PRIMARY KEY ("code"))"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "codes" ("code" TEXT NOT NULL, "label" TEXT NOT NULL, PRIMARY KEY ("code"))"#
    );
    // MySQL cannot key a TEXT column without a prefix length.
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `codes` (`code` VARCHAR(255) NOT NULL, `label` LONGTEXT NOT NULL, PRIMARY KEY (`code`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn composite_primary_key_and_nullability() {
    let table = Table::new("enrollments")
        .column(ColumnDef::new("student_id", SqlType::BigInt).primary_key())
        // A key column is NOT NULL even if declared nullable.
        .column(
            ColumnDef::new("course_id", SqlType::BigInt)
                .primary_key()
                .nullable(),
        )
        .column(ColumnDef::new("grade", SqlType::Double).nullable())
        .column(ColumnDef::new("note", SqlType::Text(None)));
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "enrollments" ("student_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "grade" REAL, "note" TEXT NOT NULL, PRIMARY KEY ("student_id", "course_id"))"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "enrollments" ("student_id" BIGINT NOT NULL, "course_id" BIGINT NOT NULL, "grade" DOUBLE PRECISION, "note" TEXT NOT NULL, PRIMARY KEY ("student_id", "course_id"))"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `enrollments` (`student_id` BIGINT NOT NULL, `course_id` BIGINT NOT NULL, `grade` DOUBLE, `note` LONGTEXT NOT NULL, PRIMARY KEY (`student_id`, `course_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn composite_key_ignores_autoincrement() {
    let table = Table::new("pairs")
        .column(
            ColumnDef::new("a", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("b", SqlType::BigInt).primary_key());
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "pairs" ("a" INTEGER NOT NULL, "b" INTEGER NOT NULL, PRIMARY KEY ("a", "b"))"#
    );
}

#[test]
fn server_defaults_simple_and_expression() {
    let table = Table::new("posts")
        .column(ColumnDef::new("created", SqlType::DateTime).server_default("CURRENT_TIMESTAMP"))
        .column(ColumnDef::new("score", SqlType::Integer).server_default("-1"))
        .column(ColumnDef::new("ratio", SqlType::Double).server_default("0.5"))
        .column(
            ColumnDef::new("status", SqlType::Text(Some(10)))
                .nullable()
                .server_default("'draft'"),
        );
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "posts" ("created" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "score" INTEGER NOT NULL DEFAULT -1, "ratio" REAL NOT NULL DEFAULT 0.5, "status" VARCHAR(10) DEFAULT ('draft'))"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "posts" ("created" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "score" INTEGER NOT NULL DEFAULT -1, "ratio" DOUBLE PRECISION NOT NULL DEFAULT 0.5, "status" VARCHAR(10) DEFAULT ('draft'))"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `posts` (`created` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP, `score` INT NOT NULL DEFAULT -1, `ratio` DOUBLE NOT NULL DEFAULT 0.5, `status` VARCHAR(10) DEFAULT ('draft')) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn every_sql_type_per_dialect() {
    let types = [
        SqlType::SmallInt,
        SqlType::Integer,
        SqlType::BigInt,
        SqlType::Float,
        SqlType::Double,
        SqlType::Boolean,
        SqlType::Text(Some(20)),
        SqlType::Text(None),
        SqlType::Blob,
        SqlType::Date,
        SqlType::Time,
        SqlType::DateTime,
        SqlType::DateTimeTz,
        SqlType::Uuid,
        SqlType::Decimal(10, 2),
        SqlType::Json,
    ];
    let sqlite = [
        "INTEGER",
        "INTEGER",
        "INTEGER",
        "REAL",
        "REAL",
        "BOOLEAN",
        "VARCHAR(20)",
        "TEXT",
        "BLOB",
        "DATE",
        "TIME",
        "DATETIME",
        "TIMESTAMP",
        "CHAR(36)",
        "NUMERIC(10, 2)",
        "TEXT",
    ];
    let pg = [
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "REAL",
        "DOUBLE PRECISION",
        "BOOLEAN",
        "VARCHAR(20)",
        "TEXT",
        "BYTEA",
        "DATE",
        "TIME",
        "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE",
        "UUID",
        "NUMERIC(10, 2)",
        "JSONB",
    ];
    let mysql = [
        "SMALLINT",
        "INT",
        "BIGINT",
        "FLOAT",
        "DOUBLE",
        "BOOLEAN",
        "VARCHAR(20)",
        "LONGTEXT",
        "LONGBLOB",
        "DATE",
        "TIME(6)",
        "DATETIME(6)",
        "DATETIME(6)",
        "CHAR(36)",
        "DECIMAL(10, 2)",
        "JSON",
    ];
    for (n, ty) in types.iter().enumerate() {
        let table = Table::new("t").column(ColumnDef::new("c", *ty).nullable());
        assert_eq!(
            create_table(&SQLITE, &table, false),
            format!(r#"CREATE TABLE "t" ("c" {})"#, sqlite[n]),
            "{ty:?}"
        );
        assert_eq!(
            create_table(&PG, &table, false),
            format!(r#"CREATE TABLE "t" ("c" {})"#, pg[n]),
            "{ty:?}"
        );
        assert_eq!(
            create_table(&MYSQL, &table, false),
            format!(
                "CREATE TABLE `t` (`c` {}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                mysql[n]
            ),
            "{ty:?}"
        );
    }
}

#[test]
fn foreign_keys_with_actions() {
    let mut fk =
        ForeignKey::new("teacher_id", "teachers", "id").on_delete(ReferentialAction::SetNull);
    fk.on_update = Some(ReferentialAction::Cascade);
    let table = Table::new("classes")
        .column(
            ColumnDef::new("id", SqlType::Integer)
                .primary_key()
                .autoincrement(),
        )
        .column(ColumnDef::new("teacher_id", SqlType::Integer).nullable())
        .column(ColumnDef::new("room_id", SqlType::Integer))
        .foreign_key(fk)
        .foreign_key(
            ForeignKey::new("room_id", "rooms", "id").on_delete(ReferentialAction::Restrict),
        );
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "classes" ("id" INTEGER NOT NULL PRIMARY KEY, "teacher_id" INTEGER, "room_id" INTEGER NOT NULL, FOREIGN KEY ("teacher_id") REFERENCES "teachers" ("id") ON DELETE SET NULL ON UPDATE CASCADE, FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON DELETE RESTRICT)"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "classes" ("id" INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "teacher_id" INTEGER, "room_id" INTEGER NOT NULL, FOREIGN KEY ("teacher_id") REFERENCES "teachers" ("id") ON DELETE SET NULL ON UPDATE CASCADE, FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON DELETE RESTRICT)"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `classes` (`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY, `teacher_id` INT, `room_id` INT NOT NULL, FOREIGN KEY (`teacher_id`) REFERENCES `teachers` (`id`) ON DELETE SET NULL ON UPDATE CASCADE, FOREIGN KEY (`room_id`) REFERENCES `rooms` (`id`) ON DELETE RESTRICT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn composite_foreign_key() {
    let fk = ForeignKey {
        name: None,
        columns: vec!["s".into(), "c".into()],
        ref_table: "enrollments".into(),
        ref_columns: vec!["student_id".into(), "course_id".into()],
        on_delete: Some(ReferentialAction::Cascade),
        on_update: None,
        use_alter: false,
    };
    let table = Table::new("grades")
        .column(ColumnDef::new("s", SqlType::BigInt))
        .column(ColumnDef::new("c", SqlType::BigInt))
        .foreign_key(fk);
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "grades" ("s" BIGINT NOT NULL, "c" BIGINT NOT NULL, FOREIGN KEY ("s", "c") REFERENCES "enrollments" ("student_id", "course_id") ON DELETE CASCADE)"#
    );
}

/// A `use_alter` foreign key (a relationship declared `post_update`) leaves CREATE TABLE on
/// PostgreSQL and MySQL and is added (and dropped) by name; SQLite keeps it inline.
#[test]
fn use_alter_foreign_key_is_added_after_the_tables() {
    let fk = ForeignKey::new("manager_id", "employees", "id").use_alter();
    let table = Table::new("departments")
        .column(ColumnDef::new("id", SqlType::BigInt).primary_key())
        .column(ColumnDef::new("manager_id", SqlType::BigInt).nullable())
        .foreign_key(fk.clone());
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "departments" ("id" BIGINT NOT NULL, "manager_id" BIGINT, PRIMARY KEY ("id"))"#
    );
    assert_eq!(
        add_foreign_key(&PG, "departments", &fk),
        r#"ALTER TABLE "departments" ADD CONSTRAINT "fk_departments_manager_id" FOREIGN KEY ("manager_id") REFERENCES "employees" ("id")"#
    );
    assert_eq!(
        drop_foreign_key(&PG, "departments", &fk),
        r#"ALTER TABLE "departments" DROP CONSTRAINT "fk_departments_manager_id""#
    );
    assert_eq!(
        drop_foreign_key(&MYSQL, "departments", &fk),
        "ALTER TABLE `departments` DROP FOREIGN KEY `fk_departments_manager_id`"
    );
    assert!(create_table(&SQLITE, &table, false)
        .ends_with(r#"FOREIGN KEY ("manager_id") REFERENCES "employees" ("id"))"#));
}

#[test]
fn multi_column_unique_named_and_unnamed() {
    let mut table = Table::new("enrollments")
        .column(ColumnDef::new("student_id", SqlType::BigInt))
        .column(ColumnDef::new("course_id", SqlType::BigInt))
        .column(ColumnDef::new("term", SqlType::Integer))
        .unique(&["student_id", "course_id"]);
    table.uniques.push(UniqueConstraint {
        name: Some("uq_term".into()),
        columns: vec!["student_id".into(), "term".into()],
    });
    assert_eq!(
        create_table(&SQLITE, &table, false),
        r#"CREATE TABLE "enrollments" ("student_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, "term" INTEGER NOT NULL, UNIQUE ("student_id", "course_id"), CONSTRAINT "uq_term" UNIQUE ("student_id", "term"))"#
    );
    assert_eq!(
        create_table(&PG, &table, false),
        r#"CREATE TABLE "enrollments" ("student_id" BIGINT NOT NULL, "course_id" BIGINT NOT NULL, "term" INTEGER NOT NULL, UNIQUE ("student_id", "course_id"), CONSTRAINT "uq_term" UNIQUE ("student_id", "term"))"#
    );
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `enrollments` (`student_id` BIGINT NOT NULL, `course_id` BIGINT NOT NULL, `term` INT NOT NULL, UNIQUE (`student_id`, `course_id`), CONSTRAINT `uq_term` UNIQUE (`student_id`, `term`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn mysql_text_column_in_multi_column_unique_gets_a_keyable_type() {
    let table = Table::new("people")
        .column(ColumnDef::new("first", SqlType::Text(None)))
        .column(ColumnDef::new("last", SqlType::Text(None)))
        .unique(&["first", "last"]);
    assert_eq!(
        create_table(&MYSQL, &table, false),
        "CREATE TABLE `people` (`first` VARCHAR(255) NOT NULL, `last` VARCHAR(255) NOT NULL, UNIQUE (`first`, `last`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    );
}

#[test]
fn create_index_with_and_without_if_not_exists() {
    let index = Index {
        name: "ix_students_name".into(),
        columns: vec!["name".into()],
        unique: false,
        where_sql: None,
    };
    assert_eq!(
        create_index(&SQLITE, "students", &index, true),
        r#"CREATE INDEX IF NOT EXISTS "ix_students_name" ON "students" ("name")"#
    );
    assert_eq!(
        create_index(&PG, "students", &index, true),
        r#"CREATE INDEX IF NOT EXISTS "ix_students_name" ON "students" ("name")"#
    );
    // MySQL does not understand IF NOT EXISTS on CREATE INDEX.
    assert_eq!(
        create_index(&MYSQL, "students", &index, true),
        "CREATE INDEX `ix_students_name` ON `students` (`name`)"
    );
    assert_eq!(
        create_index(&SQLITE, "students", &index, false),
        r#"CREATE INDEX "ix_students_name" ON "students" ("name")"#
    );
    assert_eq!(
        create_index(&PG, "students", &index, false),
        r#"CREATE INDEX "ix_students_name" ON "students" ("name")"#
    );
    assert_eq!(
        create_index(&MYSQL, "students", &index, false),
        "CREATE INDEX `ix_students_name` ON `students` (`name`)"
    );
}

#[test]
fn create_unique_multi_column_index() {
    let index = Index {
        name: "uq_name_email".into(),
        columns: vec!["name".into(), "email".into()],
        unique: true,
        where_sql: None,
    };
    assert_eq!(
        create_index(&SQLITE, "students", &index, true),
        r#"CREATE UNIQUE INDEX IF NOT EXISTS "uq_name_email" ON "students" ("name", "email")"#
    );
    assert_eq!(
        create_index(&PG, "students", &index, false),
        r#"CREATE UNIQUE INDEX "uq_name_email" ON "students" ("name", "email")"#
    );
    assert_eq!(
        create_index(&MYSQL, "students", &index, true),
        "CREATE UNIQUE INDEX `uq_name_email` ON `students` (`name`, `email`)"
    );
}

#[test]
fn all_indexes_names_single_column_indexes() {
    let table = Table::new("students")
        .column(ColumnDef::new("id", SqlType::BigInt).primary_key().index())
        .column(ColumnDef::new("name", SqlType::Text(None)).index())
        .index("ix_custom", &["name", "id"], true);
    let sql: Vec<String> = table
        .all_indexes()
        .iter()
        .map(|ix| create_index(&SQLITE, &table.name, ix, true))
        .collect();
    assert_eq!(
        sql,
        [
            r#"CREATE INDEX IF NOT EXISTS "ix_students_name" ON "students" ("name")"#,
            r#"CREATE UNIQUE INDEX IF NOT EXISTS "ix_custom" ON "students" ("name", "id")"#,
        ]
    );
}

#[test]
fn drop_table_per_dialect() {
    assert_eq!(
        drop_table(&SQLITE, "students", false),
        r#"DROP TABLE "students""#
    );
    assert_eq!(
        drop_table(&PG, "students", false),
        r#"DROP TABLE "students""#
    );
    assert_eq!(
        drop_table(&MYSQL, "students", false),
        "DROP TABLE `students`"
    );
    assert_eq!(
        drop_table(&SQLITE, "students", true),
        r#"DROP TABLE IF EXISTS "students""#
    );
    assert_eq!(
        drop_table(&PG, "students", true),
        r#"DROP TABLE IF EXISTS "students""#
    );
    assert_eq!(
        drop_table(&MYSQL, "students", true),
        "DROP TABLE IF EXISTS `students`"
    );
}

// ---------------------------------------------------------------------------------------------
// Values never appear in SQL text.

const HOSTILE_VALUES: &[&str] = &[
    "'; DROP TABLE students; --",
    "\" OR 1=1 --",
    "` OR 1=1 #",
    "a\0b",
    "\0",
    "/* */",
    "*/ DROP TABLE students; /*",
    "Robert'); DROP TABLE students;--",
    "héllo wörld 日本語 🦀 \u{202e}evil",
    "\\'; SELECT 1; --",
    ":name",
    "$1",
    "?",
    "line\nbreak\r\n-- comment",
    "' OR ''='",
];

#[test]
fn hostile_values_are_only_ever_parameters() {
    for &s in HOSTILE_VALUES {
        let v = t(s);
        // SELECT ... WHERE name = value, LIKE value, IN (value)
        assert_each(
            students()
                .column(Student::id)
                .filter(Student::name.eq(s))
                .filter(Student::nickname.like(s))
                .filter(Student::name.in_([s])),
            r#"SELECT "students"."id" FROM "students" WHERE ("students"."name" = ?) AND ("students"."nickname" LIKE ?) AND ("students"."name" IN (?))"#,
            r#"SELECT "students"."id" FROM "students" WHERE ("students"."name" = $1) AND ("students"."nickname" LIKE $2) AND ("students"."name" IN ($3))"#,
            "SELECT `students`.`id` FROM `students` WHERE (`students`.`name` = ?) AND (`students`.`nickname` LIKE ?) AND (`students`.`name` IN (?))",
            &[v.clone(), v.clone(), v.clone()],
        );
        // INSERT
        assert_each(
            Insert::into("students").columns(["name"]).values([s]),
            r#"INSERT INTO "students" ("name") VALUES (?)"#,
            r#"INSERT INTO "students" ("name") VALUES ($1)"#,
            "INSERT INTO `students` (`name`) VALUES (?)",
            std::slice::from_ref(&v),
        );
        // UPDATE
        assert_each(
            Update::table("students")
                .set("name", Expr::value(s))
                .filter(Student::name.concat(s).eq(s)),
            r#"UPDATE "students" SET "name" = ? WHERE ("students"."name" || ?) = ?"#,
            r#"UPDATE "students" SET "name" = $1 WHERE ("students"."name" || $2) = $3"#,
            "UPDATE `students` SET `name` = ? WHERE (CONCAT(`students`.`name`, ?)) = ?",
            &[v.clone(), v.clone(), v.clone()],
        );
        // DELETE
        assert_each(
            Delete::from("students").filter(Student::nickname.eq(s)),
            r#"DELETE FROM "students" WHERE "students"."nickname" = ?"#,
            r#"DELETE FROM "students" WHERE "students"."nickname" = $1"#,
            "DELETE FROM `students` WHERE `students`.`nickname` = ?",
            std::slice::from_ref(&v),
        );
        // text()
        assert_each(
            text("SELECT * FROM students WHERE name = :v OR nickname = :v").bind("v", s),
            "SELECT * FROM students WHERE name = ? OR nickname = ?",
            "SELECT * FROM students WHERE name = $1 OR nickname = $2",
            "SELECT * FROM students WHERE name = ? OR nickname = ?",
            &[v.clone(), v.clone()],
        );
    }
}

#[test]
fn hostile_values_never_reach_the_sql_text() {
    // Independent of the exact templates above: the value's characters never show up.
    for &s in HOSTILE_VALUES.iter().filter(|s| s.len() > 2) {
        for d in dialects() {
            let stmts: Vec<Statement> = vec![
                students().filter(Student::name.eq(s)).into(),
                Insert::into("students")
                    .columns(["name"])
                    .values([s])
                    .into(),
                Update::table("students").set("name", Expr::value(s)).into(),
                Delete::from("students").filter(Student::name.ne(s)).into(),
                text("SELECT :v").bind("v", s).into(),
            ];
            for stmt in stmts {
                let c = compiled(d, stmt);
                assert!(
                    !c.sql.contains(s),
                    "{}: value {s:?} leaked into {:?}",
                    d.name(),
                    c.sql
                );
                assert!(c.params.contains(&t(s)), "{}: {:?}", d.name(), c.params);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Identifiers are always quoted, with the quote character doubled.

/// An independent reference implementation of identifier quoting.
fn q(d: &dyn Dialect, ident: &str) -> String {
    let ch = if d.name() == "mysql" { '`' } else { '"' };
    let doubled = ident.replace(ch, &format!("{ch}{ch}"));
    format!("{ch}{doubled}{ch}")
}

const HOSTILE_IDENTS: &[&str] = &[
    "we\"ird",
    "back`tick",
    "with space",
    "'; DROP TABLE students; --",
    "x\" --",
    "a\"\"b``c",
    "日本語 🦀",
    "",
];

#[test]
fn identifiers_with_quotes_are_doubled_exactly() {
    let table = "stu\"dents`; DROP TABLE x; --";
    let column = "na\"me`";
    let s = Select::from(table).column(Expr::Column(ColumnRef::qualified(table, column)));
    assert_each(
        s,
        r#"SELECT "stu""dents`; DROP TABLE x; --"."na""me`" FROM "stu""dents`; DROP TABLE x; --""#,
        r#"SELECT "stu""dents`; DROP TABLE x; --"."na""me`" FROM "stu""dents`; DROP TABLE x; --""#,
        "SELECT `stu\"dents``; DROP TABLE x; --`.`na\"me``` FROM `stu\"dents``; DROP TABLE x; --`",
        &[],
    );
}

#[test]
fn hostile_identifiers_in_every_statement_kind() {
    for &name in HOSTILE_IDENTS {
        for d in dialects() {
            let qn = q(d, name);
            let ph = if d.name() == "postgresql" { "$1" } else { "?" };

            let c = compiled(
                d,
                Select::from(name)
                    .column_as(Expr::Column(ColumnRef::qualified(name, name)), name)
                    .filter(Expr::Column(ColumnRef::bare(name)).binary(BinOp::Eq, Expr::value(1)))
                    .order_by(OrderBy {
                        expr: Expr::Column(ColumnRef::bare(name)),
                        desc: false,
                    }),
            );
            assert_eq!(
                c.sql,
                format!("SELECT {qn}.{qn} AS {qn} FROM {qn} WHERE {qn} = {ph} ORDER BY {qn}"),
                "{}",
                d.name()
            );

            let c = compiled(
                d,
                Select {
                    from: Some(TableRef::aliased(name, name)),
                    ..Select::default()
                }
                .join(
                    JoinKind::Left,
                    TableRef::aliased(name, name),
                    Expr::Column(ColumnRef::qualified(name, name))
                        .binary(BinOp::Eq, Expr::Column(ColumnRef::qualified(name, name))),
                ),
            );
            assert_eq!(
                c.sql,
                format!(
                    "SELECT * FROM {qn} AS {qn} LEFT OUTER JOIN {qn} AS {qn} ON {qn}.{qn} = {qn}.{qn}"
                ),
                "{}",
                d.name()
            );

            let c = compiled(d, Insert::into(name).columns([name]).values([1]));
            assert_eq!(
                c.sql,
                format!("INSERT INTO {qn} ({qn}) VALUES ({ph})"),
                "{}",
                d.name()
            );

            let c = compiled(
                d,
                Insert::into(name)
                    .columns([name])
                    .values([1])
                    .on_conflict(OnConflict::Update {
                        target: vec![name.to_owned().into()],
                        columns: vec![name.to_owned().into()],
                    }),
            );
            let upsert = if d.name() == "mysql" {
                format!(" ON DUPLICATE KEY UPDATE {qn} = VALUES({qn})")
            } else {
                format!(" ON CONFLICT ({qn}) DO UPDATE SET {qn} = excluded.{qn}")
            };
            assert_eq!(
                c.sql,
                format!("INSERT INTO {qn} ({qn}) VALUES ({ph}){upsert}"),
                "{}",
                d.name()
            );

            let c = compiled(d, Update::table(name).set(name, Expr::value(1)));
            assert_eq!(
                c.sql,
                format!("UPDATE {qn} SET {qn} = {ph}"),
                "{}",
                d.name()
            );

            let c = compiled(d, Delete::from(name));
            assert_eq!(c.sql, format!("DELETE FROM {qn}"), "{}", d.name());

            if d.supports_returning() {
                let c = compiled(d, Delete::from(name).returning(name));
                assert_eq!(
                    c.sql,
                    format!("DELETE FROM {qn} RETURNING {qn}"),
                    "{}",
                    d.name()
                );
            }

            let table = Table::new(name)
                .column(ColumnDef::new(name, SqlType::Integer))
                .foreign_key(ForeignKey::new(name, name, name))
                .unique(&[name]);
            let suffix = if d.name() == "mysql" {
                " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
            } else {
                ""
            };
            let ty = match d.name() {
                "mysql" => "INT",
                _ => "INTEGER",
            };
            assert_eq!(
                create_table(d, &table, false),
                format!(
                    "CREATE TABLE {qn} ({qn} {ty} NOT NULL, UNIQUE ({qn}), FOREIGN KEY ({qn}) REFERENCES {qn} ({qn})){suffix}"
                ),
                "{}",
                d.name()
            );

            let index = Index {
                name: name.into(),
                columns: vec![name.into()],
                unique: false,
                where_sql: None,
            };
            assert_eq!(
                create_index(d, name, &index, false),
                format!("CREATE INDEX {qn} ON {qn} ({qn})"),
                "{}",
                d.name()
            );
            assert_eq!(
                drop_table(d, name, true),
                format!("DROP TABLE IF EXISTS {qn}"),
                "{}",
                d.name()
            );
        }
    }
}

#[test]
fn hostile_typed_column_names_are_quoted() {
    struct Weird;
    const COL: Column<Weird, String> = Column::new("my \"table\"", "my `col`", 0);
    assert_each(
        Select::from("my \"table\"")
            .column(COL)
            .filter(COL.eq("v"))
            .order_by(COL.desc()),
        r#"SELECT "my ""table"""."my `col`" FROM "my ""table""" WHERE "my ""table"""."my `col`" = ? ORDER BY "my ""table"""."my `col`" DESC"#,
        r#"SELECT "my ""table"""."my `col`" FROM "my ""table""" WHERE "my ""table"""."my `col`" = $1 ORDER BY "my ""table"""."my `col`" DESC"#,
        "SELECT `my \"table\"`.`my ``col``` FROM `my \"table\"` WHERE `my \"table\"`.`my ``col``` = ? ORDER BY `my \"table\"`.`my ``col``` DESC",
        &[t("v")],
    );
}

#[test]
fn hostile_upsert_do_nothing_target_on_mysql_is_quoted() {
    let stmt = Insert::into("t")
        .columns(["a`b"])
        .values([1])
        .on_conflict(OnConflict::DoNothing {
            target: vec!["a`b".into()],
        });
    assert_sql(
        &MYSQL,
        stmt,
        "INSERT INTO `t` (`a``b`) VALUES (?) ON DUPLICATE KEY UPDATE `a``b` = `a``b`",
        &[i(1)],
    );
}

/// A derived table in FROM: the subquery's values are bound before the outer query's, in
/// placeholder order (how `Query::count` counts distinct objects after a join).
#[test]
fn subquery_in_from() {
    let inner = Select::from("students")
        .column(Expr::Column(ColumnRef::qualified("students", "id")))
        .filter(
            Expr::Column(ColumnRef::qualified("students", "name"))
                .binary(BinOp::Eq, Expr::Value(t("Naresh"))),
        );
    let mut distinct = Select::from_subquery(inner, "r");
    distinct.distinct = true;
    let outer = Select::from_subquery(distinct, "c")
        .column(count_star())
        .limit(5);
    assert_each(
        outer,
        r#"SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (SELECT "students"."id" FROM "students" WHERE "students"."name" = ?) AS "r") AS "c" LIMIT 5"#,
        r#"SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (SELECT "students"."id" FROM "students" WHERE "students"."name" = $1) AS "r") AS "c" LIMIT 5"#,
        "SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (SELECT `students`.`id` FROM `students` WHERE `students`.`name` = ?) AS `r`) AS `c` LIMIT 5",
        &[t("Naresh")],
    );
}

// ---------------------------------------------------------------------------------------------
// Comparisons with NULL (issue 8, item 3): `= NULL` matches nothing, so a bound NULL compared
// with `=` / `<>` becomes `IS NULL` / `IS NOT NULL`, as SQLAlchemy does for `col == None`.

#[test]
fn eq_none_is_null_and_ne_none_is_not_null() {
    assert_each(
        students().filter(Student::course_id.eq(None::<i64>)),
        r#"SELECT * FROM "students" WHERE "students"."course_id" IS NULL"#,
        r#"SELECT * FROM "students" WHERE "students"."course_id" IS NULL"#,
        "SELECT * FROM `students` WHERE `students`.`course_id` IS NULL",
        &[],
    );
    assert_each(
        students().filter(Student::nickname.ne(None::<String>)),
        r#"SELECT * FROM "students" WHERE "students"."nickname" IS NOT NULL"#,
        r#"SELECT * FROM "students" WHERE "students"."nickname" IS NOT NULL"#,
        "SELECT * FROM `students` WHERE `students`.`nickname` IS NOT NULL",
        &[],
    );
    // `Some(x)` is still an ordinary bound comparison.
    assert_each(
        students().filter(Student::course_id.eq(Some(7i64))),
        r#"SELECT * FROM "students" WHERE "students"."course_id" = ?"#,
        r#"SELECT * FROM "students" WHERE "students"."course_id" = $1"#,
        "SELECT * FROM `students` WHERE `students`.`course_id` = ?",
        &[i(7)],
    );
}

#[test]
fn null_comparison_in_any_position_and_built_untyped() {
    // NULL on the left, built with the untyped builders, inside a compound condition whose
    // later placeholders keep their numbers.
    let cond = Expr::Value(Value::Null)
        .binary(
            BinOp::Ne,
            Expr::Column(ColumnRef::qualified("students", "nickname")),
        )
        .or(Expr::Column(ColumnRef::qualified("students", "course_id"))
            .binary(BinOp::Eq, Expr::Value(Value::Null)))
        .and(Student::age.eq(20).into_inner());
    assert_each(
        students().filter(Condition::from_expr(cond)),
        r#"SELECT * FROM "students" WHERE (("students"."nickname" IS NOT NULL) OR ("students"."course_id" IS NULL)) AND ("students"."age" = ?)"#,
        r#"SELECT * FROM "students" WHERE (("students"."nickname" IS NOT NULL) OR ("students"."course_id" IS NULL)) AND ("students"."age" = $1)"#,
        "SELECT * FROM `students` WHERE ((`students`.`nickname` IS NOT NULL) OR (`students`.`course_id` IS NULL)) AND (`students`.`age` = ?)",
        &[i(20)],
    );
    // UPDATE and DELETE filters too; a NULL assigned in SET stays a bound value.
    assert_each(
        Update::table("students")
            .set("nickname", Expr::Value(Value::Null))
            .filter(Student::course_id.eq(None::<i64>)),
        r#"UPDATE "students" SET "nickname" = ? WHERE "students"."course_id" IS NULL"#,
        r#"UPDATE "students" SET "nickname" = $1 WHERE "students"."course_id" IS NULL"#,
        "UPDATE `students` SET `nickname` = ? WHERE `students`.`course_id` IS NULL",
        &[Value::Null],
    );
    assert_each(
        Delete::from("students").filter(Student::course_id.ne(None::<i64>)),
        r#"DELETE FROM "students" WHERE "students"."course_id" IS NOT NULL"#,
        r#"DELETE FROM "students" WHERE "students"."course_id" IS NOT NULL"#,
        "DELETE FROM `students` WHERE `students`.`course_id` IS NOT NULL",
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Identifier limits (issue 8, item 6): PostgreSQL truncates names beyond 63 bytes and MySQL
// refuses names beyond 64 characters; a longer name is a typed error at compile/DDL time, and a
// NUL byte in a name is a misuse error, never a driver error.

#[test]
fn each_dialect_knows_its_identifier_limit() {
    assert_eq!(SQLITE.identifier_limit(), IdentifierLimit::Unlimited);
    assert_eq!(PG.identifier_limit(), IdentifierLimit::Bytes(63));
    assert_eq!(MYSQL.identifier_limit(), IdentifierLimit::Chars(64));
}

#[track_caller]
fn assert_too_long(e: &Error, ident: &str, dialect: &str, length: &str, limit: &str) {
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong, "{e}");
    let m = e.to_string();
    for part in [ident, dialect, length, limit] {
        assert!(m.contains(part), "{part:?} missing from: {m}");
    }
}

#[test]
fn long_identifiers_in_statements_are_typed_errors() {
    let n63 = "t".repeat(63);
    let n64 = "t".repeat(64);
    let n65 = "t".repeat(65);
    // 32 two-byte characters: 64 bytes, 32 characters.
    let wide = "é".repeat(32);

    // At the limit: compiles everywhere.
    for d in dialects() {
        compiled(d, Select::from(n63.clone()));
    }
    // PostgreSQL counts bytes; MySQL counts characters; SQLite has no limit.
    let e = compile_err(&PG, Select::from(n64.clone()));
    assert_too_long(&e, &n64, "postgresql", "64 bytes", "63 bytes");
    compiled(&MYSQL, Select::from(n64.clone()));
    let e = compile_err(&MYSQL, Select::from(n65.clone()));
    assert_too_long(&e, &n65, "mysql", "65 characters", "64 characters");
    compiled(&SQLITE, Select::from("x".repeat(1000)));
    let e = compile_err(&PG, Select::from(wide.clone()));
    assert_too_long(&e, &wide, "postgresql", "64 bytes", "63 bytes");
    compiled(&MYSQL, Select::from(wide.clone()));

    // Columns, aliases, INSERT/UPDATE/DELETE targets, RETURNING.
    let long_col = Select::from("t").column(Expr::Column(ColumnRef::qualified("t", n64.clone())));
    assert!(compile_err(&PG, long_col).message().contains("column"));
    let long_alias = Select::from("t").column_as(Expr::Column(ColumnRef::bare("a")), n65.clone());
    let e = compile_err(&MYSQL, long_alias);
    assert!(e.message().contains("alias"), "{e}");
    let e = compile_err(&PG, Insert::into(n64.clone()).columns(["a"]).values([1]));
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong);
    let e = compile_err(&PG, Update::table("t").set(n64.clone(), Expr::value(1)));
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong);
    let e = compile_err(&MYSQL, Delete::from(n65.clone()));
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong);
}

#[test]
fn nul_in_an_identifier_is_misuse_on_every_dialect() {
    for d in dialects() {
        let e = compile_err(d, Select::from("stu\0dents"));
        assert_eq!(e.kind(), ErrorKind::Misuse, "{}: {e}", d.name());
        assert!(e.message().contains("NUL"), "{e}");
        let e = check_identifier(d, "col\0", "column").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misuse, "{}: {e}", d.name());
        let table = Table::new("t").column(ColumnDef::new("a\0b", SqlType::Integer));
        assert_eq!(
            check_table(d, &table).unwrap_err().kind(),
            ErrorKind::Misuse
        );
    }
}

#[test]
fn ddl_names_are_checked_per_dialect() {
    let n64 = "n".repeat(64);
    let n65 = "n".repeat(65);
    let base = || Table::new("t").column(ColumnDef::new("id", SqlType::BigInt).primary_key());
    let cases: Vec<(&str, Table)> = vec![
        (
            "table",
            Table::new(n64.clone()).column(ColumnDef::new("id", SqlType::BigInt)),
        ),
        (
            "column",
            base().column(ColumnDef::new(n64.clone(), SqlType::Integer)),
        ),
        ("index", base().index(n64.clone(), &["id"], false)),
        (
            "constraint",
            Table {
                uniques: vec![UniqueConstraint {
                    name: Some(n64.clone()),
                    columns: vec!["id".into()],
                }],
                ..base()
            },
        ),
        (
            "table",
            base()
                .column(ColumnDef::new("c", SqlType::BigInt))
                .foreign_key(ForeignKey::new("c", n64.clone(), "id")),
        ),
    ];
    for (what, table) in &cases {
        let e = check_table(&PG, table).unwrap_err();
        assert_too_long(&e, &n64, "postgresql", "64 bytes", "63 bytes");
        assert!(e.message().contains(what), "{what}: {e}");
        check_table(&MYSQL, table).unwrap();
        check_table(&SQLITE, table).unwrap();
    }
    let e = check_table(
        &MYSQL,
        &Table::new(n65.clone()).column(ColumnDef::new("id", SqlType::BigInt)),
    )
    .unwrap_err();
    assert_too_long(&e, &n65, "mysql", "65 characters", "64 characters");
}

#[test]
fn generated_index_and_constraint_names_are_shortened_not_rejected() {
    // A 40-character table with a 40-character indexed column: `ix_<table>_<column>` would
    // be 84 bytes; like `use_alter` constraint names it is cut and ends with a hash.
    let (tn, cn) = ("a".repeat(40), "b".repeat(40));
    let table = Table::new(tn.clone())
        .column(ColumnDef::new("id", SqlType::BigInt).primary_key())
        .column(ColumnDef::new(cn.clone(), SqlType::BigInt).index())
        .foreign_key(ForeignKey::new(cn.clone(), tn.clone(), "id").use_alter());
    for d in dialects() {
        check_table(d, &table).unwrap_or_else(|e| panic!("{}: {e}", d.name()));
    }
    // The first 54 bytes of the full name, `_`, the low 32 bits of its FNV-1a hash (computed
    // outside this code).
    let ix = &table.all_indexes()[0].name;
    assert_eq!(
        ix,
        "ix_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbbbbbbb_b372efa2"
    );
    // Short generated names are unchanged.
    let short = Table::new("s").column(ColumnDef::new("name", SqlType::Text(None)).index());
    assert_eq!(short.all_indexes()[0].name, "ix_s_name");
}
