//! Exact-SQL ("golden") tests for the statements of issue 14: CTEs (`WITH`, `WITH RECURSIVE`),
//! set operations, window functions, `INSERT ... SELECT` and RETURNING per statement kind,
//! each compiled for SQLite, PostgreSQL and MySQL/MariaDB and compared with the exact SQL text
//! and bound parameters; and the typed errors for what cannot be written.

#![allow(non_upper_case_globals)]

use cinnabar_core::dialect::{
    compile, Compiled, Dialect, DmlKind, MySqlDialect, PostgresDialect, SqliteDialect,
};
use cinnabar_core::sql::{
    current_row, dense_rank, following, preceding, rank, row_number, unbounded_following,
    unbounded_preceding, BinOp, Column, ColumnRef, Cte, Delete, Expr, Expression, Insert, JoinKind,
    OnConflict, OrderBy, RankFunction, Select, SetOp, Statement, TableRef, Update, Window,
};
use cinnabar_core::types::kind;
use cinnabar_core::{Error, ErrorKind, Value};

// ---------------------------------------------------------------------------------------------
// The tutorial's domain, as `#[derive(Model)]` would emit it.

struct Enrollment;
struct Course;
struct Prereq;

impl Enrollment {
    const student_id: Column<Enrollment, i64> = Column::new("enrollments", "student_id", 0);
    const course_id: Column<Enrollment, i64> = Column::new("enrollments", "course_id", 1);
    const mark: Column<Enrollment, i32> = Column::new("enrollments", "mark", 2);
}

impl Course {
    const id: Column<Course, i64> = Column::new("courses", "id", 0);
    const title: Column<Course, String> = Column::new("courses", "title", 1);
}

impl Prereq {
    const course_id: Column<Prereq, i64> = Column::new("prerequisites", "course_id", 0);
    const requires_id: Column<Prereq, i64> = Column::new("prerequisites", "requires_id", 1);
}

const SQLITE: SqliteDialect = SqliteDialect;
const PG: PostgresDialect = PostgresDialect;
const MYSQL: MySqlDialect = MySqlDialect;

fn dialects() -> [&'static dyn Dialect; 3] {
    [&SQLITE, &PG, &MYSQL]
}

fn i(n: i64) -> Value {
    Value::Int(n)
}

fn col(name: &'static str) -> Expr {
    Expr::Column(ColumnRef::bare(name))
}

fn qcol(table: &'static str, name: &'static str) -> Expr {
    Expr::Column(ColumnRef::qualified(table, name))
}

fn asc(e: Expr) -> OrderBy {
    OrderBy {
        expr: e,
        desc: false,
    }
}

fn compiled(d: &dyn Dialect, stmt: impl Into<Statement>) -> Compiled {
    let stmt = stmt.into();
    compile(d, &stmt).unwrap_or_else(|e| panic!("{} failed to compile {stmt:?}: {e}", d.name()))
}

/// The same statement on all three dialects: exact SQL, exact parameters, no slots.
#[track_caller]
fn assert_each(
    stmt: impl Into<Statement>,
    sqlite: &str,
    postgres: &str,
    mysql: &str,
    params: &[Value],
) {
    let stmt = stmt.into();
    for (d, expected) in [
        (&SQLITE as &dyn Dialect, sqlite),
        (&PG, postgres),
        (&MYSQL, mysql),
    ] {
        let c = compiled(d, stmt.clone());
        assert_eq!(c.sql, expected, "SQL for {}", d.name());
        assert_eq!(c.params, params, "params for {}", d.name());
        assert_eq!(c.slots, 0, "slots for {}", d.name());
    }
}

#[track_caller]
fn compile_err(d: &dyn Dialect, stmt: impl Into<Statement>) -> Error {
    match compile(d, &stmt.into()) {
        Ok(c) => panic!("{} compiled what should fail: {c:?}", d.name()),
        Err(e) => e,
    }
}

/// Fails on every dialect with `kind`, the message holding each of `words`.
#[track_caller]
fn assert_err_each(stmt: impl Into<Statement>, kind: ErrorKind, words: &[&str]) {
    let stmt = stmt.into();
    for d in dialects() {
        let e = compile_err(d, stmt.clone());
        assert_eq!(e.kind(), kind, "{} on {}", e, d.name());
        for w in words {
            assert!(e.message().contains(w), "{:?} lacks {w:?}", e.message());
        }
    }
}

/// Students with a mark of at least `min`.
fn good_marks(min: i64) -> Select {
    Select::from("enrollments")
        .column(Enrollment::student_id)
        .filter(Enrollment::mark.ge(min as i32))
}

// ---------------------------------------------------------------------------------------------
// WITH

#[test]
fn cte_used_as_a_table() {
    let q = Select::from("good")
        .column(qcol("good", "student_id"))
        .with("good", good_marks(80));
    assert_each(
        q,
        r#"WITH "good" AS (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."mark" >= ?) SELECT "good"."student_id" FROM "good""#,
        r#"WITH "good" AS (SELECT "enrollments"."student_id" FROM "enrollments" WHERE "enrollments"."mark" >= $1) SELECT "good"."student_id" FROM "good""#,
        "WITH `good` AS (SELECT `enrollments`.`student_id` FROM `enrollments` WHERE `enrollments`.`mark` >= ?) SELECT `good`.`student_id` FROM `good`",
        &[i(80)],
    );
}

#[test]
fn cte_with_column_names_joined_and_filtered_through_typed_columns() {
    let avg = Select::from("enrollments")
        .column(Enrollment::course_id)
        .column(Enrollment::mark.avg())
        .group_by(Enrollment::course_id);
    let cte = Cte::new("course_avg", avg).columns(["course_id", "average"]);
    let average = cte.column("average").typed::<kind::Real>();
    let q = Select::from("courses")
        .column(Course::title)
        .column(Expr::Column(cte.column("average")))
        .join(
            JoinKind::Inner,
            cte.table(),
            Expr::from(
                cte.column("course_id")
                    .typed::<kind::Integer>()
                    .eq(Course::id),
            ),
        )
        .filter(average.gt(50.0))
        .with_cte(cte);
    assert_each(
        q,
        r#"WITH "course_avg" ("course_id", "average") AS (SELECT "enrollments"."course_id", AVG(CAST("enrollments"."mark" AS REAL)) FROM "enrollments" GROUP BY "enrollments"."course_id") SELECT "courses"."title", "course_avg"."average" FROM "courses" JOIN "course_avg" ON "course_avg"."course_id" = "courses"."id" WHERE "course_avg"."average" > ?"#,
        r#"WITH "course_avg" ("course_id", "average") AS (SELECT "enrollments"."course_id", AVG(CAST("enrollments"."mark" AS DOUBLE PRECISION)) FROM "enrollments" GROUP BY "enrollments"."course_id") SELECT "courses"."title", "course_avg"."average" FROM "courses" JOIN "course_avg" ON "course_avg"."course_id" = "courses"."id" WHERE "course_avg"."average" > $1"#,
        "WITH `course_avg` (`course_id`, `average`) AS (SELECT `enrollments`.`course_id`, AVG(CAST(`enrollments`.`mark` AS DOUBLE)) FROM `enrollments` GROUP BY `enrollments`.`course_id`) SELECT `courses`.`title`, `course_avg`.`average` FROM `courses` JOIN `course_avg` ON `course_avg`.`course_id` = `courses`.`id` WHERE `course_avg`.`average` > ?",
        &[Value::Real(50.0)],
    );
}

/// Every course that `start` needs, directly or through other prerequisites.
fn prerequisite_tree(start: i64) -> Select {
    let anchor = Select::from("prerequisites")
        .column(Prereq::requires_id)
        .filter(Prereq::course_id.eq(start));
    let step = Select::from("prerequisites")
        .column(Prereq::requires_id)
        .join(
            JoinKind::Inner,
            TableRef::new("tree"),
            Expr::from(Prereq::course_id.eq(ColumnRef::qualified("tree", "id").typed())),
        );
    Select::from("tree")
        .column(qcol("tree", "id"))
        .with_recursive("tree", &["id"], anchor.union(step))
        .order_by(asc(qcol("tree", "id")))
}

#[test]
fn with_recursive_walks_the_prerequisite_tree() {
    assert_each(
        prerequisite_tree(7),
        r#"WITH RECURSIVE "tree" ("id") AS (SELECT "prerequisites"."requires_id" FROM "prerequisites" WHERE "prerequisites"."course_id" = ? UNION SELECT "prerequisites"."requires_id" FROM "prerequisites" JOIN "tree" ON "prerequisites"."course_id" = "tree"."id") SELECT "tree"."id" FROM "tree" ORDER BY "tree"."id""#,
        r#"WITH RECURSIVE "tree" ("id") AS (SELECT "prerequisites"."requires_id" FROM "prerequisites" WHERE "prerequisites"."course_id" = $1 UNION SELECT "prerequisites"."requires_id" FROM "prerequisites" JOIN "tree" ON "prerequisites"."course_id" = "tree"."id") SELECT "tree"."id" FROM "tree" ORDER BY "tree"."id""#,
        "WITH RECURSIVE `tree` (`id`) AS (SELECT `prerequisites`.`requires_id` FROM `prerequisites` WHERE `prerequisites`.`course_id` = ? UNION SELECT `prerequisites`.`requires_id` FROM `prerequisites` JOIN `tree` ON `prerequisites`.`course_id` = `tree`.`id`) SELECT `tree`.`id` FROM `tree` ORDER BY `tree`.`id`",
        &[i(7)],
    );
}

#[test]
fn several_ctes_one_recursive_makes_the_clause_recursive() {
    let q = Select::from("b")
        .with("a", Select::from("x").column(col("v")))
        .with_recursive("b", &["v"], Select::from("a").column(col("v")));
    let c = compiled(&SQLITE, q);
    assert_eq!(
        c.sql,
        r#"WITH RECURSIVE "a" AS (SELECT "v" FROM "x"), "b" ("v") AS (SELECT "v" FROM "a") SELECT * FROM "b""#
    );
}

#[test]
fn cte_inside_a_derived_table_and_a_cte_body_that_is_a_compound() {
    let body = Select::from("a")
        .column(col("v"))
        .union_all(Select::from("b").column(col("v")));
    let inner = Select::from("both").column(col("v")).with("both", body);
    let q = Select::from_subquery(inner, "d").column(qcol("d", "v"));
    assert_each(
        q,
        r#"SELECT "d"."v" FROM (WITH "both" AS (SELECT "v" FROM "a" UNION ALL SELECT "v" FROM "b") SELECT "v" FROM "both") AS "d""#,
        r#"SELECT "d"."v" FROM (WITH "both" AS (SELECT "v" FROM "a" UNION ALL SELECT "v" FROM "b") SELECT "v" FROM "both") AS "d""#,
        "SELECT `d`.`v` FROM (WITH `both` AS (SELECT `v` FROM `a` UNION ALL SELECT `v` FROM `b`) SELECT `v` FROM `both`) AS `d`",
        &[],
    );
}

#[test]
fn cte_names_and_columns_are_quoted_and_checked() {
    let q = Select::from("we\"ird`").with_columns(
        "we\"ird`",
        &["c\"ol`"],
        Select::from("t").column(col("v")),
    );
    assert_eq!(
        compiled(&PG, q.clone()).sql,
        r#"WITH "we""ird`" ("c""ol`") AS (SELECT "v" FROM "t") SELECT * FROM "we""ird`""#
    );
    assert_eq!(
        compiled(&MYSQL, q).sql,
        "WITH `we\"ird``` (`c\"ol```) AS (SELECT `v` FROM `t`) SELECT * FROM `we\"ird```"
    );
    let long = "n".repeat(70);
    let q = Select::from("t").with(long.clone(), Select::from("t"));
    let e = compile_err(&PG, q);
    assert_eq!(e.kind(), ErrorKind::IdentifierTooLong, "{e}");
    assert!(e.message().contains("common table expression"), "{e}");
    let q = Select::from("t").with_columns("c", &[long.as_str().to_owned()], Select::from("t"));
    assert_eq!(compile_err(&MYSQL, q).kind(), ErrorKind::IdentifierTooLong);
    let q = Select::from("t").with("a\0b", Select::from("t"));
    assert_eq!(compile_err(&SQLITE, q).kind(), ErrorKind::Misuse);
}

#[test]
fn cte_column_count_mismatch_and_duplicate_names_are_refused() {
    let q = Select::from("c").with_columns("c", &["a", "b"], Select::from("t").column(col("a")));
    assert_err_each(
        q,
        ErrorKind::Misuse,
        &["WITH c", "2 column names", "1 columns"],
    );
    let q = Select::from("c")
        .with("c", Select::from("t"))
        .with("c", Select::from("u"));
    assert_err_each(q, ErrorKind::Misuse, &["\"c\" twice"]);
}

// ---------------------------------------------------------------------------------------------
// Set operations

fn names(table: &'static str) -> Select {
    Select::from(table).column(col("name"))
}

#[test]
fn union_with_order_and_limit_over_the_compound() {
    let q = names("students")
        .union(
            Select::from("teachers")
                .column(col("name"))
                .filter(Expr::from(
                    Column::<Course, i64>::new("teachers", "age", 0).gt(30),
                )),
        )
        .order_by(asc(col("name")))
        .limit(5)
        .offset(2);
    assert_each(
        q,
        r#"SELECT "name" FROM "students" UNION SELECT "name" FROM "teachers" WHERE "teachers"."age" > ? ORDER BY "name" LIMIT 5 OFFSET 2"#,
        r#"SELECT "name" FROM "students" UNION SELECT "name" FROM "teachers" WHERE "teachers"."age" > $1 ORDER BY "name" LIMIT 5 OFFSET 2"#,
        "SELECT `name` FROM `students` UNION SELECT `name` FROM `teachers` WHERE `teachers`.`age` > ? ORDER BY `name` LIMIT 5 OFFSET 2",
        &[i(30)],
    );
}

#[test]
fn with_over_a_whole_compound() {
    let q = names("c")
        .union(names("d"))
        .order_by(asc(col("name")))
        .with("c", names("a"));
    let sqlite = r#"WITH "c" AS (SELECT "name" FROM "a") SELECT "name" FROM "c" UNION SELECT "name" FROM "d" ORDER BY "name""#;
    assert_each(q, sqlite, sqlite, &sqlite.replace('"', "`"), &[]);
}

#[test]
fn every_operator_chained_left_to_right() {
    let q = names("a")
        .union_all(names("b"))
        .except(names("c"))
        .union(names("d"));
    let c = compiled(&PG, q.clone());
    assert_eq!(
        c.sql,
        r#"SELECT "name" FROM "a" UNION ALL SELECT "name" FROM "b" EXCEPT SELECT "name" FROM "c" UNION SELECT "name" FROM "d""#
    );
    let flat = q.compound.as_ref().expect("a compound");
    let ops: Vec<SetOp> = flat.rest.iter().map(|(op, _)| *op).collect();
    assert_eq!(ops, [SetOp::UnionAll, SetOp::Except, SetOp::Union]);
    let q = names("a").intersect(names("b")).intersect(names("c"));
    assert_eq!(
        compiled(&MYSQL, q).sql,
        "SELECT `name` FROM `a` INTERSECT SELECT `name` FROM `b` INTERSECT SELECT `name` FROM `c`"
    );
}

#[test]
fn intersect_after_union_nests_the_left_side() {
    // PostgreSQL and MariaDB bind INTERSECT tighter than UNION; SQLite reads left to right.
    // Nesting makes `(a UNION b) INTERSECT c` mean the same on all three.
    let q = names("a").union(names("b")).intersect(names("c"));
    assert_each(
        q,
        r#"SELECT * FROM (SELECT "name" FROM "a" UNION SELECT "name" FROM "b") AS "_c1" INTERSECT SELECT "name" FROM "c""#,
        r#"(SELECT "name" FROM "a" UNION SELECT "name" FROM "b") INTERSECT SELECT "name" FROM "c""#,
        "(SELECT `name` FROM `a` UNION SELECT `name` FROM `b`) INTERSECT SELECT `name` FROM `c`",
        &[],
    );
}

#[test]
fn an_operand_with_its_own_order_and_limit_is_parenthesized_or_wrapped() {
    let best = names("students").order_by(asc(col("name"))).limit(3);
    let q = best.union_all(names("teachers").order_by(asc(col("name"))).limit(1));
    assert_each(
        q,
        r#"SELECT * FROM (SELECT "name" FROM "students" ORDER BY "name" LIMIT 3) AS "_c1" UNION ALL SELECT * FROM (SELECT "name" FROM "teachers" ORDER BY "name" LIMIT 1) AS "_c2""#,
        r#"(SELECT "name" FROM "students" ORDER BY "name" LIMIT 3) UNION ALL (SELECT "name" FROM "teachers" ORDER BY "name" LIMIT 1)"#,
        "(SELECT `name` FROM `students` ORDER BY `name` LIMIT 3) UNION ALL (SELECT `name` FROM `teachers` ORDER BY `name` LIMIT 1)",
        &[],
    );
}

#[test]
fn an_operand_with_its_own_with_clause_is_a_derived_table_everywhere() {
    // MariaDB refuses `(WITH ...) UNION ...`; a derived table holding WITH works on all three.
    let q = names("c").with("c", names("a")).except(names("b"));
    let sqlite = r#"SELECT * FROM (WITH "c" AS (SELECT "name" FROM "a") SELECT "name" FROM "c") AS "_c1" EXCEPT SELECT "name" FROM "b""#;
    assert_each(q, sqlite, sqlite, &sqlite.replace('"', "`"), &[]);
}

#[test]
fn a_compound_is_usable_where_a_select_is() {
    let ids = Select::from("a")
        .column(col("id"))
        .filter(col("x").binary(BinOp::Eq, Expr::value(1)))
        .except(
            Select::from("b")
                .column(col("id"))
                .filter(col("y").binary(BinOp::Eq, Expr::value(2))),
        );
    let q = Select::from("students")
        .column(col("name"))
        .filter(Expr::InSelect {
            expr: Box::new(col("id")),
            select: Box::new(ids.clone()),
            negated: false,
        })
        .filter(col("z").binary(BinOp::Eq, Expr::value(3)));
    assert_each(
        q,
        r#"SELECT "name" FROM "students" WHERE ("id" IN (SELECT "id" FROM "a" WHERE "x" = ? EXCEPT SELECT "id" FROM "b" WHERE "y" = ?)) AND ("z" = ?)"#,
        r#"SELECT "name" FROM "students" WHERE ("id" IN (SELECT "id" FROM "a" WHERE "x" = $1 EXCEPT SELECT "id" FROM "b" WHERE "y" = $2)) AND ("z" = $3)"#,
        "SELECT `name` FROM `students` WHERE (`id` IN (SELECT `id` FROM `a` WHERE `x` = ? EXCEPT SELECT `id` FROM `b` WHERE `y` = ?)) AND (`z` = ?)",
        &[i(1), i(2), i(3)],
    );
    let q = Select::from_subquery(ids, "u").column(Expr::CountStar);
    assert_eq!(
        compiled(&SQLITE, q).sql,
        r#"SELECT COUNT(*) FROM (SELECT "id" FROM "a" WHERE "x" = ? EXCEPT SELECT "id" FROM "b" WHERE "y" = ?) AS "u""#
    );
}

#[test]
fn operand_column_count_mismatch_is_a_typed_error() {
    let q = names("a").union(Select::from("b").column(col("name")).column(col("age")));
    assert_err_each(
        q,
        ErrorKind::Misuse,
        &[
            "UNION",
            "operand 2 selects 2 columns",
            "operand 1 selects 1",
        ],
    );
    // SELECT * cannot be counted: left to the database.
    compiled(&SQLITE, Select::from("a").union(names("b")));
}

#[test]
fn a_compound_refuses_clauses_of_its_own() {
    let q = names("a")
        .union(names("b"))
        .filter(col("name").binary(BinOp::Eq, Expr::value("x")));
    assert_err_each(q, ErrorKind::Misuse, &["compound SELECT (UNION", "WHERE"]);
    let q = names("a").except(names("b")).column(col("name"));
    assert_err_each(q, ErrorKind::Misuse, &["EXCEPT", "select list"]);
}

// ---------------------------------------------------------------------------------------------
// Window functions

fn by_course_best_first() -> Window {
    Window::new()
        .partition_by(Enrollment::course_id)
        .order_by(Enrollment::mark.desc())
}

#[test]
fn ranking_functions_over_a_partitioned_window() {
    let q = Select::from("enrollments")
        .column(Enrollment::student_id)
        .column_as(row_number().over(by_course_best_first()), "rn")
        .column_as(rank().over(by_course_best_first()), "r")
        .column_as(
            dense_rank().over(Window::new().order_by(Enrollment::mark)),
            "dr",
        );
    let w = r#"PARTITION BY "enrollments"."course_id" ORDER BY "enrollments"."mark" DESC"#;
    let sqlite = format!(
        r#"SELECT "enrollments"."student_id", ROW_NUMBER() OVER ({w}) AS "rn", RANK() OVER ({w}) AS "r", DENSE_RANK() OVER (ORDER BY "enrollments"."mark") AS "dr" FROM "enrollments""#
    );
    let mysql = sqlite.replace('"', "`");
    assert_each(q, &sqlite, &sqlite, &mysql, &[]);
}

#[test]
fn running_sum_with_a_rows_frame() {
    let w = Window::new()
        .partition_by(Enrollment::student_id)
        .order_by(Enrollment::course_id)
        .rows_between(unbounded_preceding(), current_row());
    let q = Select::from("enrollments")
        .column(Enrollment::mark)
        .column_as(Enrollment::mark.sum().over(w), "running")
        .column_as(
            Enrollment::mark
                .avg()
                .over(Window::new().rows_between(preceding(2), following(1))),
            "moving",
        )
        .column_as(
            Enrollment::mark
                .count()
                .over(Window::new().range_between(current_row(), unbounded_following())),
            "rest",
        );
    assert_each(
        q,
        r#"SELECT "enrollments"."mark", SUM("enrollments"."mark") OVER (PARTITION BY "enrollments"."student_id" ORDER BY "enrollments"."course_id" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "running", AVG(CAST("enrollments"."mark" AS REAL)) OVER (ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS "moving", COUNT("enrollments"."mark") OVER (RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS "rest" FROM "enrollments""#,
        r#"SELECT "enrollments"."mark", SUM("enrollments"."mark") OVER (PARTITION BY "enrollments"."student_id" ORDER BY "enrollments"."course_id" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "running", AVG(CAST("enrollments"."mark" AS DOUBLE PRECISION)) OVER (ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS "moving", COUNT("enrollments"."mark") OVER (RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS "rest" FROM "enrollments""#,
        "SELECT `enrollments`.`mark`, SUM(`enrollments`.`mark`) OVER (PARTITION BY `enrollments`.`student_id` ORDER BY `enrollments`.`course_id` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS `running`, AVG(CAST(`enrollments`.`mark` AS DOUBLE)) OVER (ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS `moving`, COUNT(`enrollments`.`mark`) OVER (RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS `rest` FROM `enrollments`",
        &[],
    );
}

/// The top three students per course: the window in a CTE, the filter outside.
#[test]
fn top_three_per_course_through_a_cte() {
    let ranked = Select::from("enrollments")
        .column(Enrollment::course_id)
        .column(Enrollment::student_id)
        .column_as(row_number().over(by_course_best_first()), "rn");
    let q = Select::from("ranked")
        .column(qcol("ranked", "course_id"))
        .column(qcol("ranked", "student_id"))
        .filter(
            ColumnRef::qualified("ranked", "rn")
                .typed::<kind::Integer>()
                .le(3),
        )
        .with("ranked", ranked);
    let c = compiled(&PG, q);
    assert_eq!(
        c.sql,
        r#"WITH "ranked" AS (SELECT "enrollments"."course_id", "enrollments"."student_id", ROW_NUMBER() OVER (PARTITION BY "enrollments"."course_id" ORDER BY "enrollments"."mark" DESC) AS "rn" FROM "enrollments") SELECT "ranked"."course_id", "ranked"."student_id" FROM "ranked" WHERE "ranked"."rn" <= $1"#
    );
    assert_eq!(c.params, [i(3)]);
}

#[test]
fn a_window_function_in_where_having_or_group_by_is_refused_clearly() {
    let rn = || Expr::from(row_number().over(by_course_best_first()));
    let q = Select::from("enrollments").filter(rn().binary(BinOp::Le, Expr::value(3)));
    assert_err_each(
        q,
        ErrorKind::Misuse,
        &["window function", "in WHERE", "subquery or CTE"],
    );
    let q = Select::from("enrollments")
        .column(Enrollment::course_id)
        .group_by(Enrollment::course_id)
        .having(rn().binary(BinOp::Gt, Expr::value(1)));
    assert_err_each(q, ErrorKind::Misuse, &["in HAVING"]);
    let q = Select::from("enrollments").group_by(rn());
    assert_err_each(q, ErrorKind::Misuse, &["in GROUP BY"]);
    let q = Update::table("enrollments").set("mark", rn());
    assert_err_each(q, ErrorKind::Misuse, &["in UPDATE ... SET"]);
    // Inside a subquery of WHERE it is that subquery's select list: allowed.
    let sub = Select::from("enrollments")
        .column(Enrollment::student_id)
        .column_as(rn(), "rn");
    let q = Select::from("students").filter(Expr::Exists(Box::new(sub)));
    compiled(&SQLITE, q);
}

#[test]
fn over_needs_a_function_and_a_sane_frame() {
    let q = Select::from("enrollments").column(Enrollment::mark.add(1).over(Window::new()));
    assert_err_each(q, ErrorKind::Misuse, &["function call"]);
    let q = Select::from("enrollments").column(Expr::Ranking(RankFunction::Rank));
    assert_err_each(q, ErrorKind::Misuse, &["RANK()", "OVER"]);
    for (start, end) in [
        (current_row(), unbounded_preceding()),
        (unbounded_following(), current_row()),
        (following(1), preceding(1)),
        (following(3), following(2)),
    ] {
        let q = Select::from("enrollments").column(
            Enrollment::mark
                .sum()
                .over(Window::new().rows_between(start, end)),
        );
        assert_err_each(q, ErrorKind::Misuse, &["frame starts after it ends"]);
    }
}

// ---------------------------------------------------------------------------------------------
// INSERT ... SELECT

#[test]
fn insert_from_select() {
    let q = Insert::into("honours")
        .columns(["student_id", "course_id"])
        .select(
            Select::from("enrollments")
                .column(Enrollment::student_id)
                .column(Enrollment::course_id)
                .filter(Enrollment::mark.ge(90)),
        );
    assert_each(
        q,
        r#"INSERT INTO "honours" ("student_id", "course_id") SELECT "enrollments"."student_id", "enrollments"."course_id" FROM "enrollments" WHERE "enrollments"."mark" >= ?"#,
        r#"INSERT INTO "honours" ("student_id", "course_id") SELECT "enrollments"."student_id", "enrollments"."course_id" FROM "enrollments" WHERE "enrollments"."mark" >= $1"#,
        "INSERT INTO `honours` (`student_id`, `course_id`) SELECT `enrollments`.`student_id`, `enrollments`.`course_id` FROM `enrollments` WHERE `enrollments`.`mark` >= ?",
        &[i(90)],
    );
}

#[test]
fn insert_from_a_compound_with_returning() {
    let q = Insert::into("names")
        .columns(["name"])
        .select(names("a").union(names("b")))
        .returning("id");
    assert_eq!(
        compiled(&PG, q.clone()).sql,
        r#"INSERT INTO "names" ("name") SELECT "name" FROM "a" UNION SELECT "name" FROM "b" RETURNING "id""#
    );
    assert_eq!(
        compiled(&MYSQL, q).sql,
        "INSERT INTO `names` (`name`) SELECT `name` FROM `a` UNION SELECT `name` FROM `b` RETURNING `id`"
    );
    let all = Insert::into("archive").select(Select::from("enrollments"));
    assert_eq!(
        compiled(&SQLITE, all).sql,
        r#"INSERT INTO "archive" SELECT * FROM "enrollments""#
    );
}

#[test]
fn insert_select_with_an_upsert_ends_the_select_with_where_on_sqlite() {
    let q = Insert::into("courses")
        .columns(["id", "title"])
        .select(
            Select::from("drafts")
                .column(col("id"))
                .column(col("title")),
        )
        .on_conflict(OnConflict::DoNothing {
            target: vec!["id".into()],
        });
    assert_each(
        q,
        r#"INSERT INTO "courses" ("id", "title") SELECT * FROM (SELECT "id", "title" FROM "drafts") AS "_s" WHERE 1 = 1 ON CONFLICT ("id") DO NOTHING"#,
        r#"INSERT INTO "courses" ("id", "title") SELECT "id", "title" FROM "drafts" ON CONFLICT ("id") DO NOTHING"#,
        "INSERT INTO `courses` (`id`, `title`) SELECT `id`, `title` FROM `drafts` ON DUPLICATE KEY UPDATE `id` = `courses`.`id`",
        &[],
    );
}

#[test]
fn insert_from_a_select_with_its_own_with_clause() {
    let q = Insert::into("t")
        .columns(["name"])
        .select(Select::from("y").column(col("name")).with("y", names("b")));
    let sqlite =
        r#"INSERT INTO "t" ("name") WITH "y" AS (SELECT "name" FROM "b") SELECT "name" FROM "y""#;
    assert_each(q, sqlite, sqlite, &sqlite.replace('"', "`"), &[]);
}

#[test]
fn insert_select_column_count_mismatch_is_a_typed_error() {
    let q = Insert::into("honours")
        .columns(["student_id", "course_id"])
        .select(good_marks(90));
    assert_err_each(
        q,
        ErrorKind::Misuse,
        &[
            "INSERT INTO honours",
            "2 columns named",
            "the SELECT gives 1",
        ],
    );
    let q = Insert::into("honours")
        .columns(["student_id"])
        .values([1])
        .select(good_marks(90));
    assert_err_each(q, ErrorKind::Misuse, &["both rows of values and a SELECT"]);
}

// ---------------------------------------------------------------------------------------------
// RETURNING, per statement kind

#[test]
fn returning_capability_per_dialect_and_statement() {
    let kinds = [DmlKind::Insert, DmlKind::Update, DmlKind::Delete];
    let table: Vec<(&str, Vec<bool>)> = dialects()
        .iter()
        .map(|d| {
            (
                d.name(),
                kinds.iter().map(|k| d.supports_returning_in(*k)).collect(),
            )
        })
        .collect();
    assert_eq!(
        table,
        [
            ("sqlite", vec![true, true, true]),
            ("postgresql", vec![true, true, true]),
            ("mysql", vec![true, false, true]),
        ]
    );
}

#[test]
fn update_and_delete_returning() {
    let upd = Update::table("enrollments")
        .set("mark", Enrollment::mark.add(5))
        .filter(Enrollment::course_id.eq(2))
        .returning("student_id")
        .returning("mark");
    assert_eq!(
        compiled(&SQLITE, upd.clone()).sql,
        r#"UPDATE "enrollments" SET "mark" = "enrollments"."mark" + ? WHERE "enrollments"."course_id" = ? RETURNING "student_id", "mark""#
    );
    assert_eq!(
        compiled(&PG, upd.clone()).sql,
        r#"UPDATE "enrollments" SET "mark" = "enrollments"."mark" + $1 WHERE "enrollments"."course_id" = $2 RETURNING "student_id", "mark""#
    );
    let e = compile_err(&MYSQL, upd);
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        e.message(),
        "the mysql dialect does not support UPDATE ... RETURNING (it has RETURNING only on \
         INSERT and DELETE)"
    );

    let del = Delete::from("enrollments")
        .filter(Enrollment::mark.lt(40))
        .returning("student_id");
    assert_each(
        del,
        r#"DELETE FROM "enrollments" WHERE "enrollments"."mark" < ? RETURNING "student_id""#,
        r#"DELETE FROM "enrollments" WHERE "enrollments"."mark" < $1 RETURNING "student_id""#,
        "DELETE FROM `enrollments` WHERE `enrollments`.`mark` < ? RETURNING `student_id`",
        &[i(40)],
    );
    let ins = Insert::into("courses")
        .columns(["title"])
        .values(["SQL"])
        .returning("id");
    assert_eq!(
        compiled(&MYSQL, ins).sql,
        "INSERT INTO `courses` (`title`) VALUES (?) RETURNING `id`"
    );
}

#[test]
fn a_course_title_is_bound_never_written() {
    // Values inside CTEs, operands and windows are bound like everywhere else.
    let hostile = "x'); DROP TABLE courses; --";
    let q = Select::from("c")
        .with(
            "c",
            Select::from("courses")
                .column(Course::title)
                .filter(Course::title.eq(hostile)),
        )
        .union(
            Select::from("courses")
                .column(Course::title)
                .filter(Course::title.ne(hostile)),
        );
    for d in dialects() {
        let c = compiled(d, q.clone());
        assert!(!c.sql.contains("DROP"), "{}", c.sql);
        assert_eq!(c.params.len(), 2);
    }
}
