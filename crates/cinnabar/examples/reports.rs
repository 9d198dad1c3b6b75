//! The student management system's reports, each one typed query and no SQL text: the
//! average mark per course, the attendance rate per student, the top three students of each
//! course, and the courses nobody enrolled in, printed as tables.
//!
//! Run with `cargo run --example reports` (an embedded SQLite file, `reports.db`, rebuilt
//! each run). The same program runs on PostgreSQL or MariaDB by changing only the URL:
//! `cargo run --example reports --features postgres -- postgresql://postgres@127.0.0.1/test`
//! `cargo run --example reports --features mysql -- mysql://root@127.0.0.1:3306/test`

use cinnabar::func::{case, not_exists};
use cinnabar::prelude::*;
use cinnabar::sql::Column;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "report_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(relation(foreign_key = student_id))]
    enrollments: HasMany<Enrollment>,
    #[cinnabar(relation(foreign_key = student_id))]
    attendance: HasMany<Attendance>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "report_courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
    #[cinnabar(relation(foreign_key = course_id))]
    enrollments: HasMany<Enrollment>,
}

/// A student on a course, with the mark they got.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "report_enrollments")]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "report_students.id")]
    student_id: Option<i64>,
    #[cinnabar(foreign_key = "report_courses.id")]
    course_id: Option<i64>,
    mark: i64,
    #[cinnabar(relation(foreign_key = student_id))]
    student: BelongsTo<Student>,
    #[cinnabar(relation(foreign_key = course_id))]
    course: BelongsTo<Course>,
}

/// One class day of a student: present or not.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "report_attendance")]
struct Attendance {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "report_students.id")]
    student_id: Option<i64>,
    day: i32,
    present: bool,
    #[cinnabar(relation(foreign_key = student_id))]
    student: BelongsTo<Student>,
}

/// The columns of the derived table `ranked` (report 3), typed like model columns.
struct Ranked;
impl Ranked {
    const COURSE: Column<Ranked, String> = Column::new("ranked", "course", 0);
    const STUDENT: Column<Ranked, String> = Column::new("ranked", "student", 1);
    const MARK: Column<Ranked, i64> = Column::new("ranked", "mark", 2);
    const PLACE: Column<Ranked, i64> = Column::new("ranked", "place", 3);
}

/// Report 1 as a struct: the items are labelled with its field names.
#[derive(FromRow, Debug)]
struct CourseMarks {
    title: String,
    students: i64,
    average: Option<f64>,
    best: Option<i64>,
}

fn main() -> cinnabar::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:///reports.db".to_string());
    let engine = create_engine(&url)?;
    let metadata = MetaData::new()
        .with(Student::table().clone())
        .with(Course::table().clone())
        .with(Enrollment::table().clone())
        .with(Attendance::table().clone());
    metadata.drop_all(&engine)?;
    metadata.create_all(&engine)?;
    let mut session = Session::new(&engine);
    seed(&mut session)?;

    // 1. The average mark per course, best average first.
    let rows: Vec<CourseMarks> = session
        .select((
            Course::title,
            count(Enrollment::id).label("students"),
            avg(Enrollment::mark).label("average"),
            max(Enrollment::mark).label("best"),
        ))
        .join(Course::enrollments)
        .group_by(Course::title)
        .order_by(avg(Enrollment::mark).desc())
        .all_as()?;
    print_table(
        "Average mark per course",
        &["course", "students", "average", "best"],
        rows.iter().map(|r| {
            vec![
                r.title.clone(),
                r.students.to_string(),
                fixed(r.average),
                r.best.map_or("-".into(), |b| b.to_string()),
            ]
        }),
    );

    // 2. The attendance rate per student: CASE turns presence into 1 or 0.
    let present = || case().when(Attendance::present, 1_i64).else_(0_i64);
    let rows = session
        .select((Student::name, count_star(), sum(present()), avg(present())))
        .join(Student::attendance)
        .group_by(Student::name)
        .order_by(avg(present()).desc())
        .order_by(Student::name)
        .all()?;
    print_table(
        "Attendance rate per student",
        &["student", "days", "present", "rate"],
        rows.into_iter().map(|(name, days, attended, rate)| {
            vec![
                name,
                days.to_string(),
                attended.unwrap_or(0).to_string(),
                rate.map_or("-".into(), |r| format!("{:.0}%", r * 100.0)),
            ]
        }),
    );

    // 3. The top three students of each course: ROW_NUMBER() over each course's marks in a
    // derived table, filtered outside it (a window function cannot be filtered in WHERE).
    let by_mark = Window::new()
        .partition_by(Course::id)
        .order_by(Enrollment::mark.desc())
        .order_by(Student::name);
    let ranked = session
        .select((
            Course::title.label("course"),
            Student::name.label("student"),
            Enrollment::mark,
            row_number().over(by_mark).label("place"),
        ))
        .join(Course::enrollments)
        .join(Enrollment::student)
        .subquery("ranked")?;
    let rows = session
        .select((Ranked::COURSE, Ranked::PLACE, Ranked::STUDENT, Ranked::MARK))
        .from_subquery(ranked)
        .filter(Ranked::PLACE.le(3))
        .order_by(Ranked::COURSE)
        .order_by(Ranked::PLACE)
        .all()?;
    print_table(
        "Top three students of each course",
        &["course", "place", "student", "mark"],
        rows.into_iter().map(|(course, place, student, mark)| {
            vec![course, place.to_string(), student, mark.to_string()]
        }),
    );

    // 4. The courses with no enrolments: NOT EXISTS over a correlated subquery.
    let enrolled = session
        .select(Enrollment::id)
        .filter(Enrollment::course_id.eq(Course::id))
        .statement()?;
    let rows = session
        .select(Course::title)
        .filter(not_exists(enrolled))
        .order_by(Course::title)
        .all()?;
    print_table(
        "Courses with no enrolments",
        &["course"],
        rows.into_iter().map(|title| vec![title]),
    );
    Ok(())
}

/// Six students, five courses (two without anybody), marks, and ten class days each.
fn seed(session: &mut Session) -> cinnabar::Result<()> {
    let names = ["Asha", "Naresh", "Ravi", "Meera", "Kiran", "Divya"];
    let students: Vec<Handle<Student>> = names
        .iter()
        .map(|&name| {
            session.add(Student {
                id: None,
                name: name.into(),
                enrollments: HasMany::default(),
                attendance: HasMany::default(),
            })
        })
        .collect();
    let titles = ["Python", "Rust", "Databases", "Go", "Haskell"];
    let courses: Vec<Handle<Course>> = titles
        .iter()
        .map(|&title| {
            session.add(Course {
                id: None,
                title: title.into(),
                enrollments: HasMany::default(),
            })
        })
        .collect();
    session.flush()?;
    // (student, course, mark); Go and Haskell have nobody.
    let marks = [
        (0, 0, 91),
        (1, 0, 78),
        (2, 0, 85),
        (3, 0, 66),
        (4, 0, 88),
        (0, 1, 72),
        (2, 1, 95),
        (5, 1, 81),
        (1, 2, 69),
        (3, 2, 90),
        (4, 2, 74),
        (5, 2, 83),
    ];
    for (s, c, mark) in marks {
        session.add(Enrollment {
            id: None,
            student_id: students[s].read().id,
            course_id: courses[c].read().id,
            mark,
            student: BelongsTo::default(),
            course: BelongsTo::default(),
        });
    }
    // Student i misses every day d where (d + i) % (i + 2) == 0.
    for (i, student) in students.iter().enumerate() {
        for day in 1..=10 {
            session.add(Attendance {
                id: None,
                student_id: student.read().id,
                day,
                present: !(day as usize + i).is_multiple_of(i + 2),
                student: BelongsTo::default(),
            });
        }
    }
    session.commit()
}

fn fixed(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1}"))
}

/// Prints a title and an aligned table: numbers (and percentages) right-aligned, text left.
fn print_table(title: &str, headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    let mut numeric = vec![!rows.is_empty(); headers.len()];
    for row in &rows {
        for (i, cell) in row.iter().enumerate().take(widths.len()) {
            widths[i] = widths[i].max(cell.chars().count());
            let number = cell.trim_end_matches('%');
            numeric[i] &= cell == "-" || number.parse::<f64>().is_ok();
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths[i];
                if numeric[i] {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        println!("  {}", parts.join("  ").trim_end());
    };
    println!("{title}");
    line(headers.to_vec());
    line(
        widths
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    if rows.is_empty() {
        println!("  (none)");
    }
    println!();
}
