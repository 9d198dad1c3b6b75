//! What a row becomes: DISTINCT / LIMIT / OFFSET, the one-row forms, aggregates over no
//! rows, expressions and their Rust outputs, FromRow structs by label and the run-time
//! errors (mismatches, decoding, builder mistakes).

use super::*;

pub(super) fn distinct_limit_and_offset(db: &TestDb) {
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

pub(super) fn one_row_forms(db: &TestDb) {
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

pub(super) fn aggregates_over_no_rows(db: &TestDb) {
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

pub(super) fn expressions_and_their_outputs(db: &TestDb) {
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

pub(super) fn rows_into_a_from_row_struct_by_label(db: &TestDb) {
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

pub(super) fn from_row_mismatches_are_errors_naming_the_column(db: &TestDb) {
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

pub(super) fn decoding_errors_name_the_item(db: &TestDb) {
    let mut s = setup(db);
    let err = s
        .select((Course::title, Course::title.upper().output::<i64>()))
        .all()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("select item 2"), "{err}");
}

pub(super) fn builder_mistakes_are_errors(db: &TestDb) {
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
