//! Pool settings: SQLAlchemy's defaults, recycling by age, and pre-ping on checkout,
//! against a real SQLite file (a TEMP table tells one connection from another), and
//! pre-ping replacing a connection the server closed, on PostgreSQL and MariaDB.

mod support;

use std::time::{Duration, Instant};

use cinnabar::prelude::*;
use support::{Backend, TestDb};

fn engine(dir: &tempfile::TempDir, options: EngineOptions) -> Engine {
    let url = format!("sqlite:///{}", dir.path().join("pool.db").display());
    Engine::with_options(&url, options).unwrap()
}

fn has_marker(conn: &mut Connection) -> bool {
    let n: i64 = conn
        .scalar(text(
            "SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'marker'",
        ))
        .unwrap();
    n == 1
}

#[test]
fn defaults_are_sqlalchemys() {
    let o = EngineOptions::default();
    assert_eq!(o.pool.size, 5);
    assert_eq!(o.pool.max_overflow, 10);
    assert_eq!(o.pool.timeout, Duration::from_secs(30));
    assert_eq!(o.pool.recycle, None);
    assert!(!o.pool.pre_ping);
}

#[test]
fn an_idle_connection_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir, EngineOptions::new().pool_size(1).max_overflow(0));
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    let mut c = e.connect().unwrap();
    assert!(has_marker(&mut c), "the same connection came back");
}

#[test]
fn connections_older_than_recycle_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        &dir,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_recycle(Duration::from_millis(50)),
    );
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(120));
    let mut c = e.connect().unwrap();
    assert!(!has_marker(&mut c), "a recycled connection is a new one");
    assert_eq!(e.pool_status().open, 1);
}

#[test]
fn pre_ping_keeps_healthy_connections() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(
        &dir,
        EngineOptions::new()
            .pool_size(1)
            .max_overflow(0)
            .pool_pre_ping(true),
    );
    {
        let mut c = e.connect().unwrap();
        c.execute_script("CREATE TEMP TABLE marker (x INTEGER)")
            .unwrap();
    }
    let mut c = e.connect().unwrap();
    assert!(
        has_marker(&mut c),
        "a connection that answers the ping is kept"
    );
}

/// The server-side id of the connection `conn` holds.
fn server_connection_id(db: &TestDb, conn: &mut Connection) -> i64 {
    let sql = match db.backend {
        Backend::Postgres => "SELECT CAST(pg_backend_pid() AS BIGINT)",
        Backend::MySql => "SELECT CAST(CONNECTION_ID() AS SIGNED)",
        Backend::Sqlite => unreachable!("SQLite has no server connection"),
    };
    conn.scalar(text(sql)).unwrap()
}

/// `engine.dispose()` closes every idle connection and the pool counts them gone (kills
/// `replace Pool::dispose with ()` and the `open -=` mutants in it); the pool keeps at most
/// `pool_size` connections idle after overflow connections come back.
#[test]
fn dispose_closes_idle_connections_and_overflow_is_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(&dir, EngineOptions::new().pool_size(2).max_overflow(2));
    {
        let held: Vec<Connection> = (0..4).map(|_| e.connect().unwrap()).collect();
        assert_eq!(e.pool_status().open, 4);
        drop(held);
    }
    let st = e.pool_status();
    assert_eq!(
        (st.open, st.idle),
        (2, 2),
        "overflow connections are closed on return"
    );
    e.dispose();
    let st = e.pool_status();
    assert_eq!(
        (st.open, st.idle),
        (0, 0),
        "dispose closed the idle connections"
    );
    let mut c = e.connect().unwrap();
    assert_eq!(c.scalar::<i64>(text("SELECT 1")).unwrap(), 1);
    assert_eq!(e.pool_status().open, 1);
}

/// Closes server connection `id` from another connection and waits until it is gone.
fn kill_server_connection(db: &TestDb, id: i64) {
    let mut admin = db.engine.connect().unwrap();
    let (kill, alive) = match db.backend {
        Backend::Postgres => (
            format!("SELECT pg_terminate_backend({id})"),
            format!("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {id}"),
        ),
        Backend::MySql => (
            format!("KILL CONNECTION {id}"),
            format!("SELECT COUNT(*) FROM information_schema.processlist WHERE id = {id}"),
        ),
        Backend::Sqlite => unreachable!("SQLite has no server connection"),
    };
    admin.execute(text(kill)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while admin.scalar::<i64>(text(alive.as_str())).unwrap() > 0 {
        assert!(Instant::now() < deadline, "connection {id} is still alive");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks a connection out of `engine` (one connection, no overflow), closes it on the
/// server while it is idle, and runs a statement on the next checkout.
fn statement_after_the_server_closed_the_idle_connection(
    db: &TestDb,
    engine: &Engine,
) -> (i64, Result<i64>) {
    let mut c = engine.connect().unwrap();
    let id = server_connection_id(db, &mut c);
    drop(c);
    assert_eq!(engine.pool_status().idle, 1);
    kill_server_connection(db, id);
    let mut c = engine.connect().unwrap();
    let r = c.scalar::<i64>(text("SELECT 41 + 1"));
    (id, r.map(|_| server_connection_id(db, &mut c)))
}

fn pre_ping_replaces_a_connection_the_server_closed(db: &TestDb) {
    let options = || EngineOptions::new().pool_size(1).max_overflow(0);
    // Control: without pre-ping the dead connection is handed out and its first statement
    // fails, so the kill below really breaks the pooled connection.
    let engine = Engine::with_options(&db.url, options()).unwrap();
    let (_, r) = statement_after_the_server_closed_the_idle_connection(db, &engine);
    let e = r.expect_err("without pre-ping the killed connection is handed out");
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");

    // With pre-ping the checkout notices and opens a new connection.
    let engine = Engine::with_options(&db.url, options().pool_pre_ping(true)).unwrap();
    let (old, r) = statement_after_the_server_closed_the_idle_connection(db, &engine);
    let new = r.unwrap_or_else(|e| panic!("with pre-ping the checkout should be healthy: {e}"));
    assert_ne!(new, old, "a new server connection");
    assert_eq!(
        engine.pool_status().open,
        1,
        "the dead connection was discarded"
    );
}

backend_tests_with!(pre_ping_replaces_a_connection_the_server_closed {
    sqlite: [#[ignore = "SQLite has no server that could close a pooled connection"]],
    postgres: [],
    mysql: [],
});

mod broken {
    use super::*;

    /// A connection that broke while checked out is discarded when it comes back, not kept
    /// idle for the next user (kills `replace && with || in Pool::checkin`).
    fn a_broken_connection_is_discarded_on_return(db: &TestDb) {
        let engine =
            Engine::with_options(&db.url, EngineOptions::new().pool_size(2).max_overflow(0))
                .unwrap();
        let mut c = engine.connect().unwrap();
        let id = server_connection_id(db, &mut c);
        kill_server_connection(db, id);
        let e = c.scalar::<i64>(text("SELECT 1")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        drop(c);
        let st = engine.pool_status();
        assert_eq!(
            (st.open, st.idle),
            (0, 0),
            "the broken connection was discarded"
        );
        let mut c = engine.connect().unwrap();
        assert_ne!(
            server_connection_id(db, &mut c),
            id,
            "a new server connection"
        );
    }

    backend_tests_with!(a_broken_connection_is_discarded_on_return {
        sqlite: [#[ignore = "SQLite has no server that could close a connection"]],
        postgres: [],
        mysql: [],
    });
}
