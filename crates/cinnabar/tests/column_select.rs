//! Typed column and aggregate selects (`session.select((Student::name, avg(Enrollment::mark)))`)
//! on SQLite, PostgreSQL and MariaDB: tuples and single items, joins over relationships in
//! both directions and on conditions, GROUP BY / HAVING / ORDER BY on aggregates, DISTINCT,
//! LIMIT / OFFSET, the one-row forms, FromRow structs by label with their run-time errors,
//! autoflush, and the statement used as a subquery. The tests are in `column_select/`:
//! joins.rs, rows.rs, subqueries.rs; the models, the data and the dialect SQL test here.

#[macro_use]
mod support;

use cinnabar::prelude::*;
use support::TestDb;

#[path = "column_select/joins.rs"]
mod joins;
#[path = "column_select/rows.rs"]
mod rows;
#[path = "column_select/subqueries.rs"]
mod subqueries;

use joins::{
    aggregates_per_course_through_a_join,
    join_from_the_other_side_with_having_and_order_by_an_aggregate,
    many_to_many_joins_from_either_side, outer_join_finds_courses_without_enrolments,
    two_hops_of_joins,
};
use rows::{
    aggregates_over_no_rows, builder_mistakes_are_errors, decoding_errors_name_the_item,
    distinct_limit_and_offset, expressions_and_their_outputs,
    from_row_mismatches_are_errors_naming_the_column, one_row_forms,
    rows_into_a_from_row_struct_by_label,
};
use subqueries::{
    aggregates_over_windows_and_in_casts, pending_changes_are_flushed_first,
    selects_from_a_derived_table, the_statement_serves_as_a_subquery,
};

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
