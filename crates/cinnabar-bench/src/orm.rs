//! The `cinnabar` contender: the ORM session path a Cinnabar user writes (an engine from a
//! URL, a `#[derive(Model)]` struct, a fresh `Session` per run), one function per workload.

use std::path::Path;

use cinnabar::prelude::*;

use crate::measure::timed;
use crate::setup::{self, CourseRecord, StudentRecord};
use crate::{Failure, Measured, Workload};

/// The courses table as a model, with its students as a one-to-many relationship (W5).
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
pub(crate) struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    title: String,
    #[cinnabar(relation(foreign_key = course_id))]
    students: HasMany<Student>,
}

/// The students table as a model. The harness creates the schema (the benchmark never runs
/// `create_all`), so the declared foreign key only tells the unit of work that courses are
/// flushed before students; no index is declared.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    course: String,
    email: Option<String>,
    #[cinnabar(foreign_key = "courses.id")]
    course_id: Option<i64>,
}

/// How the `cinnabar` contenders load W5's relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eager {
    /// `selectin(Course::students)`: the `cinnabar` contender.
    Selectin,
    /// `joined(Course::students)`: the `cinnabar_joined` contender.
    Joined,
}

impl Student {
    fn record(&self) -> StudentRecord {
        StudentRecord {
            id: self.id.unwrap_or(0),
            name: self.name.clone(),
            course: self.course.clone(),
            email: self.email.clone(),
            course_id: self.course_id,
        }
    }
}

fn records(handles: &[Handle<Student>]) -> Vec<StudentRecord> {
    handles.iter().map(|h| h.read().record()).collect()
}

/// The engine URL of the SQLite database file at `path` (with `--key`, its `?key=`).
///
/// # Errors
/// [`Failure::Error`] when the path is not UTF-8.
pub(crate) fn sqlite_url(path: &Path) -> Result<String, Failure> {
    let path = path
        .to_str()
        .ok_or_else(|| Failure::Error(format!("database path {path:?} is not UTF-8")))?;
    Ok(match setup::key() {
        Some(key) => {
            let encoded: String = key
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("sqlite:///{path}?key={encoded}")
        }
        None => format!("sqlite:///{path}"),
    })
}

/// Runs workload `w` on the database at `url` (any backend; the engine picks the driver;
/// `eager` is W5's loading strategy, ignored by the other workloads):
/// makes the engine and a session and opens the session's connection (untimed), calls
/// `connected` (the harness's hook, e.g. for `--pin-cpu`), runs the timed part, checks what
/// it returned in memory.
///
/// # Errors
/// Cinnabar errors; [`Failure::Verify`] when the in-memory result is off.
pub(crate) fn run(
    w: Workload,
    eager: Eager,
    url: &str,
    n: i64,
    connected: &mut dyn FnMut() -> Result<(), Failure>,
) -> Result<Measured, Failure> {
    let engine = Engine::with_options(url, EngineOptions::new().echo(crate::trace_enabled()))?;
    let mut session = Session::new(&engine);
    session.connection()?;
    connected()?;
    let measured = match w {
        Workload::Insert => insert(&mut session, n)?,
        Workload::SelectAll => select_all(&mut session, n)?,
        Workload::Lookup => lookup(&mut session, n)?,
        Workload::Update => update(&mut session, n)?,
        Workload::Relation => relation(&mut session, n, eager)?,
        Workload::Delete => delete(&mut session)?,
    };
    session.close();
    drop(session);
    engine.dispose();
    Ok(measured)
}

/// W1: build the objects, `add_all`, `commit` (the flush sends 1,000-row INSERTs).
#[inline(never)] // keeps the timed part one symbol for profilers
fn insert(session: &mut Session, n: i64) -> Result<Measured, Failure> {
    let (handles, seconds) = timed(|| {
        let students: Vec<Student> = (1..=n)
            .map(|i| Student {
                id: None,
                name: setup::name(i),
                course: setup::COURSE.to_owned(),
                email: Some(setup::email(i)),
                course_id: Some(setup::course_id(i)),
            })
            .collect();
        let handles = session.add_all(students);
        session.commit()?;
        Ok(handles)
    })?;
    setup::check_inserted(n, &records(&handles))?;
    Ok(Measured {
        seconds,
        rows: handles.len() as u64,
    })
}

/// W2: `query::<Student>().all()`.
#[inline(never)] // keeps the timed part one symbol for profilers
fn select_all(session: &mut Session, n: i64) -> Result<Measured, Failure> {
    let (students, seconds) = timed(|| Ok(session.query::<Student>().all()?))?;
    setup::check_loaded(n, &records(&students), setup::COURSE)?;
    Ok(Measured {
        seconds,
        rows: students.len() as u64,
    })
}

/// W3: 10,000 × `query::<Student>().filter(Student::name.eq(..)).first()`.
#[inline(never)] // keeps the timed part one symbol for profilers
fn lookup(session: &mut Session, n: i64) -> Result<Measured, Failure> {
    let (found, seconds) = timed(|| {
        let mut found = Vec::with_capacity(setup::LOOKUPS as usize);
        for k in 0..setup::LOOKUPS {
            let id = setup::lookup_id(k, n);
            let name = setup::name(id);
            if let Some(h) = session
                .query::<Student>()
                .filter(Student::name.eq(name))
                .first()?
            {
                found.push((id, h));
            }
        }
        Ok(found)
    })?;
    let seen: Vec<(i64, StudentRecord)> = found
        .iter()
        .map(|(id, h)| (*id, h.read().record()))
        .collect();
    setup::check_lookups(&seen)?;
    Ok(Measured {
        seconds,
        rows: found.len() as u64,
    })
}

/// W4: `begin`, load all, assign `course` through `write()`, `commit` (the unit of work
/// flushes one UPDATE per changed object).
///
/// `rows` is the number of objects changed: the flush checks that each UPDATE matched
/// exactly one row, so a successful commit means that many rows were updated.
#[inline(never)] // keeps the timed part one symbol for profilers
fn update(session: &mut Session, n: i64) -> Result<Measured, Failure> {
    let (students, seconds) = timed(|| {
        session.begin()?;
        let students: Vec<Handle<Student>> = session.query::<Student>().all()?;
        for h in &students {
            h.write().course = setup::NEW_COURSE.to_owned();
        }
        session.commit()?;
        Ok(students)
    })?;
    setup::check_loaded(n, &records(&students), setup::NEW_COURSE)?;
    Ok(Measured {
        seconds,
        rows: students.len() as u64,
    })
}

/// W5: `query::<Course>().options(selectin(Course::students)).all()` (or `joined(..)`), then
/// every course's loaded students; `rows` is the number of students attached.
#[inline(never)] // keeps the timed part one symbol for profilers
fn relation(session: &mut Session, n: i64, eager: Eager) -> Result<Measured, Failure> {
    let ((courses, rows), seconds) = timed(|| {
        let query = session.query::<Course>();
        let courses: Vec<Handle<Course>> = match eager {
            Eager::Selectin => query.options(selectin(Course::students)).all()?,
            Eager::Joined => query.options(joined(Course::students)).all()?,
        };
        let mut rows = 0u64;
        for c in &courses {
            let g = c.read();
            rows += g.students.get()?.len() as u64;
        }
        Ok((courses, rows))
    })?;
    let mut groups = Vec::with_capacity(courses.len());
    for c in &courses {
        let g = c.read();
        let course = CourseRecord {
            id: g.id.unwrap_or(0),
            title: g.title.clone(),
        };
        groups.push((course, records(g.students.get()?)));
    }
    setup::check_relation(n, &groups)?;
    Ok(Measured { seconds, rows })
}

/// W6: `execute_bulk(delete::<Student>().filter(Student::id.modulo(2).eq(0)))`, `commit`.
#[inline(never)] // keeps the timed part one symbol for profilers
fn delete(session: &mut Session) -> Result<Measured, Failure> {
    let (rows, seconds) = timed(|| {
        let rows = session
            .execute_bulk(cinnabar::delete::<Student>().filter(Student::id.modulo(2).eq(0)))?;
        session.commit()?;
        Ok(rows)
    })?;
    Ok(Measured { seconds, rows })
}
