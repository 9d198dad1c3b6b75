//! Joins over relationships in both directions and on conditions, two hops and
//! many-to-many, with GROUP BY / HAVING / ORDER BY on aggregates.

use super::*;

/// Title, AVG, COUNT, MIN, MAX and SUM of the marks.
type CourseRow = (
    String,
    Option<f64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

pub(super) fn aggregates_per_course_through_a_join(db: &TestDb) {
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

pub(super) fn join_from_the_other_side_with_having_and_order_by_an_aggregate(db: &TestDb) {
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

pub(super) fn outer_join_finds_courses_without_enrolments(db: &TestDb) {
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

pub(super) fn two_hops_of_joins(db: &TestDb) {
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

pub(super) fn many_to_many_joins_from_either_side(db: &TestDb) {
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
