//! Start-up: the schema from the crate's embedded migrations (`migrations/`, applied under
//! the migration lock, so several instances starting at once apply each revision once), and
//! the demo data, written once.

use cinnabar::migrate::{EmbeddedMigrations, Migrator};
use cinnabar::prelude::*;

use crate::models::{self, Attendance, Course, Enrollment, Student, Teacher};

/// The revisions in `crates/students/migrations`, compiled in.
static MIGRATIONS: EmbeddedMigrations = cinnabar::embed_migrations!("migrations");

/// Applies every revision the database lacks; returns the ids applied.
///
/// # Errors
/// Migration errors (a revision edited since it was applied, a failing step, ...).
pub fn migrate(engine: &Engine) -> cinnabar::Result<Vec<String>> {
    Migrator::from_embedded(engine, &MIGRATIONS)?.upgrade("head")
}

/// Fails, listing the differences, when the models are not what the head revision creates
/// (a model changed without a revision).
///
/// # Errors
/// A `Misuse` error listing the operations a new revision would need.
pub fn check(engine: &Engine) -> cinnabar::Result<()> {
    Migrator::from_embedded(engine, &MIGRATIONS)?.check(&models::metadata())
}

const FIRST: [&str; 12] = [
    "Naresh", "Asha", "Ravi", "Meera", "Arjun", "Priya", "Kiran", "Divya", "Sanjay", "Lakshmi",
    "Vikram", "Anita",
];
const LAST: [&str; 5] = ["Kumar", "Sharma", "Iyer", "Reddy", "Nair"];
const TEACHERS: [(&str, &str); 4] = [
    ("Dr. Ada Lovelace", "ada@example.edu"),
    ("Prof. Alan Turing", "alan@example.edu"),
    ("Dr. Grace Hopper", "grace@example.edu"),
    ("Prof. Edgar Codd", "edgar@example.edu"),
];
/// Code, title, capacity, teacher index. The last course is small and filled to capacity,
/// so the enrol form's refusal can be seen at once.
const COURSES: [(&str, &str, i32, usize); 8] = [
    ("CS101", "Introduction to Python", 35, 0),
    ("CS102", "Rust Programming", 30, 1),
    ("DB201", "Databases and SQL", 32, 3),
    ("DB202", "Object Relational Mapping", 30, 3),
    ("MA101", "Discrete Mathematics", 40, 1),
    ("WEB210", "Web Applications", 30, 2),
    ("SE301", "Software Engineering", 34, 2),
    ("ART110", "Studio Art", 12, 0),
];
/// Days with attendance recorded, for every enrollment.
const DAYS: [(i32, u32, u32); 6] = [
    (2026, 11, 2),
    (2026, 11, 4),
    (2026, 11, 9),
    (2026, 11, 11),
    (2026, 11, 16),
    (2026, 11, 18),
];

/// Writes the demo data (4 teachers, 8 courses, 60 students, their enrollments with marks,
/// attendance) unless the database already has a course; returns whether it wrote anything.
/// Deterministic: the same data every time.
///
/// # Errors
/// Database errors.
pub fn seed(s: &mut Session) -> cinnabar::Result<bool> {
    if s.query::<Course>().exists()? {
        return Ok(false);
    }
    let teachers: Vec<Handle<Teacher>> = TEACHERS
        .iter()
        .map(|(name, email)| s.add(Teacher::new(*name, *email)))
        .collect();
    let courses: Vec<Handle<Course>> = COURSES
        .iter()
        .map(|&(code, title, capacity, t)| {
            let mut c = Course::new(code, title, capacity);
            c.teacher = BelongsTo::to(&teachers[t]);
            s.add(c)
        })
        .collect();
    s.flush()?;
    let mut students = Vec::new();
    for (i, last) in LAST.iter().enumerate() {
        for first in FIRST {
            let n = students.len();
            let email = format!(
                "{}.{}{}@example.edu",
                first.to_lowercase(),
                last.to_lowercase(),
                i
            );
            students.push((n, s.add(Student::new(format!("{first} {last}"), email))));
        }
    }
    s.flush()?;
    let regular = COURSES.len() - 1;
    let mut rng = 0x2545_f491_u64;
    for (n, student) in &students {
        let mut picks = vec![n % regular, (n + 2) % regular, (n + 4) % regular];
        if *n < 12 {
            picks.push(regular);
        }
        let student_id = student.read().id.unwrap_or_default();
        for c in picks {
            let course_id = courses[c].read().id.unwrap_or_default();
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let mark = (n % 5 != 0).then_some(45 + ((rng >> 33) % 56) as i32);
            s.add(Enrollment::new(student_id, course_id, mark));
            for (d, &(y, m, day)) in DAYS.iter().enumerate() {
                rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.add(Attendance {
                    id: None,
                    student_id: Some(student_id),
                    course_id: Some(course_id),
                    day: chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default(),
                    present: (rng >> 40) % 10 < 8 || d == 0,
                });
            }
        }
    }
    s.flush()?;
    Ok(true)
}
