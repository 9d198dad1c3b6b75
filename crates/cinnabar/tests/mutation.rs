//! Assertions added to kill mutants that `cargo mutants` found alive in the flush, change
//! detection, loading and identity-map code (see docs/TESTING.md, "Mutation testing").
//!
//! Each test names the mutant it catches. They run on every backend (`backend_tests!`):
//! SQLite always, PostgreSQL and MariaDB/MySQL when `CINNABAR_TEST_POSTGRES` /
//! `CINNABAR_TEST_MYSQL` are set at build time.

#[macro_use]
mod support;

use std::io;
use std::sync::{Arc, Mutex};

use cinnabar::prelude::*;
use cinnabar::ObjectState;
use support::TestDb;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "people")]
struct Person {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 100)]
    name: String,
    #[cinnabar(length = 100)]
    city: String,
    #[cinnabar(length = 100, unique)]
    email: Option<String>,
}

fn person(name: &str, city: &str) -> Person {
    Person {
        id: None,
        name: name.into(),
        city: city.into(),
        email: None,
    }
}

fn setup(db: &TestDb) {
    db.create_tables(&[Person::table()]);
}

/// `(name, city, email)` of the row with key `id`, read on a connection of its own.
fn row(db: &TestDb, id: i64) -> Option<(String, String, Option<String>)> {
    let rows = db
        .engine
        .connect()
        .unwrap()
        .execute(text("SELECT name, city, email FROM people WHERE id = :id").bind("id", id))
        .unwrap();
    rows.first().map(|r| {
        (
            r.get::<String>("name").unwrap(),
            r.get::<String>("city").unwrap(),
            r.get::<Option<String>>("email").unwrap(),
        )
    })
}

/// An engine on the test's database that logs every statement, for [`capture_sql`].
fn echo_engine(db: &TestDb) -> Engine {
    Engine::with_options(&db.url, EngineOptions::new().echo(true)).expect("echo engine")
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f`; returns the statements an [`echo_engine`] logged on this thread meanwhile.
fn capture_sql<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let buf = Captured::default();
    let writer = buf.clone();
    let guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .finish()
        .set_default();
    let r = f();
    drop(guard);
    let bytes = buf.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let lines = String::from_utf8_lossy(&bytes)
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    (r, lines)
}

/// The captured statements that start with `verb`.
fn statements<'a>(lines: &'a [String], verb: &str) -> Vec<&'a String> {
    lines
        .iter()
        .filter(|l| {
            l.get(..verb.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(verb))
        })
        .collect()
}

/// Kills `registry.rs: replace != with == in Registry<T>::keep_unflushed` (the check that
/// skips objects neither persistent nor deleted): an object updated by an earlier flush of
/// the transaction and then marked for deletion must get its pre-transaction values back
/// when a failed commit is followed by a rollback.
fn updated_then_deleted_object_is_restored_by_rollback_after_failed_commit(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let a = s.add(person("Asha", "Pune"));
    let taken = s.add(person("Ravi", "Goa"));
    taken.write().email = Some("ravi@example.com".into());
    s.commit().unwrap();
    let id = a.read().id.unwrap();

    a.write().name = "Asha (moved)".into();
    s.flush().unwrap();
    s.delete(&a).unwrap();
    // A new row whose INSERT fails: the commit fails before the DELETE runs.
    let mut bad = person("Dup", "X");
    bad.email = Some("ravi@example.com".into());
    s.add(bad);
    let e = s.commit().expect_err("duplicate e-mail");
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    assert_eq!(a.state(), ObjectState::Deleted, "still marked for deletion");

    s.rollback().unwrap();
    assert_eq!(a.state(), ObjectState::Persistent);
    assert_eq!(
        a.read().name,
        "Asha",
        "the rollback restores the value from before the transaction"
    );
    assert_eq!(row(db, id), Some(("Asha".into(), "Pune".into(), None)));
    // Nothing is left to write: a commit sends no UPDATE.
    s.commit().unwrap();
    assert_eq!(row(db, id), Some(("Asha".into(), "Pune".into(), None)));
}



/// Kills `replace != with == in Registry<T>::update_batches` (the changed-column set that
/// closes an UPDATE batch): objects with different changed columns, interleaved in one
/// flush, each get exactly their own columns written.
fn interleaved_changes_to_different_columns_write_only_their_own(db: &TestDb) {
    setup(db);
    let mut s = Session::new(&db.engine);
    let people = s.add_all((0..6).map(|i| person(&format!("p{i}"), "Pune")));
    s.commit().unwrap();
    let ids: Vec<i64> = people.iter().map(|h| h.read().id.unwrap()).collect();
    // Masks in write order: name, city, name, both, city, name.
    people[0].write().name = "n0".into();
    people[1].write().city = "c1".into();
    people[2].write().name = "n2".into();
    {
        let mut g = people[3].write();
        g.name = "n3".into();
        g.city = "c3".into();
    }
    people[4].write().city = "c4".into();
    people[5].write().name = "n5".into();
    // A row changed behind the session's back: a column the session did not change
    // must not be written over.
    db.engine
        .connect()
        .unwrap()
        .execute(text("UPDATE people SET city = 'Elsewhere' WHERE id = :id").bind("id", ids[0]))
        .unwrap();
    db.engine
        .connect()
        .unwrap()
        .execute(text("UPDATE people SET name = 'Renamed' WHERE id = :id").bind("id", ids[1]))
        .unwrap();
    s.commit().unwrap();
    let expected = [
        ("n0", "Elsewhere"),
        ("Renamed", "c1"),
        ("n2", "Pune"),
        ("n3", "c3"),
        ("p4", "c4"),
        ("n5", "Pune"),
    ];
    for (id, (name, city)) in ids.iter().zip(expected) {
        assert_eq!(
            row(db, *id),
            Some((name.to_owned(), city.to_owned(), None)),
            "row {id}"
        );
    }
}

backend_tests!(
    updated_then_deleted_object_is_restored_by_rollback_after_failed_commit,
    interleaved_changes_to_different_columns_write_only_their_own,
);
