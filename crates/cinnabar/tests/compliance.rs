//! The cross-backend compliance suite: the same models and the same session code on SQLite,
//! PostgreSQL and MariaDB/MySQL, the backend chosen by the URL alone.
//!
//! Every test is a `fn(db: &TestDb)` instantiated once per backend by `backend_tests!`
//! (modules `sqlite`, `postgres`, `mysql` inside each area's module). Each instance gets a
//! database of its own, so the tests run in parallel. PostgreSQL and MariaDB run when
//! `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL` are set (and the `postgres` / `mysql`
//! features are on); otherwise their instances are reported `ignored` with the reason (see
//! `support`), and `.ci/test` ends with one line counting them per backend.
//!
//! Checks "behind the session's back" go through a second pooled connection of the same
//! engine, never through the session's own.
//!
//! A backend that lacks a capability a test needs gets that test's instance with
//! `backend_tests_with!` (in `support`) and `#[ignore = "<what it lacks>"]`, so libtest reports
//! it as ignored with the reason, never as passed. A bug that could not be fixed from here keeps its test, instantiated with
//! `backend_tests_with!` (in `support`) and `#[ignore = "known bug: ..."]` on the affected
//! backend (run them with `-- --ignored`). `typed` needs the `chrono`, `uuid`, `decimal` and
//! `json` features.

#[macro_use]
mod support;

#[path = "compliance/bulk.rs"]
mod bulk;
#[path = "compliance/concurrency.rs"]
mod concurrency;
#[path = "compliance/concurrency_control.rs"]
mod concurrency_control;
#[path = "compliance/ddl.rs"]
mod ddl;
#[path = "compliance/failed_commit.rs"]
mod failed_commit;
#[path = "compliance/flush.rs"]
mod flush;
#[path = "compliance/insert.rs"]
mod insert;
#[path = "compliance/keys_and_values.rs"]
mod keys_and_values;
#[path = "compliance/models.rs"]
mod models;
#[path = "compliance/nulls_and_names.rs"]
mod nulls_and_names;
#[path = "compliance/pool_reset.rs"]
mod pool_reset;
#[path = "compliance/query.rs"]
mod query;
#[path = "compliance/raw_sql.rs"]
mod raw_sql;
#[path = "compliance/replace.rs"]
mod replace;
#[path = "compliance/schema.rs"]
mod schema;
#[path = "compliance/session.rs"]
mod session;
#[path = "compliance/transactions.rs"]
mod transactions;
#[cfg(all(
    feature = "chrono",
    feature = "uuid",
    feature = "decimal",
    feature = "json"
))]
#[path = "compliance/typed.rs"]
mod typed;
#[path = "compliance/web_helpers.rs"]
mod web_helpers;

use cinnabar::prelude::*;
use cinnabar::sql::Condition;
use cinnabar::ObjectState;

pub(crate) use models::*;
pub(crate) use support::capture::{capture_sql, echo_engine, statements};
pub(crate) use support::{Backend, TestDb};

/// Creates every model's table.
pub(crate) fn setup(db: &TestDb) {
    metadata().create_all(&db.engine).expect("create_all");
}

/// A second connection of the test's engine (not the session's).
pub(crate) fn conn(db: &TestDb) -> Connection {
    db.engine.connect().expect("connect")
}

/// `SELECT COUNT(*) FROM table` on a connection of its own.
pub(crate) fn count(db: &TestDb, table: &str) -> i64 {
    conn(db)
        .scalar(text(format!("SELECT COUNT(*) FROM {table}")))
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

/// Runs a statement on a connection of its own (autocommit); returns the affected rows.
pub(crate) fn exec(db: &TestDb, statement: cinnabar::sql::Text) -> u64 {
    conn(db)
        .execute(statement)
        .unwrap_or_else(|e| panic!("{e}"))
        .rows_affected()
}

/// A student's `(name, course)` read on a connection of its own, if the row exists.
pub(crate) fn student_row(db: &TestDb, id: i64) -> Option<(String, String)> {
    let rows = conn(db)
        .execute(text("SELECT name, course FROM students WHERE id = :id").bind("id", id))
        .expect("read student row");
    rows.first().map(|r| {
        (
            r.get::<String>("name").expect("name"),
            r.get::<String>("course").expect("course"),
        )
    })
}

/// Student names in key order, read on a connection of its own.
pub(crate) fn names_in_db(db: &TestDb) -> Vec<String> {
    let rows = conn(db)
        .execute(text("SELECT name FROM students ORDER BY id"))
        .expect("read names");
    rows.rows()
        .iter()
        .map(|r| r.get::<String>("name").expect("name"))
        .collect()
}

/// Commits students `(name, course)` in one session; returns their keys in order.
pub(crate) fn seed(db: &TestDb, students: &[(&str, &str)]) -> Vec<i64> {
    let mut s = Session::new(&db.engine);
    let hs = s.add_all(students.iter().map(|(n, c)| student(n, c)));
    s.commit().expect("seed commit");
    hs.iter()
        .map(|h| h.read().id.expect("seeded key"))
        .collect()
}

/// Commits courses; returns their keys in order.
pub(crate) fn seed_courses(db: &TestDb, titles: &[&str]) -> Vec<i64> {
    let mut s = Session::new(&db.engine);
    let hs = s.add_all(titles.iter().map(|t| course(t)));
    s.commit().expect("seed courses");
    hs.iter()
        .map(|h| h.read().id.expect("course key"))
        .collect()
}

/// A handle's state.
pub(crate) fn state<T: Model>(h: &Handle<T>) -> ObjectState {
    h.state()
}

/// Asserts that `e`, a UNIQUE or NOT NULL violation on `table.column`, names the constraint
/// the way its backend does, and that its message shows that name. SQLite says
/// `table.column`; PostgreSQL names the constraint (`table_column_key` for a UNIQUE column,
/// `table.column` for NOT NULL, from the error's table and column fields); MariaDB names the
/// key or the column (MySQL 8 prefixes a key with its table).
pub(crate) fn assert_names_constraint(db: &TestDb, e: &Error, table: &str, column: &str) {
    let expected = match (db.backend, e.kind()) {
        (Backend::Sqlite, _) | (Backend::Postgres, ErrorKind::NotNullViolation) => {
            vec![format!("{table}.{column}")]
        }
        (Backend::Postgres, _) => vec![format!("{table}_{column}_key")],
        (Backend::MySql, _) => vec![column.to_owned(), format!("{table}.{column}")],
    };
    let got = e.constraint().unwrap_or_default();
    assert!(
        expected.iter().any(|n| n == got),
        "constraint {got:?}, expected one of {expected:?}: {e:?}"
    );
    assert!(e.to_string().contains(got), "{e}");
}

/// An application error for transaction closures.
#[derive(Debug)]
pub(crate) enum AppError {
    Db(Error),
    Abort(&'static str),
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Db(e)
    }
}
