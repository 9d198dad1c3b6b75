//! The tutorial's student management system with relationships: courses have students
//! (one-to-many), each student belongs to a course (many-to-one), enrollments carry marks
//! (the association-object pattern: a row with its own columns between students and
//! courses), attendance rows belong to a student, and categories form a tree
//! (self-referential).
//!
//! Run with `cargo run --example relationships`.

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    title: String,
    #[cinnabar(relation(foreign_key = course_id, back_populates = course))]
    students: HasMany<Student>,
    #[cinnabar(relation(
        foreign_key = course_id,
        cascade = "all, delete-orphan",
        back_populates = course
    ))]
    enrollments: HasMany<Enrollment>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
    #[cinnabar(relation(foreign_key = course_id, back_populates = students))]
    course: BelongsTo<Course>,
    #[cinnabar(relation(
        foreign_key = student_id,
        cascade = "all, delete-orphan",
        back_populates = student
    ))]
    enrollments: HasMany<Enrollment>,
    #[cinnabar(relation(foreign_key = student_id, cascade = "all"))]
    attendance: HasMany<Attendance>,
}

/// A student's enrollment in a course, with the marks obtained: an association object.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "enrollments")]
struct Enrollment {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "students.id", on_delete = "cascade")]
    student_id: Option<i64>,
    #[cinnabar(foreign_key = "courses.id", on_delete = "cascade")]
    course_id: Option<i64>,
    marks: i32,
    #[cinnabar(relation(foreign_key = student_id, back_populates = enrollments))]
    student: BelongsTo<Student>,
    #[cinnabar(relation(foreign_key = course_id, back_populates = enrollments))]
    course: BelongsTo<Course>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "attendance")]
struct Attendance {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(foreign_key = "students.id")]
    student_id: Option<i64>,
    day: String,
    present: bool,
}

fn student(name: &str) -> Student {
    Student {
        id: None,
        name: name.into(),
        course_id: None,
        course: BelongsTo::default(),
        enrollments: HasMany::new(),
        attendance: HasMany::new(),
    }
}

fn course(title: &str) -> Course {
    Course {
        id: None,
        title: title.into(),
        students: HasMany::new(),
        enrollments: HasMany::new(),
    }
}

fn main() -> cinnabar::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite:///students.db".to_string());
    let engine = create_engine(&url)?;
    let metadata = MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Enrollment::table().clone())
        .with(Attendance::table().clone());
    metadata.drop_all(&engine)?;
    metadata.create_all(&engine)?;

    let mut session = Session::new(&engine);

    // New objects are made with Handle::new (SQLAlchemy's `Student(...)`) and reach the
    // session through the courses' relationships (save-update cascade); back_populates keeps
    // both sides in step in memory. One flush inserts courses, then students (with course_id
    // filled from the new courses' keys), then enrollments and attendance.
    let python = session.add(course("Python"));
    let rust = session.add(course("Rust"));
    for (name, home, marks) in [
        ("Naresh", &python, 91),
        ("Asha", &rust, 88),
        ("Ravi", &python, 75),
    ] {
        let s = Handle::new(Student {
            course: BelongsTo::to(home),
            ..student(name)
        });
        for (c, m) in [(&python, marks), (&rust, marks - 10)] {
            // Joins `s.enrollments` and `c.enrollments` at once.
            Handle::new(Enrollment {
                id: None,
                student_id: None,
                course_id: None,
                marks: m,
                student: BelongsTo::to(&s),
                course: BelongsTo::to(c),
            });
        }
        s.write().attendance.push(Handle::new(Attendance {
            id: None,
            student_id: None,
            day: "2026-11-24".into(),
            present: name != "Ravi",
        }))?;
    }
    // back_populates filled the courses' collections before anything was written.
    assert_eq!(python.read().students.len()?, 2);
    assert_eq!(rust.read().enrollments.len()?, 3);
    session.commit()?;

    // Eager loading, nested: courses -> enrollments -> student. Three queries in all, however
    // many courses and students there are; reading the fields does no I/O.
    let mut session = Session::new(&engine);
    let courses = session
        .query::<Course>()
        .order_by(Course::title)
        .options(selectin(Course::enrollments).then(selectin(Enrollment::student)))
        .all()?;
    for c in &courses {
        let c = c.read();
        println!("{}:", c.title);
        for e in c.enrollments.get()? {
            let e = e.read();
            let s = e.student.get()?.expect("every enrollment has a student");
            println!("  {} {}", s.read().name, e.marks);
        }
    }

    // Joins and EXISTS filters through relationships.
    let absent = session
        .query::<Student>()
        .filter(Student::attendance.any(Attendance::present.eq(false)))
        .all()?;
    println!(
        "absent: {}",
        absent
            .iter()
            .map(|s| s.read().name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let in_python = session
        .query::<Student>()
        .join(Student::course)
        .filter(Course::title.eq("Python"))
        .count()?;
    println!("students whose course is Python: {in_python}");

    // Deleting a student cascades to their enrollments and attendance.
    let ravi = session
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .one()?;
    session.delete(&ravi)?;
    session.commit()?;
    println!(
        "enrollments left after deleting Ravi: {}",
        session.query::<Enrollment>().count()?
    );
    Ok(())
}
