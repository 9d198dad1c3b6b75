//! Lost updates and the two tools against them: pessimistic row locks
//! (`Query::with_for_update`, `Session::get_for_update`) and optimistic version columns
//! (`#[cinnabar(version)]`, `ErrorKind::StaleData`) with `Session::transaction_with_retry`.
//! Eight threads each increment one counter 1,000 times through each tool: exactly 8,000.

use super::*;

const THREADS: usize = 8;
const INCREMENTS: usize = 1_000;

fn tables(db: &TestDb) {
    db.create_tables(&[Counter::table(), Versioned::table()]);
}

/// Runs `work` (one increment, committed) `INCREMENTS` times on each of `THREADS` threads,
/// each with a session of its own.
fn hammer(db: &TestDb, work: fn(&mut Session) -> Result<()>) {
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let engine = db.engine.clone();
            std::thread::spawn(move || {
                let mut s = Session::new(&engine);
                for i in 0..INCREMENTS {
                    work(&mut s).unwrap_or_else(|e| panic!("thread {t}, increment {i}: {e}"));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker panicked");
    }
}

fn pessimistic_get_for_update_loses_no_increment(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    s.add(Counter { id: 1, value: 0 });
    s.commit().unwrap();
    hammer(db, |s| {
        let c = s.get_for_update::<Counter>(1)?.expect("counter 1");
        c.write().value += 1;
        s.commit()
    });
    assert_eq!(
        db.scalar("SELECT value FROM cc_counters WHERE id = 1"),
        Some((THREADS * INCREMENTS) as i64)
    );
}

fn pessimistic_query_with_for_update_loses_no_increment(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    s.add(Counter { id: 1, value: 0 });
    s.commit().unwrap();
    hammer(db, |s| {
        // Deadlocks cannot happen with one row, but a server may still time a lock out.
        s.transaction_with_retry(&RetryPolicy::attempts(50), |s| {
            let c = s
                .query::<Counter>()
                .filter(Counter::id.eq(1))
                .with_for_update()
                .one()?;
            c.write().value += 1;
            Ok(())
        })
    });
    assert_eq!(
        db.scalar("SELECT value FROM cc_counters WHERE id = 1"),
        Some((THREADS * INCREMENTS) as i64)
    );
}

/// `count()` of a locked query counts the rows it locks: PostgreSQL refuses `FOR UPDATE`
/// beside an aggregate ("not allowed with aggregate functions"), so the count wraps the
/// locked query in a derived table, with or without filters.
fn count_of_a_locked_query_counts_its_rows(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    for id in 1..=3 {
        s.add(Counter { id, value: id * 10 });
    }
    s.commit().unwrap();
    s.begin().unwrap();
    let all = s.query::<Counter>().with_for_update().count().unwrap();
    assert_eq!(all, 3);
    let some = s
        .query::<Counter>()
        .filter(Counter::value.gt(10))
        .with_for_update()
        .count()
        .unwrap();
    assert_eq!(some, 2);
    s.rollback().unwrap();
}

fn optimistic_version_with_retry_loses_no_increment(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    let v = s.add(Versioned {
        id: 1,
        value: 0,
        version: 0,
    });
    s.commit().unwrap();
    assert_eq!(v.read().version, 1, "a new row starts at version 1");
    hammer(db, |s| {
        // Eight writers on one row conflict often: allow many attempts.
        let policy = RetryPolicy {
            max_attempts: 500,
            initial_backoff: std::time::Duration::from_micros(200),
            max_backoff: std::time::Duration::from_millis(20),
        };
        s.transaction_with_retry(&policy, |s| {
            let c = s.get::<Versioned>(1)?.expect("counter 1");
            c.write().value += 1;
            Ok(())
        })
    });
    let total = (THREADS * INCREMENTS) as i64;
    assert_eq!(
        db.scalar("SELECT value FROM cc_versioned WHERE id = 1"),
        Some(total)
    );
    // One version step per committed UPDATE.
    assert_eq!(
        db.scalar("SELECT version FROM cc_versioned WHERE id = 1"),
        Some(total + 1)
    );
}

/// The conflict itself: a typed error naming the model and key, the transaction rolled
/// back, for UPDATE and DELETE alike.
fn a_stale_version_is_a_typed_error(db: &TestDb) {
    tables(db);
    let mut a = Session::new(&db.engine);
    let mut b = Session::new(&db.engine);
    a.add(Versioned {
        id: 7,
        value: 10,
        version: 0,
    });
    a.add(Versioned {
        id: 8,
        value: 0,
        version: 0,
    });
    a.commit().unwrap();
    let mine = a.get::<Versioned>(7).unwrap().unwrap();
    let theirs = b.get::<Versioned>(7).unwrap().unwrap();
    theirs.write().value = 20;
    b.commit().unwrap();
    assert_eq!(theirs.read().version, 2);

    let other = a.get::<Versioned>(8).unwrap().unwrap();
    other.write().value = 1;
    mine.write().value = 11;
    let e = a.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StaleData, "{e}");
    assert!(e.is_retryable());
    assert!(e.message().contains("Versioned"), "{e}");
    assert!(e.message().contains('7'), "{e}");
    // Rolled back: neither change was written.
    assert_eq!(
        db.scalar("SELECT value FROM cc_versioned WHERE id = 7"),
        Some(20)
    );
    assert_eq!(
        db.scalar("SELECT value FROM cc_versioned WHERE id = 8"),
        Some(0)
    );
    a.rollback().unwrap();

    // DELETE of a stale object.
    let mine = a.get::<Versioned>(7).unwrap().unwrap();
    let theirs = b.get::<Versioned>(7).unwrap().unwrap();
    theirs.write().value = 30;
    b.commit().unwrap();
    a.delete(&mine).unwrap();
    let e = a.commit().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StaleData, "{e}");
    assert_eq!(count(db, "cc_versioned"), 2);
    a.rollback().unwrap();
    // Reloaded, the delete goes through.
    a.close();
    let fresh = a.get::<Versioned>(7).unwrap().unwrap();
    assert_eq!(fresh.read().version, 3);
    a.delete(&fresh).unwrap();
    a.commit().unwrap();
    assert_eq!(count(db, "cc_versioned"), 1);
}

/// `get_for_update` refreshes an object the identity map already holds from the row it
/// locked; `get` would serve the copy loaded before.
fn get_for_update_refreshes_the_identity_map(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    s.add(Counter { id: 1, value: 0 });
    s.commit().unwrap();
    let c = s.get::<Counter>(1).unwrap().unwrap();
    exec(db, text("UPDATE cc_counters SET value = 5 WHERE id = 1"));
    assert_eq!(s.get::<Counter>(1).unwrap().unwrap().read().value, 0);
    let locked = s.get_for_update::<Counter>(1).unwrap().unwrap();
    assert!(Handle::ptr_eq(&locked, &c));
    assert_eq!(c.read().value, 5);
    assert!(
        s.in_transaction(),
        "the lock lives in the session's transaction"
    );
    s.commit().unwrap();
    assert!(!s.in_transaction());
    // A guard alive on the object: an error, not a stale read.
    let g = c.read();
    let e = s.get_for_update::<Counter>(1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    drop(g);
    s.rollback().unwrap();
}

/// The retry helper refuses to start over work the caller has not committed, and gives up
/// after its attempts with the last error.
fn retry_helper_limits(db: &TestDb) {
    tables(db);
    let mut s = Session::new(&db.engine);
    s.add(Counter { id: 1, value: 0 });
    let e = s
        .transaction_with_retry(&RetryPolicy::default(), |_| Ok(()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    s.commit().unwrap();

    let mut calls = 0;
    let e = s
        .transaction_with_retry(&RetryPolicy::attempts(3), |_| -> Result<()> {
            calls += 1;
            Err(Error::new(ErrorKind::StaleData, "conflict"))
        })
        .unwrap_err();
    assert_eq!(calls, 3);
    assert_eq!(e.kind(), ErrorKind::StaleData);
    assert!(e.message().contains("3 attempts"), "{e}");

    // A non-retryable error ends it at once, rolled back.
    let mut calls = 0;
    let e = s
        .transaction_with_retry(&RetryPolicy::attempts(3), |s| -> Result<()> {
            calls += 1;
            s.get::<Counter>(1)?.expect("counter").write().value = 99;
            Err(Error::new(ErrorKind::Misuse, "no"))
        })
        .unwrap_err();
    assert_eq!((calls, e.kind()), (1, ErrorKind::Misuse));
    assert_eq!(
        db.scalar("SELECT value FROM cc_counters WHERE id = 1"),
        Some(0)
    );
}

mod row_locks {
    use super::*;

    /// NOWAIT fails at once on a locked row, SKIP LOCKED leaves it out (row locks: PostgreSQL
    /// and MariaDB; SQLite locks the whole database for writers instead).
    fn nowait_and_skip_locked(db: &TestDb) {
        tables(db);
        let mut s = Session::new(&db.engine);
        s.add_all((1..=3).map(|id| Counter { id, value: 0 }));
        s.commit().unwrap();

        let mut holder = Session::new(&db.engine);
        holder.get_for_update::<Counter>(2).unwrap().unwrap();

        let mut other = Session::new(&db.engine);
        let e = other
            .query::<Counter>()
            .filter(Counter::id.eq(2))
            .with_for_update_nowait()
            .all()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
        assert!(e.is_retryable());
        other.rollback().unwrap();

        let free = other
            .query::<Counter>()
            .order_by(Counter::id)
            .with_for_update_skip_locked()
            .all()
            .unwrap();
        let ids: Vec<i64> = free.iter().map(|h| h.read().id).collect();
        assert_eq!(ids, [1, 3]);
        other.rollback().unwrap();
        holder.rollback().unwrap();
    }

    backend_tests_with!(nowait_and_skip_locked {
        sqlite: [#[ignore = "SQLite has no row locks (a writer holds the database's write lock)"]],
        postgres: [],
        mysql: [],
    });
}

crate::backend_tests!(
    pessimistic_get_for_update_loses_no_increment,
    pessimistic_query_with_for_update_loses_no_increment,
    optimistic_version_with_retry_loses_no_increment,
    a_stale_version_is_a_typed_error,
    get_for_update_refreshes_the_identity_map,
    retry_helper_limits,
    count_of_a_locked_query_counts_its_rows,
);
