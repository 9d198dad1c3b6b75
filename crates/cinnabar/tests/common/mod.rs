//! Shared helpers for the integration tests: a SQLite file database in a temporary
//! directory (kept alive alongside its engine), the student-management models of the
//! tutorial, and a plain rusqlite connection for looking behind the session's back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cinnabar::prelude::*;
use tempfile::TempDir;

/// A course (the parent of the tutorial's one-to-many example).
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "courses")]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    pub title: String,
}

/// The tutorial's student, plus a foreign key to its course and a unique e-mail.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 50, index)]
    pub name: String,
    pub course: String,
    #[cinnabar(foreign_key = "courses.id", on_delete = "cascade")]
    pub course_id: Option<i64>,
    #[cinnabar(unique)]
    pub email: Option<String>,
}

/// Which student takes which course: a composite primary key of two foreign keys.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "enrollments", index(course_id, student_id))]
pub(crate) struct Enrollment {
    #[cinnabar(primary_key, foreign_key = "students.id", on_delete = "cascade")]
    pub student_id: i64,
    #[cinnabar(primary_key, foreign_key = "courses.id", on_delete = "cascade")]
    pub course_id: i64,
    pub grade: Option<String>,
}

/// A mark; its foreign key has no ON DELETE action, so deleting a student with marks in the
/// wrong order fails.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "marks", unique(student_id, subject))]
pub(crate) struct Mark {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "students.id")]
    pub student_id: i64,
    pub subject: String,
    pub score: i64,
}

/// Attendance, with Rust-side and server-side defaults.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "attendance")]
pub(crate) struct Attendance {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "students.id", on_delete = "cascade")]
    pub student_id: i64,
    pub day: String,
    #[cinnabar(default = true)]
    pub present: Option<bool>,
    #[cinnabar(default = String::from("manual"))]
    pub source: Option<String>,
    #[cinnabar(server_default = "CURRENT_TIMESTAMP")]
    pub recorded_at: Option<String>,
    #[cinnabar(server_default = "0")]
    pub late_minutes: Option<i64>,
}

/// A student with only the tutorial's fields set.
pub(crate) fn student(name: &str, course: &str) -> Student {
    Student {
        id: None,
        name: name.into(),
        course: course.into(),
        course_id: None,
        email: None,
    }
}

/// The metadata of every model, for `create_all`.
pub(crate) fn metadata() -> MetaData {
    MetaData::new()
        .with(Course::table().clone())
        .with(Student::table().clone())
        .with(Enrollment::table().clone())
        .with(Mark::table().clone())
        .with(Attendance::table().clone())
}

/// A file database in a temporary directory. The directory lives as long as this value.
pub(crate) struct TestDb {
    pub engine: Engine,
    pub path: PathBuf,
    /// Kept alive so the directory (and the database) outlive the engine's use.
    pub dir: TempDir,
}

impl TestDb {
    /// A plain rusqlite connection to the same file, for checks behind the session's back.
    pub(crate) fn raw(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.path).expect("open the database with rusqlite");
        c.busy_timeout(std::time::Duration::from_secs(10))
            .expect("set busy timeout");
        c
    }

    /// `SELECT COUNT(*) FROM <table>` through rusqlite.
    pub(crate) fn count(&self, table: &str) -> i64 {
        self.raw()
            .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })
            .expect("count rows")
    }

    /// A student's `(name, course)` read through rusqlite, if the row exists.
    pub(crate) fn student_row(&self, id: i64) -> Option<(String, String)> {
        let c = self.raw();
        let mut stmt = c
            .prepare("SELECT name, course FROM students WHERE id = ?1")
            .expect("prepare");
        let mut rows = stmt.query([id]).expect("query");
        rows.next()
            .expect("step")
            .map(|r| (r.get(0).expect("name"), r.get(1).expect("course")))
    }
}

/// An engine on `students.db` in a fresh temporary directory, with no tables.
pub(crate) fn temp_engine() -> TestDb {
    temp_engine_with(EngineOptions::default())
}

/// As [`temp_engine`], with `options`.
pub(crate) fn temp_engine_with(options: EngineOptions) -> TestDb {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("students.db");
    let url = format!("sqlite:///{}", path.display());
    let engine = Engine::with_options(&url, options).expect("create the engine");
    TestDb { engine, path, dir }
}

/// A fresh temporary database with every model's table created.
pub(crate) fn setup() -> TestDb {
    let db = temp_engine();
    metadata().create_all(&db.engine).expect("create_all");
    db
}

/// `target` relative to the current directory (both absolute), for `sqlite:///relative`.
pub(crate) fn relative_to_cwd(target: &Path) -> PathBuf {
    let cwd = std::env::current_dir().expect("current directory");
    let cwd: Vec<_> = cwd.components().collect();
    let tgt: Vec<_> = target.components().collect();
    let common = cwd.iter().zip(&tgt).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..cwd.len() {
        out.push("..");
    }
    for c in &tgt[common..] {
        out.push(c);
    }
    out
}

/// Runs `f` on another thread and fails the test if it does not finish within `secs`
/// (a deadlock shows up as a failure instead of a hung test run).
pub(crate) fn within<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(r) => {
            let _ = handle.join();
            r
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The closure panicked: surface its panic.
            match handle.join() {
                Err(p) => std::panic::resume_unwind(p),
                Ok(()) => panic!("worker ended without a result"),
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("did not finish within {secs} s (deadlock?)")
        }
    }
}

/// A handle's state as its `Debug` name (`ObjectState` is not re-exported by the facade).
pub(crate) fn state<T: Model>(h: &Handle<T>) -> String {
    format!("{:?}", h.state())
}
