//! PgBouncer in transaction-pooling mode (issue 16), on the URL in `CINNABAR_TEST_PGBOUNCER`
//! (`scripts/clusters/pgbouncer.sh start DIR` prints it: `...:6432/test?pgbouncer=transaction`,
//! `default_pool_size = 3`). More client sessions than server connections do ORM work and raw
//! SQL with bound parameters at once; statement timeouts and the migrations' lock are
//! transaction-scoped and leave nothing behind on the shared server connections; columns of
//! enum and domain types are read; and the same URL without `pgbouncer=transaction` reproduces
//! the named-statement failure the option exists for.
//!
//! Each test works in a schema of its own (created through the pooler, selected with the
//! URL's `search_path`). Without the variable the tests are reported ignored; under CI
//! (`CI=true`) `ci_provides_the_pgbouncer_url` fails instead.

use std::collections::HashSet;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use cinnabar::prelude::*;
use cinnabar::SessionOptions;

/// PgBouncer's `default_pool_size` in `scripts/clusters/pgbouncer.sh`.
const SERVER_CONNECTIONS: usize = 3;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "pgb_accounts")]
struct Account {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 40, index)]
    owner: String,
    balance: i64,
}

fn pgbouncer_url() -> String {
    match std::env::var("CINNABAR_TEST_PGBOUNCER") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "CINNABAR_TEST_PGBOUNCER is not set: this test needs PgBouncer in transaction mode \
             (scripts/clusters/pgbouncer.sh start DIR prints the URL)"
        ),
    }
}

/// `url` without its `pgbouncer=...` parameter: the driver then uses named statements.
fn without_option(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("pgbouncer="))
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// A schema of its own, created and dropped through the pooler.
struct Schema {
    admin: String,
    name: String,
    /// The pooler's URL selecting the schema (`search_path`).
    url: String,
}

impl Schema {
    fn new(tag: &str) -> Schema {
        let admin = pgbouncer_url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "cinnabar_pgb_{tag}_{}_{}",
            std::process::id(),
            nanos % 100_000
        );
        let engine = create_engine(&admin).unwrap();
        engine
            .connect()
            .unwrap_or_else(|e| panic!("PgBouncer at {admin} is unreachable: {e}"))
            .execute_script(&format!("CREATE SCHEMA \"{name}\""))
            .unwrap();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}search_path={name}");
        Schema { admin, name, url }
    }

    fn engine(&self, pool: usize) -> Engine {
        Engine::with_options(&self.url, EngineOptions::new().pool_size(pool)).unwrap()
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(engine) = create_engine(&self.admin) {
            if let Ok(mut c) = engine.connect() {
                let _ =
                    c.execute_script(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
            }
        }
    }
}

fn backend_pid(conn: &mut Connection) -> i64 {
    conn.scalar(text("SELECT CAST(pg_backend_pid() AS BIGINT)"))
        .unwrap()
}

#[test]
fn ci_provides_the_pgbouncer_url() {
    let set = std::env::var("CINNABAR_TEST_PGBOUNCER").is_ok_and(|v| !v.trim().is_empty());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(
            set,
            "CI=true but CINNABAR_TEST_PGBOUNCER is not set: start scripts/clusters/pgbouncer.sh"
        );
    }
}

/// Eight sessions (more than the pooler's three server connections) each add, query, update
/// and delete through the ORM and run raw SQL with bound parameters, all at once: every
/// result is right, and the sessions were served by at most three server processes.
#[test]
#[cfg_attr(
    not(cinnabar_test_pgbouncer),
    ignore = "CINNABAR_TEST_PGBOUNCER is not set"
)]
fn concurrent_sessions_share_the_server_connections() {
    const THREADS: usize = 8;
    const ROUNDS: i64 = 20;
    let schema = Schema::new("conc");
    let engine = schema.engine(THREADS);
    MetaData::new()
        .with(Account::table().clone())
        .create_all(&engine)
        .unwrap();
    let pids = Arc::new(Mutex::new(HashSet::new()));
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = engine.clone();
            let pids = pids.clone();
            let start = start.clone();
            std::thread::spawn(move || -> Result<()> {
                let owner = format!("t{t}");
                let mut session = Session::new(&engine);
                start.wait();
                for r in 0..ROUNDS {
                    let h = session.add(Account {
                        id: None,
                        owner: owner.clone(),
                        balance: r,
                    });
                    session.commit()?;
                    h.write().balance += 100;
                    session.commit()?;
                    let mine = session
                        .query::<Account>()
                        .filter_by(Account::owner, owner.as_str())
                        .all()?;
                    assert_eq!(mine.len() as i64, r + 1, "{owner}");
                    let conn = session.connection()?;
                    let sum: i64 = conn.scalar(
                        text(
                            "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM pgb_accounts \
                             WHERE owner = :o AND balance >= :min",
                        )
                        .bind("o", owner.as_str())
                        .bind("min", 100_i64),
                    )?;
                    assert_eq!(sum, (0..=r).map(|b| b + 100).sum::<i64>(), "{owner}");
                    let pid = backend_pid(conn);
                    pids.lock().unwrap().insert(pid);
                    session.commit()?;
                }
                let first = session
                    .query::<Account>()
                    .filter_by(Account::owner, owner.as_str())
                    .first()?
                    .expect("a row");
                session.delete(&first)?;
                session.commit()?;
                Ok(())
            })
        })
        .collect();
    let errors: Vec<String> = workers
        .into_iter()
        .enumerate()
        .filter_map(|(t, w)| {
            w.join()
                .expect("worker panicked")
                .err()
                .map(|e| format!("{t}: {e}"))
        })
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let rows: i64 = engine
        .connect()
        .unwrap()
        .scalar(text("SELECT COUNT(*) FROM pgb_accounts"))
        .unwrap();
    assert_eq!(rows, THREADS as i64 * (ROUNDS - 1));
    let pids = pids.lock().unwrap();
    assert!(
        pids.len() <= SERVER_CONNECTIONS,
        "{THREADS} sessions ran on {} server processes: is this PgBouncer with \
         default_pool_size = {SERVER_CONNECTIONS}?",
        pids.len()
    );
}

/// The same URL without `pgbouncer=transaction`: a statement prepared on one server
/// connection is executed on another, and PostgreSQL answers "prepared statement ... does not
/// exist" (the error carries a hint naming the option). With the option the same sequence
/// works.
#[test]
#[cfg_attr(
    not(cinnabar_test_pgbouncer),
    ignore = "CINNABAR_TEST_PGBOUNCER is not set"
)]
fn named_statements_break_without_the_option() {
    let url = pgbouncer_url();
    let sql = "SELECT CAST(:x AS BIGINT) + 1";
    let interleave = |url: &str| -> Vec<Result<i64>> {
        let engine = Engine::with_options(url, EngineOptions::new().pool_size(2)).unwrap();
        let mut a = engine.connect().unwrap();
        let mut b = engine.connect().unwrap();
        let mut results = vec![a.scalar(text(sql).bind("x", 1_i64))];
        for i in 0..5 {
            // B holds the server connection A's statement was just prepared on (a script:
            // no prepared statement of its own).
            b.execute_script("BEGIN; SELECT 1").unwrap();
            results.push(a.scalar(text(sql).bind("x", i)));
            b.execute_script("ROLLBACK").unwrap();
        }
        drop((a, b));
        engine.dispose();
        results
    };

    let broken = interleave(&without_option(&url));
    let err = broken
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("named statements should fail behind a transaction pooler: is this PgBouncer?");
    assert_eq!(err.code(), Some("26000"), "{err}");
    assert!(err.message().contains("does not exist"), "{err}");
    assert!(err.message().contains("pgbouncer=transaction"), "{err}");

    let fine = interleave(&url);
    let values: Vec<i64> = fine.into_iter().map(Result::unwrap).collect();
    assert_eq!(values, [2, 1, 2, 3, 4, 5]);
    deallocate_everywhere();
}

/// Removes the named statements the run without the option left on the server
/// connections, holding all of them at once so that each is reached.
fn deallocate_everywhere() {
    let engine = Engine::with_options(
        &pgbouncer_url(),
        EngineOptions::new().pool_size(SERVER_CONNECTIONS),
    )
    .unwrap();
    let mut held: Vec<Connection> = (0..SERVER_CONNECTIONS)
        .map(|_| engine.connect().unwrap())
        .collect();
    for c in &mut held {
        c.execute_script("BEGIN; DEALLOCATE ALL").unwrap();
    }
    for c in &mut held {
        c.execute_script("ROLLBACK").unwrap();
    }
}

/// A statement timeout is `SET LOCAL` in every transaction: it stops statements in each of
/// the session's transactions and in autocommit statements, and no server connection keeps
/// it for the next client.
#[test]
#[cfg_attr(
    not(cinnabar_test_pgbouncer),
    ignore = "CINNABAR_TEST_PGBOUNCER is not set"
)]
fn statement_timeouts_stay_in_their_transactions() {
    let schema = Schema::new("timeout");
    let engine = schema.engine(4);
    // An unusual value, so that no other client's setting is taken for it.
    let timeout = Duration::from_millis(217);
    let options = SessionOptions::default().statement_timeout(Some(timeout));
    let mut timed = Session::with_options(&engine, options);
    for _ in 0..2 {
        let e = timed.execute(text("SELECT pg_sleep(3)")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        timed.rollback().unwrap();
    }
    drop(timed);

    let mut conn = engine.connect().unwrap();
    conn.set_statement_timeout(Some(timeout)).unwrap();
    let e = conn
        .execute(text("SELECT pg_sleep(3)"))
        .expect_err("autocommit statement past the timeout");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(conn.scalar::<i64>(text("SELECT 7")).unwrap(), 7);
    drop(conn);

    // No server connection, reached from several clients at once, kept the timeout.
    let mut clients: Vec<Connection> = (0..4).map(|_| engine.connect().unwrap()).collect();
    for round in 0..3 {
        for c in &mut clients {
            let t: String = c
                .scalar(text("SELECT current_setting('statement_timeout')"))
                .unwrap();
            assert_ne!(
                t, "217ms",
                "round {round}: the timeout stayed on a server connection"
            );
        }
    }
    let slow: i64 = clients[0]
        .scalar(text("SELECT CAST(1 AS BIGINT) FROM pg_sleep(0.3)"))
        .unwrap();
    assert_eq!(slow, 1);
}

/// Result columns of an enum and a domain type make the client library look the types up
/// with statements of its own; concurrent clients reading them in and out of transactions
/// get every value, and no lookup statement is reused on another server connection.
#[test]
#[cfg_attr(
    not(cinnabar_test_pgbouncer),
    ignore = "CINNABAR_TEST_PGBOUNCER is not set"
)]
fn enum_and_domain_columns_are_read() {
    const THREADS: usize = 5;
    let schema = Schema::new("types");
    let engine = schema.engine(THREADS);
    engine
        .connect()
        .unwrap()
        .execute_script(
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); \
             CREATE DOMAIN positive AS bigint CHECK (VALUE > 0); \
             CREATE TABLE pgb_moods (id bigint PRIMARY KEY, m mood NOT NULL, n positive)",
        )
        .unwrap();
    let workers: Vec<_> = (0..THREADS as i64)
        .map(|t| {
            let engine = engine.clone();
            std::thread::spawn(move || -> Result<()> {
                let mut conn = engine.connect()?;
                for i in 0..15_i64 {
                    let id = t * 100 + i;
                    let mood = ["sad", "ok", "happy"][(id % 3) as usize];
                    conn.execute(
                        text("INSERT INTO pgb_moods (id, m, n) VALUES (:id, :m, :n)")
                            .bind("id", id)
                            .bind("m", mood)
                            .bind("n", id + 1),
                    )?;
                    let read = |conn: &mut Connection| -> Result<(String, i64)> {
                        let rows: Vec<(String, i64)> = conn.query_as(
                            text("SELECT m, n FROM pgb_moods WHERE id = :id").bind("id", id),
                        )?;
                        Ok(rows.into_iter().next().expect("the row"))
                    };
                    assert_eq!(read(&mut conn)?, (mood.to_owned(), id + 1));
                    let mut tx = conn.begin()?;
                    assert_eq!(read(&mut tx)?, (mood.to_owned(), id + 1));
                    tx.commit()?;
                }
                Ok(())
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked").unwrap();
    }
    let n: i64 = engine
        .connect()
        .unwrap()
        .scalar(text("SELECT COUNT(*) FROM pgb_moods"))
        .unwrap();
    assert_eq!(n, 5 * 15);
}

#[cfg(feature = "migrate")]
mod migrations {
    use super::*;
    use cinnabar::migrate::{MigrationDir, Migrator, VERSION_TABLE};

    const R1: &str = "20260101000001";
    const R2: &str = "20260101000002";

    fn revisions(dir: &std::path::Path) {
        let rev = |id: &str, parents: &str, up: &str, down: &str| {
            format!(
                "id = \"{id}\"\nparents = [{parents}]\nmessage = \"r{id}\"\n\
                 created = \"2026-01-01T00:00:00Z\"\ndestructive = false\n\n\
                 [[up]]\nop = \"sql\"\nall = \"{up}\"\n\n[[down]]\nop = \"sql\"\nall = \"{down}\"\n"
            )
        };
        std::fs::write(
            dir.join(format!("{R1}_r1.toml")),
            rev(
                R1,
                "",
                "CREATE TABLE pgb_m (id bigint PRIMARY KEY)",
                "DROP TABLE pgb_m",
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{R2}_r2.toml")),
            rev(
                R2,
                &format!("\"{R1}\""),
                "INSERT INTO pgb_m VALUES (1)",
                "DELETE FROM pgb_m",
            ),
        )
        .unwrap();
        std::fs::write(dir.join("HEAD"), format!("{R2}\n")).unwrap();
    }

    /// Advisory locks on this schema's migration key, held by anyone.
    fn held_locks(conn: &mut Connection, schema: &str) -> i64 {
        conn.scalar(
            text(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' \
                 AND objid::bigint = (hashtextextended(:k, 0) & 4294967295)",
            )
            .bind("k", format!("{schema}.{VERSION_TABLE}")),
        )
        .unwrap()
    }

    /// Two upgrades at once through the pooler: each revision is applied once, no
    /// advisory lock stays behind on a server connection, and a lock held by another
    /// transaction makes a run wait and then fail with `Busy` naming the holder.
    #[test]
    #[cfg_attr(
        not(cinnabar_test_pgbouncer),
        ignore = "CINNABAR_TEST_PGBOUNCER is not set"
    )]
    fn the_migration_lock_is_taken_per_transaction() {
        let schema = Schema::new("migrate");
        let tmp = tempfile::tempdir().unwrap();
        revisions(tmp.path());
        let barrier = Arc::new(Barrier::new(2));
        let runs: Vec<Vec<String>> = (0..2)
            .map(|_| {
                let url = schema.url.clone();
                let dir = MigrationDir::load(tmp.path()).unwrap();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let engine = create_engine(&url).unwrap();
                    assert!(engine.transaction_pooled());
                    let m = Migrator::new(&engine, dir);
                    barrier.wait();
                    m.upgrade("head")
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect();
        let mut applied: Vec<String> = runs.into_iter().flatten().collect();
        applied.sort();
        assert_eq!(applied, [R1, R2]);

        let engine = schema.engine(2);
        let mut conn = engine.connect().unwrap();
        assert_eq!(
            conn.scalar::<i64>(text("SELECT COUNT(*) FROM pgb_m"))
                .unwrap(),
            1
        );
        assert_eq!(held_locks(&mut conn, &schema.name), 0);

        // Another transaction holds the lock: a downgrade waits, then names it.
        let mut holder = engine.connect().unwrap();
        let mut tx = holder.begin().unwrap();
        tx.execute(
            text("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended(:k, 0))")
                .bind("k", format!("{}.{VERSION_TABLE}", schema.name)),
        )
        .unwrap();
        let m = Migrator::new(&engine, MigrationDir::load(tmp.path()).unwrap())
            .lock_wait(Duration::from_millis(300));
        let e = m.downgrade("base").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
        assert!(e.message().contains("pid "), "{e}");
        tx.rollback().unwrap();
        drop(holder);
        assert_eq!(m.downgrade("base").unwrap(), [R2, R1]);
        assert_eq!(held_locks(&mut conn, &schema.name), 0);
    }
}
