//! The migration lock, on SQLite, PostgreSQL and MariaDB: two concurrent upgrades (threads
//! with engines of their own, and two real processes) apply each revision exactly once; a lock
//! held past the wait is a `Busy` error naming its holder; a step waiting on a table another
//! transaction holds fails after the lock timeout instead of hanging.

#[path = "../../cinnabar/tests/support/mod.rs"]
mod support;

#[path = "common/fixtures.rs"]
mod fixtures;

use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use cinnabar::prelude::*;
use cinnabar_core::dialect::MigrationLock;
use cinnabar_core::{ErrorKind, ValueRef};
use cinnabar_migrate::{MigrationDir, Migrator, ProgressKind, VERSION_TABLE};
use fixtures::*;
// `count` is also an aggregate in cinnabar's prelude: the fixture's row counter is meant here.
use fixtures::count;
use support::{Backend, TestDb};

/// A migrator that pauses at each step and after each revision, so that two runs overlap
/// (on SQLite, whose lock is each revision's transaction, the pause after a revision's
/// commit lets the other process take the lock between two revisions of this one).
fn slow_migrator(url: &str, dir: MigrationDir) -> Migrator {
    let engine = create_engine(url).unwrap();
    Migrator::new(&engine, dir).with_progress(|e: &cinnabar_migrate::ProgressEvent<'_>| {
        if matches!(e.kind, ProgressKind::Step { .. } | ProgressKind::Finished) {
            std::thread::sleep(Duration::from_millis(60));
        }
    })
}

fn assert_applied_once(db: &TestDb, runs: &[Vec<String>]) {
    let mut all: Vec<String> = runs.iter().flatten().cloned().collect();
    all.sort();
    assert_eq!(all, [R1, R2, R3, R4], "runs: {runs:?}");
    assert_eq!(count(&db.engine, "SELECT COUNT(*) FROM audit_log"), 1);
    assert_eq!(
        count(&db.engine, &format!("SELECT COUNT(*) FROM {VERSION_TABLE}")),
        4
    );
}

fn two_concurrent_upgrades_apply_each_revision_once(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let m = slow_migrator(&db.url, dir.clone());
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                m.upgrade("head")
            })
        })
        .collect();
    let runs: Vec<Vec<String>> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    assert_applied_once(db, &runs);
}

/// Run only as a child of `two_processes_upgrade_once`, which passes the database URL and
/// the migrations directory in the environment; prints the ids it applied.
#[test]
#[ignore = "a child process of two_processes_upgrade_once (run with --ignored --exact)"]
fn child_process_upgrade() {
    let url = std::env::var("CINNABAR_MIGRATE_CHILD_URL").expect("run by the parent test");
    let dir = std::env::var("CINNABAR_MIGRATE_CHILD_DIR").expect("run by the parent test");
    let m = slow_migrator(&url, MigrationDir::load(dir).unwrap());
    let applied = m.upgrade("head").unwrap();
    println!("APPLIED {}", applied.join(","));
}

fn two_processes_upgrade_once(db: &TestDb) {
    let (tmp, _dir) = four_revision_dir();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "child_process_upgrade",
                    "--nocapture",
                ])
                .env("CINNABAR_MIGRATE_CHILD_URL", &db.url)
                .env("CINNABAR_MIGRATE_CHILD_DIR", tmp.path())
                .output_spawn()
        })
        .collect();
    let mut runs = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("APPLIED "))
            .unwrap_or_else(|| panic!("no APPLIED line in {stdout}"));
        runs.push(
            line.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
    }
    assert_applied_once(db, &runs);
}

trait SpawnPiped {
    fn output_spawn(&mut self) -> std::process::Child;
}

impl SpawnPiped for Command {
    fn output_spawn(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// Holds the migration lock (SQLite: the write lock) on a connection of its own.
fn hold_the_lock(db: &TestDb) -> (cinnabar::Connection, String) {
    let mut conn = db.engine.connect().unwrap();
    if db.engine.transaction_pooled() {
        // Behind PgBouncer in transaction mode a session-level lock would stay on a shared
        // server connection (and be granted again to whoever runs there next): hold the
        // transaction-scoped form in an open transaction, as the Migrator takes it.
        let lock = db.engine.dialect().migration_transaction_lock().unwrap();
        conn.execute_script("BEGIN").unwrap();
        let id: i64 = conn
            .scalar(text("SELECT CAST(pg_backend_pid() AS BIGINT)"))
            .unwrap();
        conn.run(lock.try_acquire, &[ValueRef::Text(VERSION_TABLE)], None)
            .unwrap();
        return (conn, format!("pid {id}"));
    }
    match db.engine.dialect().migration_lock().unwrap() {
        MigrationLock::Named(lock) => {
            let id_sql = match db.backend {
                Backend::Postgres => "SELECT pg_backend_pid()",
                _ => "SELECT CONNECTION_ID()",
            };
            let id: i64 = conn.scalar(text(id_sql)).unwrap();
            conn.run(lock.try_acquire, &[ValueRef::Text(VERSION_TABLE)], None)
                .unwrap();
            let who = match db.backend {
                Backend::Postgres => format!("pid {id}"),
                _ => format!("connection {id}"),
            };
            (conn, who)
        }
        MigrationLock::WriteTransaction => {
            conn.execute_script("BEGIN IMMEDIATE").unwrap();
            (conn, "write lock".to_owned())
        }
        // Galera's lock row: crates/cinnabar/tests/galera/migrate.rs.
        MigrationLock::LockTable => panic!("no backend of this suite uses a lock table"),
    }
}

/// Gives the lock back. (A pooled connection's reset does not release a session-level
/// named lock: the Migrator releases its own explicitly.)
fn release(db: &TestDb, mut conn: cinnabar::Connection) {
    if db.engine.transaction_pooled() {
        conn.execute_script("ROLLBACK").unwrap();
        return;
    }
    match db.engine.dialect().migration_lock().unwrap() {
        MigrationLock::Named(lock) => {
            conn.run(lock.release, &[ValueRef::Text(VERSION_TABLE)], None)
                .unwrap();
        }
        MigrationLock::WriteTransaction => conn.execute_script("ROLLBACK").unwrap(),
        MigrationLock::LockTable => panic!("no backend of this suite uses a lock table"),
    }
}

fn a_lock_held_past_the_wait_names_its_holder(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    // SQLite waits on the busy timeout: make it short for this engine.
    let url = match db.backend {
        Backend::Sqlite => format!("{}?timeout=0.3", db.url),
        _ => db.url.clone(),
    };
    let engine = create_engine(&url).unwrap();
    let m = Migrator::new(&engine, dir).lock_wait(Duration::from_millis(300));
    if db.backend == Backend::Sqlite {
        // The version table is made before the other writer comes.
        m.upgrade("base").unwrap();
    }
    let (holder, who) = hold_the_lock(db);
    let start = Instant::now();
    let e = m.upgrade("head").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert!(e.message().contains(&who), "{who:?} not in: {e}");
    assert!(start.elapsed() < Duration::from_secs(20));
    release(db, holder);
    // Released: the next run goes through.
    assert_eq!(m.upgrade("head").unwrap(), [R1, R2, R3, R4]);
}

fn a_step_waiting_on_a_locked_table_times_out(db: &TestDb) {
    let (_tmp, dir) = four_revision_dir();
    let m = Migrator::new(&db.engine, dir.clone());
    m.upgrade(R1).unwrap();
    seed(&db.engine, 10);
    // Another transaction reads students and stays open: ALTER TABLE must wait for it.
    let (release, released) = mpsc::channel::<()>();
    let (ready, is_ready) = mpsc::channel::<()>();
    let url = db.url.clone();
    let sqlite = db.backend == Backend::Sqlite;
    let blocker = std::thread::spawn(move || {
        let engine = create_engine(&url).unwrap();
        let mut conn = engine.connect().unwrap();
        if sqlite {
            conn.execute_script("BEGIN IMMEDIATE").unwrap();
        } else {
            conn.execute_script("BEGIN").unwrap();
        }
        conn.execute(text("SELECT * FROM students")).unwrap();
        ready.send(()).unwrap();
        // Held until the migration gave up (or, if it hangs, 30 s).
        let _ = released.recv_timeout(Duration::from_secs(30));
        conn.execute_script("ROLLBACK").unwrap();
    });
    is_ready.recv().unwrap();
    let url = match db.backend {
        Backend::Sqlite => format!("{}?timeout=0.5", db.url),
        _ => db.url.clone(),
    };
    let engine = create_engine(&url).unwrap();
    let m = Migrator::new(&engine, dir).lock_timeout(Some(Duration::from_millis(500)));
    let start = Instant::now();
    let e = m.upgrade(R2).unwrap_err();
    let waited = start.elapsed();
    release.send(()).unwrap();
    blocker.join().unwrap();
    assert!(waited < Duration::from_secs(15), "waited {waited:?}: {e}");
    assert!(
        e.kind() == ErrorKind::Busy || e.kind().is_retryable(),
        "{e}"
    );
    if !sqlite {
        assert!(e.message().contains(R2), "{e}");
    }
    // Once the table is free, the same upgrade goes through (resuming where MySQL stopped).
    assert_eq!(m.upgrade("head").unwrap(), [R2, R3, R4]);
    assert_eq!(rows(&db.engine, "students").len(), 10);
}

backend_tests!(
    two_concurrent_upgrades_apply_each_revision_once,
    two_processes_upgrade_once,
    a_lock_held_past_the_wait_names_its_holder,
    a_step_waiting_on_a_locked_table_times_out,
);
