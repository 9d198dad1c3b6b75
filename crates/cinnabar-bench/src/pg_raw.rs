//! The `raw_postgres` contender, the floor every PostgreSQL ratio is taken against:
//! hand-written SQL on the blocking `postgres` client, each statement prepared once per run
//! and reused, rows streamed (`query_raw`) into a plain struct per row; one function per
//! workload, the same shapes as `raw_rusqlite` (raw.rs).

use std::time::Instant;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Statement};

use crate::measure::timed;
use crate::pg_setup::PgRun;
use crate::raw::{students_in, ByCourse};
use crate::setup::{self, CourseRecord, StudentRecord};
use crate::{Failure, Measured, Workload};

const INSERT: &str =
    "INSERT INTO students (name, course, email, course_id) VALUES ($1, $2, $3, $4)";
const SELECT_ALL: &str = "SELECT id, name, course, email, course_id FROM students";
const LOOKUP: &str =
    "SELECT id, name, course, email, course_id FROM students WHERE name = $1 LIMIT 1";
const UPDATE: &str = "UPDATE students SET course = $1 WHERE id = $2";
const DELETE: &str = "DELETE FROM students WHERE id % 2 = 0";
const COURSES: &str = "SELECT id, title FROM courses";

/// Rows per statement of the multi-row INSERT variant (W1 note only).
const CHUNK: usize = 1_000;

/// A student to insert (no id: the identity column assigns it).
struct NewStudent {
    name: String,
    course: String,
    email: Option<String>,
    course_id: Option<i64>,
}

fn new_students(n: i64) -> Vec<NewStudent> {
    (1..=n)
        .map(|i| NewStudent {
            name: setup::name(i),
            course: setup::COURSE.to_owned(),
            email: Some(setup::email(i)),
            course_id: Some(setup::course_id(i)),
        })
        .collect()
}

/// Runs workload `w` in `run`'s schema: opens its client (untimed), runs the timed part,
/// checks what it returned in memory.
///
/// # Errors
/// Server errors; [`Failure::Verify`] when the in-memory result is off.
pub(crate) fn run(w: Workload, run: &mut PgRun, n: i64) -> Result<Measured, Failure> {
    let mut client = run.client()?;
    run.pin_backends()?;
    let measured = match w {
        Workload::Insert => insert(&mut client, n)?,
        Workload::SelectAll => select_all(&mut client, n)?,
        Workload::Lookup => lookup(&mut client, n)?,
        Workload::Update => update(&mut client, n)?,
        Workload::Relation => relation(&mut client, n)?,
        Workload::Delete => delete(&mut client)?,
    };
    client.close()?;
    Ok(measured)
}

/// The W1 variant with multi-row INSERTs (1,000 rows per statement, one prepared statement
/// per chunk size, each returning the new ids like an ORM flush needs), in `run`'s schema.
/// Not a contender: its time is only noted on stderr.
///
/// # Errors
/// Server errors; [`Failure::Verify`] when the ids are off.
pub(crate) fn run_insert_multirow(run: &mut PgRun, n: i64) -> Result<Measured, Failure> {
    let mut client = run.client()?;
    run.pin_backends()?;
    let m = insert_multirow(&mut client, n)?;
    client.close()?;
    Ok(m)
}

/// Prints `sql` on stderr under `ORMBENCH_TRACE=1` (`trace` is read once per workload).
#[inline]
fn echo(trace: bool, sql: &str) {
    if trace {
        eprintln!("{sql}");
    }
}

fn record(row: &postgres::Row) -> Result<StudentRecord, postgres::Error> {
    Ok(StudentRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        course: row.try_get(2)?,
        email: row.try_get(3)?,
        course_id: row.try_get(4)?,
    })
}

/// Streams every student into a `Vec<StudentRecord>`.
fn load_all(
    client: &mut impl GenericClient,
    stmt: &Statement,
    trace: bool,
) -> Result<Vec<StudentRecord>, postgres::Error> {
    echo(trace, SELECT_ALL);
    let none: [&(dyn ToSql + Sync); 0] = [];
    client.query_raw(stmt, none)?.map(|r| record(&r)).collect()
}

/// W1: one transaction, one prepared single-row INSERT executed N times.
#[inline(never)] // keeps the timed part one symbol for profilers
fn insert(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (rows, seconds) = timed(|| {
        let students = new_students(n);
        echo(trace, "BEGIN");
        let mut tx = client.transaction()?;
        let stmt = tx.prepare(INSERT)?;
        let mut rows = 0u64;
        for s in &students {
            echo(trace, INSERT);
            rows += tx.execute(&stmt, &[&s.name, &s.course, &s.email, &s.course_id])?;
        }
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok(rows)
    })?;
    Ok(Measured { seconds, rows })
}

/// W1 variant: 1,000-row `INSERT .. VALUES (..), .. RETURNING id` statements (prepared once
/// per distinct chunk size) in one transaction; checks the returned ids are `1..=n`.
#[inline(never)] // keeps the timed part one symbol for profilers
fn insert_multirow(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let start = Instant::now();
    let students = new_students(n);
    echo(trace, "BEGIN");
    let mut tx = client.transaction()?;
    let mut prepared: Vec<(usize, Statement, String)> = Vec::new();
    let mut ids: Vec<i64> = Vec::with_capacity(students.len());
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(CHUNK * 4);
    for chunk in students.chunks(CHUNK) {
        let k = chunk.len();
        let idx = match prepared.iter().position(|(len, _, _)| *len == k) {
            Some(i) => i,
            None => {
                let mut sql =
                    String::from("INSERT INTO students (name, course, email, course_id) VALUES ");
                for r in 0..k {
                    let b = r * 4;
                    if r > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
                }
                sql.push_str(" RETURNING id");
                let stmt = tx.prepare(&sql)?;
                prepared.push((k, stmt, sql));
                prepared.len() - 1
            }
        };
        let (_, stmt, sql) = &prepared[idx];
        echo(trace, sql);
        params.clear();
        for s in chunk {
            params.extend_from_slice(&[
                &s.name as &(dyn ToSql + Sync),
                &s.course,
                &s.email,
                &s.course_id,
            ]);
        }
        let mut it = tx.query_raw(stmt, params.iter().copied())?;
        while let Some(row) = it.next()? {
            ids.push(row.try_get(0)?);
        }
    }
    echo(trace, "COMMIT");
    tx.commit()?;
    let seconds = start.elapsed().as_secs_f64();
    let in_order = ids.iter().copied().eq(1..=n);
    if !in_order {
        return Err(Failure::Verify(format!(
            "multi-row INSERT returned {} ids, not 1..={n} in order",
            ids.len()
        )));
    }
    Ok(Measured {
        seconds,
        rows: ids.len() as u64,
    })
}

/// W2: every student into a `Vec<StudentRecord>`, no explicit transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn select_all(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (students, seconds) = timed(|| {
        let stmt = client.prepare(SELECT_ALL)?;
        Ok(load_all(client, &stmt, trace)?)
    })?;
    setup::check_loaded(n, &students, setup::COURSE)?;
    Ok(Measured {
        seconds,
        rows: students.len() as u64,
    })
}

/// W3: 10,000 lookups by name, each an execution of the one prepared statement.
#[inline(never)] // keeps the timed part one symbol for profilers
fn lookup(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (found, seconds) = timed(|| {
        let stmt = client.prepare(LOOKUP)?;
        let mut found = Vec::with_capacity(setup::LOOKUPS as usize);
        for k in 0..setup::LOOKUPS {
            let id = setup::lookup_id(k, n);
            let name = setup::name(id);
            echo(trace, LOOKUP);
            if let Some(row) = client.query_opt(&stmt, &[&name])? {
                found.push((id, record(&row)?));
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

/// W4: in one transaction, load all, set `course`, one prepared UPDATE per row, commit.
#[inline(never)] // keeps the timed part one symbol for profilers
fn update(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let ((students, rows), seconds) = timed(|| {
        echo(trace, "BEGIN");
        let mut tx = client.transaction()?;
        let select = tx.prepare(SELECT_ALL)?;
        let mut students = load_all(&mut tx, &select, trace)?;
        for s in &mut students {
            s.course = setup::NEW_COURSE.to_owned();
        }
        let stmt = tx.prepare(UPDATE)?;
        let mut rows = 0u64;
        for s in &students {
            echo(trace, UPDATE);
            rows += tx.execute(&stmt, &[&s.course, &s.id])?;
        }
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok((students, rows))
    })?;
    setup::check_loaded(n, &students, setup::NEW_COURSE)?;
    Ok(Measured { seconds, rows })
}

/// W5: the courses, then their students with one prepared `IN ($1, .., $k)` query over the
/// course ids (rows streamed), grouped by `course_id` in memory in the courses' order; no
/// explicit transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn relation(client: &mut Client, n: i64) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let ((groups, attached), seconds) = timed(|| {
        echo(trace, COURSES);
        let courses_stmt = client.prepare(COURSES)?;
        let none: [&(dyn ToSql + Sync); 0] = [];
        let courses: Vec<CourseRecord> = client
            .query_raw(&courses_stmt, none)?
            .map(|r| {
                Ok(CourseRecord {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                })
            })
            .collect()?;
        let ids: Vec<i64> = courses.iter().map(|c| c.id).collect();
        let sql = students_in(ids.len(), |i| format!("${i}"));
        echo(trace, &sql);
        let stmt = client.prepare(&sql)?;
        let mut by_course = ByCourse::new(courses);
        let mut rows = client.query_raw(&stmt, ids.iter().map(|id| id as &(dyn ToSql + Sync)))?;
        while let Some(row) = rows.next()? {
            by_course.push(record(&row)?);
        }
        Ok(by_course.finish())
    })?;
    setup::check_relation(n, &groups)?;
    Ok(Measured {
        seconds,
        rows: attached,
    })
}

/// W6: one set-based DELETE in a transaction.
#[inline(never)] // keeps the timed part one symbol for profilers
fn delete(client: &mut Client) -> Result<Measured, Failure> {
    let trace = crate::trace_enabled();
    let (rows, seconds) = timed(|| {
        echo(trace, "BEGIN");
        let mut tx = client.transaction()?;
        let stmt = tx.prepare(DELETE)?;
        echo(trace, DELETE);
        let rows = tx.execute(&stmt, &[])?;
        echo(trace, "COMMIT");
        tx.commit()?;
        Ok(rows)
    })?;
    Ok(Measured { seconds, rows })
}
