//! What the compiler refuses since the expression language's review (issue 14): each
//! construct below used to compile to SQL the databases refuse (found by the builder fuzz
//! test, docs/queries/fuzz.md) and is now a typed `Misuse` naming it, on SQLite, PostgreSQL
//! and MySQL/MariaDB alike; with the neighbouring forms that must still compile (in exact
//! SQL where it matters). Also the one representation of COALESCE / NULLIF and the one AVG rendering.

#![allow(non_upper_case_globals)]

use cinnabar_core::dialect::{
    compile, Compiled, Dialect, MySqlDialect, PostgresDialect, SqliteDialect,
};
use cinnabar_core::sql::{
    avg, call, case, coalesce, count_star, current_date, nullif, row_number, scalar, tuple, BinOp,
    Column, Delete, Expr, Expression, ExpressionExt, Function, Insert, JoinKind, RowLock, Select,
    Statement, TableRef, TypedExpr, Window,
};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;

struct Student;
struct Mark;

impl Student {
    const id: Column<Student, i64> = Column::new("students", "id", 0);
    const name: Column<Student, String> = Column::new("students", "name", 1);
    const nickname: Column<Student, Option<String>> = Column::new("students", "nickname", 2);
    const age: Column<Student, i32> = Column::new("students", "age", 3);
}

impl Mark {
    const student_id: Column<Mark, i64> = Column::new("marks", "student_id", 0);
    const course: Column<Mark, String> = Column::new("marks", "course", 1);
    const mark: Column<Mark, i32> = Column::new("marks", "mark", 2);
}

const SQLITE: SqliteDialect = SqliteDialect;
const PG: PostgresDialect = PostgresDialect;
const MYSQL: MySqlDialect = MySqlDialect;

fn dialects() -> [&'static dyn Dialect; 3] {
    [&SQLITE, &PG, &MYSQL]
}

fn compiled(d: &dyn Dialect, stmt: impl Into<Statement>) -> Compiled {
    let stmt = stmt.into();
    compile(d, &stmt).unwrap_or_else(|e| panic!("{} failed to compile {stmt:?}: {e}", d.name()))
}

/// The same SQL (modulo the quote character and placeholders) on the three dialects.
#[track_caller]
fn assert_each(stmt: impl Into<Statement>, sqlite: &str, postgres: &str, mysql: &str) {
    let stmt = stmt.into();
    for (d, want) in [
        (&SQLITE as &dyn Dialect, sqlite),
        (&PG, postgres),
        (&MYSQL, mysql),
    ] {
        assert_eq!(compiled(d, stmt.clone()).sql, want, "SQL for {}", d.name());
    }
}

/// Fails on every dialect with `Misuse`, the message holding each of `words`.
#[track_caller]
fn assert_misuse(stmt: impl Into<Statement>, words: &[&str]) {
    let stmt = stmt.into();
    for d in dialects() {
        let e = match compile(d, &stmt) {
            Ok(c) => panic!("{} compiled what it must refuse: {}", d.name(), c.sql),
            Err(e) => e,
        };
        assert_eq!(e.kind(), ErrorKind::Misuse, "{e} on {}", d.name());
        for w in words {
            assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
        }
    }
}

fn students() -> Select {
    Select::from("students")
}

fn marks() -> Select {
    Select::from("marks")
}

// ---------------------------------------------------------------------------------------------
// COALESCE / NULLIF: one representation (`Function`), one argument check

#[test]
fn coalesce_and_nullif_are_builtin_functions_checked_in_one_place() {
    // The builders and the untyped tree give the same expression.
    let built = coalesce((Student::nickname, Student::name)).expr();
    let method = Student::nickname.coalesce(Student::name).expr();
    let untyped = Expr::Func {
        func: Function::Coalesce,
        args: vec![Student::nickname.into(), Student::name.into()],
        distinct: false,
    };
    assert_eq!(built, untyped);
    assert_eq!(method, untyped);
    assert_eq!(
        nullif(Student::age, 0).expr(),
        Student::age.nullif(0).expr()
    );
    assert!(matches!(
        nullif(Student::age, 0).expr(),
        Expr::Func {
            func: Function::Nullif,
            ..
        }
    ));

    // Every built-in function's arguments are counted, through any builder.
    assert_misuse(
        students().column(coalesce(vec![Student::name])),
        &["COALESCE takes at least 2 arguments, got 1"],
    );
    let three = Expr::Func {
        func: Function::Nullif,
        args: vec![Expr::value(1), Expr::value(2), Expr::value(3)],
        distinct: false,
    };
    assert_misuse(
        students().column(three),
        &["NULLIF takes exactly 2 arguments, got 3"],
    );
    let lower_of_two = Expr::Func {
        func: Function::Lower,
        args: vec![Student::name.into(), Student::name.into()],
        distinct: false,
    };
    assert_misuse(
        students().column(lower_of_two),
        &["LOWER takes exactly 1 argument, got 2"],
    );
    let lower_distinct = Expr::Func {
        func: Function::Lower,
        args: vec![Student::name.into()],
        distinct: true,
    };
    assert_misuse(
        students().column(lower_distinct),
        &["LOWER(DISTINCT", "aggregate"],
    );
    // A function called by name is the database's business, whatever its name.
    compiled(
        &SQLITE,
        students().column(call::<kind::Text>("coalesce", (Student::name, "x"))),
    );
}

#[test]
fn avg_method_renders_like_the_free_avg() {
    assert_eq!(Student::age.avg().expr(), avg(Student::age).expr());
    let rating = Column::<Student, f64>::new("students", "rating", 4);
    assert_eq!(rating.avg().expr(), avg(rating).expr());
    assert_each(
        students().column(Student::age.avg()).column(rating.avg()),
        r#"SELECT AVG(CAST("students"."age" AS REAL)), AVG("students"."rating") FROM "students""#,
        r#"SELECT AVG(CAST("students"."age" AS DOUBLE PRECISION)), AVG("students"."rating") FROM "students""#,
        "SELECT AVG(CAST(`students`.`age` AS DOUBLE)), AVG(`students`.`rating`) FROM `students`",
    );
}

// ---------------------------------------------------------------------------------------------
// (a) subqueries over set operations: their width is the first operand's

fn ids(course: &'static str) -> Select {
    marks()
        .column(Mark::student_id)
        .filter(Mark::course.eq(course))
}

#[test]
fn scalar_and_in_subqueries_of_a_set_operation_use_its_width() {
    let best = marks()
        .column(Mark::mark.max())
        .union(marks().column(Mark::mark.min()));
    assert_each(
        students().column(scalar::<kind::Integer>(best)),
        r#"SELECT (SELECT MAX("marks"."mark") FROM "marks" UNION SELECT MIN("marks"."mark") FROM "marks") FROM "students""#,
        r#"SELECT (SELECT MAX("marks"."mark") FROM "marks" UNION SELECT MIN("marks"."mark") FROM "marks") FROM "students""#,
        "SELECT (SELECT MAX(`marks`.`mark`) FROM `marks` UNION SELECT MIN(`marks`.`mark`) FROM `marks`) FROM `students`",
    );
    let two = marks()
        .column(Mark::student_id)
        .column(Mark::mark)
        .union(marks().column(Mark::student_id).column(Mark::mark));
    assert_misuse(
        students().column(scalar::<kind::Integer>(two.clone())),
        &["scalar subquery", "selects 2"],
    );
    assert_misuse(
        students().filter(Student::id.in_select(two)),
        &["IN (subquery) compares 1 value(s) with a subquery of 2 column(s)"],
    );
    compiled(
        &PG,
        students().filter(Student::id.in_select(ids("Python").union(ids("Rust")))),
    );
}

// ---------------------------------------------------------------------------------------------
// (b) OVER takes aggregates and ranking functions only

#[test]
fn over_refuses_what_is_not_an_aggregate_or_ranking_function() {
    let w = || Window::new().partition_by(Mark::course);
    let cases: Vec<(Expr, &str)> = vec![
        (
            case::<kind::Integer>()
                .when(Mark::mark.gt(50), 1)
                .else_(0)
                .over(w())
                .expr(),
            "a CASE expression",
        ),
        (Mark::mark.cast::<f64>().over(w()).expr(), "a CAST"),
        ((-Mark::mark).over(w()).expr(), "unary minus"),
        (current_date().over(w()).expr(), "CURRENT_DATE"),
        (
            Expr::Over {
                func: Box::new(Expr::Tuple(vec![Mark::mark.into(), Mark::course.into()])),
                window: Box::new(w()),
            },
            "a row value",
        ),
        (
            TypedExpr::<kind::Text>::from_expr(Mark::course.into())
                .coalesce("-")
                .over(w())
                .expr(),
            "COALESCE(..)",
        ),
    ];
    for (over, what) in cases {
        assert_misuse(marks().column(over), &["OVER (...) applies to", what]);
    }
    let count_distinct = Expr::Over {
        func: Box::new(Expr::Func {
            func: Function::Count,
            args: vec![Mark::mark.into()],
            distinct: true,
        }),
        window: Box::new(w()),
    };
    assert_misuse(
        marks().column(count_distinct),
        &["COUNT(DISTINCT", "window"],
    );

    // Aggregates, COUNT(*), ranking functions and functions called by name take OVER.
    assert_each(
        marks()
            .column(Mark::mark.sum().over(w()))
            .column(TypedExpr::<kind::Integer>::from_expr(count_star().expr()).over(w()))
            .column(row_number().over(w()))
            .column(call::<kind::Integer>("lag", (Mark::mark,)).over(w())),
        r#"SELECT SUM("marks"."mark") OVER (PARTITION BY "marks"."course"), COUNT(*) OVER (PARTITION BY "marks"."course"), ROW_NUMBER() OVER (PARTITION BY "marks"."course"), lag("marks"."mark") OVER (PARTITION BY "marks"."course") FROM "marks""#,
        r#"SELECT SUM("marks"."mark") OVER (PARTITION BY "marks"."course"), COUNT(*) OVER (PARTITION BY "marks"."course"), ROW_NUMBER() OVER (PARTITION BY "marks"."course"), lag("marks"."mark") OVER (PARTITION BY "marks"."course") FROM "marks""#,
        "SELECT SUM(`marks`.`mark`) OVER (PARTITION BY `marks`.`course`), COUNT(*) OVER (PARTITION BY `marks`.`course`), ROW_NUMBER() OVER (PARTITION BY `marks`.`course`), lag(`marks`.`mark`) OVER (PARTITION BY `marks`.`course`) FROM `marks`",
    );
}

// ---------------------------------------------------------------------------------------------
// (c) window functions in INSERT VALUES and inside another window

#[test]
fn a_window_function_in_values_or_inside_a_window_is_refused() {
    let rn = || Expr::from(row_number().over(Window::new()));
    let mut insert = Insert::into("marks").columns(["mark"]);
    insert.rows.push(vec![rn()]);
    assert_misuse(insert, &["window function", "INSERT ... VALUES"]);

    let nested_partition = row_number().over(Window::new().partition_by(rn()));
    assert_misuse(
        marks().column(nested_partition),
        &["window function", "a window's PARTITION BY"],
    );
    let nested_order = row_number()
        .over(Window::new().order_by(TypedExpr::<kind::Integer>::from_expr(rn()).desc()));
    assert_misuse(
        marks().column(nested_order),
        &["window function", "a window's ORDER BY"],
    );
    let nested_arg = TypedExpr::<kind::Integer>::from_expr(rn())
        .sum()
        .over(Window::new());
    assert_misuse(
        marks().column(nested_arg),
        &["window function", "a window function's argument"],
    );
    // In a subquery of VALUES, the window belongs to that subquery's select list.
    let mut insert = Insert::into("marks").columns(["mark"]);
    insert.rows.push(vec![Expr::Subquery(Box::new(
        marks().column(rn()).limit(1),
    ))]);
    compiled(&MYSQL, insert);
}

// ---------------------------------------------------------------------------------------------
// (d) row values outside comparisons

#[test]
fn row_values_only_compare_with_row_values_or_subqueries() {
    let pair = || Expr::Tuple(vec![Mark::student_id.into(), Mark::mark.into()]);
    assert_misuse(
        marks().column(pair().binary(BinOp::Add, Expr::value(1))),
        &["row values are compared with", "not +"],
    );
    assert_misuse(
        marks().filter(pair().binary(BinOp::Eq, Expr::value(1))),
        &["a row value of 2 compared with a value"],
    );
    assert_misuse(
        marks().filter(Expr::InList {
            expr: Box::new(Mark::mark.into()),
            list: vec![Expr::Tuple(vec![Expr::value(1), Expr::value(2)])],
            negated: false,
        }),
        &["entry 1 of an IN list is a row value", "a column"],
    );
    let one_col = marks().column(Mark::mark);
    assert_misuse(
        marks().filter(pair().binary(BinOp::Eq, Expr::Subquery(Box::new(one_col)))),
        &["a row value of 2 compared with a subquery of 1 column(s)"],
    );
    let best = marks()
        .column(Mark::student_id)
        .column(Mark::mark.max())
        .group_by(Mark::student_id)
        .limit(1);
    assert_each(
        marks().filter(pair().binary(BinOp::Eq, Expr::Subquery(Box::new(best)))),
        r#"SELECT * FROM "marks" WHERE ("marks"."student_id", "marks"."mark") = (SELECT "marks"."student_id", MAX("marks"."mark") FROM "marks" GROUP BY "marks"."student_id" LIMIT 1)"#,
        r#"SELECT * FROM "marks" WHERE ("marks"."student_id", "marks"."mark") = (SELECT "marks"."student_id", MAX("marks"."mark") FROM "marks" GROUP BY "marks"."student_id" LIMIT 1)"#,
        "SELECT * FROM `marks` WHERE (`marks`.`student_id`, `marks`.`mark`) = (SELECT `marks`.`student_id`, MAX(`marks`.`mark`) FROM `marks` GROUP BY `marks`.`student_id` LIMIT 1)",
    );
    // The typed row values are unchanged.
    compiled(
        &PG,
        marks().filter(tuple((Mark::student_id, Mark::mark)).in_([(1_i64, 2_i32)])),
    );
}

// ---------------------------------------------------------------------------------------------
// (e) clauses without their context

#[test]
fn join_without_from_is_refused() {
    let mut q = Select::default().column(Mark::mark);
    q = q.join(
        JoinKind::Inner,
        TableRef::new("marks"),
        Mark::student_id.eq(1_i64),
    );
    assert_misuse(q, &["JOIN but no FROM"]);
}

#[test]
fn for_update_is_refused_on_a_set_operations_operand_only() {
    let locked = || ids("Python").for_update(RowLock::Wait);
    // PostgreSQL refuses FOR UPDATE with UNION / INTERSECT / EXCEPT, MariaDB reads it as a
    // syntax error: refused on every operand, plain, parenthesized or first.
    let operands: Vec<(&str, Select)> = vec![
        ("operand 2", ids("Rust").union(locked())),
        ("operand 1", locked().union(ids("Rust"))),
        ("operand 2", ids("Rust").except(locked().limit(1))),
        (
            "operand 2",
            ids("Rust").union_all(ids("SQL").intersect(locked())),
        ),
    ];
    for (which, q) in operands {
        assert_misuse(q, &["FOR UPDATE on", which, "set operation"]);
    }
    // Both take it in a subquery, a CTE and a derived table (and SQLite writes no lock).
    assert_each(
        students()
            .column(Student::name)
            .filter(Student::id.in_select(locked())),
        r#"SELECT "students"."name" FROM "students" WHERE "students"."id" IN (SELECT "marks"."student_id" FROM "marks" WHERE "marks"."course" = ?)"#,
        r#"SELECT "students"."name" FROM "students" WHERE "students"."id" IN (SELECT "marks"."student_id" FROM "marks" WHERE "marks"."course" = $1 FOR UPDATE)"#,
        "SELECT `students`.`name` FROM `students` WHERE `students`.`id` IN (SELECT `marks`.`student_id` FROM `marks` WHERE `marks`.`course` = ? FOR UPDATE)",
    );
    for d in dialects() {
        compiled(d, Select::from_subquery(locked(), "s"));
        compiled(d, Select::from("p").with("p", locked()));
        compiled(
            d,
            Delete::from("students").filter(Student::id.in_select(locked())),
        );
        compiled(
            d,
            Insert::into("honours")
                .columns(["student_id"])
                .select(locked()),
        );
    }
    // A subquery of an operand is that subquery's business.
    let inner = ids("Rust").filter(Mark::student_id.in_select(locked()));
    compiled(&PG, ids("SQL").union(inner));
}
