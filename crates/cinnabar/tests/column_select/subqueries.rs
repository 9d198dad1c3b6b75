//! Autoflush before a select, the statement used as a subquery and a derived table,
//! aggregates over windows and inside casts.

use super::*;
use cinnabar::sql::{Condition, Expr};

pub(super) fn pending_changes_are_flushed_first(db: &TestDb) {
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

pub(super) fn the_statement_serves_as_a_subquery(db: &TestDb) {
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

pub(super) fn selects_from_a_derived_table(db: &TestDb) {
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

pub(super) fn aggregates_over_windows_and_in_casts(db: &TestDb) {
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
