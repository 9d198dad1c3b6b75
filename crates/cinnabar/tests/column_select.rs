//! Typed column and aggregate selects (`session.select((Student::name, avg(Enrollment::mark)))`)
//! on SQLite, PostgreSQL and MariaDB: tuples and single items, joins over relationships in
//! both directions and on conditions, GROUP BY / HAVING / ORDER BY on aggregates, DISTINCT,
//! LIMIT / OFFSET, the one-row forms, FromRow structs by label with their run-time errors,
//! autoflush, and the statement used as a subquery.

#[macro_use]
mod support;

use cinnabar::prelude::*;
use cinnabar::sql::{Condition, Expr};
use support::TestDb;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cs_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    year: i32,
    #[cinnabar(relation(foreign_key = student_id))]
    enrollments: HasMany<Enrollment>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cs_courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
    hours: f64,
    #[cinnabar(relation(foreign_key = course_id))]
    enrollments: HasMany<Enrollment>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cs_enrollments")]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "cs_students.id")]
    student_id: Option<i64>,
    #[cinnabar(foreign_key = "cs_courses.id")]
    course_id: Option<i64>,
    mark: Option<i64>,
    #[cinnabar(relation(foreign_key = student_id))]
    student: BelongsTo<Student>,
    #[cinnabar(relation(foreign_key = course_id))]
    course: BelongsTo<Course>,
}

/// Clubs of students: a many-to-many relationship through `Membership`.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cs_clubs")]
struct Club {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(relation(through = Membership, local = club_id, remote = student_id))]
    members: HasMany<Student>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "cs_memberships")]
struct Membership {
    #[cinnabar(primary_key, foreign_key = "cs_clubs.id")]
    club_id: i64,
    #[cinnabar(primary_key, foreign_key = "cs_students.id")]
    student_id: i64,
}

/// Three students, four courses (Go has nobody), seven enrolments (one without a mark).
fn setup(db: &TestDb) -> Session {
    db.create_tables(&[Student::table(), Course::table(), Enrollment::table()]);
    let mut s = Session::new(&db.engine);
    let students: Vec<i64> = [("Asha", 1), ("Naresh", 2), ("Ravi", 1)]
        .into_iter()
        .map(|(name, year)| {
            let h = s.add(Student {
                id: None,
                name: name.into(),
                year,
                enrollments: HasMany::default(),
            });
            s.flush().unwrap();
            let id = h.read().id.unwrap();
            id
        })
        .collect();
    let courses: Vec<i64> = [
        ("Python", 40.0),
        ("Rust", 60.5),
        ("SQL", 20.0),
        ("Go", 30.0),
    ]
    .into_iter()
    .map(|(title, hours)| {
        let h = s.add(Course {
            id: None,
            title: title.into(),
            hours,
            enrollments: HasMany::default(),
        });
        s.flush().unwrap();
        let id = h.read().id.unwrap();
        id
    })
    .collect();
    // (student, course, mark)
    let rows = [
        (0, 0, Some(80)),
        (0, 1, Some(90)),
        (0, 2, Some(70)),
        (1, 0, Some(60)),
        (1, 1, Some(75)),
        (2, 0, Some(95)),
        (2, 2, None),
    ];
    for (st, co, mark) in rows {
        s.add(Enrollment {
            id: None,
            student_id: Some(students[st]),
            course_id: Some(courses[co]),
            mark,
            student: BelongsTo::default(),
            course: BelongsTo::default(),
        });
    }
    s.commit().unwrap();
    s
}

/// Title, AVG, COUNT, MIN, MAX and SUM of the marks.
type CourseRow = (
    String,
    Option<f64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn aggregates_per_course_through_a_join(db: &TestDb) {
    let mut s = setup(db);
    let rows: Vec<CourseRow> = s
        .select((
            Course::title,
            avg(Enrollment::mark),
            count(Enrollment::mark),
            min(Enrollment::mark),
            max(Enrollment::mark),
            sum(Enrollment::mark),
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .order_by(Course::title)
        .all()
        .unwrap();
    let python = (80.0 + 60.0 + 95.0) / 3.0;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].0, "Python");
    // AVG casts integers to a float: the same full float on every backend (MySQL would
    // otherwise give the DECIMAL 78.3333).
    assert!((rows[0].1.unwrap() - python).abs() < 1e-9, "{rows:?}");
    assert_eq!((rows[0].2, rows[0].5), (3, Some(235)));
    assert_eq!((rows[0].3, rows[0].4), (Some(60), Some(95)));
    assert_eq!(
        rows[1],
        ("Rust".into(), Some(82.5), 2, Some(75), Some(90), Some(165))
    );
    // One SQL enrolment has no mark: COUNT(mark) skips it, AVG is over the one mark.
    assert_eq!(
        rows[2],
        ("SQL".into(), Some(70.0), 1, Some(70), Some(70), Some(70))
    );
}

fn join_from_the_other_side_with_having_and_order_by_an_aggregate(db: &TestDb) {
    let mut s = setup(db);
    // FROM cs_students; `Enrollment::student` is joined backwards (its M side comes in).
    let rows: Vec<(String, Option<f64>, i64)> = s
        .select((Student::name, avg(Enrollment::mark), count_star()))
        .join(Enrollment::student)
        .group_by(Student::name)
        .having(count_star().ge(2))
        .order_by(avg(Enrollment::mark).desc())
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("Ravi".to_string(), Some(95.0), 2),
            ("Asha".to_string(), Some(80.0), 3),
            ("Naresh".to_string(), Some(67.5), 2),
        ]
    );
    // A HAVING on the aggregate itself, and the same through a condition join.
    let names: Vec<String> = s
        .select(Student::name)
        .join_on::<Enrollment>(Enrollment::student_id.eq(Student::id))
        .group_by(Student::name)
        .having(avg(Enrollment::mark).gt(70.0))
        .order_by(Student::name)
        .all()
        .unwrap();
    assert_eq!(names, ["Asha", "Ravi"]);
}

fn outer_join_finds_courses_without_enrolments(db: &TestDb) {
    let mut s = setup(db);
    let rows: Vec<(String, i64)> = s
        .select((Course::title, count(Enrollment::id)))
        .outer_join(Course::enrollments)
        .group_by(Course::title)
        .order_by(count(Enrollment::id))
        .order_by(Course::title)
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("Go".to_string(), 0),
            ("Rust".to_string(), 2),
            ("SQL".to_string(), 2),
            ("Python".to_string(), 3)
        ]
    );
    // The outer-joined side's columns read as options.
    let none: Vec<(String, Option<i64>)> = s
        .select((Course::title, Enrollment::mark.nullable()))
        .outer_join(Course::enrollments)
        .filter(Enrollment::id.is_null())
        .all()
        .unwrap();
    assert_eq!(none, [("Go".to_string(), None)]);
}

fn two_hops_of_joins(db: &TestDb) {
    let mut s = setup(db);
    let rows: Vec<(String, String, Option<i64>)> = s
        .select((Student::name, Course::title, Enrollment::mark))
        .join(Student::enrollments)
        .join(Enrollment::course)
        .filter(Course::hours.gt(30.0))
        .order_by(Student::name)
        .order_by(Course::title)
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("Asha".to_string(), "Python".to_string(), Some(80)),
            ("Asha".to_string(), "Rust".to_string(), Some(90)),
            ("Naresh".to_string(), "Python".to_string(), Some(60)),
            ("Naresh".to_string(), "Rust".to_string(), Some(75)),
            ("Ravi".to_string(), "Python".to_string(), Some(95)),
        ]
    );
}

fn distinct_limit_and_offset(db: &TestDb) {
    let mut s = setup(db);
    let years: Vec<i32> = s
        .select(Student::year)
        .distinct()
        .order_by(Student::year.desc())
        .all()
        .unwrap();
    assert_eq!(years, [2, 1]);
    let page: Vec<String> = s
        .select(Course::title)
        .order_by(Course::title)
        .limit(2)
        .offset(1)
        .all()
        .unwrap();
    assert_eq!(page, ["Python", "Rust"]);
}

fn one_row_forms(db: &TestDb) {
    let mut s = setup(db);
    let n: i64 = s
        .select(count_star())
        .select_from::<Enrollment>()
        .scalar()
        .unwrap();
    assert_eq!(n, 7);
    let hours: Option<f64> = s.select((sum(Course::hours),)).scalar().unwrap();
    assert_eq!(hours, Some(150.5));
    let (name, year): (String, i32) = s
        .select((Student::name, Student::year))
        .filter(Student::name.eq("Naresh"))
        .one()
        .unwrap();
    assert_eq!((name.as_str(), year), ("Naresh", 2));
    let first = s
        .select(Student::name)
        .order_by(Student::name.desc())
        .first()
        .unwrap();
    assert_eq!(first.as_deref(), Some("Ravi"));
    let none = s
        .select(Student::name)
        .filter(Student::name.eq("Nobody"))
        .one_or_none()
        .unwrap();
    assert_eq!(none, None);
    let err = s
        .select(Student::name)
        .filter(Student::year.eq(1))
        .one()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MultipleRows, "{err}");
    let err = s
        .select(Student::name)
        .filter(Student::year.eq(9))
        .one()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRow, "{err}");
    let err = s
        .select(Student::name)
        .filter(Student::year.eq(9))
        .scalar()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRow, "{err}");
}

fn aggregates_over_no_rows(db: &TestDb) {
    let mut s = setup(db);
    let row = s
        .select((
            avg(Enrollment::mark),
            sum(Enrollment::mark),
            min(Enrollment::mark),
            max(Course::title),
            count_star(),
            count_distinct(Enrollment::student_id),
        ))
        .join(Enrollment::course)
        .filter(Course::title.eq("Go"))
        .one()
        .unwrap();
    assert_eq!(row, (None, None, None, None, 0, 0));
    let distinct: i64 = s
        .select(count_distinct(Enrollment::student_id))
        .scalar()
        .unwrap();
    assert_eq!(distinct, 3);
}

fn expressions_and_their_outputs(db: &TestDb) {
    let mut s = setup(db);
    // A TypedExpr reads as its kind's nullable default; `.output::<T>()` picks the type.
    let rows: Vec<(Option<String>, i64, Option<f64>)> = s
        .select((
            Student::name.upper(),
            Student::year.mul(10).output::<i64>(),
            sum(Course::hours.mul(2.0)),
        ))
        .select_from::<Student>()
        .join_on::<Course>(Course::title.eq("Rust"))
        .group_by(Student::name)
        .group_by(Student::year)
        .order_by(Student::name)
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [
            (Some("ASHA".to_string()), 10, Some(121.0)),
            (Some("NARESH".to_string()), 20, Some(121.0)),
            (Some("RAVI".to_string()), 10, Some(121.0)),
        ]
    );
    // Twelve items: the widest tuple.
    let wide = s
        .select((
            Student::id,
            Student::name,
            Student::year,
            Student::name.lower(),
            count_star(),
            min(Student::year),
            max(Student::year),
            sum(Student::year),
            avg(Student::year),
            count(Student::name),
            count_distinct(Student::year),
            Student::name.length(),
        ))
        .filter(Student::name.eq("Asha"))
        .group_by(Student::id)
        .group_by(Student::name)
        .group_by(Student::year)
        .one()
        .unwrap();
    assert_eq!(wide.1, "Asha");
    assert_eq!(
        (wide.2, wide.4, wide.5, wide.6, wide.7, wide.8, wide.9, wide.10, wide.11),
        (1, 1, Some(1), Some(1), Some(1), Some(1.0), 1, 1, Some(4))
    );
}

#[derive(FromRow, Debug, PartialEq)]
struct CourseReport {
    title: String,
    avg_mark: Option<f64>,
    #[cinnabar(column = "n")]
    enrolled: i64,
}

fn rows_into_a_from_row_struct_by_label(db: &TestDb) {
    let mut s = setup(db);
    let report: Vec<CourseReport> = s
        .select((
            Course::title,
            avg(Enrollment::mark).label("avg_mark"),
            count_star().label("n"),
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .order_by(Course::title.desc())
        .all_as()
        .unwrap();
    assert_eq!(
        report[..2],
        [
            CourseReport {
                title: "SQL".into(),
                avg_mark: Some(70.0),
                enrolled: 2
            },
            CourseReport {
                title: "Rust".into(),
                avg_mark: Some(82.5),
                enrolled: 2
            },
        ]
    );
    assert_eq!(report.len(), 3);
    let first = s
        .select((
            Course::title,
            avg(Enrollment::mark).label("avg_mark"),
            count_star().label("n"),
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .order_by(Course::title)
        .first_as::<CourseReport>()
        .unwrap()
        .unwrap();
    assert_eq!((first.title.as_str(), first.enrolled), ("Python", 3));
}

fn from_row_mismatches_are_errors_naming_the_column(db: &TestDb) {
    let mut s = setup(db);
    // A field without an item of its name.
    let err = s
        .select((
            Course::title,
            avg(Enrollment::mark).label("mean"),
            count_star().label("n"),
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .all_as::<CourseReport>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    assert!(err.to_string().contains("\"avg_mark\""), "{err}");
    // An item no field reads.
    let err = s
        .select((
            Course::title,
            avg(Enrollment::mark).label("avg_mark"),
            count_star().label("n"),
            Course::hours,
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .group_by(Course::hours)
        .all_as::<CourseReport>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    assert!(err.to_string().contains("item 4 (hours)"), "{err}");
    // An item whose values do not fit the field's type.
    let err = s
        .select((
            Course::title.label("n"),
            avg(Enrollment::mark).label("avg_mark"),
            Course::title,
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .all_as::<CourseReport>()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("column n"), "{err}");
}

fn decoding_errors_name_the_item(db: &TestDb) {
    let mut s = setup(db);
    let err = s
        .select((Course::title, Course::title.upper().output::<i64>()))
        .all()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("select item 2"), "{err}");
}

fn builder_mistakes_are_errors(db: &TestDb) {
    let mut s = setup(db);
    let err = s.select(count_star()).all().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    assert!(err.to_string().contains("select_from"), "{err}");
    // Neither side of the relationship is in the query.
    let err = s
        .select(Student::name)
        .join(Course::enrollments)
        .all()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misuse, "{err}");
    assert!(err.to_string().contains("Course.enrollments"), "{err}");
}

fn pending_changes_are_flushed_first(db: &TestDb) {
    let mut s = setup(db);
    s.add(Student {
        id: None,
        name: "Zoe".into(),
        year: 3,
        enrollments: HasMany::default(),
    });
    let n: i64 = s
        .select(count_star())
        .select_from::<Student>()
        .filter(Student::year.eq(3))
        .scalar()
        .unwrap();
    assert_eq!(n, 1);
    s.rollback().unwrap();
}

fn the_statement_serves_as_a_subquery(db: &TestDb) {
    let mut s = setup(db);
    let enrolled = s.select(Enrollment::course_id).statement().unwrap();
    let idle: Vec<String> = s
        .select(Course::title)
        .filter(Condition::from_expr(Expr::InSelect {
            expr: Box::new(Course::id.expr()),
            select: Box::new(enrolled),
            negated: true,
        }))
        .all()
        .unwrap();
    assert_eq!(idle, ["Go"]);
}

fn selects_from_a_derived_table(db: &TestDb) {
    let mut s = setup(db);
    let per_student = s
        .select((Student::name, avg(Enrollment::mark).label("mean")))
        .join(Student::enrollments)
        .group_by(Student::name)
        .subquery("per_student")
        .unwrap();
    const MEAN: cinnabar::sql::Column<(), f64> =
        cinnabar::sql::Column::new("per_student", "mean", 0);
    let (n, best, lowest): (i64, Option<f64>, Option<String>) = s
        .select((
            count_star(),
            max(MEAN),
            min(Student::name.of("per_student")),
        ))
        .from_subquery(per_student)
        .one()
        .unwrap();
    assert_eq!((n, best, lowest.as_deref()), (3, Some(95.0), Some("Asha")));
}

fn many_to_many_joins_from_either_side(db: &TestDb) {
    let mut s = setup(db);
    db.create_tables(&[Club::table(), Membership::table()]);
    let students: Vec<Option<i64>> = s.select(Student::id).order_by(Student::name).all().unwrap();
    let mut club = |name: &str, members: &[usize]| {
        let c = s.add(Club {
            id: None,
            name: name.into(),
            members: HasMany::default(),
        });
        s.flush().unwrap();
        let club_id = c.read().id.unwrap();
        for &m in members {
            s.add(Membership {
                club_id,
                student_id: students[m].unwrap(),
            });
        }
    };
    club("Chess", &[0, 2]);
    club("Drama", &[1]);
    club("Empty", &[]);
    // Forward: FROM clubs, through memberships to students.
    let sizes: Vec<(String, i64)> = s
        .select((Club::name, count(Student::id)))
        .outer_join(Club::members)
        .group_by(Club::name)
        .order_by(Club::name)
        .all()
        .unwrap();
    assert_eq!(
        sizes,
        [
            ("Chess".to_string(), 2),
            ("Drama".to_string(), 1),
            ("Empty".to_string(), 0)
        ]
    );
    // Backward: FROM students, through memberships to clubs.
    let pairs: Vec<(String, String)> = s
        .select((Student::name, Club::name))
        .join(Club::members)
        .order_by(Student::name)
        .all()
        .unwrap();
    assert_eq!(
        pairs,
        [
            ("Asha".to_string(), "Chess".to_string()),
            ("Naresh".to_string(), "Drama".to_string()),
            ("Ravi".to_string(), "Chess".to_string()),
        ]
    );
    // A condition join, outer: every course, counting its marks of 75 or more.
    let rows: Vec<(String, i64)> = s
        .select((Course::title, count(Enrollment::id)))
        .outer_join_on::<Enrollment>(
            Enrollment::course_id
                .eq(Course::id)
                .and(Enrollment::mark.ge(75)),
        )
        .group_by(Course::title)
        .order_by(Course::title)
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("Go".to_string(), 0),
            ("Python".to_string(), 2),
            ("Rust".to_string(), 2),
            ("SQL".to_string(), 0)
        ]
    );
}

/// The SQL of one select on each dialect: FROM from the first item, the backward join's
/// condition, labels, GROUP BY / HAVING / ORDER BY on the aggregate, values bound.
#[test]
fn statement_sql_on_each_dialect() {
    use cinnabar::dialect::{compile, Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
    let engine = create_engine("sqlite://").unwrap();
    let mut s = Session::new(&engine);
    let select = s
        .select((Student::name, avg(Enrollment::mark).label("avg_mark")))
        .join(Enrollment::student)
        .filter(Student::year.eq(1))
        .group_by(Student::name)
        .having(count_star().ge(2))
        .order_by(avg(Enrollment::mark).desc())
        .limit(3)
        .statement()
        .unwrap();
    let sql = |d: &dyn Dialect| compile(d, &select.clone().into()).unwrap();
    let sqlite = sql(&SqliteDialect);
    assert_eq!(
        sqlite.sql,
        "SELECT \"cs_students\".\"name\", \
         AVG(CAST(\"cs_enrollments\".\"mark\" AS REAL)) AS \"avg_mark\" \
         FROM \"cs_students\" JOIN \"cs_enrollments\" \
         ON \"cs_enrollments\".\"student_id\" = \"cs_students\".\"id\" \
         WHERE \"cs_students\".\"year\" = ? GROUP BY \"cs_students\".\"name\" \
         HAVING COUNT(*) >= ? ORDER BY AVG(CAST(\"cs_enrollments\".\"mark\" AS REAL)) DESC LIMIT 3"
    );
    assert_eq!(sqlite.params.len(), 2);
    let pg = sql(&PostgresDialect);
    assert!(
        pg.sql.contains("WHERE \"cs_students\".\"year\" = $1"),
        "{}",
        pg.sql
    );
    assert!(pg.sql.contains("HAVING COUNT(*) >= $2"), "{}", pg.sql);
    let my = sql(&MySqlDialect);
    assert!(
        my.sql
            .starts_with("SELECT `cs_students`.`name`, AVG(CAST(`cs_enrollments`.`mark` AS DOUBLE)) AS `avg_mark`"),
        "{}",
        my.sql
    );
}

fn aggregates_over_windows_and_in_casts(db: &TestDb) {
    let mut s = setup(db);
    // A running sum: SUM(..) OVER (ORDER BY ..), still read as Option<i64>.
    let running: Vec<(Option<i64>, Option<i64>)> = s
        .select((
            Enrollment::mark,
            sum(Enrollment::mark).over(Window::new().order_by(Enrollment::mark)),
        ))
        .join(Enrollment::student)
        .filter(Student::name.eq("Asha"))
        .order_by(Enrollment::mark)
        .all()
        .unwrap();
    assert_eq!(
        running,
        [
            (Some(70), Some(70)),
            (Some(80), Some(150)),
            (Some(90), Some(240))
        ]
    );
    // An aggregate as a function argument.
    let (n, mean): (i64, Option<i64>) = s
        .select((
            count_star(),
            cinnabar::func::cast::<i64>(avg(Enrollment::mark)),
        ))
        .join(Enrollment::student)
        .filter(Student::name.eq("Asha"))
        .one()
        .unwrap();
    assert_eq!((n, mean), (3, Some(80)));
}

backend_tests!(
    aggregates_over_windows_and_in_casts,
    many_to_many_joins_from_either_side,
    selects_from_a_derived_table,
    aggregates_per_course_through_a_join,
    join_from_the_other_side_with_having_and_order_by_an_aggregate,
    outer_join_finds_courses_without_enrolments,
    two_hops_of_joins,
    distinct_limit_and_offset,
    one_row_forms,
    aggregates_over_no_rows,
    expressions_and_their_outputs,
    rows_into_a_from_row_struct_by_label,
    from_row_mismatches_are_errors_naming_the_column,
    decoding_errors_name_the_item,
    builder_mistakes_are_errors,
    pending_changes_are_flushed_first,
    the_statement_serves_as_a_subquery,
);
