//! The async facade (`cinnabar::asyncio::AsyncEngine`, feature `async`) on every backend:
//! units of work commit or roll back whole, `read` takes no write lock and refuses writes,
//! the lane bounds how many run at once (so requests queue instead of timing out in the
//! pool), a dropped future never leaves a transaction open or a connection checked out, and
//! a statement timeout stops the database's work with `ErrorKind::Timeout`.

#[macro_use]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cinnabar::asyncio::AsyncEngine;
use cinnabar::prelude::*;
use support::{Backend, TestDb};

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "async_students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 100, unique)]
    name: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn setup(db: &TestDb) {
    db.create_tables(&[Student::table()]);
}

/// The students' names, read on a thread of its own: the synchronous PostgreSQL client
/// cannot block on a thread that drives a tokio runtime.
fn names(db: &TestDb) -> Vec<String> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut c = db.engine.connect().unwrap();
                c.execute(text("SELECT name FROM async_students ORDER BY name"))
                    .unwrap()
                    .rows()
                    .iter()
                    .map(|r| r.get::<String>("name").unwrap())
                    .collect()
            })
            .join()
            .unwrap()
    })
}

fn new(name: &str) -> Student {
    Student {
        id: None,
        name: name.into(),
    }
}

/// Nothing checked out of the pool.
fn assert_pool_idle(engine: &Engine) {
    let s = engine.pool_status();
    assert_eq!(s.open, s.idle, "connections still checked out: {s:?}");
}

fn run_commits_before_returning_and_rolls_back_on_error(db: &TestDb) {
    setup(db);
    let rt = runtime();
    let adb = AsyncEngine::new(db.engine.clone());
    rt.block_on(async {
        let id = adb
            .run(|s| {
                let h = s.add(new("Naresh"));
                s.flush()?;
                let id = h.read().id;
                Ok(id)
            })
            .await
            .unwrap();
        assert!(id.is_some());
        // Committed by the time the result arrived: another connection sees it.
        assert_eq!(names(db), ["Naresh"]);

        let e = adb
            .run(|s| {
                s.add(new("Asha"));
                s.flush()?;
                Err::<(), _>(Error::new(ErrorKind::NoRow, "the handler gave up"))
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NoRow);
        // A failing commit (a unique violation at flush) comes back as the error.
        let e = adb
            .run(|s| {
                s.add(new("Naresh"));
                Ok(())
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    });
    assert_eq!(names(db), ["Naresh"], "the failed units left nothing");
    assert_pool_idle(&db.engine);
}

fn read_sees_a_snapshot_takes_no_write_lock_and_refuses_writes(db: &TestDb) {
    setup(db);
    let rt = runtime();
    let adb = AsyncEngine::new(db.engine.clone());
    rt.block_on(adb.run(|s| {
        s.add(new("Naresh"));
        Ok(())
    }))
    .unwrap();

    // Another connection holds a write transaction (on SQLite, the database's write lock)
    // with an uncommitted row: a read unit neither waits for it nor sees its row.
    let mut writer = db.engine.connect().unwrap();
    writer.begin_write_level().unwrap();
    writer
        .execute(text(
            "INSERT INTO async_students (name) VALUES ('uncommitted')",
        ))
        .unwrap();
    let started = Instant::now();
    let seen = rt
        .block_on(adb.read(|s| {
            let all = s.query::<Student>().all()?;
            Ok(all
                .iter()
                .map(|h| h.read().name.clone())
                .collect::<Vec<_>>())
        }))
        .unwrap();
    assert_eq!(seen, ["Naresh"]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the read waited for the writer: {:?}",
        started.elapsed()
    );
    writer.rollback_level().unwrap();
    drop(writer);

    // Writes inside a read unit are refused, and nothing is written.
    let e = rt
        .block_on(adb.read(|s| {
            s.add(new("Asha"));
            Ok(())
        }))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("read-only"), "{e}");
    let e = rt
        .block_on(adb.read(|s| {
            let h = s.get_or_404::<Student>(1_i64)?;
            h.write().name = "changed".into();
            s.flush()
        }))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    let e = rt
        .block_on(adb.read(|s| s.get_for_update::<Student>(1_i64).map(|_| ())))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    let e = rt
        .block_on(adb.read(|s| s.execute(text("DELETE FROM async_students")).map(|_| ())))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert_eq!(names(db), ["Naresh"]);
    // get_or_404 inside a read: a missing key is NoRow.
    let e = rt
        .block_on(adb.read(|s| s.get_or_404::<Student>(404_i64).map(|_| ())))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoRow);
    assert_pool_idle(&db.engine);
}

/// An engine on the test's database with a pool of `size` connections, no overflow, and a
/// short checkout timeout.
fn small_pool(db: &TestDb, size: usize, extra: &str) -> Engine {
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let url = if extra.is_empty() {
        db.url.clone()
    } else {
        format!("{}{sep}{extra}", db.url)
    };
    Engine::with_options(
        &url,
        EngineOptions::new()
            .pool_size(size)
            .max_overflow(0)
            .pool_timeout(Duration::from_millis(300)),
    )
    .unwrap()
}

fn the_lane_queues_units_instead_of_exhausting_the_pool(db: &TestDb) {
    setup(db);
    let engine = small_pool(db, 2, "");
    let adb = AsyncEngine::new(engine.clone());
    assert_eq!(adb.lanes(), 2);
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let rt = runtime();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..24 {
            let adb = adb.clone();
            let (running, most) = (running.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                adb.run(move |s| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    s.add(new(&format!("student {i:02}")));
                    s.flush()?;
                    // Each unit holds its connection 40 ms: 24 units on 2 connections take
                    // ~480 ms, longer than the pool's 300 ms checkout timeout.
                    std::thread::sleep(Duration::from_millis(40));
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    });
    assert!(
        most.load(Ordering::SeqCst) <= 2,
        "more units ran than lanes"
    );
    assert_eq!(names(db).len(), 24, "every unit committed, none timed out");
    assert_eq!(adb.idle_lanes(), 2);
    assert_pool_idle(&engine);
}

/// How many transactions of this test's connections are open on the server (PostgreSQL:
/// `idle in transaction` sessions with the test's application_name; MariaDB: InnoDB
/// transactions of connections on the test's database); on SQLite, whether a write lock is
/// held (a `BEGIN IMMEDIATE` with no busy wait fails).
fn open_transactions(db: &TestDb, app: &str) -> i64 {
    let mut c = db.engine.connect().unwrap();
    match db.backend {
        Backend::Postgres => c
            .scalar(
                text(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :app \
                     AND state LIKE 'idle in transaction%'",
                )
                .bind("app", app),
            )
            .unwrap(),
        Backend::MySql => c
            .scalar(text(
                "SELECT COUNT(*) FROM information_schema.INNODB_TRX t \
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
                 WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID()",
            ))
            .unwrap(),
        Backend::Sqlite => {
            c.execute_script("PRAGMA busy_timeout = 0").unwrap();
            let held = c.execute_script("BEGIN IMMEDIATE").is_err();
            if !held {
                c.execute_script("ROLLBACK").unwrap();
            }
            i64::from(held)
        }
    }
}

fn dropped_futures_end_their_units_and_return_their_connections(db: &TestDb) {
    setup(db);
    let app = format!("cinnabar_async_cancel_{}", std::process::id());
    let extra = match db.backend {
        Backend::Postgres => format!("application_name={app}"),
        _ => String::new(),
    };
    let engine = small_pool(db, 4, &extra);
    let adb = AsyncEngine::new(engine.clone());
    let rt = runtime();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    // Work 0-30 ms per unit, 60 units on 4 lanes; callers give up after 0-600 ms, so some
    // are dropped while queued, some while running or committing, and some finish.
    let plans: Vec<(u64, u64)> = (0..60).map(|_| (next(30), next(600))).collect();
    let outcomes = rt.block_on(async {
        let mut tasks = Vec::new();
        for (i, (work_ms, deadline_ms)) in plans.into_iter().enumerate() {
            let adb = adb.clone();
            tasks.push(tokio::spawn(async move {
                let unit = adb.run(move |s| {
                    s.add(new(&format!("unit {i:02}")));
                    s.flush()?; // the transaction is open from here
                    std::thread::sleep(Duration::from_millis(work_ms));
                    s.query::<Student>().count()?;
                    Ok(i)
                });
                // The caller gives up after `deadline_ms`: its future is dropped, at
                // whatever point the unit is (queued, running, committing, done).
                tokio::time::timeout(Duration::from_millis(deadline_ms), unit).await
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        adb.wait_idle().await;
        outcomes
    });
    let finished: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match o {
            Ok(Ok(i)) => Some(format!("unit {i:02}")),
            Ok(Err(e)) => panic!("a unit failed: {e}"),
            Err(_) => None,
        })
        .collect();
    let dropped = outcomes.iter().filter(|o| o.is_err()).count();
    assert!(
        dropped > 0 && !finished.is_empty(),
        "the plan should drop some futures and finish others: {dropped} dropped, {} finished",
        finished.len()
    );
    assert_pool_idle(&engine);
    assert_eq!(adb.idle_lanes(), adb.lanes());
    assert_eq!(
        open_transactions(db, &app),
        0,
        "a transaction was left open"
    );
    let in_db = names(db);
    for name in &finished {
        assert!(
            in_db.contains(name),
            "{name} returned Ok but is not committed"
        );
    }
    // A dropped unit was rolled back unless its COMMIT had begun: most are.
    let committed_anyway = in_db.len() - finished.len();
    assert!(
        committed_anyway < dropped,
        "{committed_anyway} of {dropped} dropped units committed anyway"
    );
    engine.dispose();
}

fn a_unit_whose_caller_left_mid_way_is_rolled_back(db: &TestDb) {
    setup(db);
    let rt = runtime();
    let adb = AsyncEngine::new(db.engine.clone());
    let ran_to_the_end = Arc::new(AtomicUsize::new(0));
    let ended = ran_to_the_end.clone();
    let outcome = rt.block_on(async {
        let unit = adb.run(move |s| {
            s.add(new("abandoned"));
            s.flush()?;
            std::thread::sleep(Duration::from_millis(300));
            ended.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        let outcome = tokio::time::timeout(Duration::from_millis(50), unit).await;
        adb.wait_idle().await;
        outcome
    });
    assert!(outcome.is_err(), "the caller gave up");
    assert_eq!(
        ran_to_the_end.load(Ordering::SeqCst),
        1,
        "the closure ran to its end on its thread"
    );
    assert_eq!(
        names(db),
        Vec::<String>::new(),
        "then the unit was rolled back"
    );
    assert_pool_idle(&db.engine);
    // A unit whose caller left while it was queued never runs.
    let engine = small_pool(db, 1, "");
    let one = AsyncEngine::new(engine.clone());
    let ran = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let blocker = one.run(|_| {
            std::thread::sleep(Duration::from_millis(200));
            Ok(())
        });
        let ran2 = ran.clone();
        let queued = one.run(move |s| {
            ran2.fetch_add(1, Ordering::SeqCst);
            s.add(new("queued"));
            Ok(())
        });
        let (first, second) = tokio::join!(
            blocker,
            tokio::time::timeout(Duration::from_millis(50), queued)
        );
        first.unwrap();
        assert!(second.is_err());
        one.wait_idle().await;
    });
    assert_eq!(
        ran.load(Ordering::SeqCst),
        0,
        "the queued unit never started"
    );
    assert_eq!(names(db), Vec::<String>::new());
    assert_pool_idle(&engine);
}

/// A statement that runs for seconds on `backend`.
fn slow_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) \
             SELECT COUNT(*) FROM n"
        }
        Backend::Postgres => "SELECT 1 FROM pg_sleep(10)",
        Backend::MySql => "SELECT SLEEP(10)",
    }
}

fn statement_timeout_stops_the_database_work(db: &TestDb) {
    setup(db);
    let rt = runtime();
    let plain = AsyncEngine::new(small_pool(db, 1, ""));
    let bounded = plain
        .clone()
        .with_statement_timeout(Duration::from_millis(300));
    assert_eq!(plain.statement_timeout(), None);
    let sql = slow_sql(db.backend);
    let started = Instant::now();
    let e = rt
        .block_on(bounded.run(move |s| {
            s.add(new("before the slow query"));
            s.flush()?;
            s.execute(text(sql))?;
            Ok(())
        }))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_secs(5), "the timeout took {took:?}");
    assert_eq!(names(db), Vec::<String>::new(), "the unit was rolled back");

    // The bound does not outlive the checkout: the same (only) connection, through the
    // plain handle, runs a statement longer than 300 ms.
    let longer = match db.backend {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) \
             SELECT COUNT(*) FROM n"
        }
        Backend::Postgres => "SELECT 1 FROM pg_sleep(0.5)",
        Backend::MySql => "SELECT SLEEP(0.5)",
    };
    let started = Instant::now();
    rt.block_on(plain.run(move |s| s.execute(text(longer)).map(|_| ())))
        .unwrap();
    if db.backend != Backend::Sqlite {
        assert!(started.elapsed() >= Duration::from_millis(450));
    }
    // And a bounded unit whose statements are quick succeeds.
    rt.block_on(bounded.run(|s| {
        s.add(new("quick"));
        Ok(())
    }))
    .unwrap();
    assert_eq!(names(db), ["quick"]);
}

fn a_panicking_unit_is_rolled_back_and_resumed_in_the_caller(db: &TestDb) {
    setup(db);
    let rt = runtime();
    let adb = AsyncEngine::new(db.engine.clone());
    let joined = rt.block_on(async {
        let adb = adb.clone();
        tokio::spawn(async move {
            adb.run(|s| {
                s.add(new("doomed"));
                s.flush()?;
                if s.in_transaction() {
                    panic!("a bug in the handler");
                }
                Ok(())
            })
            .await
        })
        .await
    });
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(names(db), Vec::<String>::new());
    assert_pool_idle(&db.engine);
    assert_eq!(adb.idle_lanes(), adb.lanes());
}

backend_tests!(
    run_commits_before_returning_and_rolls_back_on_error,
    read_sees_a_snapshot_takes_no_write_lock_and_refuses_writes,
    the_lane_queues_units_instead_of_exhausting_the_pool,
    dropped_futures_end_their_units_and_return_their_connections,
    a_unit_whose_caller_left_mid_way_is_rolled_back,
    statement_timeout_stops_the_database_work,
    a_panicking_unit_is_rolled_back_and_resumed_in_the_caller,
);

#[test]
fn async_engine_is_clone_send_sync_and_its_futures_are_send() {
    fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    clone_send_sync::<AsyncEngine>();
    let adb = AsyncEngine::new(create_engine("sqlite://").unwrap());
    assert_eq!(adb.lanes(), 1, "an in-memory database has one connection");
    let run = adb.run(|_| Ok(1));
    send(&run);
    let read = adb.read(|_| Ok(1));
    send(&read);
    let retry = adb.run_with_retry(RetryPolicy::default(), |_| Ok(1));
    send(&retry);
}

#[test]
fn outside_a_tokio_runtime_is_a_typed_error() {
    let adb = AsyncEngine::new(create_engine("sqlite://").unwrap());
    // A minimal executor that is not tokio.
    let fut = adb.run(|_| Ok(()));
    let e = poll_once(fut).expect("ready at once").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(e.message().contains("tokio"), "{e}");
}

fn poll_once<F: std::future::Future>(fut: F) -> Option<F::Output> {
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}
