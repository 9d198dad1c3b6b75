//! The harness side of every run, all through plain rusqlite and never timed: create the
//! database file with WORKLOADS.md's pragmas, schema and seed data, the deterministic data
//! both contenders build from, the in-memory checks of what a contender returned, and the
//! verification of the database file through a separate connection.

use std::path::Path;

use rusqlite::Connection;

use crate::{Failure, Workload};

/// The schema, as WORKLOADS.md gives it (the same text for every contender).
const SCHEMA: &str = "
CREATE TABLE courses (
    id    INTEGER PRIMARY KEY,
    title TEXT NOT NULL
);
CREATE TABLE students (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    course    TEXT NOT NULL,
    email     TEXT,
    course_id INTEGER REFERENCES courses(id)
);
CREATE INDEX idx_students_name ON students(name);
";

/// The 100 courses: `id = j`, `title = 'course{j}'`.
const SEED_COURSES: &str = "
INSERT INTO courses (id, title)
WITH RECURSIVE c(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM c WHERE j < 100)
SELECT j, 'course' || j FROM c;
";

/// Number of courses the seed creates.
pub(crate) const COURSES: i64 = 100;

/// Number of point lookups in W3.
pub(crate) const LOOKUPS: i64 = 10_000;

/// The `course` every seeded or inserted student has.
pub(crate) const COURSE: &str = "Python";

/// The `course` W4 sets on every student.
pub(crate) const NEW_COURSE: &str = "Rust";

/// A student row as the checks see it; also the `raw_rusqlite` contender's typed struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StudentRecord {
    pub id: i64,
    pub name: String,
    pub course: String,
    pub email: Option<String>,
    pub course_id: Option<i64>,
}

/// A course row as the checks see it; also the raw contenders' typed struct for W5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CourseRecord {
    pub id: i64,
    pub title: String,
}

/// `name` of student `i`.
#[inline]
pub(crate) fn name(i: i64) -> String {
    format!("student{i}")
}

/// `email` of student `i`.
#[inline]
pub(crate) fn email(i: i64) -> String {
    format!("student{i}@example.com")
}

/// `course_id` of student `i`.
#[inline]
pub(crate) fn course_id(i: i64) -> i64 {
    i % COURSES + 1
}

/// The id W3's lookup `k` asks for (by its name `student{id}`).
#[inline]
pub(crate) fn lookup_id(k: i64, n: i64) -> i64 {
    (k * 7919) % n + 1
}

/// `--key`: the passphrase every SQLite database of the run is encrypted with (SQLCipher).
static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the `--key` passphrase, once, before any run.
pub(crate) fn set_key(key: String) {
    let _ = KEY.set(key);
}

/// The `--key` passphrase, if given.
pub(crate) fn key() -> Option<&'static str> {
    KEY.get().map(String::as_str)
}

/// Opens a connection with the pragmas every connection uses; with `--key`, `PRAGMA key`
/// first (as Cinnabar does), so both contenders pay the same encryption.
///
/// # Errors
/// SQLite errors, or a journal mode other than WAL.
pub(crate) fn open(path: &Path) -> Result<Connection, Failure> {
    let conn = Connection::open(path)?;
    if let Some(key) = key() {
        conn.query_row(
            &format!("PRAGMA key = '{}'", key.replace('\'', "''")),
            [],
            |_| Ok(()),
        )?;
    }
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Failure::Error(format!(
            "journal_mode is {mode:?}, expected wal"
        )));
    }
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
    Ok(conn)
}

/// Creates the database for workload `w`: pragmas, schema, courses and (except W1) the `n`
/// students, then a TRUNCATE checkpoint; closes the connection.
///
/// # Errors
/// SQLite errors.
pub(crate) fn prepare(path: &Path, n: i64, w: Workload) -> Result<(), Failure> {
    let conn = open(path)?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(SEED_COURSES)?;
    if w.seeds_students() {
        let seed = format!(
            "INSERT INTO students (id, name, course, email, course_id)
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})
SELECT i, 'student' || i, 'Python', 'student' || i || '@example.com', i % 100 + 1 FROM s;"
        );
        conn.execute_batch(&seed)?;
    }
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.close().map_err(|(_, e)| e)?;
    if key().is_some() && std::fs::read(path)?.starts_with(b"SQLite format 3\0") {
        return Err(Failure::Error(format!(
            "--key: {} was written unencrypted (is this build's SQLite SQLCipher?)",
            path.display()
        )));
    }
    Ok(())
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(Failure::Verify(what()))
    }
}

/// Whether `s` is seeded/inserted student `s.id` with course `course`.
fn is_deterministic(s: &StudentRecord, course: &str) -> bool {
    s.name == name(s.id)
        && s.course == course
        && s.email.as_deref() == Some(email(s.id).as_str())
        && s.course_id == Some(course_id(s.id))
}

/// W1 in memory: the `n` inserted objects got ids `1..=n` in insertion order and kept
/// their values.
///
/// # Errors
/// [`Failure::Verify`] naming the first mismatch.
pub(crate) fn check_inserted(n: i64, objects: &[StudentRecord]) -> Result<(), Failure> {
    check(objects.len() as i64 == n, || {
        format!("{} objects, expected {n}", objects.len())
    })?;
    for (i, s) in (1..).zip(objects) {
        check(s.id == i && is_deterministic(s, COURSE), || {
            format!("inserted object #{i} is {s:?}")
        })?;
    }
    Ok(())
}

/// W2 and W4 in memory: `n` objects, `Σ id = n(n+1)/2`, each with the deterministic values
/// and course `course`.
///
/// # Errors
/// [`Failure::Verify`] naming the first mismatch.
pub(crate) fn check_loaded(n: i64, objects: &[StudentRecord], course: &str) -> Result<(), Failure> {
    check(objects.len() as i64 == n, || {
        format!("{} objects, expected {n}", objects.len())
    })?;
    let sum: i64 = objects.iter().map(|s| s.id).sum();
    check(sum == n * (n + 1) / 2, || {
        format!("sum of ids is {sum}, expected {}", n * (n + 1) / 2)
    })?;
    for s in objects {
        check(is_deterministic(s, course), || {
            format!("loaded object {s:?}")
        })?;
    }
    Ok(())
}

/// W7 in memory: the loop saw `n` rows whose ids sum to `n(n+1)/2` (it keeps no rows; the
/// database check afterwards covers the values).
///
/// # Errors
/// [`Failure::Verify`] naming the mismatch.
pub(crate) fn check_streamed(n: i64, rows: u64, id_sum: i64) -> Result<(), Failure> {
    check(rows as i64 == n, || {
        format!("{rows} rows streamed, expected {n}")
    })?;
    check(id_sum == n * (n + 1) / 2, || {
        format!(
            "sum of streamed ids is {id_sum}, expected {}",
            n * (n + 1) / 2
        )
    })
}

/// W3 in memory: every lookup found the object with the requested id and name.
///
/// # Errors
/// [`Failure::Verify`] naming the first mismatch.
pub(crate) fn check_lookups(found: &[(i64, StudentRecord)]) -> Result<(), Failure> {
    check(found.len() as i64 == LOOKUPS, || {
        format!("{} lookups found a row, expected {LOOKUPS}", found.len())
    })?;
    for (id, s) in found {
        check(s.id == *id && s.name == name(*id), || {
            format!("lookup of {:?} returned {s:?}", name(*id))
        })?;
    }
    Ok(())
}

/// How many of the students `1..=n` belong to course `j` (`i % 100 + 1 = j`): `n / 100`
/// for every course when `n` is a multiple of 100.
pub(crate) fn students_of_course(n: i64, j: i64) -> i64 {
    let r = j - 1;
    if r == 0 {
        n / COURSES
    } else if r <= n {
        (n - r) / COURSES + 1
    } else {
        0
    }
}

/// W5 in memory: the 100 courses `1..=100` once each with their titles, each with exactly
/// its share of the `n` students (`n / 100` when `n` is a multiple of 100), every attached
/// student once, with that course's `course_id` and the deterministic values, `n` in all.
///
/// # Errors
/// [`Failure::Verify`] naming the first mismatch.
pub(crate) fn check_relation(
    n: i64,
    courses: &[(CourseRecord, Vec<StudentRecord>)],
) -> Result<(), Failure> {
    check(courses.len() as i64 == COURSES, || {
        format!("{} courses, expected {COURSES}", courses.len())
    })?;
    let mut seen = [false; COURSES as usize];
    let mut attached = vec![false; usize::try_from(n).unwrap_or(0) + 1];
    let mut total = 0i64;
    for (c, students) in courses {
        let slot = usize::try_from(c.id - 1)
            .ok()
            .filter(|k| *k < seen.len() && !seen[*k]);
        check(
            slot.is_some() && c.title == format!("course{}", c.id),
            || format!("unexpected or repeated course {c:?}"),
        )?;
        if let Some(k) = slot {
            seen[k] = true;
        }
        let expected = students_of_course(n, c.id);
        check(students.len() as i64 == expected, || {
            format!(
                "course {} has {} students, expected {expected}",
                c.id,
                students.len()
            )
        })?;
        for s in students {
            let fresh = usize::try_from(s.id)
                .ok()
                .filter(|i| (1..attached.len()).contains(i) && !attached[*i]);
            check(
                fresh.is_some() && s.course_id == Some(c.id) && is_deterministic(s, COURSE),
                || format!("course {} has unexpected or repeated student {s:?}", c.id),
            )?;
            if let Some(i) = fresh {
                attached[i] = true;
            }
        }
        total += students.len() as i64;
    }
    check(total == n, || {
        format!("{total} students attached in all, expected {n}")
    })?;
    Ok(())
}

/// Verifies the database file after workload `w` through a separate plain connection.
///
/// # Errors
/// [`Failure::Verify`] naming what is off; SQLite errors.
pub(crate) fn verify_db(path: &Path, n: i64, w: Workload) -> Result<(), Failure> {
    let conn = open(path)?;
    let courses: i64 = conn.query_row("SELECT COUNT(*) FROM courses", [], |r| r.get(0))?;
    check(courses == COURSES, || {
        format!("{courses} courses in the database, expected {COURSES}")
    })?;
    let course = match w {
        Workload::Update => NEW_COURSE,
        _ => COURSE,
    };
    let (total, matching, even): (i64, i64, i64) = conn.query_row(
        "SELECT COUNT(*),
                COALESCE(SUM(name = 'student' || id
                             AND email IS 'student' || id || '@example.com'
                             AND course = ?1
                             AND course_id IS id % 100 + 1
                             AND id BETWEEN 1 AND ?2), 0),
                COALESCE(SUM(id % 2 = 0), 0)
         FROM students",
        rusqlite::params![course, n],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let expected = match w {
        Workload::Delete => n - n / 2,
        _ => n,
    };
    check(total == expected, || {
        format!("{total} students in the database, expected {expected}")
    })?;
    check(matching == total, || {
        format!(
            "{} of {total} students differ from the deterministic data (course {course:?})",
            total - matching
        )
    })?;
    if w == Workload::Delete {
        check(even == 0, || {
            format!("{even} students with an even id remain")
        })?;
    }
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}
