//! The statements of issue 14 executed on SQLite, PostgreSQL and MariaDB (one test per
//! backend, `backend_tests!`): CTEs and `WITH RECURSIVE` over the prerequisite tree, UNION /
//! UNION ALL / INTERSECT / EXCEPT with ORDER BY / LIMIT over the compound and on operands,
//! window functions (the top three students of each course, running sums, ranks with ties),
//! INSERT ... SELECT, and INSERT / UPDATE / DELETE ... RETURNING where the dialect says the
//! database has it, and SUM / AVG read as Rust numbers on each. Exact SQL is in
//! `cinnabar-core/tests/golden_statements.rs`. The server backends read DECIMAL / NUMERIC
//! sums as integers through the `decimal` feature: run with `--all-features`.

mod support;

use cinnabar::dialect::DmlKind;
use cinnabar::prelude::*;
use cinnabar::sql::{
    current_row, unbounded_preceding, ColumnRef, Delete, Expr, Insert, JoinKind, OnConflict,
    OrderBy, Select, TableRef, Update,
};
use cinnabar::types::kind;
use cinnabar::Value;
use support::{Backend, TestDb};

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "st_courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
}

/// `course_id` needs `requires_id` first: the prerequisite tree.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "st_prerequisites")]
struct Prerequisite {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "st_courses.id")]
    course_id: i64,
    #[cinnabar(foreign_key = "st_courses.id")]
    requires_id: i64,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "st_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "st_enrollments")]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "st_students.id")]
    student_id: i64,
    #[cinnabar(foreign_key = "st_courses.id")]
    course_id: i64,
    mark: i32,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "st_honours")]
struct Honour {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    student_id: i64,
    course_id: i64,
}

const COURSES: [(i64, &str); 6] = [
    (1, "Python"),
    (2, "Python objects"),
    (3, "Django"),
    (4, "HTML"),
    (5, "Networking"),
    (6, "Web security"),
];

/// Django needs Python objects (which needs Python) and HTML; Web security needs Django
/// and Networking.
const PREREQUISITES: [(i64, i64); 5] = [(2, 1), (3, 2), (3, 4), (6, 3), (6, 5)];

const STUDENTS: [&str; 6] = ["Ann", "Bob", "Cy", "Di", "Ed", "Flo"];

/// (student, course, mark): course 1 has five students, with a tie for third place.
const MARKS: [(i64, i64, i32); 11] = [
    (1, 1, 90),
    (2, 1, 75),
    (3, 1, 82),
    (4, 1, 82),
    (5, 1, 60),
    (1, 2, 70),
    (2, 2, 95),
    (6, 2, 88),
    (3, 3, 55),
    (4, 3, 65),
    (1, 4, 99),
];

fn setup(db: &TestDb) -> Connection {
    db.create_tables(&[
        Course::table(),
        Prerequisite::table(),
        Student::table(),
        Enrollment::table(),
        Honour::table(),
    ]);
    let mut conn = db.engine.connect().unwrap();
    let mut courses = Insert::into("st_courses").columns(["id", "title"]);
    for (id, title) in COURSES {
        courses = courses.values([Value::Int(id), Value::from(title)]);
    }
    conn.execute(courses).unwrap();
    let mut pre = Insert::into("st_prerequisites").columns(["course_id", "requires_id"]);
    for (c, r) in PREREQUISITES {
        pre = pre.values([c, r]);
    }
    conn.execute(pre).unwrap();
    let mut students = Insert::into("st_students").columns(["id", "name"]);
    for (i, name) in STUDENTS.iter().enumerate() {
        students = students.values([Value::Int(i as i64 + 1), Value::from(*name)]);
    }
    conn.execute(students).unwrap();
    let mut marks = Insert::into("st_enrollments").columns(["student_id", "course_id", "mark"]);
    for (s, c, m) in MARKS {
        marks = marks.values([Value::Int(s), Value::Int(c), Value::Int(m.into())]);
    }
    conn.execute(marks).unwrap();
    conn
}

fn bare(name: &'static str) -> Expr {
    Expr::Column(ColumnRef::bare(name))
}

fn qualified(table: &'static str, name: &'static str) -> Expr {
    Expr::Column(ColumnRef::qualified(table, name))
}

fn by(expr: Expr) -> OrderBy {
    OrderBy { expr, desc: false }
}

// ---------------------------------------------------------------------------------------------
// WITH and WITH RECURSIVE

/// The titles of every course `course` needs, directly or not, in title order.
fn all_prerequisites(conn: &mut Connection, course: i64) -> Vec<String> {
    let anchor = Select::from("st_prerequisites")
        .column(Prerequisite::requires_id)
        .filter(Prerequisite::course_id.eq(course));
    let step = Select::from("st_prerequisites")
        .column(Prerequisite::requires_id)
        .join(
            JoinKind::Inner,
            TableRef::new("tree"),
            Prerequisite::course_id.eq(ColumnRef::qualified("tree", "id").typed()),
        );
    let q = Select::from("tree")
        .column(Course::title)
        .join(
            JoinKind::Inner,
            TableRef::new("st_courses"),
            Course::id.eq(ColumnRef::qualified("tree", "id").typed::<kind::Integer>()),
        )
        .order_by(Course::title.asc())
        .with_recursive("tree", &["id"], anchor.union(step));
    conn.query_as::<(String,)>(q)
        .unwrap()
        .into_iter()
        .map(|(t,)| t)
        .collect()
}

fn with_recursive_walks_the_prerequisite_tree(db: &TestDb) {
    let mut conn = setup(db);
    assert_eq!(
        all_prerequisites(&mut conn, 6),
        ["Django", "HTML", "Networking", "Python", "Python objects"]
    );
    assert_eq!(
        all_prerequisites(&mut conn, 3),
        ["HTML", "Python", "Python objects"]
    );
    assert!(all_prerequisites(&mut conn, 1).is_empty());
}

fn a_cte_joins_like_a_table(db: &TestDb) {
    let mut conn = setup(db);
    // The average mark per course, as a CTE with named columns, joined to the courses.
    let averages = Select::from("st_enrollments")
        .column(Enrollment::course_id)
        .column(Enrollment::mark.count())
        .group_by(Enrollment::course_id);
    let q = Select::from("st_courses")
        .column(Course::title)
        .column(qualified("per_course", "n"))
        .join(
            JoinKind::Inner,
            TableRef::new("per_course"),
            Course::id.eq(ColumnRef::qualified("per_course", "course_id").typed::<kind::Integer>()),
        )
        .filter(
            ColumnRef::qualified("per_course", "n")
                .typed::<kind::Integer>()
                .ge(2),
        )
        .order_by(Course::title.asc())
        .with_columns("per_course", &["course_id", "n"], averages);
    let rows: Vec<(String, i64)> = conn.query_as(q).unwrap();
    assert_eq!(
        rows,
        [
            ("Django".to_owned(), 2),
            ("Python".to_owned(), 5),
            ("Python objects".to_owned(), 3)
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Set operations

fn ids(conn: &mut Connection, q: Select) -> Vec<i64> {
    conn.query_as::<(i64,)>(q)
        .unwrap()
        .into_iter()
        .map(|(i,)| i)
        .collect()
}

/// The students enrolled in `course`.
fn in_course(course: i64) -> Select {
    Select::from("st_enrollments")
        .column_as(Enrollment::student_id, "sid")
        .filter(Enrollment::course_id.eq(course))
}

fn set_operations_on_enrolments(db: &TestDb) {
    let mut conn = setup(db);
    let ordered = |q: Select| q.order_by(by(bare("sid")));
    // Course 1: 1..=5, course 2: 1, 2, 6, course 3: 3, 4.
    assert_eq!(
        ids(&mut conn, ordered(in_course(1).union(in_course(2)))),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        ids(&mut conn, ordered(in_course(2).union_all(in_course(2)))),
        [1, 1, 2, 2, 6, 6]
    );
    assert_eq!(
        ids(&mut conn, ordered(in_course(1).intersect(in_course(2)))),
        [1, 2]
    );
    assert_eq!(
        ids(&mut conn, ordered(in_course(1).except(in_course(2)))),
        [3, 4, 5]
    );
    // ORDER BY / LIMIT / OFFSET over the whole compound.
    let q = in_course(2)
        .union(in_course(3))
        .order_by(OrderBy {
            expr: bare("sid"),
            desc: true,
        })
        .limit(2)
        .offset(1);
    assert_eq!(ids(&mut conn, q), [4, 3]);
    // Chained left to right: (course 1 UNION course 3) EXCEPT course 2 INTERSECT course 3.
    let q = in_course(1)
        .union(in_course(3))
        .except(in_course(2))
        .intersect(in_course(3));
    assert_eq!(ids(&mut conn, ordered(q)), [3, 4]);
    // Where INTERSECT would bind tighter: (course 2 UNION course 3) INTERSECT course 1.
    let q = in_course(2).union(in_course(3)).intersect(in_course(1));
    assert_eq!(ids(&mut conn, ordered(q)), [1, 2, 3, 4]);
}

fn operands_keep_their_own_order_and_limit(db: &TestDb) {
    let mut conn = setup(db);
    // The best mark of course 1 and the worst of course 2, each an operand with its own
    // ORDER BY / LIMIT (parenthesized on PostgreSQL and MariaDB, a derived table on SQLite).
    let best = Select::from("st_enrollments")
        .column_as(Enrollment::mark, "m")
        .filter(Enrollment::course_id.eq(1))
        .order_by(Enrollment::mark.desc())
        .limit(1);
    let worst = Select::from("st_enrollments")
        .column_as(Enrollment::mark, "m")
        .filter(Enrollment::course_id.eq(2))
        .order_by(Enrollment::mark.asc())
        .limit(1);
    let q = best.union_all(worst).order_by(by(bare("m")));
    let rows: Vec<(i32,)> = conn.query_as(q).unwrap();
    assert_eq!(rows, [(70,), (90,)]);

    // A compound as a derived table and as IN (subquery).
    let both = in_course(1).intersect(in_course(2));
    let q = Select::from_subquery(both.clone(), "b").column(count_star());
    assert_eq!(conn.scalar::<i64>(q).unwrap(), 2);
    let q = Select::from("st_students")
        .column(Student::name)
        .filter(Expr::InSelect {
            expr: Box::new(Student::id.into()),
            select: Box::new(both),
            negated: false,
        })
        .order_by(Student::name.asc());
    let names: Vec<(String,)> = conn.query_as(q).unwrap();
    assert_eq!(names, [("Ann".to_owned(),), ("Bob".to_owned(),)]);

    let e = conn
        .query_as::<(i64,)>(
            in_course(1).union(
                Select::from("st_enrollments")
                    .column(Enrollment::id)
                    .column(Enrollment::mark),
            ),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

// ---------------------------------------------------------------------------------------------
// Window functions

fn by_course_best_first() -> Window {
    Window::new()
        .partition_by(Enrollment::course_id)
        .order_by(Enrollment::mark.desc())
        .order_by(Enrollment::student_id.asc())
}

fn ranked() -> Select {
    Select::from("st_enrollments")
        .column_as(Enrollment::course_id, "course_id")
        .column_as(Enrollment::student_id, "student_id")
        .column_as(row_number().over(by_course_best_first()), "rn")
}

fn top_three_students_per_course(db: &TestDb) {
    let mut conn = setup(db);
    let expected = [
        (1, 1, 1),
        (1, 3, 2),
        (1, 4, 3),
        (2, 2, 1),
        (2, 6, 2),
        (2, 1, 3),
        (3, 4, 1),
        (3, 3, 2),
        (4, 1, 1),
    ];
    let rn = || ColumnRef::qualified("ranked", "rn").typed::<kind::Integer>();
    let outer = |from: Select| {
        from.column(qualified("ranked", "course_id"))
            .column(qualified("ranked", "student_id"))
            .column(qualified("ranked", "rn"))
            .filter(rn().le(3))
            .order_by(by(qualified("ranked", "course_id")))
            .order_by(by(qualified("ranked", "rn")))
    };
    // Through a CTE...
    let q = outer(Select::from("ranked")).with("ranked", ranked());
    let rows: Vec<(i64, i64, i64)> = conn.query_as(q).unwrap();
    assert_eq!(rows, expected);
    // ... and through a derived table.
    let q = outer(Select::from_subquery(ranked(), "ranked"));
    let rows: Vec<(i64, i64, i64)> = conn.query_as(q).unwrap();
    assert_eq!(rows, expected);

    // In WHERE it is refused before anything reaches the database.
    let q = Select::from("st_enrollments").filter(row_number().over(by_course_best_first()).le(3));
    let e = conn.query_as::<(i64,)>(q).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("in WHERE"), "{e}");
}

fn ranks_with_ties_and_running_sums(db: &TestDb) {
    let mut conn = setup(db);
    let w = || {
        Window::new()
            .partition_by(Enrollment::course_id)
            .order_by(Enrollment::mark.desc())
    };
    let q = Select::from("st_enrollments")
        .column(Enrollment::mark)
        .column(rank().over(w()))
        .column(dense_rank().over(w()))
        .filter(Enrollment::course_id.eq(1))
        .order_by(Enrollment::mark.desc());
    let rows: Vec<(i32, i64, i64)> = conn.query_as(q).unwrap();
    assert_eq!(
        rows,
        [(90, 1, 1), (82, 2, 2), (82, 2, 2), (75, 4, 3), (60, 5, 4)]
    );

    // Each student's running total over their courses, in course order.
    let running = Window::new()
        .partition_by(Enrollment::student_id)
        .order_by(Enrollment::course_id)
        .rows_between(unbounded_preceding(), current_row());
    let q = Select::from("st_enrollments")
        .column(Enrollment::course_id)
        .column_as(Enrollment::mark.sum().over(running), "total")
        .filter(Enrollment::student_id.eq(1))
        .order_by(Enrollment::course_id.asc());
    // MariaDB's SUM of integers is a DECIMAL: read as an i64 all the same.
    let rows: Vec<(i64, i64)> = conn.query_as(q).unwrap();
    assert_eq!(rows, [(1, 90), (2, 160), (4, 259)]);
}

// ---------------------------------------------------------------------------------------------
// INSERT ... SELECT

fn insert_from_select(db: &TestDb) {
    let mut conn = setup(db);
    let honours = Select::from("st_enrollments")
        .column(Enrollment::student_id)
        .column(Enrollment::course_id)
        .filter(Enrollment::mark.ge(90));
    let rows = conn
        .execute(
            Insert::into("st_honours")
                .columns(["student_id", "course_id"])
                .select(honours),
        )
        .unwrap();
    assert_eq!(rows.rows_affected(), 3);
    // From a compound: the top student of each course not yet honoured.
    let top = Select::from("ranked")
        .column(qualified("ranked", "student_id"))
        .column(qualified("ranked", "course_id"))
        .filter(
            ColumnRef::qualified("ranked", "rn")
                .typed::<kind::Integer>()
                .eq(1),
        )
        .with("ranked", ranked());
    let already = Select::from("st_honours")
        .column(Honour::student_id)
        .column(Honour::course_id);
    conn.execute(
        Insert::into("st_honours")
            .columns(["student_id", "course_id"])
            .select(Select::from_subquery(top.except(already), "t")),
    )
    .unwrap();
    let q = Select::from("st_honours")
        .column(Honour::student_id)
        .column(Honour::course_id)
        .order_by(Honour::course_id.asc());
    let rows: Vec<(i64, i64)> = conn.query_as(q).unwrap();
    assert_eq!(rows, [(1, 1), (2, 2), (4, 3), (1, 4)]);

    // With an upsert: students 1..=6 as courses 5..=10; 5 and 6 exist and are left alone.
    let drafts = Select::from("st_students")
        .column(Student::id.add(4))
        .column(Student::name);
    conn.execute(
        Insert::into("st_courses")
            .columns(["id", "title"])
            .select(drafts)
            .on_conflict(OnConflict::DoNothing {
                target: vec!["id".into()],
            }),
    )
    .unwrap();
    let q = Select::from("st_courses")
        .column(Course::title)
        .filter(Course::id.ge(5))
        .order_by(Course::id.asc());
    let titles: Vec<(String,)> = conn.query_as(q).unwrap();
    let titles: Vec<&str> = titles.iter().map(|(t,)| t.as_str()).collect();
    assert_eq!(
        titles,
        ["Networking", "Web security", "Cy", "Di", "Ed", "Flo"]
    );

    let e = conn
        .execute(
            Insert::into("st_honours").columns(["student_id"]).select(
                Select::from("st_enrollments")
                    .column(Enrollment::student_id)
                    .column(Enrollment::course_id),
            ),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    // A SELECT with a WITH clause of its own (INSERT INTO t (..) WITH .. SELECT ..).
    let low = Select::from("st_enrollments")
        .column(Enrollment::student_id)
        .column(Enrollment::course_id)
        .filter(Enrollment::mark.lt(60));
    let rows = conn
        .execute(
            Insert::into("st_honours")
                .columns(["student_id", "course_id"])
                .select(
                    Select::from("low")
                        .column(qualified("low", "student_id"))
                        .column(qualified("low", "course_id"))
                        .with("low", low),
                ),
        )
        .unwrap();
    assert_eq!(rows.rows_affected(), 1);
    let q = Select::from("st_honours")
        .column(count_star())
        .filter(Honour::student_id.eq(3))
        .filter(Honour::course_id.eq(3));
    assert_eq!(conn.scalar::<i64>(q).unwrap(), 1);
}

// ---------------------------------------------------------------------------------------------
// RETURNING

fn returning_reads_rows_back_where_the_dialect_has_it(db: &TestDb) {
    let mut conn = setup(db);
    let d = conn.dialect();
    let has = |k: DmlKind| d.supports_returning_in(k);
    let expected = match db.backend {
        Backend::Sqlite | Backend::Postgres => [true, true, true],
        Backend::MySql => [true, false, true],
    };
    assert_eq!(
        [
            has(DmlKind::Insert),
            has(DmlKind::Update),
            has(DmlKind::Delete)
        ],
        expected
    );

    let rows: Vec<(i64, String)> = conn
        .query_as(
            Insert::into("st_courses")
                .columns(["id", "title"])
                .values([Value::Int(10), Value::from("Rust")])
                .values([Value::Int(11), Value::from("SQL")])
                .returning("id")
                .returning("title"),
        )
        .unwrap();
    assert_eq!(rows, [(10, "Rust".to_owned()), (11, "SQL".to_owned())]);

    let update = Update::table("st_enrollments")
        .set("mark", Enrollment::mark.add(5))
        .filter(Enrollment::course_id.eq(3))
        .returning("student_id")
        .returning("mark");
    if has(DmlKind::Update) {
        let mut rows: Vec<(i64, i32)> = conn.query_as(update).unwrap();
        rows.sort();
        assert_eq!(rows, [(3, 60), (4, 70)]);
    } else {
        let e = conn.execute(update).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(
            e.message().contains(d.name()) && e.message().contains("UPDATE"),
            "{e}"
        );
        // Nothing was sent: the marks are unchanged.
        let q = Select::from("st_enrollments")
            .column(Enrollment::mark.sum())
            .filter(Enrollment::course_id.eq(3));
        assert_eq!(conn.scalar::<i64>(q).unwrap(), 120);
    }

    let mut rows: Vec<(i64, i64)> = conn
        .query_as(
            Delete::from("st_enrollments")
                .filter(Enrollment::course_id.eq(1))
                .filter(Enrollment::mark.lt(80))
                .returning("student_id")
                .returning("course_id"),
        )
        .unwrap();
    rows.sort();
    assert_eq!(rows, [(2, 1), (5, 1)]);
    let left = Select::from("st_enrollments")
        .column(count_star())
        .filter(Enrollment::course_id.eq(1));
    assert_eq!(conn.scalar::<i64>(left).unwrap(), 3);
}

// ---------------------------------------------------------------------------------------------
// SUM and AVG read as Rust numbers

/// SUM and AVG read as the Rust numbers asked for on every backend: MariaDB's SUM of integers
/// is a DECIMAL and PostgreSQL's SUM of BIGINT a NUMERIC, read into an `i64` when whole (else
/// a conversion error naming the column, never a truncation) and into an `f64` as the nearest
/// float; `avg` and `Expression::avg` cast to a float first, so the three give one average.
fn sums_and_averages_read_as_rust_numbers(db: &TestDb) {
    let mut conn = setup(db);
    let course = |c: i64| Select::from("st_enrollments").filter(Enrollment::course_id.eq(c));
    let q = course(1)
        .column(sum(Enrollment::mark))
        .column(Enrollment::mark.cast::<i64>().sum())
        .column(sum(Enrollment::student_id));
    let rows: Vec<(Option<i64>, Option<i64>, Option<i64>)> = conn.query_as(q).unwrap();
    assert_eq!(rows, [(Some(389), Some(389), Some(15))]);
    let none = course(9).column(sum(Enrollment::mark));
    assert_eq!(conn.scalar::<Option<i64>>(none).unwrap(), None);
    let as_float = course(2).column(Enrollment::mark.cast::<i64>().sum());
    assert_eq!(conn.scalar::<Option<f64>>(as_float).unwrap(), Some(253.0));

    let mean = 253.0 / 3.0;
    let free = course(2).column(avg(Enrollment::mark));
    assert_eq!(conn.scalar::<Option<f64>>(free).unwrap(), Some(mean));
    let method = course(2).column(Enrollment::mark.avg());
    assert_eq!(conn.scalar::<Option<f64>>(method).unwrap(), Some(mean));
    // AVG without the cast (called by name) is a DECIMAL on MariaDB, rounded to 4 decimals,
    // and a NUMERIC on PostgreSQL: still read as the nearest float.
    let raw = course(2).column(cinnabar::func::call::<kind::Real>(
        "avg",
        (Enrollment::mark,),
    ));
    let raw = conn.scalar::<Option<f64>>(raw).unwrap().unwrap();
    assert!((raw - mean).abs() < 1e-4, "{raw}");

    let half = Select::default().column_as(
        Expr::Cast {
            expr: Box::new(Expr::value(7.5)),
            to: cinnabar::SqlType::Decimal(10, 2),
        },
        "half",
    );
    let e = conn.query_as::<(i64,)>(half).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    assert!(e.to_string().contains("half"), "{e}");
}

backend_tests!(
    sums_and_averages_read_as_rust_numbers,
    with_recursive_walks_the_prerequisite_tree,
    a_cte_joins_like_a_table,
    set_operations_on_enrolments,
    operands_keep_their_own_order_and_limit,
    top_three_students_per_course,
    ranks_with_ties_and_running_sums,
    insert_from_select,
    returning_reads_rows_back_where_the_dialect_has_it,
);
