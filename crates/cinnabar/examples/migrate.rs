//! Migrations compiled into the binary and applied at start-up (docs/MIGRATIONS.md): the
//! walk-through's three revisions in `examples/migrations` (create tables, a unique email,
//! `course` renamed to `course_code`), applied to a seeded SQLite database whose rows follow
//! each change; then `Migrator::check` confirms the models are what the head produces.
use cinnabar::migrate::{EmbeddedMigrations, Migrator};
use cinnabar::prelude::*;

static MIGRATIONS: EmbeddedMigrations = cinnabar::embed_migrations!("examples/migrations");

/// A course, as the first revision created it.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
pub struct Course {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// The course's title.
    #[cinnabar(length = 100)]
    pub title: String,
}

/// A student, as the last revision left the table.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub struct Student {
    /// The key, `None` until inserted.
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    /// The student's name.
    #[cinnabar(length = 50)]
    pub name: String,
    /// The course code (the third revision renamed `course` to it).
    #[cinnabar(length = 20, renamed_from = "course")]
    pub course_code: String,
    /// A unique email address (added by the second revision).
    #[cinnabar(length = 120, unique)]
    pub email: Option<String>,
}

fn main() -> cinnabar::Result<()> {
    let _ = std::fs::remove_file("migrate_example.db");
    let engine = create_engine("sqlite:///migrate_example.db")?;
    let migrator = Migrator::from_embedded(&engine, &MIGRATIONS)?;

    // An older release ran the first revision and stored a student.
    let first = migrator.dir().revisions()[0].id.clone();
    migrator.upgrade(&first)?;
    engine.connect()?.execute(text(
        "INSERT INTO students (name, course) VALUES ('Naresh', 'Python')",
    ))?;

    // This release applies the rest at start-up (under the migration lock).
    let applied = migrator.upgrade("head")?;
    println!("applied {} revisions", applied.len());
    let models = MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone());
    migrator.check(&models)?;

    let mut session = Session::new(&engine);
    for s in session.query::<Student>().all()? {
        let s = s.read();
        println!("{} {}", s.name, s.course_code);
    }
    Ok(())
}
