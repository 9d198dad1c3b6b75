//! The `raw_rusqlite` contender, the floor every ratio is taken against: hand-written SQL on
//! rusqlite with `prepare_cached` statements and a plain struct per row, one function per
//! workload (the shapes WORKLOADS.md's per-contender table gives).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use crate::measure::timed;
use crate::setup::{self, CourseRecord, StudentRecord};
use crate::{Failure, Measured, Workload};

const INSERT: &str =
    "INSERT INTO students (name, course, email, course_id) VALUES (?1, ?2, ?3, ?4)";
const SELECT_ALL: &str = "SELECT id, name, course, email, course_id FROM students";
const LOOKUP: &str =
    "SELECT id, name, course, email, course_id FROM students WHERE name = ?1 LIMIT 1";
const UPDATE: &str = "UPDATE students SET course = ?1 WHERE id = ?2";
const DELETE: &str = "DELETE FROM students WHERE id % 2 = 0";
const COURSES: &str = "SELECT id, title FROM courses";
/// W5's second query without its placeholder list (one `?` per course id is appended).
const STUDENTS_IN: &str =
    "SELECT id, name, course, email, course_id FROM students WHERE course_id IN (";

/// A student to insert (no id: SQLite assigns it).
struct NewStudent {
    name: String,
    course: String,
    email: Option<String>,
    course_id: Option<i64>,
}

/// Runs workload `w` on the database at `path`: opens its connection (untimed), runs the
/// timed part, checks what it returned in memory.
///
/// # Errors
/// SQLite errors; [`Failure::Verify`] when the in-memory result is off.
pub(crate) fn run(w: Workload, path: &Path, n: i64) -> Result<Measured, Failure> {
    let mut conn = setup::open(path)?;
    let measured = match w {
        Workload::Insert => insert(&mut conn, n)?,
        Workload::SelectAll => select_all(&mut conn, n)?,
        Workload::Lookup => lookup(&mut conn, n)?,
        Workload::Update => update(&mut conn, n)?,
        Workload::Relation => relation(&mut conn, n)?,
        Workload::Delete => delete(&mut conn)?,
    };
    conn.close().map_err(|(_, e)| e)?;
    Ok(measured)
}

/// Prints `sql` on stderr under `ORMBENCH_TRACE=1` (`trace` is read once per workload).
#[inline]
fn echo(trace: bool, sql: &str) {
    if trace {
        eprintln!("{sql}");
    }
}

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<StudentRecord> {
    Ok(StudentRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        course: row.get(2)?,
        email: row.get(3)?,
        course_id: row.get(4)?,
    })
}

fn load_all(conn: &Connection, trace: bool) -> rusqlite::Result<Vec<StudentRecord>> {
    echo(trace, SELECT_ALL);
    let mut stmt = conn.prepare_cached(SELECT_ALL)?;
    let rows = stmt.query_map([], record)?;
    rows.collect()
}

/// W1: one transaction, one cached single-row INSERT executed N times.
#[inline(never)] // keeps the timed part one symbol for profilers
fn insert(conn: &mut Connection, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (rows, seconds) = timed(|| {
        let students: Vec<NewStudent> = (1..=n)
            .map(|i| NewStudent {
                name: setup::name(i),
                course: setup::COURSE.to_owned(),
                email: Some(setup::email(i)),
                course_id: Some(setup::course_id(i)),
            })
            .collect();
        echo(trace, "BEGIN");
        let tx = conn.transaction()?;
        let mut rows = 0u64;
        {
            let mut stmt = tx.prepare_cached(INSERT)?;
            for s in &students {
                echo(trace, INSERT);
                rows += stmt.execute(params![s.name, s.course, s.email, s.course_id])? as u64;
            }
        }
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok(rows)
    })?;
    Ok(Measured { seconds, rows })
}

/// W2: every student into a `Vec<StudentRecord>`, no explicit transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn select_all(conn: &mut Connection, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (students, seconds) = timed(|| Ok(load_all(conn, trace)?))?;
    setup::check_loaded(n, &students, setup::COURSE)?;
    Ok(Measured {
        seconds,
        rows: students.len() as u64,
    })
}

/// W3: 10,000 lookups by name, each its own execution of the cached statement.
#[inline(never)] // keeps the timed part one symbol for profilers
fn lookup(conn: &mut Connection, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (found, seconds) = timed(|| {
        let mut found = Vec::with_capacity(setup::LOOKUPS as usize);
        for k in 0..setup::LOOKUPS {
            let id = setup::lookup_id(k, n);
            let name = setup::name(id);
            echo(trace, LOOKUP);
            let mut stmt = conn.prepare_cached(LOOKUP)?;
            if let Some(s) = stmt.query_row([&name], record).optional()? {
                found.push((id, s));
            }
        }
        Ok(found)
    })?;
    setup::check_lookups(&found)?;
    Ok(Measured {
        seconds,
        rows: found.len() as u64,
    })
}

/// W4: in one transaction, load all, set `course`, one cached UPDATE per row, commit.
#[inline(never)] // keeps the timed part one symbol for profilers
fn update(conn: &mut Connection, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let ((students, rows), seconds) = timed(|| {
        echo(trace, "BEGIN");
        let tx = conn.transaction()?;
        let mut students = load_all(&tx, trace)?;
        for s in &mut students {
            s.course = setup::NEW_COURSE.to_owned();
        }
        let mut rows = 0u64;
        {
            let mut stmt = tx.prepare_cached(UPDATE)?;
            for s in &students {
                echo(trace, UPDATE);
                rows += stmt.execute(params![s.course, s.id])? as u64;
            }
        }
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok((students, rows))
    })?;
    setup::check_loaded(n, &students, setup::NEW_COURSE)?;
    Ok(Measured { seconds, rows })
}

/// `SELECT .. WHERE course_id IN (?1, .., ?k)` for `k` course ids.
pub(crate) fn students_in(k: usize, placeholder: impl Fn(usize) -> String) -> String {
    let mut sql = String::from(STUDENTS_IN);
    for i in 1..=k {
        if i > 1 {
            sql.push_str(", ");
        }
        sql.push_str(&placeholder(i));
    }
    sql.push(')');
    sql
}

/// W5's grouping of students under their courses by `course_id`, in the courses' order.
pub(crate) struct ByCourse {
    index: HashMap<i64, usize>,
    groups: Vec<(CourseRecord, Vec<StudentRecord>)>,
    attached: u64,
}

impl ByCourse {
    pub(crate) fn new(courses: Vec<CourseRecord>) -> Self {
        let index = courses.iter().enumerate().map(|(k, c)| (c.id, k)).collect();
        let groups = courses.into_iter().map(|c| (c, Vec::new())).collect();
        ByCourse {
            index,
            groups,
            attached: 0,
        }
    }

    /// Attaches `s` to its course (a student of no loaded course is dropped).
    #[inline]
    pub(crate) fn push(&mut self, s: StudentRecord) {
        if let Some(&k) = s.course_id.and_then(|id| self.index.get(&id)) {
            self.groups[k].1.push(s);
            self.attached += 1;
        }
    }

    /// The courses with their students, and how many students were attached.
    pub(crate) fn finish(self) -> (Vec<(CourseRecord, Vec<StudentRecord>)>, u64) {
        (self.groups, self.attached)
    }
}

/// W5: the courses, then their students with one `IN` query over the course ids (a cached
/// statement), grouped by `course_id` in memory in the courses' order; no explicit
/// transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn relation(conn: &mut Connection, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let ((groups, rows), seconds) = timed(|| {
        echo(trace, COURSES);
        let courses: Vec<CourseRecord> = conn
            .prepare_cached(COURSES)?
            .query_map([], |r| {
                Ok(CourseRecord {
                    id: r.get(0)?,
                    title: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let ids: Vec<i64> = courses.iter().map(|c| c.id).collect();
        let sql = students_in(ids.len(), |i| format!("?{i}"));
        echo(trace, &sql);
        let mut by_course = ByCourse::new(courses);
        let mut stmt = conn.prepare_cached(&sql)?;
        for s in stmt.query_map(params_from_iter(&ids), record)? {
            by_course.push(s?);
        }
        Ok(by_course.finish())
    })?;
    setup::check_relation(n, &groups)?;
    Ok(Measured { seconds, rows })
}

/// W6: one set-based DELETE in a transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn delete(conn: &mut Connection) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (rows, seconds) = timed(|| {
        echo(trace, "BEGIN");
        let tx = conn.transaction()?;
        echo(trace, DELETE);
        let rows = tx.prepare_cached(DELETE)?.execute([])? as u64;
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok(rows)
    })?;
    Ok(Measured { seconds, rows })
}
